-- The care list's customers counted per branch, grade and last contact
-- (issue 19; see the PostgreSQL version for why). SQLite has one writer
-- at a time, so the counts are kept in the writing transaction, as the
-- per-stage opportunity totals are (00035): care_contact_kept holds them,
-- "never contacted" stored as '' (a key column), and the view
-- care_contact_counts shows it as NULL, as PostgreSQL's does (whose rows
-- a reader adds up per key; here there is one per key). The table
-- is the SQLite file's own: jike migrate-data does not copy it.
--
-- A later migration that rebuilds customers or care_last_contacts (CREATE
-- …_new, copy, DROP, RENAME) drops these triggers with the table and must
-- create them again, and fill the table again.

-- +goose Up
CREATE TABLE care_contact_kept (
    branch_id       INTEGER NOT NULL,
    grade           TEXT    NOT NULL,
    last_contact_on TEXT    NOT NULL,
    n               INTEGER NOT NULL,
    PRIMARY KEY (branch_id, grade, last_contact_on)
) WITHOUT ROWID;

INSERT INTO care_contact_kept (branch_id, grade, last_contact_on, n)
SELECT customers.branch_id, customers.grade, IFNULL(care_last_contacts.last_contact_on, ''), COUNT(*)
FROM customers LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id
WHERE customers.deleted_at IS NULL AND customers.status IN ('active', 'dormant')
GROUP BY 1, 2, 3;

CREATE VIEW care_contact_counts AS
SELECT branch_id, grade, NULLIF(last_contact_on, '') AS last_contact_on, n FROM care_contact_kept;

-- A customer's count moves between two last contacts ('' for none).
-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_counts_insert AFTER INSERT ON care_last_contacts
BEGIN
    UPDATE care_contact_kept SET n = n - 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = '';
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    SELECT branch_id, grade, NEW.last_contact_on, 0 FROM customers
    WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant');
    UPDATE care_contact_kept SET n = n + 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = NEW.last_contact_on;
    DELETE FROM care_contact_kept WHERE n = 0 AND last_contact_on = ''
      AND branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id)
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_counts_update AFTER UPDATE OF customer_id, last_contact_on ON care_last_contacts
WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.last_contact_on IS NOT NEW.last_contact_on
BEGIN
    UPDATE care_contact_kept SET n = n - 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = OLD.last_contact_on;
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    SELECT branch_id, grade, '', 0 FROM customers
    WHERE id = OLD.customer_id AND OLD.customer_id <> NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant');
    UPDATE care_contact_kept SET n = n + 1
    WHERE OLD.customer_id <> NEW.customer_id AND last_contact_on = ''
      AND branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'));
    UPDATE care_contact_kept SET n = n - 1
    WHERE OLD.customer_id <> NEW.customer_id AND last_contact_on = ''
      AND branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'));
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    SELECT branch_id, grade, NEW.last_contact_on, 0 FROM customers
    WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant');
    UPDATE care_contact_kept SET n = n + 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = NEW.last_contact_on;
    DELETE FROM care_contact_kept WHERE n = 0 AND last_contact_on IN (OLD.last_contact_on, '')
      AND branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id)
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id);
    DELETE FROM care_contact_kept WHERE n = 0 AND last_contact_on = ''
      AND branch_id = (SELECT branch_id FROM customers WHERE id = NEW.customer_id)
      AND grade = (SELECT grade FROM customers WHERE id = NEW.customer_id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_counts_delete AFTER DELETE ON care_last_contacts
BEGIN
    UPDATE care_contact_kept SET n = n - 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = OLD.last_contact_on;
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    SELECT branch_id, grade, '', 0 FROM customers
    WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant');
    UPDATE care_contact_kept SET n = n + 1
    WHERE branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id AND deleted_at IS NULL AND status IN ('active', 'dormant'))
      AND last_contact_on = '';
    DELETE FROM care_contact_kept WHERE n = 0 AND last_contact_on = OLD.last_contact_on
      AND branch_id = (SELECT branch_id FROM customers WHERE id = OLD.customer_id)
      AND grade = (SELECT grade FROM customers WHERE id = OLD.customer_id);
END;
-- +goose StatementEnd

-- A customer's count moves between branches, grades, or in and out of
-- the care plan (its status, its deletion), at its last contact.
-- +goose StatementBegin
CREATE TRIGGER trg_customers_care_counts_insert AFTER INSERT ON customers
WHEN NEW.deleted_at IS NULL AND NEW.status IN ('active', 'dormant')
BEGIN
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    VALUES (NEW.branch_id, NEW.grade, IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = NEW.id), ''), 0);
    UPDATE care_contact_kept SET n = n + 1
    WHERE branch_id = NEW.branch_id AND grade = NEW.grade
      AND last_contact_on = IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = NEW.id), '');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_care_counts_update AFTER UPDATE OF branch_id, grade, status, deleted_at ON customers
WHEN OLD.branch_id IS NOT NEW.branch_id OR OLD.grade IS NOT NEW.grade OR OLD.status IS NOT NEW.status
  OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
BEGIN
    UPDATE care_contact_kept SET n = n - 1
    WHERE OLD.deleted_at IS NULL AND OLD.status IN ('active', 'dormant')
      AND branch_id = OLD.branch_id AND grade = OLD.grade
      AND last_contact_on = IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = OLD.id), '');
    INSERT OR IGNORE INTO care_contact_kept (branch_id, grade, last_contact_on, n)
    SELECT NEW.branch_id, NEW.grade, IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = NEW.id), ''), 0
    WHERE NEW.deleted_at IS NULL AND NEW.status IN ('active', 'dormant');
    UPDATE care_contact_kept SET n = n + 1
    WHERE NEW.deleted_at IS NULL AND NEW.status IN ('active', 'dormant')
      AND branch_id = NEW.branch_id AND grade = NEW.grade
      AND last_contact_on = IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = NEW.id), '');
    DELETE FROM care_contact_kept WHERE n = 0 AND branch_id = OLD.branch_id AND grade = OLD.grade;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_care_counts_delete AFTER DELETE ON customers
WHEN OLD.deleted_at IS NULL AND OLD.status IN ('active', 'dormant')
BEGIN
    UPDATE care_contact_kept SET n = n - 1
    WHERE branch_id = OLD.branch_id AND grade = OLD.grade
      AND last_contact_on = IFNULL((SELECT last_contact_on FROM care_last_contacts WHERE customer_id = OLD.id), '');
    DELETE FROM care_contact_kept WHERE n = 0 AND branch_id = OLD.branch_id AND grade = OLD.grade;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_customers_care_counts_delete;
DROP TRIGGER trg_customers_care_counts_update;
DROP TRIGGER trg_customers_care_counts_insert;
DROP TRIGGER trg_care_last_contacts_counts_delete;
DROP TRIGGER trg_care_last_contacts_counts_update;
DROP TRIGGER trg_care_last_contacts_counts_insert;
DROP VIEW care_contact_counts;
DROP TABLE care_contact_kept;
