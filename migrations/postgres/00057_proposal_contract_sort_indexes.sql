-- The proposal and contract lists, like the customers' and the
-- opportunities' (00056), sorted by a header's column read every live row
-- for one page: the admin's contracts by status, end or total 110-146 ms,
-- proposals by status or total 54-76 ms on a first look after a write
-- (issue 19, docs/performance.md § Lists sorted by a header). One partial
-- index per order, on the rows each list reads: a contract's current
-- revision, a live proposal. The default orders (last updated) and the
-- numbers (unique indexes) had theirs.

-- +goose Up
CREATE INDEX idx_contracts_list_status ON contracts (status, id) WHERE is_current AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_start ON contracts (start_on, id) WHERE is_current AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_end ON contracts (end_on, id) WHERE is_current AND deleted_at IS NULL;
CREATE INDEX idx_contracts_list_total ON contracts (total_fen, id) WHERE is_current AND deleted_at IS NULL;
CREATE INDEX idx_proposals_list_status ON proposals (status, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_list_total ON proposals (total_fen, id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_proposals_list_total;
DROP INDEX idx_proposals_list_status;
DROP INDEX idx_contracts_list_total;
DROP INDEX idx_contracts_list_end;
DROP INDEX idx_contracts_list_start;
DROP INDEX idx_contracts_list_status;
