-- Same version and columns as postgres/00016_aftersale_sla_care.sql.
-- After-sale, part 2: the response clock warns and escalates like the
-- resolution clock; the director's escalation step is a branch setting;
-- the care list reads each customer's last contact from one indexed row.
-- Times are stored as the driver writes them (RFC 3339 text, UTC).

-- +goose Up
ALTER TABLE aftersale_settings ADD COLUMN director_pct INTEGER NOT NULL DEFAULT 150 CHECK (director_pct BETWEEN 110 AND 300);

ALTER TABLE service_requests ADD COLUMN resp_warn_at DATETIME;
ALTER TABLE service_requests ADD COLUMN resp_director_at DATETIME;
ALTER TABLE service_requests ADD COLUMN resp_warned_at DATETIME;
ALTER TABLE service_requests ADD COLUMN resp_breached_at DATETIME;
ALTER TABLE service_requests ADD COLUMN resp_escalation INTEGER NOT NULL DEFAULT 0;
UPDATE service_requests SET resp_warn_at = response_due_at, resp_director_at = director_at;
CREATE INDEX idx_service_requests_response ON service_requests (status, response_due_at) WHERE deleted_at IS NULL AND responded_at IS NULL;

CREATE TABLE care_last_contacts (
    customer_id     INTEGER  PRIMARY KEY REFERENCES customers (id),
    last_contact_on DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX idx_care_last_contacts_on ON care_last_contacts (last_contact_on);
-- Backfill in the default zone (JIKE_TIMEZONE, Asia/Shanghai, UTC+8).
INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at)
SELECT customer_id, strftime('%Y-%m-%dT00:00:00Z', MAX(d)), strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM (
    SELECT customer_id, date(starts_at, '+8 hours') AS d FROM visit_plans WHERE status = 'done' AND deleted_at IS NULL
    UNION ALL
    SELECT customer_id, date(touched_on) FROM care_touches WHERE deleted_at IS NULL
    UNION ALL
    SELECT customer_id, date(done_at, '+8 hours') FROM callbacks WHERE status = 'done' AND done_at IS NOT NULL
) c GROUP BY customer_id;

-- +goose Down
DROP TABLE care_last_contacts;
DROP INDEX idx_service_requests_response;
ALTER TABLE service_requests DROP COLUMN resp_escalation;
ALTER TABLE service_requests DROP COLUMN resp_breached_at;
ALTER TABLE service_requests DROP COLUMN resp_warned_at;
ALTER TABLE service_requests DROP COLUMN resp_director_at;
ALTER TABLE service_requests DROP COLUMN resp_warn_at;
ALTER TABLE aftersale_settings DROP COLUMN director_pct;
