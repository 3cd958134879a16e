-- Each stage change knows its opportunity's next one (issue 19). The
-- velocity report measures a period's stage entries by the change that
-- followed each: it numbered every change from the period's start on
-- with a window (LEAD over the opportunity's history), a sort of all of
-- them — for the admin's year ~730,000 changes, ~1 s on every first look
-- after a write. Kept on the row, the period's changes are read alone.
--
-- A trigger keeps next_at and next_stage on insert and delete, in the
-- inserting transaction, in the opportunity's order (at, id): the new
-- change takes the one after it (none, unless it was back-dated) and
-- becomes the next of the one before it. Stage changes are written in
-- the transaction that moves their opportunity, whose row lock orders
-- them; they are never updated.

-- +goose Up
ALTER TABLE stage_changes ADD COLUMN next_at TIMESTAMPTZ, ADD COLUMN next_stage VARCHAR(16);

-- +goose StatementBegin
CREATE FUNCTION jike_refresh_stage_change_next() RETURNS void LANGUAGE sql AS $$
    UPDATE stage_changes sc SET next_at = n.next_at, next_stage = n.next_stage
    FROM (SELECT id, LEAD(at) OVER w AS next_at, LEAD(to_stage) OVER w AS next_stage
          FROM stage_changes WINDOW w AS (PARTITION BY opportunity_id ORDER BY at, id)) n
    WHERE n.id = sc.id AND (sc.next_at IS DISTINCT FROM n.next_at OR sc.next_stage IS DISTINCT FROM n.next_stage)
$$;
-- +goose StatementEnd

SELECT jike_refresh_stage_change_next();

-- +goose StatementBegin
CREATE FUNCTION jike_stage_change_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE stage_changes SET next_at = n.at, next_stage = n.to_stage
        FROM (SELECT at, to_stage FROM stage_changes WHERE opportunity_id = NEW.opportunity_id AND (at, id) > (NEW.at, NEW.id)
              ORDER BY at, id LIMIT 1) n
        WHERE id = NEW.id;
        UPDATE stage_changes SET next_at = NEW.at, next_stage = NEW.to_stage
        WHERE id = (SELECT id FROM stage_changes WHERE opportunity_id = NEW.opportunity_id AND (at, id) < (NEW.at, NEW.id)
                    ORDER BY at DESC, id DESC LIMIT 1);
    ELSE
        UPDATE stage_changes SET next_at = OLD.next_at, next_stage = OLD.next_stage
        WHERE id = (SELECT id FROM stage_changes WHERE opportunity_id = OLD.opportunity_id AND (at, id) < (OLD.at, OLD.id)
                    ORDER BY at DESC, id DESC LIMIT 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_stage_changes_next AFTER INSERT OR DELETE ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION jike_stage_change_next();

-- The report reads the period's changes with their next along the time
-- index alone (index-only).
DROP INDEX idx_stage_changes_at_cover;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at) INCLUDE (opportunity_id, to_stage, id, next_at, next_stage);
-- The trigger's and the funnel's "the change before or after" walk an
-- opportunity's changes in (at, id) order.
DROP INDEX idx_stage_changes_opp;
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at, id);

-- +goose Down
DROP INDEX idx_stage_changes_opp;
CREATE INDEX idx_stage_changes_opp ON stage_changes (opportunity_id, at);
DROP INDEX idx_stage_changes_at_cover;
CREATE INDEX idx_stage_changes_at_cover ON stage_changes (at) INCLUDE (opportunity_id, to_stage, id);
DROP TRIGGER trg_stage_changes_next ON stage_changes;
DROP FUNCTION jike_stage_change_next();
DROP FUNCTION jike_refresh_stage_change_next();
ALTER TABLE stage_changes DROP COLUMN next_stage, DROP COLUMN next_at;
