-- The home page's panels at province scale (issue 19; docs/performance.md
-- § Home panels). Each panel statement of a chief rep, a director or the
-- admin read a whole table (or a whole scope) on every request:
--   care events   birthdays and contract anniversaries are filtered by
--                 their month-day (EXTRACT(MONTH)*100+EXTRACT(DAY)): no
--                 index could serve it, so the 300,000 key persons and the
--                 49,000 contracts were scanned; now an expression index
--                 on the same expression returns this week's few;
--   expiring      the contracts in force ending soonest (LIMIT 8) were all
--                 sorted (3,300 at province scale); now read in end-date
--                 order from a partial index of the contracts in force;
--   approvals     the pending contracts were a sequential scan; now an
--                 index range in the queue's order;
--   open needs    counted from the needs' heap; now index-only.
-- The two scope-wide counts of the home page that remain aggregates (the
-- expiring contracts' count, the open needs' count) are cached per scope
-- by the portal under two new data versions, bumped as 00026's are:
--   contracts    every insert, update, delete of a contract
--   needs        every insert, update, delete of a need
--   both         a customer's owner, team, branch, chief rep or deletion

-- +goose Up
CREATE INDEX idx_contacts_birthday_md ON contacts ((EXTRACT(MONTH FROM birthday)::int * 100 + EXTRACT(DAY FROM birthday)::int))
    WHERE deleted_at IS NULL AND birthday IS NOT NULL;
CREATE INDEX idx_contracts_signed_md ON contracts ((EXTRACT(MONTH FROM signed_on)::int * 100 + EXTRACT(DAY FROM signed_on)::int))
    INCLUDE (customer_id)
    WHERE deleted_at IS NULL AND signed_on IS NOT NULL AND is_current AND status IN ('signed', 'active', 'expiring');
CREATE INDEX idx_contracts_in_force_end ON contracts (end_on, id) INCLUDE (customer_id)
    WHERE is_current AND deleted_at IS NULL AND status IN ('signed', 'active', 'expiring');
CREATE INDEX idx_contracts_status_submitted ON contracts (status, submitted_at, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status_customer ON needs (status, customer_id) WHERE deleted_at IS NULL;
DROP INDEX idx_needs_status;

CREATE CONSTRAINT TRIGGER trg_contracts_cache_version AFTER INSERT OR UPDATE OR DELETE ON contracts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('contracts');
CREATE CONSTRAINT TRIGGER trg_needs_cache_version AFTER INSERT OR UPDATE OR DELETE ON needs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('needs');
CREATE CONSTRAINT TRIGGER trg_customers_cache_version_home AFTER UPDATE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.team_id IS DISTINCT FROM NEW.team_id
       OR OLD.branch_id IS DISTINCT FROM NEW.branch_id OR OLD.chief_rep_id IS DISTINCT FROM NEW.chief_rep_id
       OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION jike_bump_cache_versions('contracts', 'needs');
CREATE CONSTRAINT TRIGGER trg_customers_delete_cache_version_home AFTER DELETE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('contracts', 'needs');

-- +goose Down
DROP TRIGGER trg_customers_delete_cache_version_home ON customers;
DROP TRIGGER trg_customers_cache_version_home ON customers;
DROP TRIGGER trg_needs_cache_version ON needs;
DROP TRIGGER trg_contracts_cache_version ON contracts;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
DROP INDEX idx_needs_status_customer;
DROP INDEX idx_contracts_status_submitted;
DROP INDEX idx_contracts_in_force_end;
DROP INDEX idx_contracts_signed_md;
DROP INDEX idx_contacts_birthday_md;
