-- The province's opportunity totals kept by triggers (issue 19). The
-- admin's opportunity list shows the count and sums of every live
-- opportunity of a live customer; after any write to an opportunity or a
-- customer the pure-Go SQLite read all 200,000 opportunities again for
-- them (85 ms of a 115-151 ms first look). Here the live opportunities'
-- count and sums per stage are kept in the writing transaction, so the
-- totals read a dozen rows; the deleted customers' opportunities are
-- still subtracted from them by the store (a handful along their index).
--
-- SQLite only: it has one writer at a time, so these per-stage rows
-- cannot make writers wait on each other in a different order. On
-- PostgreSQL the same sums would be rows that concurrent writers lock
-- (and could deadlock on), and its scan is fast enough (74 ms); its
-- 00035 changes nothing. The table is the SQLite file's own, like
-- cache_versions: jike migrate-data does not copy it (dbcopy).
--
-- A later SQLite migration that rebuilds opportunities (CREATE …_new,
-- copy, DROP, RENAME) drops these triggers with the table and must create
-- them again, and refill the table.

-- +goose Up
CREATE TABLE opportunity_stage_totals (
    stage            TEXT PRIMARY KEY,
    n                INTEGER NOT NULL,
    monthly          INTEGER NOT NULL,
    one_time         INTEGER NOT NULL,
    weighted_percent INTEGER NOT NULL
);

INSERT INTO opportunity_stage_totals (stage, n, monthly, one_time, weighted_percent)
SELECT stage, COUNT(*), COALESCE(SUM(monthly_fen), 0), COALESCE(SUM(one_time_fen), 0), COALESCE(SUM(monthly_fen * probability), 0)
FROM opportunities WHERE deleted_at IS NULL GROUP BY stage;

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_totals_insert AFTER INSERT ON opportunities
WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT OR IGNORE INTO opportunity_stage_totals (stage, n, monthly, one_time, weighted_percent) VALUES (NEW.stage, 0, 0, 0, 0);
    UPDATE opportunity_stage_totals SET n = n + 1, monthly = monthly + NEW.monthly_fen, one_time = one_time + NEW.one_time_fen,
        weighted_percent = weighted_percent + NEW.monthly_fen * NEW.probability
    WHERE stage = NEW.stage;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_totals_update AFTER UPDATE OF stage, monthly_fen, one_time_fen, probability, deleted_at ON opportunities
BEGIN
    UPDATE opportunity_stage_totals SET n = n - 1, monthly = monthly - OLD.monthly_fen, one_time = one_time - OLD.one_time_fen,
        weighted_percent = weighted_percent - OLD.monthly_fen * OLD.probability
    WHERE stage = OLD.stage AND OLD.deleted_at IS NULL;
    INSERT OR IGNORE INTO opportunity_stage_totals (stage, n, monthly, one_time, weighted_percent)
    SELECT NEW.stage, 0, 0, 0, 0 WHERE NEW.deleted_at IS NULL;
    UPDATE opportunity_stage_totals SET n = n + 1, monthly = monthly + NEW.monthly_fen, one_time = one_time + NEW.one_time_fen,
        weighted_percent = weighted_percent + NEW.monthly_fen * NEW.probability
    WHERE stage = NEW.stage AND NEW.deleted_at IS NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_opportunities_totals_delete AFTER DELETE ON opportunities
WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE opportunity_stage_totals SET n = n - 1, monthly = monthly - OLD.monthly_fen, one_time = one_time - OLD.one_time_fen,
        weighted_percent = weighted_percent - OLD.monthly_fen * OLD.probability
    WHERE stage = OLD.stage;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_opportunities_totals_delete;
DROP TRIGGER trg_opportunities_totals_update;
DROP TRIGGER trg_opportunities_totals_insert;
DROP TABLE opportunity_stage_totals;
