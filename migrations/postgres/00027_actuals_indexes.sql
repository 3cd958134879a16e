-- A month's actuals for the whole province (issue 13: the admin's
-- attainment report and the target grid), index-only. Same version in
-- postgres/ and sqlite/ (SQLite has no INCLUDE: the columns are keys
-- there).
--   signed:   the contracts whose first revision was signed in the month,
--             per account manager: without it a scan of every contract
--             joined to the customers (~90 ms for the province); with it
--             the month's few hundred signings are one index range.
--   contacts: the key persons created in the month, per creator: the
--             index had only the date, so the month's ~10,000 rows were
--             fetched from all over the heap (~75 ms); now it covers the
--             creator and the customer (for the scope) and replaces it.

-- +goose Up
CREATE INDEX idx_contracts_signed ON contracts (signed_at) INCLUDE (owner_id, customer_id)
  WHERE deleted_at IS NULL AND revision = 1;
CREATE INDEX idx_contacts_created_cover ON contacts (created_at) INCLUDE (created_by, customer_id) WHERE deleted_at IS NULL;
DROP INDEX idx_contacts_created;

-- +goose Down
CREATE INDEX idx_contacts_created ON contacts (created_at) WHERE deleted_at IS NULL;
DROP INDEX idx_contacts_created_cover;
DROP INDEX idx_contracts_signed;
