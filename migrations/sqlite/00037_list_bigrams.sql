-- The other lists' own texts by character pairs (issue 19): PostgreSQL
-- only, where the lists' searches read them (db.ContainsByPairs). On
-- SQLite the lists search their own texts with LIKE as before: a table of
-- pairs per list kept by triggers (as customer_bigrams, 00036) would cost
-- every write and the province's load time for searches the embedded
-- database's users — a team or a branch — run over a few thousand rows.
-- The migration exists so that both databases share one version sequence.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
