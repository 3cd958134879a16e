-- Versions of the aggregates the portal caches (issue 19; docs/performance.md
-- § Cached totals). A cached aggregate (a scope's opportunity totals, the
-- proposals count, the month calendar's counts) is kept under the version
-- of the data it was computed from and served only while the version is
-- unchanged, so it is exact and never shown after a write, in any number of
-- jike instances.
--
-- The version is bumped by triggers, in the writing transaction, for every
-- write to the tables an aggregate reads, whichever code writes them (the
-- portal, the API, imports, merges, the pool, the generator):
--   opportunities          every insert, update, delete
--   proposals              every insert, update, delete
--   visits                 every insert, update, delete of visit_plans; a
--                          user's team or name, a team's name (the month
--                          calendar counts per team and per person)
--   all three              a customer's owner, team, branch, chief rep or
--                          deletion (the scopes and the join to live
--                          customers)
-- A name without a row is at version 0.
--
-- The triggers are deferred constraint triggers: they run at commit, after
-- every other lock of the transaction is held, once per name and
-- transaction (a transaction-local setting remembers it), under one
-- transaction-scoped advisory lock, so two transactions never wait for
-- each other's version rows in opposite orders (no deadlock) and a bulk
-- insert bumps once.
--
-- Also: the recent won and lost opportunities (the board's last 30 days,
-- the home panel), read live beside the cached open stages.

-- +goose Up
CREATE TABLE cache_versions (
    name    VARCHAR(40) PRIMARY KEY,
    version BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION jike_bump_cache_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n text;
BEGIN
    FOREACH n IN ARRAY TG_ARGV LOOP
        IF current_setting('jike.cache_bumped_' || n, true) IS DISTINCT FROM '1' THEN
            PERFORM set_config('jike.cache_bumped_' || n, '1', true);
            -- "JKCACHE": one lock for every version row, taken before any.
            PERFORM pg_advisory_xact_lock(20911900506409029);
            INSERT INTO cache_versions AS cv (name, version) VALUES (n, 1)
                ON CONFLICT (name) DO UPDATE SET version = cv.version + 1;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER trg_opportunities_cache_version AFTER INSERT OR UPDATE OR DELETE ON opportunities
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('opportunities');
CREATE CONSTRAINT TRIGGER trg_proposals_cache_version AFTER INSERT OR UPDATE OR DELETE ON proposals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('proposals');
CREATE CONSTRAINT TRIGGER trg_visit_plans_cache_version AFTER INSERT OR UPDATE OR DELETE ON visit_plans
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_customers_cache_version AFTER UPDATE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.team_id IS DISTINCT FROM NEW.team_id
       OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.chief_rep_id IS DISTINCT FROM NEW.chief_rep_id
       OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION jike_bump_cache_versions('opportunities', 'proposals', 'visits');
CREATE CONSTRAINT TRIGGER trg_customers_delete_cache_version AFTER DELETE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('opportunities', 'proposals', 'visits');
CREATE CONSTRAINT TRIGGER trg_users_cache_version AFTER UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_users_delete_cache_version AFTER DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_teams_cache_version AFTER UPDATE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_teams_delete_cache_version AFTER DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('visits');

CREATE INDEX idx_opps_closed_recent ON opportunities (stage_changed_at)
    INCLUDE (customer_id, stage, monthly_fen, one_time_fen, probability)
    WHERE deleted_at IS NULL AND stage IN ('won', 'lost');

-- +goose Down
DROP INDEX idx_opps_closed_recent;
DROP TRIGGER trg_teams_delete_cache_version ON teams;
DROP TRIGGER trg_teams_cache_version ON teams;
DROP TRIGGER trg_users_delete_cache_version ON users;
DROP TRIGGER trg_users_cache_version ON users;
DROP TRIGGER trg_customers_delete_cache_version ON customers;
DROP TRIGGER trg_customers_cache_version ON customers;
DROP TRIGGER trg_visit_plans_cache_version ON visit_plans;
DROP TRIGGER trg_proposals_cache_version ON proposals;
DROP TRIGGER trg_opportunities_cache_version ON opportunities;
DROP FUNCTION jike_bump_cache_versions();
DROP TABLE cache_versions;
