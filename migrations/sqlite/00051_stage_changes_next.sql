-- Each stage change knows its opportunity's next one (see the PostgreSQL
-- version): kept by triggers on insert and delete, in the opportunity's
-- order (at, id).

-- +goose Up
ALTER TABLE stage_changes ADD COLUMN next_at DATETIME;
ALTER TABLE stage_changes ADD COLUMN next_stage TEXT;

-- idx_stage_changes_opp (opportunity_id, at) ends with the rowid, id:
-- it walks an opportunity's changes in (at, id) order already.

UPDATE stage_changes SET (next_at, next_stage) =
    (SELECT n.at, n.to_stage FROM stage_changes n WHERE n.opportunity_id = stage_changes.opportunity_id
     AND (n.at, n.id) > (stage_changes.at, stage_changes.id) ORDER BY n.at, n.id LIMIT 1);

-- The new change becomes the next of the one before it.
-- +goose StatementBegin
CREATE TRIGGER trg_stage_changes_next_insert AFTER INSERT ON stage_changes
BEGIN
    UPDATE stage_changes SET next_at = NEW.at, next_stage = NEW.to_stage
    WHERE id = (SELECT p.id FROM stage_changes p WHERE p.opportunity_id = NEW.opportunity_id
                AND (p.at, p.id) < (NEW.at, NEW.id) ORDER BY p.at DESC, p.id DESC LIMIT 1);
END;
-- +goose StatementEnd

-- A back-dated change takes the one after it (a change written now has
-- none: one probe).
-- +goose StatementBegin
CREATE TRIGGER trg_stage_changes_next_backdated AFTER INSERT ON stage_changes
WHEN EXISTS (SELECT 1 FROM stage_changes n WHERE n.opportunity_id = NEW.opportunity_id AND (n.at, n.id) > (NEW.at, NEW.id))
BEGIN
    UPDATE stage_changes SET (next_at, next_stage) =
        (SELECT n.at, n.to_stage FROM stage_changes n WHERE n.opportunity_id = NEW.opportunity_id
         AND (n.at, n.id) > (NEW.at, NEW.id) ORDER BY n.at, n.id LIMIT 1)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER trg_stage_changes_next_delete AFTER DELETE ON stage_changes
BEGIN
    UPDATE stage_changes SET next_at = OLD.next_at, next_stage = OLD.next_stage
    WHERE id = (SELECT p.id FROM stage_changes p WHERE p.opportunity_id = OLD.opportunity_id
                AND (p.at, p.id) < (OLD.at, OLD.id) ORDER BY p.at DESC, p.id DESC LIMIT 1);
END;
-- +goose StatementEnd

DROP INDEX idx_stage_changes_at_cover;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at, opportunity_id, to_stage, id, next_at, next_stage);

-- +goose Down
DROP INDEX idx_stage_changes_at_cover;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at, opportunity_id, to_stage, id);
DROP TRIGGER trg_stage_changes_next_delete;
DROP TRIGGER trg_stage_changes_next_backdated;
DROP TRIGGER trg_stage_changes_next_insert;
ALTER TABLE stage_changes DROP COLUMN next_stage;
ALTER TABLE stage_changes DROP COLUMN next_at;
