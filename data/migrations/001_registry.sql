-- The registry: member states, sites, heat options, periods, workload classes, demand, caps,
-- and the provenance of every value. Units are in the column names or in optimizer/registry.py.
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
    it_capacity_mw DOUBLE,
    pue DOUBLE NOT NULL,
    wue_l_per_kwh DOUBLE,
    ref DOUBLE,
    cooling VARCHAR,
    rmax_pflops DOUBLE,
    accelerators BIGINT,
    expansion_limit_mw DOUBLE,
    expansion_cost_eur_per_mw_yr DOUBLE
);

CREATE TABLE heat_options (
    site_id VARCHAR NOT NULL,
    sink VARCHAR NOT NULL,
    recoverable_fraction DOUBLE NOT NULL,
    sink_capacity_mw_th DOUBLE NOT NULL,
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

CREATE TABLE workload_classes (
    workload VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    description VARCHAR
);

CREATE TABLE demand (
    state VARCHAR NOT NULL,
    workload VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    demand_it_mw DOUBLE NOT NULL,
    PRIMARY KEY (state, workload, period)
);

CREATE TABLE energy_caps (
    country VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    energy_cap_mw DOUBLE NOT NULL,
    PRIMARY KEY (country, period)
);

-- Named assumptions that fill gaps in the facts; provenance rows point at them.
CREATE TABLE assumptions (
    assumption_id VARCHAR PRIMARY KEY,
    value DOUBLE,
    unit VARCHAR,
    rationale VARCHAR NOT NULL,
    source VARCHAR
);

-- Where each value came from: a fact (source and vintage), an assumption (rationale) or a
-- user edit (which import or edit, and when). row_key joins the table's key with '|'.
CREATE TABLE provenance (
    table_name VARCHAR NOT NULL,
    row_key VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('fact', 'assumption', 'user_edit')),
    source VARCHAR,
    vintage VARCHAR,
    rationale VARCHAR,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR,
    PRIMARY KEY (table_name, row_key, column_name)
);
