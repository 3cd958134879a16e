-- Every pair of adjacent characters of a customer's search text, kept by
-- triggers, so that a search finds its candidates by index (issue 19).
-- The customer list's search is a LIKE '%…%' on search_text (name, credit
-- code, key persons), which no B-tree can serve: on the province's
-- 100,000 customers the admin's first look at a rare name ("华为",
-- "不存在的名字", a credit code's digits) read every customer twice, for
-- the capped count and again along the update-time index for the page:
-- 0.4–0.8 s. Each search is a first look (a kept page serves only the
-- same words again), so this was the slowest page a user could open.
--
-- A text that contains a term contains each of the term's character
-- pairs, so the customers holding all of (up to three of) them are a
-- superset of the matches; the LIKE then checks each candidate exactly
-- (prospects.searchCond). A term of one character has no pair and is
-- searched as before.
--
-- The pairs are cut by SQL alone (no CTE is allowed in a trigger): the
-- JSON array of n zeros that json_each walks gives the positions 0…n-1.
-- The table is the SQLite file's own, like opportunity_stage_totals:
-- jike migrate-data does not copy it (dbcopy); PostgreSQL has a GIN index
-- on the same pairs instead (its 00036).
--
-- A later SQLite migration that rebuilds customers (CREATE …_new, copy,
-- DROP, RENAME) drops these triggers with the table and must create them
-- again, and refill the table.

-- +goose Up
CREATE TABLE customer_bigrams (
    gram        TEXT    NOT NULL,
    customer_id INTEGER NOT NULL,
    PRIMARY KEY (gram, customer_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO customer_bigrams (gram, customer_id)
SELECT substr(c.search_text, p.key + 1, 2), c.id
FROM customers c,
     json_each('[' || rtrim(replace(hex(zeroblob(max(length(c.search_text) - 1, 0))), '00', '0,'), ',') || ']') p
ORDER BY 1, 2;

-- +goose StatementBegin
CREATE TRIGGER trg_customers_bigrams_insert AFTER INSERT ON customers
BEGIN
    INSERT OR IGNORE INTO customer_bigrams (gram, customer_id)
    SELECT substr(NEW.search_text, p.key + 1, 2), NEW.id
    FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(NEW.search_text) - 1, 0))), '00', '0,'), ',') || ']') p;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_bigrams_update AFTER UPDATE OF search_text, id ON customers
WHEN OLD.search_text IS NOT NEW.search_text OR OLD.id <> NEW.id
BEGIN
    DELETE FROM customer_bigrams WHERE customer_id = OLD.id AND gram IN (
        SELECT substr(OLD.search_text, p.key + 1, 2)
        FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(OLD.search_text) - 1, 0))), '00', '0,'), ',') || ']') p);
    INSERT OR IGNORE INTO customer_bigrams (gram, customer_id)
    SELECT substr(NEW.search_text, p.key + 1, 2), NEW.id
    FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(NEW.search_text) - 1, 0))), '00', '0,'), ',') || ']') p;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_customers_bigrams_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customer_bigrams WHERE customer_id = OLD.id AND gram IN (
        SELECT substr(OLD.search_text, p.key + 1, 2)
        FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(OLD.search_text) - 1, 0))), '00', '0,'), ',') || ']') p);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_customers_bigrams_delete;
DROP TRIGGER trg_customers_bigrams_update;
DROP TRIGGER trg_customers_bigrams_insert;
DROP TABLE customer_bigrams;
