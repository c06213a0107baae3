-- Registry v2 (credible plans): capacity by status and vintage, build costs per site, grid
-- allowances per country for new builds, demand scenarios instead of a fixed demand table,
-- profile factors per (country, period), and 'derivation' as a kind of provenance.
-- A database made before this migration is copied aside first (store.connect) and its registry
-- is rebuilt from the seed: the old tables cannot hold the new meaning of capacity and caps.
DROP TABLE IF EXISTS demand;
DROP TABLE IF EXISTS energy_caps;
DROP TABLE IF EXISTS heat_options;
DROP TABLE IF EXISTS periods;
DROP TABLE IF EXISTS workload_classes;
DROP TABLE IF EXISTS sites;
DROP TABLE IF EXISTS member_states;
DROP TABLE IF EXISTS assumptions;
DROP TABLE IF EXISTS provenance;

CREATE TABLE member_states (
    iso2 VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    eu_member BOOLEAN NOT NULL,
    eurohpc_participant BOOLEAN NOT NULL,
    population BIGINT,
    gdp_usd DOUBLE,
    grid_ci_g_per_kwh DOUBLE,
    grid_ci_year INTEGER,
    elec_price_eur_per_mwh DOUBLE,
    elec_price_band VARCHAR,
    elec_price_period VARCHAR,
    elec_demand_twh DOUBLE,
    elec_demand_year INTEGER,
    dh_share_residential_heat DOUBLE,
    trusted_groups VARCHAR,
    contribution_share DOUBLE
);

CREATE TABLE sites (
    site_id VARCHAR PRIMARY KEY,
    site_name VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    host_entity VARCHAR,
    country VARCHAR NOT NULL,
    city VARCHAR,
    latitude DOUBLE,
    longitude DOUBLE,
    status VARCHAR,
    status_year INTEGER,
    capacity_status VARCHAR NOT NULL,
    online_year INTEGER,
    retire_year INTEGER,
    it_capacity_mw DOUBLE,
    pue DOUBLE NOT NULL,
    wue_l_per_kwh DOUBLE,
    ref DOUBLE,
    cooling VARCHAR,
    rmax_pflops DOUBLE,
    accelerators BIGINT,
    expansion_limit_mw DOUBLE,
    lead_time_years DOUBLE,
    facility_capex_eur_per_mw DOUBLE
);

CREATE TABLE heat_options (
    site_id VARCHAR NOT NULL,
    sink VARCHAR NOT NULL,
    recoverable_fraction DOUBLE NOT NULL,
    sink_capacity_mw_th DOUBLE,
    heat_price_eur_per_mwh_th DOUBLE,
    PRIMARY KEY (site_id, sink)
);

CREATE TABLE periods (
    period VARCHAR PRIMARY KEY,
    hours DOUBLE NOT NULL,
    price_factor DOUBLE NOT NULL,
    carbon_factor DOUBLE NOT NULL,
    heat_demand_factor DOUBLE NOT NULL
);

CREATE TABLE period_factors (
    country VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    price_factor DOUBLE,
    carbon_factor DOUBLE,
    heat_demand_factor DOUBLE,
    PRIMARY KEY (country, period)
);

CREATE TABLE workload_classes (
    workload VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    demand_share DOUBLE NOT NULL,
    description VARCHAR
);

CREATE TABLE demand_scenarios (
    demand_scenario VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    total_it_mw DOUBLE NOT NULL,
    plan_year INTEGER NOT NULL,
    description VARCHAR
);

CREATE TABLE energy_caps (
    country VARCHAR PRIMARY KEY,
    energy_cap_mw DOUBLE NOT NULL
);

CREATE TABLE assumptions (
    assumption_id VARCHAR PRIMARY KEY,
    value DOUBLE,
    unit VARCHAR,
    rationale VARCHAR NOT NULL,
    source VARCHAR
);

CREATE TABLE provenance (
    table_name VARCHAR NOT NULL,
    row_key VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('fact', 'derivation', 'assumption', 'user_edit')),
    source VARCHAR,
    vintage VARCHAR,
    rationale VARCHAR,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR,
    PRIMARY KEY (table_name, row_key, column_name)
);
