-- Data versions for the home panels (issue 19; see the PostgreSQL version
-- and docs/performance.md § Home panel cache): the same names bumped by
-- plain row triggers, as 00026's are (SQLite has one writer at a time).
-- A migration that rebuilds one of these tables must create its triggers
-- again.

-- +goose Up

-- +goose StatementBegin
CREATE TRIGGER trg_customers_panel_version_insert AFTER INSERT ON customers
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_panel_version_update AFTER UPDATE ON customers
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_panel_version_delete AFTER DELETE ON customers
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contacts_panel_version_insert AFTER INSERT ON contacts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contacts_panel_version_update AFTER UPDATE ON contacts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contacts_panel_version_delete AFTER DELETE ON contacts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('customers', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'customers';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_teams_panel_version_insert AFTER INSERT ON teams
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_teams_panel_version_update AFTER UPDATE ON teams
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_teams_panel_version_delete AFTER DELETE ON teams
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_branches_panel_version_insert AFTER INSERT ON branches
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_branches_panel_version_update AFTER UPDATE ON branches
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_branches_panel_version_delete AFTER DELETE ON branches
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_todos_panel_version_insert AFTER INSERT ON todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('todos', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'todos';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_todos_panel_version_update AFTER UPDATE ON todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('todos', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'todos';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_todos_panel_version_delete AFTER DELETE ON todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('todos', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'todos';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_participants_panel_version_insert AFTER INSERT ON visit_participants
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_participants_panel_version_update AFTER UPDATE ON visit_participants
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_participants_panel_version_delete AFTER DELETE ON visit_participants
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_todos_panel_version_insert AFTER INSERT ON visit_todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_todos_panel_version_update AFTER UPDATE ON visit_todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_visit_todos_panel_version_delete AFTER DELETE ON visit_todos
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('visits', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'visits';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contract_tasks_panel_version_insert AFTER INSERT ON contract_tasks
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contract_tasks_panel_version_update AFTER UPDATE ON contract_tasks
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_contract_tasks_panel_version_delete AFTER DELETE ON contract_tasks
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('contracts', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'contracts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_service_requests_panel_version_insert AFTER INSERT ON service_requests
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_service_requests_panel_version_update AFTER UPDATE ON service_requests
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_service_requests_panel_version_delete AFTER DELETE ON service_requests
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_dates_panel_version_insert AFTER INSERT ON care_dates
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_dates_panel_version_update AFTER UPDATE ON care_dates
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_dates_panel_version_delete AFTER DELETE ON care_dates
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_done_panel_version_insert AFTER INSERT ON care_done
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_done_panel_version_update AFTER UPDATE ON care_done
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_done_panel_version_delete AFTER DELETE ON care_done
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customer_services_panel_version_insert AFTER INSERT ON customer_services
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customer_services_panel_version_update AFTER UPDATE ON customer_services
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customer_services_panel_version_delete AFTER DELETE ON customer_services
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('aftersale', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_retention_alerts_panel_version_insert AFTER INSERT ON retention_alerts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('retention', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'retention';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_retention_alerts_panel_version_update AFTER UPDATE ON retention_alerts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('retention', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'retention';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_retention_alerts_panel_version_delete AFTER DELETE ON retention_alerts
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('retention', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'retention';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_targets_panel_version_insert AFTER INSERT ON monthly_targets
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_targets_panel_version_update AFTER UPDATE ON monthly_targets
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_targets_panel_version_delete AFTER DELETE ON monthly_targets
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_reviews_panel_version_insert AFTER INSERT ON monthly_reviews
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_reviews_panel_version_update AFTER UPDATE ON monthly_reviews
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_monthly_reviews_panel_version_delete AFTER DELETE ON monthly_reviews
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('targets', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'targets';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_users_panel_version_insert AFTER INSERT ON users
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_users_panel_version_delete AFTER DELETE ON users
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_users_panel_version_update AFTER UPDATE ON users
    WHEN OLD.name IS NOT NEW.name OR OLD.username IS NOT NEW.username
      OR OLD.role IS NOT NEW.role OR OLD.team_id IS NOT NEW.team_id
      OR OLD.branch_id IS NOT NEW.branch_id OR OLD.email IS NOT NEW.email
      OR OLD.phone IS NOT NEW.phone OR OLD.disabled IS NOT NEW.disabled
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('org', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'org';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_users_panel_version_update;
DROP TRIGGER trg_users_panel_version_delete;
DROP TRIGGER trg_users_panel_version_insert;
DROP TRIGGER trg_monthly_reviews_panel_version_delete;
DROP TRIGGER trg_monthly_reviews_panel_version_update;
DROP TRIGGER trg_monthly_reviews_panel_version_insert;
DROP TRIGGER trg_monthly_targets_panel_version_delete;
DROP TRIGGER trg_monthly_targets_panel_version_update;
DROP TRIGGER trg_monthly_targets_panel_version_insert;
DROP TRIGGER trg_retention_alerts_panel_version_delete;
DROP TRIGGER trg_retention_alerts_panel_version_update;
DROP TRIGGER trg_retention_alerts_panel_version_insert;
DROP TRIGGER trg_customer_services_panel_version_delete;
DROP TRIGGER trg_customer_services_panel_version_update;
DROP TRIGGER trg_customer_services_panel_version_insert;
DROP TRIGGER trg_care_done_panel_version_delete;
DROP TRIGGER trg_care_done_panel_version_update;
DROP TRIGGER trg_care_done_panel_version_insert;
DROP TRIGGER trg_care_dates_panel_version_delete;
DROP TRIGGER trg_care_dates_panel_version_update;
DROP TRIGGER trg_care_dates_panel_version_insert;
DROP TRIGGER trg_service_requests_panel_version_delete;
DROP TRIGGER trg_service_requests_panel_version_update;
DROP TRIGGER trg_service_requests_panel_version_insert;
DROP TRIGGER trg_contract_tasks_panel_version_delete;
DROP TRIGGER trg_contract_tasks_panel_version_update;
DROP TRIGGER trg_contract_tasks_panel_version_insert;
DROP TRIGGER trg_visit_todos_panel_version_delete;
DROP TRIGGER trg_visit_todos_panel_version_update;
DROP TRIGGER trg_visit_todos_panel_version_insert;
DROP TRIGGER trg_visit_participants_panel_version_delete;
DROP TRIGGER trg_visit_participants_panel_version_update;
DROP TRIGGER trg_visit_participants_panel_version_insert;
DROP TRIGGER trg_todos_panel_version_delete;
DROP TRIGGER trg_todos_panel_version_update;
DROP TRIGGER trg_todos_panel_version_insert;
DROP TRIGGER trg_branches_panel_version_delete;
DROP TRIGGER trg_branches_panel_version_update;
DROP TRIGGER trg_branches_panel_version_insert;
DROP TRIGGER trg_teams_panel_version_delete;
DROP TRIGGER trg_teams_panel_version_update;
DROP TRIGGER trg_teams_panel_version_insert;
DROP TRIGGER trg_contacts_panel_version_delete;
DROP TRIGGER trg_contacts_panel_version_update;
DROP TRIGGER trg_contacts_panel_version_insert;
DROP TRIGGER trg_customers_panel_version_delete;
DROP TRIGGER trg_customers_panel_version_update;
DROP TRIGGER trg_customers_panel_version_insert;
