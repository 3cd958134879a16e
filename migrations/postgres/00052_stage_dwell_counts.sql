-- The stage changes counted per month, branch, stage and whole days spent,
-- kept as they are written (issue 19). The velocity report measures each
-- stage entered in its period: how many, how many went forward next, how
-- many left and after how long (average, median, 75th percentile). Over a
-- quarter or a year of a province that read and sorted 120,000 to 730,000
-- stage changes on every first look after a write (the admin's year
-- ~0.7 s, a director's ~0.1 s). These rows are a few thousand a year.
--
-- A row counts the stage changes of live opportunities of live customers
-- entering `stage` in `month` (the first day of the local month of `at`,
-- in the zone of visit_week_zone, which the portal keeps as its own:
-- visits.Store.KeepWeekCounts), per customer's branch and once more for
-- the province (branch 0, so the admin's report reads a branch's worth of
-- rows), and per whole days spent there: floor((next_at - at) / 1 day),
-- -1 while the opportunity has not left the stage. With it: how many went
-- forward next (a later stage than this one) and the exact time spent, in
-- microseconds, for the average. The median and the 75th percentile of
-- whole days are exact from the counts per day (docs/reports.md § Stage
-- dwell kept per month).
--
-- As for the branches' opportunity sums (00047), writers append deltas and
-- the job prospects.fold_stage_totals folds them into stage_dwell_base; the
-- view stage_dwell_counts lists both. A stage change's trigger locks its
-- opportunity and its customer (FOR SHARE) before reading whether they are
-- live and the branch; an opportunity's trigger moves its changes when it
-- is deleted, restored or moved to another customer, a customer's when it
-- changes branch, is deleted or restored: whichever commits first, the
-- second reads it. A change of next_at (a later change inserted, a change
-- deleted: 00051's triggers) moves the row from one day to another.
--
-- SQLite keeps no such rows; its velocity reads the stage changes.

-- +goose Up
CREATE TABLE stage_dwell_base (
    branch_id BIGINT  NOT NULL,
    month     DATE    NOT NULL,
    stage     TEXT    NOT NULL,
    days      INTEGER NOT NULL,
    n         BIGINT  NOT NULL,
    forward   BIGINT  NOT NULL,
    dwell_us  BIGINT  NOT NULL,
    PRIMARY KEY (branch_id, month, stage, days)
);

CREATE TABLE stage_dwell_deltas (
    id        BIGSERIAL PRIMARY KEY,
    branch_id BIGINT  NOT NULL,
    month     DATE    NOT NULL,
    stage     TEXT    NOT NULL,
    days      INTEGER NOT NULL,
    n         BIGINT  NOT NULL,
    forward   BIGINT  NOT NULL,
    dwell_us  BIGINT  NOT NULL
);

CREATE VIEW stage_dwell_counts AS
SELECT branch_id, month, stage, days, n, forward, dwell_us FROM stage_dwell_base
UNION ALL
SELECT branch_id, month, stage, days, n, forward, dwell_us FROM stage_dwell_deltas;

-- A stage's place in the pipeline; lost (and anything else) is 0, so it
-- is never "forward" (reports.stageRank).
-- +goose StatementBegin
CREATE FUNCTION jike_stage_rank(s TEXT) RETURNS INTEGER LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'identified' THEN 1 WHEN 'contacted' THEN 2 WHEN 'visited' THEN 3 WHEN 'needs' THEN 4
                  WHEN 'proposal' THEN 5 WHEN 'negotiation' THEN 6 WHEN 'won' THEN 7 ELSE 0 END
$$;
-- +goose StatementEnd

-- The whole days from at to next_at; -1 without a next change.
-- +goose StatementBegin
CREATE FUNCTION jike_dwell_days(at TIMESTAMPTZ, next_at TIMESTAMPTZ) RETURNS INTEGER LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN next_at IS NULL THEN -1 ELSE floor(EXTRACT(EPOCH FROM (next_at - at)) / 86400.0)::integer END
$$;
-- +goose StatementEnd

-- The time from at to next_at in microseconds; 0 without a next change.
-- +goose StatementBegin
CREATE FUNCTION jike_dwell_us(at TIMESTAMPTZ, next_at TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN next_at IS NULL THEN 0 ELSE (EXTRACT(EPOCH FROM (next_at - at)) * 1000000)::bigint END
$$;
-- +goose StatementEnd

-- A stage change's own delta, signed, for its customer's branch b, or
-- nothing when b is NULL (the opportunity or the customer is not live).
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_add(b BIGINT, at TIMESTAMPTZ, stage TEXT, next_at TIMESTAMPTZ, next_stage TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    m DATE;
BEGIN
    IF b IS NULL THEN
        RETURN;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    m := date_trunc('month', at AT TIME ZONE z)::date;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT k, m, stage, jike_dwell_days(at, next_at), sign,
           sign * (CASE WHEN next_stage IS NOT NULL AND jike_stage_rank(next_stage) > jike_stage_rank(stage) THEN 1 ELSE 0 END),
           sign * jike_dwell_us(at, next_at)
    FROM (VALUES (b), (0)) AS v(k);
END
$$;
-- +goose StatementEnd

-- The branch of opportunity o's customer when both are live, locking both
-- (FOR SHARE); NULL otherwise.
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_branch(o BIGINT) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    cust BIGINT;
    opp_live BOOLEAN;
    branch BIGINT;
    cust_live BOOLEAN;
BEGIN
    SELECT customer_id, deleted_at IS NULL INTO cust, opp_live FROM opportunities WHERE id = o FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT branch_id, deleted_at IS NULL INTO branch, cust_live FROM customers WHERE id = cust FOR SHARE;
    IF NOT FOUND OR NOT opp_live OR NOT cust_live THEN
        RETURN NULL;
    END IF;
    RETURN branch;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_stage_change_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id AND OLD.at = NEW.at AND OLD.to_stage = NEW.to_stage
       AND OLD.next_at IS NOT DISTINCT FROM NEW.next_at AND OLD.next_stage IS NOT DISTINCT FROM NEW.next_stage THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM jike_stage_dwell_add(jike_stage_dwell_branch(OLD.opportunity_id), OLD.at, OLD.to_stage, OLD.next_at, OLD.next_stage, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM jike_stage_dwell_add(jike_stage_dwell_branch(NEW.opportunity_id), NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_stage_changes_dwell AFTER INSERT OR UPDATE OR DELETE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION jike_stage_change_dwell();

-- The changes of the opportunities in (SELECT ...) of a customer in branch
-- b, signed: the deltas of a whole opportunity or customer at once.
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_move(opps BIGINT[], b BIGINT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT v.k, g.month, g.stage, g.days, sign * g.n, sign * g.forward, sign * g.dwell_us
    FROM (SELECT date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage, jike_dwell_days(sc.at, sc.next_at) AS days,
                 COUNT(*) AS n,
                 SUM(CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END) AS forward,
                 SUM(jike_dwell_us(sc.at, sc.next_at)) AS dwell_us
          FROM stage_changes sc WHERE sc.opportunity_id = ANY (opps) GROUP BY 1, 2, 3) g
    CROSS JOIN (VALUES (b), (0)) AS v(k);
END
$$;
-- +goose StatementEnd

-- An opportunity's changes move with it: deleted, restored, or moved to
-- another customer.
-- +goose StatementBegin
CREATE FUNCTION jike_opportunity_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    branch BIGINT;
    live BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL)) THEN
        RETURN NULL;
    END IF;
    IF OLD.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF live THEN
            PERFORM jike_stage_dwell_move(ARRAY[OLD.id], branch, -1);
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF live THEN
            PERFORM jike_stage_dwell_move(ARRAY[NEW.id], branch, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_opportunities_stage_dwell AFTER INSERT OR UPDATE OR DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION jike_opportunity_stage_dwell();

-- A customer's changes move with it: another branch, deleted, restored.
-- +goose StatementBegin
CREATE FUNCTION jike_customer_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR OLD.branch_id = NEW.branch_id)) THEN
        RETURN NULL;
    END IF;
    IF was_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = OLD.id AND deleted_at IS NULL), OLD.branch_id, -1);
    END IF;
    IF now_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = NEW.id AND deleted_at IS NULL), NEW.branch_id, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_stage_dwell AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_customer_stage_dwell();

-- The counts again from the rows (after a load that paused the triggers,
-- or a change of zone). Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_stage_dwell_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, opportunities, stage_changes IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM stage_dwell_deltas;
    DELETE FROM stage_dwell_base;
    INSERT INTO stage_dwell_base (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT COALESCE(g.branch_id, 0), g.month, g.stage, g.days, SUM(g.n), SUM(g.forward), SUM(g.dwell_us)
    FROM (SELECT c.branch_id, date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage,
                 jike_dwell_days(sc.at, sc.next_at) AS days, 1 AS n,
                 CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END AS forward,
                 jike_dwell_us(sc.at, sc.next_at) AS dwell_us
          FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN customers c ON c.id = o.customer_id
          WHERE o.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.branch_id, g.month, g.stage, g.days), (g.month, g.stage, g.days));
END
$$;
-- +goose StatementEnd

-- The zone changing (visits.Store.KeepWeekCounts) moves every month.
-- +goose StatementBegin
CREATE FUNCTION jike_zone_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.zone IS DISTINCT FROM NEW.zone THEN
        PERFORM jike_refresh_stage_dwell_counts();
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_visit_week_zone_stage_dwell AFTER UPDATE ON visit_week_zone
    FOR EACH ROW EXECUTE FUNCTION jike_zone_stage_dwell();

SELECT jike_refresh_stage_dwell_counts();

-- +goose Down
DROP TRIGGER trg_visit_week_zone_stage_dwell ON visit_week_zone;
DROP TRIGGER trg_customers_stage_dwell ON customers;
DROP TRIGGER trg_opportunities_stage_dwell ON opportunities;
DROP TRIGGER trg_stage_changes_dwell ON stage_changes;
DROP FUNCTION jike_zone_stage_dwell();
DROP FUNCTION jike_refresh_stage_dwell_counts();
DROP FUNCTION jike_customer_stage_dwell();
DROP FUNCTION jike_opportunity_stage_dwell();
DROP FUNCTION jike_stage_dwell_move(BIGINT[], BIGINT, BIGINT);
DROP FUNCTION jike_stage_change_dwell();
DROP FUNCTION jike_stage_dwell_branch(BIGINT);
DROP FUNCTION jike_stage_dwell_add(BIGINT, TIMESTAMPTZ, TEXT, TIMESTAMPTZ, TEXT, BIGINT);
DROP FUNCTION jike_dwell_us(TIMESTAMPTZ, TIMESTAMPTZ);
DROP FUNCTION jike_dwell_days(TIMESTAMPTZ, TIMESTAMPTZ);
DROP FUNCTION jike_stage_rank(TEXT);
DROP VIEW stage_dwell_counts;
DROP TABLE stage_dwell_deltas;
DROP TABLE stage_dwell_base;
