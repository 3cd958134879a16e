-- The open opportunities counted per expected-close day and stage (issue
-- 19). The admin's forecast sums the province's open opportunities of
-- the next months per close month and stage (reports.Store.Forecast): on
-- a first look after a write PostgreSQL read ~135,000 of them for a
-- window of six months along idx_opps_open_close (~55–75 ms). These rows
-- are at most a few thousand (a day and stage each).
--
-- The live opportunities are counted whatever their customer; the
-- report takes off the few of deleted customers as it reads, as the kept
-- sums per stage do (00045), so a customer's deletion writes nothing here.
-- A statement's new opportunities are counted in one upsert of their
-- groups; a change of stage, close date, value or deletion, and a
-- delete, move one opportunity's counts, the old and the new in one
-- upsert in key order.

-- +goose Up
CREATE TABLE opportunity_close_counts (
    close_on DATE   NOT NULL,
    stage    TEXT   NOT NULL,
    n        BIGINT NOT NULL,
    monthly  BIGINT NOT NULL,
    PRIMARY KEY (close_on, stage) INCLUDE (n, monthly)
);

-- +goose StatementBegin
CREATE FUNCTION jike_opportunities_inserted_close() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO opportunity_close_counts AS k (close_on, stage, n, monthly)
    SELECT o.expected_close, o.stage, COUNT(*), SUM(o.monthly_fen)
    FROM new_opportunities o
    WHERE o.deleted_at IS NULL AND o.expected_close IS NOT NULL
      AND o.stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (close_on, stage) DO UPDATE SET n = k.n + EXCLUDED.n, monthly = k.monthly + EXCLUDED.monthly;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_opportunity_close_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO opportunity_close_counts AS k (close_on, stage, n, monthly)
    SELECT d.close_on, d.stage, SUM(d.n), SUM(d.m)
    FROM (SELECT OLD.expected_close AS close_on, CAST(OLD.stage AS TEXT) AS stage, -1 AS n, -OLD.monthly_fen AS m
          WHERE OLD.deleted_at IS NULL AND OLD.expected_close IS NOT NULL
            AND OLD.stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')
          UNION ALL
          SELECT NEW.expected_close, CAST(NEW.stage AS TEXT), 1, NEW.monthly_fen
          WHERE TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL AND NEW.expected_close IS NOT NULL
            AND NEW.stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')) d
    GROUP BY 1, 2 HAVING SUM(d.n) <> 0 OR SUM(d.m) <> 0 ORDER BY 1, 2
    ON CONFLICT (close_on, stage) DO UPDATE SET n = k.n + EXCLUDED.n, monthly = k.monthly + EXCLUDED.monthly;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_opportunities_close_counts_insert AFTER INSERT ON opportunities
    REFERENCING NEW TABLE AS new_opportunities
    FOR EACH STATEMENT EXECUTE FUNCTION jike_opportunities_inserted_close();
CREATE TRIGGER trg_opportunities_close_counts AFTER UPDATE ON opportunities
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.expected_close IS DISTINCT FROM NEW.expected_close
        OR OLD.monthly_fen IS DISTINCT FROM NEW.monthly_fen OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION jike_opportunity_close_delta();
CREATE TRIGGER trg_opportunities_close_counts_delete AFTER DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION jike_opportunity_close_delta();

-- The counts again from the rows (after a load that paused the triggers).
-- Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_opportunity_close_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE opportunities IN SHARE MODE;
    DELETE FROM opportunity_close_counts;
    INSERT INTO opportunity_close_counts (close_on, stage, n, monthly)
    SELECT o.expected_close, o.stage, COUNT(*), SUM(o.monthly_fen)
    FROM opportunities o
    WHERE o.deleted_at IS NULL AND o.expected_close IS NOT NULL
      AND o.stage IN ('identified', 'contacted', 'visited', 'needs', 'proposal', 'negotiation')
    GROUP BY 1, 2;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_opportunity_close_counts();
ANALYZE opportunity_close_counts;

-- +goose Down
DROP TRIGGER trg_opportunities_close_counts_delete ON opportunities;
DROP TRIGGER trg_opportunities_close_counts ON opportunities;
DROP TRIGGER trg_opportunities_close_counts_insert ON opportunities;
DROP FUNCTION jike_refresh_opportunity_close_counts();
DROP FUNCTION jike_opportunity_close_delta();
DROP FUNCTION jike_opportunities_inserted_close();
DROP TABLE opportunity_close_counts;
