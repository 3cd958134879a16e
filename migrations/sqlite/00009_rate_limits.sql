-- Same version and columns as postgres/00009_rate_limits.sql.
-- Duplicate checks per user in the database, so every instance of the
-- portal enforces one limit; and the customers' search text with
-- full-width letters and digits folded to ASCII, as the code now writes
-- it (names are stored folded), so "ABC" finds "ＡＢＣ".

-- +goose Up
CREATE TABLE rate_limits (
    bucket       TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX idx_rate_limits_window ON rate_limits (window_start);

UPDATE customers SET search_text = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(search_text, '０', '0'), '１', '1'), '２', '2'), '３', '3'), '４', '4'), '５', '5'), '６', '6'), '７', '7'), '８', '8'), '９', '9'), 'ａ', 'a'), 'Ａ', 'a'), 'ｂ', 'b'), 'Ｂ', 'b'), 'ｃ', 'c'), 'Ｃ', 'c'), 'ｄ', 'd'), 'Ｄ', 'd'), 'ｅ', 'e'), 'Ｅ', 'e'), 'ｆ', 'f'), 'Ｆ', 'f'), 'ｇ', 'g'), 'Ｇ', 'g'), 'ｈ', 'h'), 'Ｈ', 'h'), 'ｉ', 'i'), 'Ｉ', 'i'), 'ｊ', 'j'), 'Ｊ', 'j'), 'ｋ', 'k'), 'Ｋ', 'k'), 'ｌ', 'l'), 'Ｌ', 'l'), 'ｍ', 'm'), 'Ｍ', 'm'), 'ｎ', 'n'), 'Ｎ', 'n'), 'ｏ', 'o'), 'Ｏ', 'o'), 'ｐ', 'p'), 'Ｐ', 'p'), 'ｑ', 'q'), 'Ｑ', 'q'), 'ｒ', 'r'), 'Ｒ', 'r'), 'ｓ', 's'), 'Ｓ', 's'), 'ｔ', 't'), 'Ｔ', 't'), 'ｕ', 'u'), 'Ｕ', 'u'), 'ｖ', 'v'), 'Ｖ', 'v'), 'ｗ', 'w'), 'Ｗ', 'w'), 'ｘ', 'x'), 'Ｘ', 'x'), 'ｙ', 'y'), 'Ｙ', 'y'), 'ｚ', 'z'), 'Ｚ', 'z'), '　', ' ')
WHERE search_text GLOB '*[０-９ａ-ｚＡ-Ｚ　]*';

-- +goose Down
DROP TABLE rate_limits;
