-- The province's stage changes also counted per customer industry and per
-- customer grade (issue 19). The kept counts of 00052 serve the velocity
-- of the province and of a branch; the admin's velocity under an industry
-- or a grade still read that tenth or quarter of the province's stage
-- changes through their customers and opportunities (a year: ~72,000
-- changes of ~21,000 opportunities, 170–300 ms on a first look after a
-- write). The same counts are now kept for the province per industry and
-- per grade, beside its branches' and its own.
--
-- A row's part says which: '' for a branch's and the province's rows
-- (branch 0) as before, 'i:<industry>' and 'g:<grade>' for the province's
-- rows of the customers of that industry or grade (branch 0). A stage
-- change adds four deltas instead of two. A customer whose industry or
-- grade changes moves its changes as a change of branch does; the locks
-- and their order are those of 00052 (the opportunity, then the
-- customer, FOR SHARE).

-- +goose Up
ALTER TABLE stage_dwell_base ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE stage_dwell_base DROP CONSTRAINT stage_dwell_base_pkey;
ALTER TABLE stage_dwell_base ADD PRIMARY KEY (branch_id, month, stage, days, part);
ALTER TABLE stage_dwell_deltas ADD COLUMN part TEXT NOT NULL DEFAULT '';

CREATE OR REPLACE VIEW stage_dwell_counts AS
SELECT branch_id, month, stage, days, n, forward, dwell_us, part FROM stage_dwell_base
UNION ALL
SELECT branch_id, month, stage, days, n, forward, dwell_us, part FROM stage_dwell_deltas;

-- A stage change's own deltas, signed, for a live customer of branch b,
-- industry ind and grade gr, or nothing when b is NULL (the opportunity
-- or the customer is not live).
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_add(b BIGINT, ind TEXT, gr TEXT, at TIMESTAMPTZ, stage TEXT, next_at TIMESTAMPTZ, next_stage TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    m DATE;
BEGIN
    IF b IS NULL THEN
        RETURN;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    m := date_trunc('month', at AT TIME ZONE z)::date;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, part, n, forward, dwell_us)
    SELECT v.k, m, stage, jike_dwell_days(at, next_at), v.p, sign,
           sign * (CASE WHEN next_stage IS NOT NULL AND jike_stage_rank(next_stage) > jike_stage_rank(stage) THEN 1 ELSE 0 END),
           sign * jike_dwell_us(at, next_at)
    FROM (VALUES (b, ''), (0, ''), (0, 'i:' || ind), (0, 'g:' || gr)) AS v(k, p);
END
$$;
-- +goose StatementEnd

-- The branch, industry and grade of opportunity o's customer when both
-- are live, locking both (FOR SHARE); branch NULL otherwise.
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_of(o BIGINT, OUT branch BIGINT, OUT industry TEXT, OUT grade TEXT) LANGUAGE plpgsql AS $$
DECLARE
    cust BIGINT;
    opp_live BOOLEAN;
    cust_live BOOLEAN;
