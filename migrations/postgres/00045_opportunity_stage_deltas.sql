-- The province's opportunity totals per stage, kept without a hot row
-- (issue 19). The admin's board columns, home pipeline, opportunity list
-- and funnel sum every live opportunity of the province: an index-only
-- pass of idx_opps_live_totals (00041), ~22 ms on every first look after
-- any opportunity written anywhere. SQLite keeps these sums per stage in
-- the writing transaction (its 00035); here a row per stage would be
-- locked by every writer of the province until it commits, so writers
-- only append what they change to opportunity_stage_deltas (an insert
-- locks nothing another writer needs), and the job
-- prospects.fold_stage_totals folds the deltas into
-- opportunity_stage_base every minute, in one transaction. The view
-- opportunity_stage_totals, named and shaped like SQLite's table, adds the
-- two: a dozen base rows and the deltas since the last fold.
--
-- A load that pauses the table's triggers (the generator's COPY) calls
-- jike_refresh_opportunity_stage_totals() afterwards.

-- +goose Up
CREATE TABLE opportunity_stage_base (
    stage            TEXT   PRIMARY KEY,
    n                BIGINT NOT NULL,
    monthly          BIGINT NOT NULL,
    one_time         BIGINT NOT NULL,
    weighted_percent BIGINT NOT NULL
);

CREATE TABLE opportunity_stage_deltas (
    id               BIGSERIAL PRIMARY KEY,
    stage            TEXT   NOT NULL,
    n                BIGINT NOT NULL,
    monthly          BIGINT NOT NULL,
    one_time         BIGINT NOT NULL,
    weighted_percent BIGINT NOT NULL
);

CREATE VIEW opportunity_stage_totals AS
SELECT stage, SUM(n)::bigint AS n, SUM(monthly)::bigint AS monthly, SUM(one_time)::bigint AS one_time,
       SUM(weighted_percent)::bigint AS weighted_percent
FROM (SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_base
      UNION ALL
      SELECT stage, n, monthly, one_time, weighted_percent FROM opportunity_stage_deltas) AS kept
GROUP BY stage;

-- +goose StatementBegin
CREATE FUNCTION jike_opportunity_stage_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.stage = NEW.stage AND OLD.monthly_fen = NEW.monthly_fen
       AND OLD.one_time_fen = NEW.one_time_fen AND OLD.probability = NEW.probability
       AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.deleted_at IS NULL THEN
            INSERT INTO opportunity_stage_deltas (stage, n, monthly, one_time, weighted_percent)
            VALUES (OLD.stage, -1, -OLD.monthly_fen, -OLD.one_time_fen, -OLD.monthly_fen * OLD.probability);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.deleted_at IS NULL THEN
            INSERT INTO opportunity_stage_deltas (stage, n, monthly, one_time, weighted_percent)
            VALUES (NEW.stage, 1, NEW.monthly_fen, NEW.one_time_fen, NEW.monthly_fen * NEW.probability);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_opportunities_stage_delta AFTER INSERT OR UPDATE OR DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION jike_opportunity_stage_delta();

-- The sums again from the rows. Writers wait for it (SHARE): a delta
-- committed between its two statements would otherwise count twice.
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_opportunity_stage_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE opportunities IN SHARE MODE;
    DELETE FROM opportunity_stage_deltas;
    DELETE FROM opportunity_stage_base;
    INSERT INTO opportunity_stage_base (stage, n, monthly, one_time, weighted_percent)
    SELECT stage, COUNT(*), COALESCE(SUM(monthly_fen), 0), COALESCE(SUM(one_time_fen), 0), COALESCE(SUM(monthly_fen * probability), 0)
    FROM opportunities WHERE deleted_at IS NULL GROUP BY stage;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_opportunity_stage_totals();

-- +goose Down
DROP TRIGGER trg_opportunities_stage_delta ON opportunities;
DROP FUNCTION jike_refresh_opportunity_stage_totals();
DROP FUNCTION jike_opportunity_stage_delta();
DROP VIEW opportunity_stage_totals;
DROP TABLE opportunity_stage_deltas;
DROP TABLE opportunity_stage_base;
