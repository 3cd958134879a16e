-- The visits counted per account manager and week, kept as they are
-- written (issue 19). The activity report and the attainment lines count
-- visits per manager and week or month; over a quarter or a year of a
-- province that was a pass over 250,000 to 880,000 visits on every first
-- look after a write (activity for the year ~0.7 s, attainment ~0.4 s of
-- SQL). These rows are ~40,000 for a year.
--
-- A row counts the live visits of live customers whose local start date
-- falls in one "piece": a Monday-to-Sunday week cut at month starts, so
-- that every piece lies in one week and one month and a report's weeks
-- (from its first day, then every Monday) and months are each a whole
-- number of pieces. The piece is named by its first day (the later of the
-- week's Monday and the month's first day), in the zone of
-- visit_week_zone, which the portal sets to its own at start-up
-- (visits.Store.KeepWeekCounts) and refreshes the rows when it changes.
--
-- Per customer's branch, team and A/B grade (the scope of a director's
-- report and the attainment's A/B visits) and visit owner: planned (not
-- cancelled), done, and open (still planned). A visit's trigger locks its
-- customer (FOR SHARE) before reading them, and a customer's trigger
-- moves its visits' counts when its branch, team, A/B grade or deletion
-- changes: whichever commits first, the second reads it (as for the
-- branches' opportunity sums, 00047).
--
-- Rows are upserted in the writing transaction: two writers of the same
-- manager's same week wait for each other, as they wait on the manager
-- anyway. SQLite keeps no such rows; its reports count the visits.

-- +goose Up
CREATE TABLE visit_week_zone (
    id   INT  PRIMARY KEY CHECK (id = 1),
    zone TEXT NOT NULL
);
INSERT INTO visit_week_zone (id, zone) VALUES (1, 'Asia/Shanghai');

CREATE TABLE visit_week_counts (
    piece     DATE    NOT NULL,
    branch_id BIGINT  NOT NULL,
    team_id   BIGINT  NOT NULL,
    owner_id  BIGINT  NOT NULL,
    ab        BOOLEAN NOT NULL,
    planned   BIGINT  NOT NULL,
    done      BIGINT  NOT NULL,
    open      BIGINT  NOT NULL,
    PRIMARY KEY (piece, branch_id, team_id, owner_id, ab)
);
CREATE INDEX idx_visit_week_counts_branch ON visit_week_counts (branch_id, piece);

-- The piece of instant t in zone z.
-- +goose StatementBegin
CREATE FUNCTION jike_visit_piece(t TIMESTAMPTZ, z TEXT) RETURNS DATE LANGUAGE sql STABLE AS $$
    SELECT GREATEST(date_trunc('week', (t AT TIME ZONE z))::date, date_trunc('month', (t AT TIME ZONE z))::date)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_visit_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, a BOOLEAN, sign BIGINT, st TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO visit_week_counts AS c (piece, branch_id, team_id, owner_id, ab, planned, done, open)
    VALUES (p, b, tm, o, a,
            CASE WHEN st <> 'cancelled' THEN sign ELSE 0 END,
            CASE WHEN st = 'done' THEN sign ELSE 0 END,
            CASE WHEN st = 'planned' THEN sign ELSE 0 END)
    ON CONFLICT (piece, branch_id, team_id, owner_id, ab) DO UPDATE
        SET planned = c.planned + EXCLUDED.planned, done = c.done + EXCLUDED.done, open = c.open + EXCLUDED.open
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_visit_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    c RECORD;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.owner_id = NEW.owner_id AND OLD.starts_at = NEW.starts_at
       AND OLD.status = NEW.status AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        SELECT branch_id, team_id, grade IN ('A', 'B') AS ab, deleted_at IS NULL AS live INTO c
        FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_visit_week_add(jike_visit_piece(OLD.starts_at, z), c.branch_id, c.team_id, OLD.owner_id, c.ab, -1, OLD.status);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, team_id, grade IN ('A', 'B') AS ab, deleted_at IS NULL AS live INTO c
        FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_visit_week_add(jike_visit_piece(NEW.starts_at, z), c.branch_id, c.team_id, NEW.owner_id, c.ab, 1, NEW.status);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_visit_plans_week_counts AFTER INSERT OR UPDATE OR DELETE ON visit_plans
    FOR EACH ROW EXECUTE FUNCTION jike_visit_week_delta();

-- A customer's visits move with it: its branch, team, A/B grade or
-- deletion changing takes their counts from the old key to the new one.
-- +goose StatementBegin
CREATE FUNCTION jike_customer_visit_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
    z TEXT;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.team_id = NEW.team_id AND (OLD.grade IN ('A', 'B')) = (NEW.grade IN ('A', 'B'))))) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF was_live THEN
        PERFORM jike_visit_week_add(g.piece, OLD.branch_id, OLD.team_id, g.owner_id, OLD.grade IN ('A', 'B'), -g.n, g.status)
        FROM (SELECT jike_visit_piece(starts_at, z) AS piece, owner_id, status, COUNT(*) AS n
              FROM visit_plans WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) g;
    END IF;
    IF now_live THEN
        PERFORM jike_visit_week_add(g.piece, NEW.branch_id, NEW.team_id, g.owner_id, NEW.grade IN ('A', 'B'), g.n, g.status)
        FROM (SELECT jike_visit_piece(starts_at, z) AS piece, owner_id, status, COUNT(*) AS n
              FROM visit_plans WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) g;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER trg_customers_visit_weeks AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION jike_customer_visit_weeks();

-- The counts again from the rows (after a load that paused the triggers,
-- or a change of zone). Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE FUNCTION jike_refresh_visit_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, visit_plans IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM visit_week_counts;
    INSERT INTO visit_week_counts (piece, branch_id, team_id, owner_id, ab, planned, done, open)
    SELECT jike_visit_piece(v.starts_at, z), c.branch_id, c.team_id, v.owner_id, c.grade IN ('A', 'B'),
           SUM(CASE WHEN v.status <> 'cancelled' THEN 1 ELSE 0 END),
           SUM(CASE WHEN v.status = 'done' THEN 1 ELSE 0 END),
           SUM(CASE WHEN v.status = 'planned' THEN 1 ELSE 0 END)
    FROM visit_plans v JOIN customers c ON c.id = v.customer_id
    WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4, 5;
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_visit_week_counts();

-- +goose Down
DROP TRIGGER trg_customers_visit_weeks ON customers;
DROP TRIGGER trg_visit_plans_week_counts ON visit_plans;
DROP FUNCTION jike_refresh_visit_week_counts();
DROP FUNCTION jike_customer_visit_weeks();
DROP FUNCTION jike_visit_week_delta();
DROP FUNCTION jike_visit_week_add(DATE, BIGINT, BIGINT, BIGINT, BOOLEAN, BIGINT, TEXT);
DROP FUNCTION jike_visit_piece(TIMESTAMPTZ, TEXT);
DROP TABLE visit_week_counts;
DROP TABLE visit_week_zone;