BEGIN
    SELECT customer_id, deleted_at IS NULL INTO cust, opp_live FROM opportunities WHERE id = o FOR SHARE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT c.branch_id, c.industry, c.grade, c.deleted_at IS NULL INTO branch, industry, grade, cust_live FROM customers c WHERE c.id = cust FOR SHARE;
    IF NOT FOUND OR NOT opp_live OR NOT cust_live THEN
        branch := NULL;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_change_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was RECORD;
    now_ RECORD;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id AND OLD.at = NEW.at AND OLD.to_stage = NEW.to_stage
       AND OLD.next_at IS NOT DISTINCT FROM NEW.next_at AND OLD.next_stage IS NOT DISTINCT FROM NEW.next_stage THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT * INTO was FROM jike_stage_dwell_of(OLD.opportunity_id);
        PERFORM jike_stage_dwell_add(was.branch, was.industry, was.grade, OLD.at, OLD.to_stage, OLD.next_at, OLD.next_stage, -1);
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.opportunity_id = NEW.opportunity_id THEN
        PERFORM jike_stage_dwell_add(was.branch, was.industry, was.grade, NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT * INTO now_ FROM jike_stage_dwell_of(NEW.opportunity_id);
        PERFORM jike_stage_dwell_add(now_.branch, now_.industry, now_.grade, NEW.at, NEW.to_stage, NEW.next_at, NEW.next_stage, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The changes of the opportunities opps of a live customer of branch b,
-- industry ind and grade gr, signed: the deltas of a whole opportunity
-- or customer at once.
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_move(opps BIGINT[], b BIGINT, ind TEXT, gr TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, part, n, forward, dwell_us)
    SELECT v.k, g.month, g.stage, g.days, v.p, sign * g.n, sign * g.forward, sign * g.dwell_us
    FROM (SELECT date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage, jike_dwell_days(sc.at, sc.next_at) AS days,
                 COUNT(*) AS n,
                 SUM(CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END) AS forward,
                 SUM(jike_dwell_us(sc.at, sc.next_at)) AS dwell_us
          FROM stage_changes sc WHERE sc.opportunity_id = ANY (opps) GROUP BY 1, 2, 3) g
    CROSS JOIN (VALUES (b, ''), (0, ''), (0, 'i:' || ind), (0, 'g:' || gr)) AS v(k, p);
END
$$;
-- +goose StatementEnd

-- An opportunity's changes move with it: deleted, restored, or moved to
-- another customer.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_opportunity_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c RECORD;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL)) THEN
        RETURN NULL;
    END IF;
    IF OLD.deleted_at IS NULL THEN
        SELECT branch_id, industry, grade, deleted_at IS NULL AS live INTO c FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_stage_dwell_move(ARRAY[OLD.id], c.branch_id, c.industry, c.grade, -1);
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, industry, grade, deleted_at IS NULL AS live INTO c FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_stage_dwell_move(ARRAY[NEW.id], c.branch_id, c.industry, c.grade, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A customer's changes move with it: another branch, industry or grade,
-- deleted, restored.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_customer_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.industry = NEW.industry AND OLD.grade = NEW.grade))) THEN
        RETURN NULL;
    END IF;
    IF was_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = OLD.id AND deleted_at IS NULL), OLD.branch_id, OLD.industry, OLD.grade, -1);
    END IF;
    IF now_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = NEW.id AND deleted_at IS NULL), NEW.branch_id, NEW.industry, NEW.grade, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The counts again from the rows (after a load that paused the triggers,
-- or a change of zone). Writers wait for it (SHARE).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_stage_dwell_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, opportunities, stage_changes IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM stage_dwell_deltas;
    DELETE FROM stage_dwell_base;
    INSERT INTO stage_dwell_base (branch_id, month, stage, days, part, n, forward, dwell_us)
    SELECT COALESCE(g.branch_id, 0), g.month, g.stage, g.days,
           CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           SUM(g.n), SUM(g.forward), SUM(g.dwell_us)
    FROM (SELECT c.branch_id, c.industry, c.grade, date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage,
                 jike_dwell_days(sc.at, sc.next_at) AS days, 1 AS n,
                 CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END AS forward,
                 jike_dwell_us(sc.at, sc.next_at) AS dwell_us
          FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN customers c ON c.id = o.customer_id
          WHERE o.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.branch_id, g.month, g.stage, g.days), (g.month, g.stage, g.days),
                            (g.industry, g.month, g.stage, g.days), (g.grade, g.month, g.stage, g.days));
END
$$;
-- +goose StatementEnd

DROP FUNCTION jike_stage_dwell_add(BIGINT, TIMESTAMPTZ, TEXT, TIMESTAMPTZ, TEXT, BIGINT);
DROP FUNCTION jike_stage_dwell_move(BIGINT[], BIGINT, BIGINT);
DROP FUNCTION jike_stage_dwell_branch(BIGINT);

