-- After-sale, part 2: the response clock warns and escalates like the
-- resolution clock (its own 80 % mark, director's step, warned/breached
-- marks and level); the director's escalation step is a branch setting
-- (percent of the allowance, default 150); the care list reads each
-- customer's last contact from one indexed row per customer instead of
-- aggregating visits, touches and call-backs on every read.

-- +goose Up
ALTER TABLE aftersale_settings ADD COLUMN director_pct INTEGER NOT NULL DEFAULT 150 CHECK (director_pct BETWEEN 110 AND 300);

ALTER TABLE service_requests ADD COLUMN resp_warn_at TIMESTAMPTZ;
ALTER TABLE service_requests ADD COLUMN resp_director_at TIMESTAMPTZ;
ALTER TABLE service_requests ADD COLUMN resp_warned_at TIMESTAMPTZ;
ALTER TABLE service_requests ADD COLUMN resp_breached_at TIMESTAMPTZ;
ALTER TABLE service_requests ADD COLUMN resp_escalation INTEGER NOT NULL DEFAULT 0;
-- Backfill: existing requests get their response warning at the response
-- deadline (their business-hours 80 % mark cannot be computed in SQL) and
-- the director's step at the resolution one's. A request already answered
-- or no longer open is not looked at (its response clock has stopped).
UPDATE service_requests SET resp_warn_at = response_due_at, resp_director_at = director_at;
ALTER TABLE service_requests ALTER COLUMN resp_warn_at SET NOT NULL;
ALTER TABLE service_requests ALTER COLUMN resp_director_at SET NOT NULL;
CREATE INDEX idx_service_requests_response ON service_requests (status, response_due_at) WHERE deleted_at IS NULL AND responded_at IS NULL;

-- One row per customer ever contacted: the date (in the configured zone)
-- of its last recorded visit, care touch or done call-back, kept by the
-- after-sale service in the transaction that saves any of them.
CREATE TABLE care_last_contacts (
    customer_id     BIGINT      PRIMARY KEY REFERENCES customers (id),
    last_contact_on DATE        NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX idx_care_last_contacts_on ON care_last_contacts (last_contact_on);
-- Backfill in the default zone (JIKE_TIMEZONE, Asia/Shanghai).
INSERT INTO care_last_contacts (customer_id, last_contact_on, updated_at)
SELECT customer_id, MAX(d), NOW() FROM (
    SELECT customer_id, (starts_at AT TIME ZONE 'Asia/Shanghai')::date AS d FROM visit_plans WHERE status = 'done' AND deleted_at IS NULL
    UNION ALL
    SELECT customer_id, touched_on FROM care_touches WHERE deleted_at IS NULL
    UNION ALL
    SELECT customer_id, (done_at AT TIME ZONE 'Asia/Shanghai')::date FROM callbacks WHERE status = 'done' AND done_at IS NOT NULL
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
