-- Named scenarios and stored runs. A run keeps its scenario and the exact inputs it used, so it
-- can be reproduced and diffed against another run.
CREATE TABLE scenarios (
    name VARCHAR PRIMARY KEY,
    body VARCHAR NOT NULL,          -- the scenario as JSON
    saved_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    scenario_name VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,      -- the scenario as JSON
    status VARCHAR NOT NULL,
    objective_eur DOUBLE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    build_seconds DOUBLE,
    solve_seconds DOUBLE,
    summary VARCHAR NOT NULL        -- summary.json of the run, versions included
);

-- The run's result tables and its inputs/ tables, each as JSON records.
CREATE TABLE run_tables (
    run_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,          -- allocation, ..., or inputs/sites, inputs/demand, ...
    body VARCHAR NOT NULL,
    PRIMARY KEY (run_id, name)
);
