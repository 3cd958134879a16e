-- The key persons counted per creator and week piece, kept as they are
-- written (issue 19), as the visits are (00050). The activity report's
-- "new key persons" and the attainment's contacts line count the key
-- persons each account manager created, per week or month: over a year
-- of a province that was ~130,000 key persons read on every first look
-- after a write, the largest part left of both reports' SQL. These rows
-- are ~30,000 a year.
--
-- A row counts the live key persons of live customers whose local
-- creation date falls in one piece (jike_visit_piece: a week cut at month
-- starts, in the zone of visit_week_zone), per customer's branch and team
-- (a director's scope, the report's filters) and creator (0 for none).
-- A key person's trigger locks its customer (FOR SHARE) before reading
-- it; a customer's trigger moves its key persons' counts when its branch,
-- team or deletion changes; a change of zone counts them again.
--
-- With it, two covering indexes for the statements that read a period's
-- proposals sent and contracts signed across the province, whose plans
-- read the table's rows for two columns each (docs/performance.md).
--
-- SQLite keeps no such rows; its reports count the key persons.

-- +goose Up
CREATE TABLE contact_week_counts (
    piece     DATE   NOT NULL,
    branch_id BIGINT NOT NULL,
    team_id   BIGINT NOT NULL,
    owner_id  BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (piece, branch_id, team_id, owner_id)
);
CREATE INDEX idx_contact_week_counts_branch ON contact_week_counts (branch_id, piece);

-- +goose StatementBegin
CREATE FUNCTION jike_contact_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO contact_week_counts AS c (piece, branch_id, team_id, owner_id, n)
    VALUES (p, b, tm, COALESCE(o, 0), d)
    ON CONFLICT (piece, branch_id, team_id, owner_id) DO UPDATE SET n = c.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_contact_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    c RECORD;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.created_by IS NOT DISTINCT FROM NEW.created_by
       AND OLD.created_at = NEW.created_at AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        SELECT branch_id, team_id, deleted_at IS NULL AS live INTO c FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(OLD.created_at, z), c.branch_id, c.team_id, OLD.created_by, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, team_id, deleted_at IS NULL AS live INTO c FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(NEW.created_at, z), c.branch_id, c.team_id, NEW.created_by, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_contacts_week_counts AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION jike_contact_week_delta();

-- A customer's key persons move with it: its branch, team or deletion
-- changing takes their counts from the old key to the new one.
-- +goose StatementBegin
CREATE FUNCTION jike_customer_contact_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
    z TEXT;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.team_id = NEW.team_id))) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF was_live THEN
        PERFORM jike_contact_week_add(g.piece, OLD.branch_id, OLD.team_id, g.owner_id, -g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
    IF now_live THEN
        PERFORM jike_contact_week_add(g.piece, NEW.branch_id, NEW.team_id, g.owner_id, g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_contact_weeks AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_customer_contact_weeks();

-- The counts again from the rows (after a load that paused the triggers,
-- or a change of zone). Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_contact_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, contacts IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM contact_week_counts;
    INSERT INTO contact_week_counts (piece, branch_id, team_id, owner_id, n)
    SELECT jike_visit_piece(k.created_at, z), c.branch_id, c.team_id, COALESCE(k.created_by, 0), COUNT(*)
    FROM contacts k JOIN customers c ON c.id = k.customer_id
    WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4;
END
$$;
-- +goose StatementEnd

-- The zone changing (visits.Store.KeepWeekCounts) moves every piece.
-- +goose StatementBegin
CREATE FUNCTION jike_zone_contact_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.zone IS DISTINCT FROM NEW.zone THEN
        PERFORM jike_refresh_contact_week_counts();
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_visit_week_zone_contact_weeks AFTER UPDATE ON visit_week_zone
    FOR EACH ROW EXECUTE FUNCTION jike_zone_contact_weeks();

SELECT jike_refresh_contact_week_counts();

-- A period's proposals sent, read along the date with what the counts
-- group by (targets' actuals, the activity report): an index-only scan.
DROP INDEX idx_proposals_sent;
CREATE INDEX idx_proposals_sent ON proposals (sent_at) INCLUDE (owner_id, customer_id, number)
    WHERE sent_at IS NOT NULL AND deleted_at IS NULL;

-- A period's first revisions signed, with their owner, new business and
-- monthly fee (contracts.SignedByOwner): an index-only scan.
DROP INDEX idx_contracts_signed;
CREATE INDEX idx_contracts_signed ON contracts (signed_at) INCLUDE (owner_id, customer_id, predecessor_id, monthly_fen)
    WHERE deleted_at IS NULL AND revision = 1;

-- +goose Down
DROP INDEX idx_contracts_signed;
CREATE INDEX idx_contracts_signed ON contracts (signed_at) INCLUDE (owner_id, customer_id) WHERE deleted_at IS NULL AND revision = 1;
DROP INDEX idx_proposals_sent;
CREATE INDEX idx_proposals_sent ON proposals (sent_at) WHERE sent_at IS NOT NULL AND deleted_at IS NULL;
DROP TRIGGER trg_visit_week_zone_contact_weeks ON visit_week_zone;
DROP TRIGGER trg_customers_contact_weeks ON customers;
DROP TRIGGER trg_contacts_week_counts ON contacts;
DROP FUNCTION jike_zone_contact_weeks();
DROP FUNCTION jike_refresh_contact_week_counts();
DROP FUNCTION jike_customer_contact_weeks();
DROP FUNCTION jike_contact_week_delta();
DROP FUNCTION jike_contact_week_add(DATE, BIGINT, BIGINT, BIGINT, BIGINT);
DROP TABLE contact_week_counts;
