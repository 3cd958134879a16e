-- Every pair of adjacent characters of an opportunity's title, kept by
-- triggers, so that a search learns which titles hold a term by index
-- (issue 19). The admin's searched board and opportunity list add up
-- every match in two parts: the opportunities of the customers holding
-- the term (found by customer_bigrams, 00036) and those whose own title
-- holds it. The second was a pass over all 211,692 titles (~45 ms in the
-- pure-Go SQLite) even for a word of customers' names that no title
-- holds (科技, 银行). A title that contains a term contains each of its
-- pairs, so the titles holding all of them are a superset of the
-- matches: none when a pair is in no title, a few by their ids when it is
-- rare (db.ListSearch.sqliteParts); a common one keeps the pass.
--
-- The pairs are cut from lower(title), as LIKE ignores the case of ASCII
-- letters alone (db.SearchPairs cuts a term the same way), by SQL alone
-- as 00036 does (no CTE is allowed in a trigger). Deleted opportunities
-- keep their pairs: the searches test liveness themselves. The table is
-- the SQLite file's own: jike migrate-data does not copy it (dbcopy);
-- PostgreSQL has a GIN index on the same pairs instead (its 00037).
--
-- A later SQLite migration that rebuilds opportunities (CREATE …_new,
-- copy, DROP, RENAME) drops these triggers with the table and must create
-- them again, and refill the table.

-- +goose Up
CREATE TABLE opportunity_bigrams (
    gram           TEXT    NOT NULL,
    opportunity_id INTEGER NOT NULL,
    PRIMARY KEY (gram, opportunity_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO opportunity_bigrams (gram, opportunity_id)
SELECT substr(lower(o.title), p.key + 1, 2), o.id
FROM opportunities o,
     json_each('[' || rtrim(replace(hex(zeroblob(max(length(o.title) - 1, 0))), '00', '0,'), ',') || ']') p
ORDER BY 1, 2;

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_bigrams_insert AFTER INSERT ON opportunities
BEGIN
    INSERT OR IGNORE INTO opportunity_bigrams (gram, opportunity_id)
    SELECT substr(lower(NEW.title), p.key + 1, 2), NEW.id
    FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(NEW.title) - 1, 0))), '00', '0,'), ',') || ']') p;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_bigrams_update AFTER UPDATE OF title, id ON opportunities
WHEN OLD.title IS NOT NEW.title OR OLD.id <> NEW.id
BEGIN
    DELETE FROM opportunity_bigrams WHERE opportunity_id = OLD.id AND gram IN (
        SELECT substr(lower(OLD.title), p.key + 1, 2)
        FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(OLD.title) - 1, 0))), '00', '0,'), ',') || ']') p);
    INSERT OR IGNORE INTO opportunity_bigrams (gram, opportunity_id)
    SELECT substr(lower(NEW.title), p.key + 1, 2), NEW.id
    FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(NEW.title) - 1, 0))), '00', '0,'), ',') || ']') p;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_bigrams_delete AFTER DELETE ON opportunities
BEGIN
    DELETE FROM opportunity_bigrams WHERE opportunity_id = OLD.id AND gram IN (
        SELECT substr(lower(OLD.title), p.key + 1, 2)
        FROM json_each('[' || rtrim(replace(hex(zeroblob(max(length(OLD.title) - 1, 0))), '00', '0,'), ',') || ']') p);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_opportunities_bigrams_delete;
DROP TRIGGER trg_opportunities_bigrams_update;
DROP TRIGGER trg_opportunities_bigrams_insert;
DROP TABLE opportunity_bigrams;
