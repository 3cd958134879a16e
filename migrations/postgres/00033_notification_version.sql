-- A data version for the notifications (issue 19; docs/performance.md
-- § Kept list pages): every page shows the bell's count of the user's
-- unread notifications, which the portal keeps per user under this
-- version (notify.Service.Unread) instead of counting on every page. Any
-- write to notifications bumps it, as 00026's triggers bump theirs
-- (deferred, once per name and transaction). db.TableVersions lists it.

-- +goose Up
CREATE CONSTRAINT TRIGGER trg_notifications_version AFTER INSERT OR UPDATE OR DELETE ON notifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION jike_bump_cache_versions('notifications');

-- +goose Down
DROP TRIGGER trg_notifications_version ON notifications;
