-- A counter every write transaction raises (store.transaction). An import is written into a copy
-- of the database outside the lock and swapped in only if the counter is still the one copied,
-- so that nobody's write is lost (store.import_into).
CREATE TABLE store_version (n BIGINT NOT NULL);
INSERT INTO store_version VALUES (0);
