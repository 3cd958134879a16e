-- A data version for the notifications (issue 19; see the PostgreSQL
-- version): the bell's count is kept per user under it. Plain row
-- triggers, as 00031's. A migration that rebuilds notifications must
-- create them again.

-- +goose Up

-- +goose StatementBegin
CREATE TRIGGER trg_notifications_version_insert AFTER INSERT ON notifications
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('notifications', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'notifications';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_notifications_version_update AFTER UPDATE ON notifications
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('notifications', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'notifications';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_notifications_version_delete AFTER DELETE ON notifications
BEGIN
    INSERT OR IGNORE INTO cache_versions (name, version) VALUES ('notifications', 0);
    UPDATE cache_versions SET version = version + 1 WHERE name = 'notifications';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_notifications_version_delete;
DROP TRIGGER trg_notifications_version_update;
DROP TRIGGER trg_notifications_version_insert;
