-- Versions of the aggregates the portal caches (issue 19; see the
-- PostgreSQL version and docs/performance.md § Cached totals). SQLite has
-- one writer at a time, so plain row triggers in the writing transaction
-- suffice (no deferral, no lock order). A table rebuilt by a later SQLite
-- migration (CREATE …_new, copy, DROP, RENAME) loses its triggers: such a
-- migration must create them again.

-- +goose Up
CREATE TABLE cache_versions (
    name    TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_cache_version_insert AFTER INSERT ON opportunities
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('opportunities', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'opportunities';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_cache_version_update AFTER UPDATE ON opportunities
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('opportunities', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'opportunities';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_cache_version_delete AFTER DELETE ON opportunities
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('opportunities', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'opportunities';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_proposals_cache_version_insert AFTER INSERT ON proposals
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('proposals', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'proposals';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_proposals_cache_version_update AFTER UPDATE ON proposals
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('proposals', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'proposals';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_proposals_cache_version_delete AFTER DELETE ON proposals
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('proposals', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'proposals';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_plans_cache_version_insert AFTER INSERT ON visit_plans
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_plans_cache_version_update AFTER UPDATE ON visit_plans
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_plans_cache_version_delete AFTER DELETE ON visit_plans
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_cache_version AFTER UPDATE ON customers
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.team_id IS NOT NEW.team_id
      OR OLD.branch_id IS NOT NEW.branch_id OR OLD.chief_rep_id IS NOT NEW.chief_rep_id
      OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('opportunities', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'opportunities';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('proposals', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'proposals';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_cache_version_delete AFTER DELETE ON customers
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('opportunities', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'opportunities';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('proposals', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'proposals';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_users_cache_version AFTER UPDATE ON users
    WHEN OLD.team_id IS NOT NEW.team_id OR OLD.name IS NOT NEW.name
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_users_cache_version_delete AFTER DELETE ON users
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_teams_cache_version AFTER UPDATE ON teams
    WHEN OLD.name IS NOT NEW.name
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_teams_cache_version_delete AFTER DELETE ON teams
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

CREATE INDEX idx_opps_closed_recent ON opportunities (stage_changed_at, customer_id, stage, monthly_fen, one_time_fen, probability)
    WHERE deleted_at IS NULL AND stage IN ('won', 'lost');

-- +goose Down
DROP INDEX idx_opps_closed_recent;
DROP TRIGGER trg_teams_cache_version_delete;
DROP TRIGGER trg_teams_cache_version;
DROP TRIGGER trg_users_cache_version_delete;
DROP TRIGGER trg_users_cache_version;
DROP TRIGGER trg_customers_cache_version_delete;
DROP TRIGGER trg_customers_cache_version;
DROP TRIGGER trg_visit_plans_cache_version_delete;
DROP TRIGGER trg_visit_plans_cache_version_update;
DROP TRIGGER trg_visit_plans_cache_version_insert;
DROP TRIGGER trg_proposals_cache_version_delete;
DROP TRIGGER trg_proposals_cache_version_update;
DROP TRIGGER trg_proposals_cache_version_insert;
DROP TRIGGER trg_opportunities_cache_version_delete;
DROP TRIGGER trg_opportunities_cache_version_update;
DROP TRIGGER trg_opportunities_cache_version_insert;
DROP TABLE cache_versions;
