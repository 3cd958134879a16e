-- A stage change updated in place (its next change set or cleared by
-- 00051's triggers when a later change is inserted or deleted: every move
-- of an opportunity updates the change before it) looked its
-- opportunity's customer and branch up twice, for the old row's delta and
-- for the new one's. They are the same opportunity unless the change
-- moved to another: looked up once then (issue 19, docs/reports.md §
-- Stage dwell kept per month).

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_change_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_branch BIGINT;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id AND OLD.at = NEW.at AND OLD.to_stage = NEW.to_stage
       AND OLD.next_at IS NOT DISTINCT FROM NEW.next_at AND OLD.next_stage IS NOT DISTINCT FROM NEW.next_stage THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        old_branch := jike_stage_dwell_branch(OLD.opportunity_id);
        PERFORM jike_stage_dwell_add(old_branch, OLD.at, OLD.to_stage, OLD.next_at, OLD.next_stage, -1);
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id THEN
        PERFORM jike_stage_dwell_add(old_branch, NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM jike_stage_dwell_add(jike_stage_dwell_branch(NEW.opportunity_id), NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_change_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id AND OLD.at = NEW.at AND OLD.to_stage = NEW.to_stage
       AND OLD.next_at IS NOT DISTINCT FROM NEW.next_at AND OLD.next_stage IS NOT DISTINCT FROM NEW.next_stage THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM jike_stage_dwell_add(jike_stage_dwell_branch(OLD.opportunity_id), OLD.at, OLD.to_stage, OLD.next_at, OLD.next_stage, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM jike_stage_dwell_add(jike_stage_dwell_branch(NEW.opportunity_id), NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
