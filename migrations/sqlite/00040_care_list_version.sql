-- The care list kept under data versions (aftersale.Store.KeptCareList,
-- issue 19): writes to the last contacts and to the branches' care
-- frequencies bump the aftersale version, as 00031's triggers do for the
-- other after-sale tables. db.TableVersions lists the same. The row is
-- created without OR IGNORE: RefreshLastContact upserts, and SQLite then
-- applies the outer statement's conflict handling to the trigger's
-- statements too, so OR IGNORE would fail on the existing row.

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_version_insert AFTER INSERT ON care_last_contacts
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_version_update AFTER UPDATE ON care_last_contacts
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_care_last_contacts_version_delete AFTER DELETE ON care_last_contacts
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_aftersale_settings_version_insert AFTER INSERT ON aftersale_settings
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_aftersale_settings_version_update AFTER UPDATE ON aftersale_settings
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_aftersale_settings_version_delete AFTER DELETE ON aftersale_settings
BEGIN
    INSERT INTO cache_versions (name, version) SELECT 'aftersale', 0 WHERE NOT EXISTS (SELECT 1 FROM cache_versions WHERE name = 'aftersale');
    UPDATE cache_versions SET version = version + 1 WHERE name = 'aftersale';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER trg_aftersale_settings_version_delete;
DROP TRIGGER trg_aftersale_settings_version_update;
DROP TRIGGER trg_aftersale_settings_version_insert;
DROP TRIGGER trg_care_last_contacts_version_delete;
DROP TRIGGER trg_care_last_contacts_version_update;
DROP TRIGGER trg_care_last_contacts_version_insert;
