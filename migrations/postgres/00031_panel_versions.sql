-- Data versions for the home panels (issue 19; docs/performance.md § Home
-- panel cache). The portal keeps each user's rendered home panels under
-- the versions of every table they read (web.HomePanel.Reads) and serves
-- them only while none moved; these triggers give every such table a
-- version, bumped as 00026's are (deferred constraint triggers, once per
-- name and transaction, through jike_bump_cache_versions):
--   customers    any write to customers or contacts (names and grades
--                are shown; 00026/00029 bump the others only when a
--                customer's scope changes)
--   org          a user's name, username, role, team, branch, e-mail,
--                phone or disabled flag (not a sign-in, a password or a
--                language: the users row changes on each), any write to
--                teams or branches
--   todos        any write to todos
--   visits       also visit participants and visit to-dos
--   contracts    also contract tasks
--   aftersale    service requests, care dates, care done, customer services
--   retention    retention alerts
--   targets      monthly targets and monthly reviews
-- db.TableVersions lists the same; TestHomePanelReads fails when a panel
-- reads a table that has none of the versions it names.

-- +goose Up
CREATE CONSTRAINT TRIGGER trg_customers_panel_version AFTER INSERT OR UPDATE OR DELETE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('customers');
CREATE CONSTRAINT TRIGGER trg_contacts_panel_version AFTER INSERT OR UPDATE OR DELETE ON contacts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('customers');
CREATE CONSTRAINT TRIGGER trg_users_panel_version AFTER UPDATE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.username IS DISTINCT FROM NEW.username
       OR OLD.role IS DISTINCT FROM NEW.role OR OLD.team_id IS DISTINCT FROM NEW.team_id
       OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.email IS DISTINCT FROM NEW.email
       OR OLD.phone IS DISTINCT FROM NEW.phone OR OLD.disabled IS DISTINCT FROM NEW.disabled)
    EXECUTE FUNCTION jike_bump_cache_versions('org');
CREATE CONSTRAINT TRIGGER trg_users_insert_panel_version AFTER INSERT OR DELETE ON users
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('org');
CREATE CONSTRAINT TRIGGER trg_teams_panel_version AFTER INSERT OR UPDATE OR DELETE ON teams
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('org');
CREATE CONSTRAINT TRIGGER trg_branches_panel_version AFTER INSERT OR UPDATE OR DELETE ON branches
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('org');
CREATE CONSTRAINT TRIGGER trg_todos_panel_version AFTER INSERT OR UPDATE OR DELETE ON todos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('todos');
CREATE CONSTRAINT TRIGGER trg_visit_participants_panel_version AFTER INSERT OR UPDATE OR DELETE ON visit_participants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_visit_todos_panel_version AFTER INSERT OR UPDATE OR DELETE ON visit_todos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('visits');
CREATE CONSTRAINT TRIGGER trg_contract_tasks_panel_version AFTER INSERT OR UPDATE OR DELETE ON contract_tasks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('contracts');
CREATE CONSTRAINT TRIGGER trg_service_requests_panel_version AFTER INSERT OR UPDATE OR DELETE ON service_requests
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');
CREATE CONSTRAINT TRIGGER trg_care_dates_panel_version AFTER INSERT OR UPDATE OR DELETE ON care_dates
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');
CREATE CONSTRAINT TRIGGER trg_care_done_panel_version AFTER INSERT OR UPDATE OR DELETE ON care_done
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');
CREATE CONSTRAINT TRIGGER trg_customer_services_panel_version AFTER INSERT OR UPDATE OR DELETE ON customer_services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');
CREATE CONSTRAINT TRIGGER trg_retention_alerts_panel_version AFTER INSERT OR UPDATE OR DELETE ON retention_alerts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('retention');
CREATE CONSTRAINT TRIGGER trg_monthly_targets_panel_version AFTER INSERT OR UPDATE OR DELETE ON monthly_targets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('targets');
CREATE CONSTRAINT TRIGGER trg_monthly_reviews_panel_version AFTER INSERT OR UPDATE OR DELETE ON monthly_reviews
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('targets');

-- +goose Down
DROP TRIGGER trg_monthly_reviews_panel_version ON monthly_reviews;
DROP TRIGGER trg_monthly_targets_panel_version ON monthly_targets;
DROP TRIGGER trg_retention_alerts_panel_version ON retention_alerts;
DROP TRIGGER trg_customer_services_panel_version ON customer_services;
DROP TRIGGER trg_care_done_panel_version ON care_done;
DROP TRIGGER trg_care_dates_panel_version ON care_dates;
DROP TRIGGER trg_service_requests_panel_version ON service_requests;
DROP TRIGGER trg_contract_tasks_panel_version ON contract_tasks;
DROP TRIGGER trg_visit_todos_panel_version ON visit_todos;
DROP TRIGGER trg_visit_participants_panel_version ON visit_participants;
DROP TRIGGER trg_todos_panel_version ON todos;
DROP TRIGGER trg_branches_panel_version ON branches;
DROP TRIGGER trg_teams_panel_version ON teams;
DROP TRIGGER trg_users_insert_panel_version ON users;
DROP TRIGGER trg_users_panel_version ON users;
DROP TRIGGER trg_contacts_panel_version ON contacts;
DROP TRIGGER trg_customers_panel_version ON customers;