SELECT jike_refresh_stage_dwell_counts();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_add(b BIGINT, at TIMESTAMPTZ, stage TEXT, next_at TIMESTAMPTZ, next_stage TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    m DATE;
BEGIN
    IF b IS NULL THEN
        RETURN;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    m := date_trunc('month', at AT TIME ZONE z)::date;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT k, m, stage, jike_dwell_days(at, next_at), sign,
           sign * (CASE WHEN next_stage IS NOT NULL AND jike_stage_rank(next_stage) > jike_stage_rank(stage) THEN 1 ELSE 0 END),
           sign * jike_dwell_us(at, next_at)
    FROM (VALUES (b), (0)) AS v(k);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_branch(o BIGINT) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    cust BIGINT;
    opp_live BOOLEAN;
    branch BIGINT;
    cust_live BOOLEAN;
BEGIN
    SELECT customer_id, deleted_at IS NULL INTO cust, opp_live FROM opportunities WHERE id = o FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT branch_id, deleted_at IS NULL INTO branch, cust_live FROM customers WHERE id = cust FOR SHARE;
    IF NOT FOUND OR NOT opp_live OR NOT cust_live THEN
        RETURN NULL;
    END IF;
    RETURN branch;
END
$$;
-- +goose StatementEnd

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

-- +goose StatementBegin
CREATE FUNCTION jike_stage_dwell_move(opps BIGINT[], b BIGINT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT v.k, g.month, g.stage, g.days, sign * g.n, sign * g.forward, sign * g.dwell_us
    FROM (SELECT date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage, jike_dwell_days(sc.at, sc.next_at) AS days,
                 COUNT(*) AS n,
                 SUM(CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END) AS forward,
                 SUM(jike_dwell_us(sc.at, sc.next_at)) AS dwell_us
          FROM stage_changes sc WHERE sc.opportunity_id = ANY (opps) GROUP BY 1, 2, 3) g
    CROSS JOIN (VALUES (b), (0)) AS v(k);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_opportunity_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    branch BIGINT;
    live BOOLEAN;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL)) THEN
        RETURN NULL;
    END IF;
    IF OLD.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF live THEN
            PERFORM jike_stage_dwell_move(ARRAY[OLD.id], branch, -1);
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, deleted_at IS NULL INTO branch, live FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF live THEN
            PERFORM jike_stage_dwell_move(ARRAY[NEW.id], branch, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_customer_stage_dwell() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR OLD.branch_id = NEW.branch_id)) THEN
        RETURN NULL;
    END IF;
    IF was_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = OLD.id AND deleted_at IS NULL), OLD.branch_id, -1);
    END IF;
    IF now_live THEN
        PERFORM jike_stage_dwell_move(ARRAY(SELECT id FROM opportunities WHERE customer_id = NEW.id AND deleted_at IS NULL), NEW.branch_id, 1);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP FUNCTION jike_stage_dwell_move(BIGINT[], BIGINT, TEXT, TEXT, BIGINT);
DROP FUNCTION jike_stage_dwell_of(BIGINT);
DROP FUNCTION jike_stage_dwell_add(BIGINT, TEXT, TEXT, TIMESTAMPTZ, TEXT, TIMESTAMPTZ, TEXT, BIGINT);

DELETE FROM stage_dwell_deltas WHERE part <> '';
DELETE FROM stage_dwell_base WHERE part <> '';
DROP VIEW stage_dwell_counts;
ALTER TABLE stage_dwell_deltas DROP COLUMN part;
ALTER TABLE stage_dwell_base DROP CONSTRAINT stage_dwell_base_pkey;
ALTER TABLE stage_dwell_base DROP COLUMN part;
ALTER TABLE stage_dwell_base ADD PRIMARY KEY (branch_id, month, stage, days);
CREATE VIEW stage_dwell_counts AS
SELECT branch_id, month, stage, days, n, forward, dwell_us FROM stage_dwell_base
UNION ALL
SELECT branch_id, month, stage, days, n, forward, dwell_us FROM stage_dwell_deltas;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_stage_dwell_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, opportunities, stage_changes IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM stage_dwell_deltas;
    DELETE FROM stage_dwell_base;
    INSERT INTO stage_dwell_base (branch_id, month, stage, days, n, forward, dwell_us)
    SELECT COALESCE(g.branch_id, 0), g.month, g.stage, g.days, SUM(g.n), SUM(g.forward), SUM(g.dwell_us)
    FROM (SELECT c.branch_id, date_trunc('month', sc.at AT TIME ZONE z)::date AS month, sc.to_stage AS stage,
                 jike_dwell_days(sc.at, sc.next_at) AS days, 1 AS n,
                 CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END AS forward,
                 jike_dwell_us(sc.at, sc.next_at) AS dwell_us
          FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN customers c ON c.id = o.customer_id
          WHERE o.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.branch_id, g.month, g.stage, g.days), (g.month, g.stage, g.days));
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_stage_dwell_counts();
