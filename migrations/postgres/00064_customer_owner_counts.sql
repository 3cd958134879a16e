-- The live customers counted per account manager, branch and part
-- (issue 19). Under an industry or a grade the attainment apportions each
-- manager's targets by his share of customers — those of the industry or
-- grade over all his customers in the viewer's scope
-- (reports.Store.CustomerShares) — and counted them from the customers:
-- for the admin a pass over the province's 100,000 (66–150 ms on a first
-- look after a write, the largest statement left of the month's
-- attainment under one industry). These rows are ~9,000.
--
-- A row's part is that of the week counts (00063, jike_week_parts): ''
-- for all of the manager's customers in the branch, 'i:<industry>' and
-- 'g:<grade>' for those of that industry or grade. A statement's new
-- customers (an import's COPY) are counted in one upsert of their groups;
-- an update of the owner, branch, industry, grade or deletion, or a
-- delete, moves one customer's three rows, the old and the new in one
-- upsert in key order (two transfers in opposite directions take the
-- rows in the same order).

-- +goose Up
CREATE TABLE customer_owner_counts (
    part      TEXT   NOT NULL,
    owner_id  BIGINT NOT NULL,
    branch_id BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (part, owner_id, branch_id) INCLUDE (n)
);

-- +goose StatementBegin
CREATE FUNCTION jike_customers_inserted_owners() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_owner_counts AS k (part, owner_id, branch_id, n)
    SELECT w.part, c.owner_id, c.branch_id, COUNT(*)
    FROM new_customers c CROSS JOIN LATERAL jike_week_parts(c.industry, c.grade) AS w
    WHERE c.deleted_at IS NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (part, owner_id, branch_id) DO UPDATE SET n = k.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_customer_owner_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_owner_counts AS k (part, owner_id, branch_id, n)
    SELECT d.part, d.owner_id, d.branch_id, SUM(d.n)
    FROM (SELECT w.part, OLD.owner_id AS owner_id, OLD.branch_id AS branch_id, -1 AS n
          FROM jike_week_parts(OLD.industry, OLD.grade) AS w WHERE OLD.deleted_at IS NULL
          UNION ALL
          SELECT w.part, NEW.owner_id, NEW.branch_id, 1
          FROM jike_week_parts(NEW.industry, NEW.grade) AS w WHERE TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL) d
    GROUP BY 1, 2, 3 HAVING SUM(d.n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (part, owner_id, branch_id) DO UPDATE SET n = k.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_owner_counts_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS new_customers
    FOR EACH STATEMENT EXECUTE FUNCTION jike_customers_inserted_owners();
CREATE TRIGGER trg_customers_owner_counts AFTER UPDATE ON customers
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.branch_id IS DISTINCT FROM NEW.branch_id
        OR OLD.industry IS DISTINCT FROM NEW.industry OR OLD.grade IS DISTINCT FROM NEW.grade
        OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION jike_customer_owner_delta();
CREATE TRIGGER trg_customers_owner_counts_delete AFTER DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_customer_owner_delta();

-- The counts again from the rows (after a load that paused the triggers).
-- Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_customer_owner_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE customers IN SHARE MODE;
    DELETE FROM customer_owner_counts;
    INSERT INTO customer_owner_counts (part, owner_id, branch_id, n)
    SELECT w.part, c.owner_id, c.branch_id, COUNT(*)
    FROM customers c CROSS JOIN LATERAL jike_week_parts(c.industry, c.grade) AS w
    WHERE c.deleted_at IS NULL
    GROUP BY 1, 2, 3;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_customer_owner_counts();

-- +goose Down
DROP TRIGGER trg_customers_owner_counts_delete ON customers;
DROP TRIGGER trg_customers_owner_counts ON customers;
DROP TRIGGER trg_customers_owner_counts_insert ON customers;
DROP FUNCTION jike_refresh_customer_owner_counts();
DROP FUNCTION jike_customer_owner_delta();
DROP FUNCTION jike_customers_inserted_owners();
DROP TABLE customer_owner_counts;
