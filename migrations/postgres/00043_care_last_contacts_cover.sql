-- The customers' last contacts by customer, with the date (issue 19).
-- The care list of a branch or the province merges the customers (read in
-- id order from idx_customers_care, index-only) with their last contacts
-- in the same order (aftersale.Store.CareList, CareFilter.Wide): with the
-- primary key alone every one of the ~100,000 rows was read from the
-- table for its date, and the planner hashed them instead (the admin's
-- statement ~100 ms; merged over this index ~45).

-- +goose Up
CREATE INDEX idx_care_last_contacts_cover ON care_last_contacts (customer_id) INCLUDE (last_contact_on);
ANALYZE care_last_contacts;

-- +goose Down
DROP INDEX idx_care_last_contacts_cover;
