-- The home page's panels at province scale (issue 19; see the PostgreSQL
-- version and docs/performance.md § Home panels): the same indexes (SQLite
-- has no INCLUDE: covered columns are keys; the month-day is the
-- expression the care store uses on SQLite, whose dates are text
-- YYYY-MM-DD…), and the data versions contracts and needs, bumped by
-- plain row triggers as 00026's are.

-- +goose Up
CREATE INDEX idx_contacts_birthday_md ON contacts ((CAST(substr(birthday, 6, 2) AS INTEGER) * 100 + CAST(substr(birthday, 9, 2) AS INTEGER)))
    WHERE deleted_at IS NULL AND birthday IS NOT NULL;
CREATE INDEX idx_contracts_signed_md ON contracts ((CAST(substr(signed_on, 6, 2) AS INTEGER) * 100 + CAST(substr(signed_on, 9, 2) AS INTEGER)), customer_id)
    WHERE deleted_at IS NULL AND signed_on IS NOT NULL;
CREATE INDEX idx_contracts_in_force_end ON contracts (end_on, id, customer_id)
    WHERE is_current = 1 AND deleted_at IS NULL AND status IN ('signed', 'active', 'expiring');
CREATE INDEX idx_contracts_status_submitted ON contracts (status, submitted_at, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status_customer ON needs (status, customer_id) WHERE deleted_at IS NULL;
DROP INDEX idx_needs_status;

-- +goose StatementBegin
CREATE TRIGGER trg_contracts_cache_version_insert AFTER INSERT ON contracts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contracts_cache_version_update AFTER UPDATE ON contracts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contracts_cache_version_delete AFTER DELETE ON contracts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_needs_cache_version_insert AFTER INSERT ON needs
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('needs', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'needs';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_needs_cache_version_update AFTER UPDATE ON needs
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('needs', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'needs';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_needs_cache_version_delete AFTER DELETE ON needs
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('needs', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'needs';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_cache_version_home AFTER UPDATE ON customers
    WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.team_id IS NOT NEW.team_id
      OR OLD.branch_id IS NOT NEW.branch_id OR OLD.chief_rep_id IS NOT NEW.chief_rep_id
      OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('needs', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'needs';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_cache_version_home_delete AFTER DELETE ON customers
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('needs', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'needs';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_customers_cache_version_home_delete;
DROP TRIGGER trg_customers_cache_version_home;
DROP TRIGGER trg_needs_cache_version_delete;
DROP TRIGGER trg_needs_cache_version_update;
DROP TRIGGER trg_needs_cache_version_insert;
DROP TRIGGER trg_contracts_cache_version_delete;
DROP TRIGGER trg_contracts_cache_version_update;
DROP TRIGGER trg_contracts_cache_version_insert;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
DROP INDEX idx_needs_status_customer;
DROP INDEX idx_contracts_status_submitted;
DROP INDEX idx_contracts_in_force_end;
DROP INDEX idx_contracts_signed_md;
DROP INDEX idx_contacts_birthday_md;
