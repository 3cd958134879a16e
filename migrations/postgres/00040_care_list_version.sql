-- The care list kept under data versions (aftersale.Store.KeptCareList,
-- issue 19): a page reads each customer's last contact and its branch's
-- care frequencies, so their writes bump the aftersale version, as 00031's
-- do for the other after-sale tables (deferred constraint triggers, once
-- per name and transaction). db.TableVersions lists the same.

-- +goose Up
CREATE CONSTRAINT TRIGGER trg_care_last_contacts_version AFTER INSERT OR UPDATE OR DELETE ON care_last_contacts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');
CREATE CONSTRAINT TRIGGER trg_aftersale_settings_version AFTER INSERT OR UPDATE OR DELETE ON aftersale_settings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('aftersale');

-- +goose Down
DROP TRIGGER trg_aftersale_settings_version ON aftersale_settings;
DROP TRIGGER trg_care_last_contacts_version ON care_last_contacts;
