-- Each branch's opportunity totals per stage, kept without a hot row
-- (issue 19). A director's board columns, home pipeline and opportunity
-- list totals summed the open opportunities of the branch's ~8,000
-- customers, each customer's along its index: ~15 ms of SQL on every
-- first look after a write anywhere, twice on the home page (the
-- pipeline panel and the board's columns), more while the home's other
-- panels ran beside it. As for the province's sums (00045), writers
-- append what they change to opportunity_branch_deltas and the job
-- prospects.fold_stage_totals folds them into opportunity_branch_base;
-- the view opportunity_branch_totals lists both, rows to add up per
-- branch and stage.
--
-- Unlike the province's, these count only the live opportunities of live
-- customers, per the customer's branch: an opportunity's trigger locks
-- its customer (FOR SHARE, live or not: a deleted customer's restore must
-- wait too) before reading the branch, and a customer's
-- trigger moves its opportunities' sums when it changes branch, is
-- deleted or restored. A change to the customer is thus either committed
-- before the opportunity's trigger reads it, or waits for the
-- opportunity's transaction and then reads the opportunity as it left
-- it; both orders add up.
--
-- SQLite keeps no such rows (a director's sums are fast enough there
-- from the customers, and one writer at a time would make the kept rows
-- cheap to add later). A load that pauses the triggers (the generator's
-- COPY) calls jike_refresh_opportunity_branch_totals() afterwards.

-- +goose Up
CREATE TABLE opportunity_branch_base (
    branch_id        BIGINT NOT NULL,
    stage            TEXT   NOT NULL,
    n                BIGINT NOT NULL,
    monthly          BIGINT NOT NULL,
    one_time         BIGINT NOT NULL,
    weighted_percent BIGINT NOT NULL,
    PRIMARY KEY (branch_id, stage)
);

CREATE TABLE opportunity_branch_deltas (
    id               BIGSERIAL PRIMARY KEY,
    branch_id        BIGINT NOT NULL,
    stage            TEXT   NOT NULL,
    n                BIGINT NOT NULL,
    monthly          BIGINT NOT NULL,
    one_time         BIGINT NOT NULL,
    weighted_percent BIGINT NOT NULL
);

CREATE VIEW opportunity_branch_totals AS
SELECT branch_id, stage, n, monthly, one_time, weighted_percent FROM opportunity_branch_base
UNION ALL
SELECT branch_id, stage, n, monthly, one_time, weighted_percent FROM opportunity_branch_deltas;

-- +goose StatementBegin
CREATE FUNCTION jike_opportunity_branch_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    branch BIGINT;
    live BOOLEAN;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.stage = NEW.stage AND OLD.monthly_fen = NEW.monthly_fen
       AND OLD.one_time_fen = NEW.one_time_fen AND OLD.probability = NEW.probability
       AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF live THEN
            INSERT INTO opportunity_branch_deltas (branch_id, stage, n, monthly, one_time, weighted_percent)
            VALUES (branch, OLD.stage, -1, -OLD.monthly_fen, -OLD.one_time_fen, -OLD.monthly_fen * OLD.probability);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF live THEN
            INSERT INTO opportunity_branch_deltas (branch_id, stage, n, monthly, one_time, weighted_percent)
            VALUES (branch, NEW.stage, 1, NEW.monthly_fen, NEW.one_time_fen, NEW.monthly_fen * NEW.probability);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_opportunities_branch_delta AFTER INSERT OR UPDATE OR DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION jike_opportunity_branch_delta();

-- +goose StatementBegin
CREATE FUNCTION jike_customer_opportunity_branch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR OLD.branch_id = NEW.branch_id)) THEN
        RETURN NULL;
    END IF;
    IF was_live THEN
        INSERT INTO opportunity_branch_deltas (branch_id, stage, n, monthly, one_time, weighted_percent)
        SELECT OLD.branch_id, stage, -COUNT(*), -SUM(monthly_fen), -SUM(one_time_fen), -SUM(monthly_fen * probability)
        FROM opportunities WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY stage;
    END IF;
    IF now_live THEN
        INSERT INTO opportunity_branch_deltas (branch_id, stage, n, monthly, one_time, weighted_percent)
        SELECT NEW.branch_id, stage, COUNT(*), SUM(monthly_fen), SUM(one_time_fen), SUM(monthly_fen * probability)
        FROM opportunities WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY stage;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_opportunity_branch AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_customer_opportunity_branch();

-- The sums again from the rows. Writers wait for it (SHARE): a delta
-- committed between its statements would otherwise count twice.
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_opportunity_branch_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE customers, opportunities IN SHARE MODE;
    DELETE FROM opportunity_branch_deltas;
    DELETE FROM opportunity_branch_base;
    INSERT INTO opportunity_branch_base (branch_id, stage, n, monthly, one_time, weighted_percent)
    SELECT customers.branch_id, opportunities.stage, COUNT(*), SUM(opportunities.monthly_fen), SUM(opportunities.one_time_fen),
           SUM(opportunities.monthly_fen * opportunities.probability)
    FROM opportunities JOIN customers ON customers.id = opportunities.customer_id
    WHERE opportunities.deleted_at IS NULL AND customers.deleted_at IS NULL
    GROUP BY 1, 2;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_opportunity_branch_totals();

-- +goose Down
DROP TRIGGER trg_customers_opportunity_branch ON customers;
DROP TRIGGER trg_opportunities_branch_delta ON opportunities;
DROP FUNCTION jike_refresh_opportunity_branch_totals();
DROP FUNCTION jike_customer_opportunity_branch();
DROP FUNCTION jike_opportunity_branch_delta();
DROP VIEW opportunity_branch_totals;
DROP TABLE opportunity_branch_deltas;
DROP TABLE opportunity_branch_base;
