"""The constraint families, declared once: what each says, how its rows are named, what its
dual means and how a planner reads it.

The model builds the families in this order (each switch's builder is registered with
`model.builds`), a scenario may switch off what `SWITCHES` lists (`disabled_constraints`), the
levers take their subject and sentence from here, and docs/model.md's table is `docs_table()`.
Standard library only: the CLI's help reads the switches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.scenario import Scenario


def _always(_: Scenario) -> bool:
    return True


@dataclass(frozen=True)
class Switch:
    """Constraints a scenario can switch off, and when they apply once switched on."""

    name: str
    #: whether the scenario's settings ask for the constraints at all (a floor of 0 adds none)
    applies: Callable[[Scenario], bool] = _always


@dataclass(frozen=True)
class Family:
    """One family of constraint rows (one row per key and period)."""

    name: str
    #: the switch that adds it; None: always there
    switch: Switch | None
    #: key fields that name the lever's subject (the period is summed over)
    subject: tuple[str, ...]
    #: LP row names; `|` separates the parts, which registry identifiers never contain
    rows: str
    equation: str
    unit: str
    #: what 1 unit more of the right-hand side means, for docs/model.md
    means: str
    #: the lever in words; fields: {v} value per year, {holds} range, {build} 1 MW new,
    #: {site}, {state}, {workload}, {country}, {where} (site, else country)
    sentence: str = ""

    @property
    def lever(self) -> bool:
        """Return whether the family's duals are a planner's lever (not bookkeeping)."""
        return bool(self.sentence)


SITE_CAPACITY = Switch("site_capacity")
ENERGY_CAP = Switch("energy_cap")
CONCENTRATION = Switch("concentration")
SOVEREIGNTY = Switch("sovereignty", lambda sc: not sc.autarky)
HOME_SHARE = Switch("home_share", lambda sc: sc.min_home_share > 0)
FAIR_ACCESS = Switch("fair_access", lambda sc: sc.fair_access_factor > 0)
JUSTE_RETOUR = Switch("juste_retour", lambda sc: sc.juste_retour_factor > 0)
HEAT = Switch("heat")
EMISSIONS_BUDGET = Switch("emissions_budget", lambda sc: sc.emissions_budget_t is not None)
WATER = Switch("water", lambda sc: sc.water_cap_m3_per_country is not None)
GPU_CAP = Switch("gpu_cap", lambda sc: sc.gpu_cap_per_country is not None)
REUSE_FLOOR = Switch("reuse_floor", lambda sc: bool(sc.reuse_floors))

FAMILIES: tuple[Family, ...] = (
    Family(
        "demand",
        None,
        ("state", "workload"),
        "`demand|<g>|<t>`",
        r"$\sum_{i} x_{git} + u_{gt} = D_{gt}$",
        "MW IT",
        "marginal cost of serving 1 MW more of that demand in that period; summed over "
        "periods: per year (`marginal_costs`)",
        "Serving 1 MW more of {state}'s {workload} demand all year costs {v} at the margin.",
    ),
    Family(
        "build_size",
        None,
        ("site_id",),
        "`build_max|<i>`, `build_min|<i>`",
        r"$y_i \le M_i\beta_i$, $y_i \ge \underline{B}\beta_i$; $M_i = \min(X_i, "
        r"\overline{B})$, else the peak total demand",
        "MW IT",
        "lumpy builds only; bookkeeping (not a lever)",
    ),
    Family(
        "site_capacity",
        SITE_CAPACITY,
        ("site_id",),
        "`site_capacity|<i>|<t>`",
        r"$\sum_{g} x_{git} - y_i \le K_i$",
        "MW IT",
        "saving from 1 MW more existing capacity at the site (not listed at sites with none: "
        "there the lever is the build)",
        "1 MW more IT capacity at {site}, all year, would save {v}{holds}{build}.",
    ),
    Family(
        "energy_cap",
        ENERGY_CAP,
        ("country",),
        "`energy_cap|<c>`",
        r"$\sum_{i \in I_c \cap N} PUE_i\,y_i \le E_c$",
        "MW facility",
        "saving from 1 MW more grid allowance for new data centres in the country, set beside "
        "the annuity of 1 MW new",
        "1 MW more grid allowance for new data centres in {country} would save {v}{holds}{build}.",
    ),
    Family(
        "concentration",
        CONCENTRATION,
        ("site_id", "country"),
        "`site_share|<i>|<t>`, `country_share|<c>|<t>`",
        r"$\sum_g x_{git} \le \bar s \sum_g D_{gt}$; "
        r"$\sum_{i\in I_c}\sum_g x_{git} \le \bar c \sum_g D_{gt}$",
        "MW IT",
        "saving from letting the site or country host 1 MW more of the pool",
        "Letting {where} host 1 MW more of the pool, all year, would save {v}{holds}.",
    ),
    Family(
        "sovereignty",
        SOVEREIGNTY,
        ("state", "workload"),
        "`sovereignty|<g>|<t>`",
        r"$\sum_{i \notin A(g)} x_{git} \le 0$",
        "MW IT",
        "saving if 1 MW of that work could run outside the places its rule allows: the price "
        "of the rule",
        "Letting 1 MW of {state}'s {workload} work run outside the places its rule allows, all "
        "year, would save {v}{holds}.",
    ),
    Family(
        "home_share",
        HOME_SHARE,
        ("state",),
        "`home_share|<s>|<t>`",
        r"$\sum_{g \ni s}\sum_{i \in I_s} x_{git} + z \ge m \sum_w D_{sw}$",
        "MW IT",
        "cost of requiring 1 MW more at home",
        "Requiring 1 MW more for {state} under the home share, all year, costs {v}{holds}.",
    ),
    Family(
        "fair_access",
        FAIR_ACCESS,
        ("state",),
        "`fair_access|<s>|<t>`",
        r"$\sum_{g\ni s,i} x_{git} + z \ge \min(\sum_w D_{sw},\ \phi\,\sigma_s \sum_{s'w} "
        r"D_{s'w})$",
        "MW IT",
        "cost of 1 MW more guaranteed access for the state",
        "Requiring 1 MW more for {state} under the fair-access floor, all year, costs {v}{holds}.",
    ),
    Family(
        "pooled_load",
        JUSTE_RETOUR,
        (),
        "`pooled_load|<t>`",
        r"$\sum_{gi} x_{git} - L_t = 0$",
        "MW IT",
        "bookkeeping for juste retour (not a lever)",
    ),
    Family(
        "juste_retour",
        JUSTE_RETOUR,
        ("country",),
        "`juste_retour|<c>|<t>`",
        r"$\sum_{i \in I_c}\sum_{g} x_{git} - \rho\,\sigma_c L_t + z \ge 0$, $c \in C^{jr}$",
        "MW IT",
        "cost of hosting 1 MW more of the pool in that contributing state",
        "Requiring 1 MW more of the pool to be hosted in {country}, all year, costs {v}.",
    ),
    Family(
        "heat_recovery",
        HEAT,
        ("site_id", "sink"),
        "`heat_recovery|<i>|<k>|<t>`",
        r"$r_{ikt} - f_{ik}\,\eta_{ct}\sum_{g} x_{git} \le 0$",
        "MW th",
        "see above: value of 1 percentage point more recoverable fraction",
        "Recovering 1 percentage point more of {site}'s IT power as usable heat would earn {v}.",
    ),
    Family(
        "heat_sink",
        HEAT,
        ("site_id", "sink"),
        "`heat_sink|<i>|<k>|<t>`",
        r"$r_{ikt} \le Q_{ik}$ (where a capacity is given)",
        "MW th",
        "saving from 1 MW th more sink capacity",
        "1 MW thermal more heat-sink capacity at {site} would earn {v}{holds}.",
    ),
    Family(
        "emissions_budget",
        EMISSIONS_BUDGET,
        (),
        "`emissions_budget`",
        r"$\sum e_{it}\,x_{git} \le B$",
        "tCO2/yr",
        "saving from 1 tCO2 more budget (the implied carbon price)",
        "Allowing 1 tCO2 more a year would save {v}.",
    ),
    Family(
        "water",
        WATER,
        ("country",),
        "`water|<c>`",
        r"$\sum_{i \in I_c,t} WUE_i\,h_t\,x_{git} \le U$",
        "m3/yr",
        "saving from 1 m3 more water",
        "Allowing 1 m3 more water a year in {country} would save {v}.",
    ),
    Family(
        "gpu_cap",
        GPU_CAP,
        ("country",),
        "`gpu_cap|<c>|<t>`",
        r"$\sum_{i \in I_c} (1000/\omega)\,x_{git} \le \Gamma$ for capped countries (outside "
        "the trusted group, or all)",
        "GPU-eq",
        "saving from 1 GPU-equivalent more",
        "Allowing 1 GPU-equivalent more in {country}, all year, would save {v}.",
    ),
    Family(
        "reuse_floor",
        REUSE_FLOOR,
        ("site_id",),
        "`reuse_floor|<i>`",
        r"$\sum_{k,t} h_t r_{ikt} + z \ge \varepsilon_c \sum_t h_t\,PUE_i \sum_g x_{git}$ for new "
        r"(buildable) sites in a country with a floor $\varepsilon_c$ (`reuse_floors`; e.g. DE "
        "0.2, EnEfG s.11 from July 2028)",
        "MWh/yr",
        "cost of requiring 1 MWh more reused heat a year; $z$ [MWh/yr] is the shortfall",
        "Lowering {site}'s energy reuse floor by 1 MWh of heat a year would save {v}.",
    ),
)


def active(switch: Switch, scenario: Scenario) -> bool:
    """Return whether a switch's constraints are in a scenario's model."""
    return scenario.on(switch.name) and switch.applies(scenario)


#: Each family by name.
FAMILY = {f.name: f for f in FAMILIES}
#: What a scenario can switch off, in the order the model builds it.
SWITCHES: tuple[Switch, ...] = tuple(
    dict.fromkeys(f.switch for f in FAMILIES if f.switch is not None)
)


def docs_table() -> str:
    """Return docs/model.md's table of the families, one row per family."""
    head = "| family | rows | equation | unit | dual (lever) means |\n|---|---|---|---|---|\n"
    return head + "\n".join(
        f"| `{f.name}` | {f.rows} | {f.equation} | {f.unit} | {f.means} |" for f in FAMILIES
    )
