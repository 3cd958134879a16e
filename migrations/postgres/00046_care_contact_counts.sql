-- The care list's customers counted per branch, grade and last contact
-- (issue 19). The admin's care list counted the state of each of the
-- province's ~100,000 customers — their last contacts merged in id order,
-- ~38 ms of SQL on every first look after a write anywhere — and a
-- director's the branch's ~8,000. The states depend only on a customer's
-- branch (its frequencies), grade and last contact, which ~10,000
-- (branch, grade, day) rows hold for the province: care_contact_counts
-- counts the live customers the care plan covers (status active or
-- dormant) per branch, grade and last contact day (NULL: never
-- contacted). The care list reads its counts per state there, and where a
-- page lies among the overdue customers, the latest last contact the
-- page can hold, so it reads only those customers along
-- idx_care_last_contacts_on.
--
-- As for the per-stage opportunity totals (00045), writers append a
-- delta (no row that every writer of the province locks) and the job
-- aftersale.fold_care_counts folds them into the base every minute; the
-- view lists the two. "Never contacted" is stored as 0001-01-01 (a key
-- column cannot be NULL) and shown as NULL.
--
-- A customer's contribution depends on two tables. Its care row's trigger
-- locks the customer (FOR SHARE) before reading it, so a change of the
-- customer's grade, branch or status is either committed before (and
-- read) or waits for the contact's transaction (and reads the new
-- contact); both orders add up.
--
-- A load that pauses the triggers (the generator's COPY) calls
-- jike_refresh_care_contact_counts() afterwards.

-- +goose Up
CREATE TABLE care_contact_base (
    branch_id       BIGINT NOT NULL,
    grade           TEXT   NOT NULL,
    last_contact_on DATE   NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (branch_id, grade, last_contact_on)
);

CREATE TABLE care_contact_deltas (
    id              BIGSERIAL PRIMARY KEY,
    branch_id       BIGINT NOT NULL,
    grade           TEXT   NOT NULL,
    last_contact_on DATE   NOT NULL,
    n               BIGINT NOT NULL
);

-- Rows to add up per key (a reader groups them as it needs: the care
-- list by frequency and last contact, not by branch).
CREATE VIEW care_contact_counts AS
SELECT branch_id, grade, NULLIF(last_contact_on, DATE '0001-01-01') AS last_contact_on, n FROM care_contact_base
UNION ALL
SELECT branch_id, grade, NULLIF(last_contact_on, DATE '0001-01-01') AS last_contact_on, n FROM care_contact_deltas;

-- A customer's count moves from one last contact to another (0001-01-01:
-- none), if the care plan covers the customer.
-- +goose StatementBegin
CREATE FUNCTION jike_care_contact_move(customer BIGINT, was DATE, now_on DATE) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c RECORD;
BEGIN
    IF was = now_on THEN
        RETURN;
    END IF;
    SELECT branch_id, grade, deleted_at IS NULL AND status IN ('active', 'dormant') AS cared INTO c
    FROM customers WHERE id = customer FOR SHARE;
    IF NOT FOUND OR NOT c.cared THEN
        RETURN;
    END IF;
    INSERT INTO care_contact_deltas (branch_id, grade, last_contact_on, n)
    VALUES (c.branch_id, c.grade, was, -1), (c.branch_id, c.grade, now_on, 1);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_care_contact_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM jike_care_contact_move(NEW.customer_id, DATE '0001-01-01', NEW.last_contact_on);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM jike_care_contact_move(OLD.customer_id, OLD.last_contact_on, DATE '0001-01-01');
    ELSIF OLD.customer_id = NEW.customer_id THEN
        PERFORM jike_care_contact_move(NEW.customer_id, OLD.last_contact_on, NEW.last_contact_on);
    ELSE
        PERFORM jike_care_contact_move(OLD.customer_id, OLD.last_contact_on, DATE '0001-01-01');
        PERFORM jike_care_contact_move(NEW.customer_id, DATE '0001-01-01', NEW.last_contact_on);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_care_last_contacts_counts AFTER INSERT OR UPDATE OR DELETE ON care_last_contacts
    FOR EACH ROW EXECUTE FUNCTION jike_care_contact_delta();

-- +goose StatementBegin
CREATE FUNCTION jike_care_customer_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last DATE;
    was BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL AND OLD.status IN ('active', 'dormant');
    now_cared BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL AND NEW.status IN ('active', 'dormant');
BEGIN
    IF TG_OP = 'UPDATE' AND was = now_cared AND (NOT was OR (OLD.branch_id = NEW.branch_id AND OLD.grade = NEW.grade)) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        SELECT last_contact_on INTO last FROM care_last_contacts WHERE customer_id = OLD.id;
    END IF;
    last := COALESCE(last, DATE '0001-01-01');
    IF was THEN
        INSERT INTO care_contact_deltas (branch_id, grade, last_contact_on, n) VALUES (OLD.branch_id, OLD.grade, last, -1);
    END IF;
    IF now_cared THEN
        INSERT INTO care_contact_deltas (branch_id, grade, last_contact_on, n) VALUES (NEW.branch_id, NEW.grade, last, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_care_counts AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_care_customer_delta();

-- The counts again from the rows. Writers wait for it (SHARE): a delta
-- committed between its statements would otherwise count twice.
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_care_contact_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE customers, care_last_contacts IN SHARE MODE;
    DELETE FROM care_contact_deltas;
    DELETE FROM care_contact_base;
    INSERT INTO care_contact_base (branch_id, grade, last_contact_on, n)
    SELECT customers.branch_id, customers.grade, COALESCE(care_last_contacts.last_contact_on, DATE '0001-01-01'), COUNT(*)
    FROM customers LEFT JOIN care_last_contacts ON care_last_contacts.customer_id = customers.id
    WHERE customers.deleted_at IS NULL AND customers.status IN ('active', 'dormant')
    GROUP BY 1, 2, 3;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_care_contact_counts();

-- +goose Down
DROP TRIGGER trg_customers_care_counts ON customers;
DROP TRIGGER trg_care_last_contacts_counts ON care_last_contacts;
DROP FUNCTION jike_refresh_care_contact_counts();
DROP FUNCTION jike_care_customer_delta();
DROP FUNCTION jike_care_contact_delta();
DROP FUNCTION jike_care_contact_move(BIGINT, DATE, DATE);
DROP VIEW care_contact_counts;
DROP TABLE care_contact_deltas;
DROP TABLE care_contact_base;
