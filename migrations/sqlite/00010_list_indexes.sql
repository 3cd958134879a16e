-- Indexes for the pipeline board, the opportunity and proposal lists and
-- their exports (same version in postgres/ and sqlite/). Each board
-- column reads its first cards as "WHERE stage = ? ORDER BY <key>, id
-- LIMIT n", which these walk in order instead of sorting the stage; the
-- lists' default order is last updated first.

-- +goose Up
DROP INDEX idx_opps_stage;
CREATE INDEX idx_opps_stage_close ON opportunities (stage, expected_close, id) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_stage_value ON opportunities (stage, monthly_fen DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_stage_changed ON opportunities (stage, stage_changed_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_opps_updated ON opportunities (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_updated ON proposals (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_owner ON proposals (owner_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_proposals_root_version ON proposals (root_id, version) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX idx_proposals_root_version;
DROP INDEX idx_proposals_owner;
DROP INDEX idx_proposals_updated;
DROP INDEX idx_opps_updated;
DROP INDEX idx_opps_stage_changed;
DROP INDEX idx_opps_stage_value;
DROP INDEX idx_opps_stage_close;
CREATE INDEX idx_opps_stage ON opportunities (stage, expected_close) WHERE deleted_at IS NULL;
