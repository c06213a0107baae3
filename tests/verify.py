"""Check a plan against its inputs tables alone, with no model code: the independent verifier."""

from __future__ import annotations

import pandas as pd

TOL = 1e-6


def violations(
    allocation: pd.DataFrame,
    unserved: pd.DataFrame,
    sites: pd.DataFrame,
    inputs: dict[str, pd.DataFrame],
) -> list[str]:
    """Return every broken constraint of a plan, read from its run-folder tables."""
    out: list[str] = []
    keys = ["state", "workload", "period"]
    periods = inputs["periods"]["period"]
    demand = (
        inputs["demand"]
        .merge(pd.DataFrame({"period": periods}), how="cross")
        .set_index(keys)["demand_it_mw"]
    )
    served = allocation.groupby(keys)["it_mw"].sum() if len(allocation) else pd.Series(dtype=float)
    lost = unserved.groupby(keys)["it_mw"].sum() if len(unserved) else pd.Series(dtype=float)
    for key, d in demand.items():
        total = served.get(key, 0.0) + lost.get(key, 0.0)
        if abs(total - d) > TOL * max(1.0, d):
            out.append(f"demand {key}: served + unserved = {total} != {d}")
    site_in = inputs["sites"].set_index("site_id")
    built = sites.set_index("site_id")["new_mw"] if len(sites) else pd.Series(dtype=float)
    if len(allocation):
        per_site = allocation.groupby(["site_id", "period"])["it_mw"].sum()
        for (site, period), mw in per_site.items():
            limit = site_in.loc[site, "it_capacity_mw"] + built.get(site, 0.0)
            if not site_in.loc[site, "usable"]:
                out.append(f"site {site} is not usable but hosts {mw} MW")
            if mw > limit + TOL * max(1.0, limit):
                out.append(f"site {site} {period}: {mw} MW > {limit} MW")
        caps = inputs["energy_caps"].set_index("country")["energy_cap_mw"]
        new = sites.assign(facility=sites["new_mw"] * sites["pue"]).groupby("country")["facility"]
        for country, mw in new.sum().items():
            cap = caps.get(country, 0.0)
            if mw > cap + TOL * max(1.0, cap):
                out.append(f"grid allowance {country}: {mw} MW of new builds > {cap} MW")
        for site, mw in built.items():
            room = site_in.loc[site, "expansion_limit_mw"]
            if mw > TOL and pd.notna(room) and mw > room + TOL * max(1.0, room):
                out.append(f"site {site}: {mw} MW built > its limit {room} MW")
        states = inputs["states"].set_index("state")
        rules = inputs["workloads"].set_index("workload")["rule"]
        for r in allocation[allocation["it_mw"] > TOL].itertuples():
            rule, host = rules[r.workload], r.host_country
            ok = (
                host == r.state
                or rule == "anywhere"
                or (rule == "eu" and bool(states.loc[host, "eu_member"]))
                or (rule == "trusted" and bool(states.loc[host, "trusted"]))
            )
            if not ok:
                out.append(f"{r.state} {r.workload} runs in {host} against rule {rule}")
    return out
