-- A month's actuals for the whole province (issue 13); see
-- postgres/00027_actuals_indexes.sql.

-- +goose Up
CREATE INDEX idx_contracts_signed ON contracts (signed_at, owner_id, customer_id)
  WHERE deleted_at IS NULL AND revision = 1;
CREATE INDEX idx_contacts_created_cover ON contacts (created_at, created_by, customer_id) WHERE deleted_at IS NULL;
DROP INDEX idx_contacts_created;

-- +goose Down
CREATE INDEX idx_contacts_created ON contacts (created_at) WHERE deleted_at IS NULL;
DROP INDEX idx_contacts_created_cover;
DROP INDEX idx_contracts_signed;
