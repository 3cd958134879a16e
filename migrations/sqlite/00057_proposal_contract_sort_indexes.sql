-- The proposal and contract lists sorted by a header's column read an
-- index of that column instead of sorting every live row (see the
-- PostgreSQL version).

-- +goose Up
CREATE INDEX idx_contracts_list_status ON contracts (status, id) WHERE is_current = 1 AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_start ON contracts (start_on, id) WHERE is_current = 1 AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_end ON contracts (end_on, id) WHERE is_current = 1 AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_total ON contracts (total_fen, id) WHERE is_current = 1 AND deleted_at IS NULL;
CREATE INDEX idx_proposals_list_status ON proposals (status, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_list_total ON proposals (total_fen, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_proposals_list_total;
DROP INDEX idx_proposals_list_status;
DROP INDEX idx_contracts_list_total;
DROP INDEX idx_contracts_list_end;
DROP INDEX idx_contracts_list_start;
DROP INDEX idx_contracts_list_status;
