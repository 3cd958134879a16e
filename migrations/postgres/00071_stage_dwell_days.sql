-- The stage changes also counted per day (issue 19). The velocity of a
-- period reads its whole months from the kept counts of 00052/00061 and
-- the days before the first and after the last ("the edges") from the
-- stage changes: a custom range from the 3rd of one month to the 20th of
-- another read ~100,000 changes of ~46 days, and a branch's or an
-- industry's through their opportunities (a director's 38–48 ms, the
-- admin's under an industry 72–87 on a first look after a write). The
-- same counts are now kept per day beside the months, in the same table:
-- a row whose part starts with 'd:' counts the changes of one day (month
-- holds the day) for the part that follows ('d:' the branch's or the
-- province's, 'd:i:<industry>', 'd:g:<grade>'); every period whose bounds
-- are midnights is then read from kept rows alone. A stage change adds
-- eight deltas instead of four; the triggers of 00061 call these
-- functions and stay as they are.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_dwell_add(b BIGINT, ind TEXT, gr TEXT, at TIMESTAMPTZ, stage TEXT, next_at TIMESTAMPTZ, next_stage TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    d DATE;
    m DATE;
BEGIN
    IF b IS NULL THEN
        RETURN;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    d := (at AT TIME ZONE z)::date;
    m := date_trunc('month', d)::date;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, part, n, forward, dwell_us)
    SELECT v.k, v.piece, stage, jike_dwell_days(at, next_at), v.p, sign,
           sign * (CASE WHEN next_stage IS NOT NULL AND jike_stage_rank(next_stage) > jike_stage_rank(stage) THEN 1 ELSE 0 END),
           sign * jike_dwell_us(at, next_at)
    FROM (VALUES (b, '', m), (0, '', m), (0, 'i:' || ind, m), (0, 'g:' || gr, m),
                 (b, 'd:', d), (0, 'd:', d), (0, 'd:i:' || ind, d), (0, 'd:g:' || gr, d)) AS v(k, p, piece);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_dwell_move(opps BIGINT[], b BIGINT, ind TEXT, gr TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    INSERT INTO stage_dwell_deltas (branch_id, month, stage, days, part, n, forward, dwell_us)
    SELECT v.k, CASE WHEN v.daily THEN g.day ELSE date_trunc('month', g.day)::date END, g.stage, g.days, v.p,
           sign * g.n, sign * g.forward, sign * g.dwell_us
    FROM (SELECT (sc.at AT TIME ZONE z)::date AS day, sc.to_stage AS stage, jike_dwell_days(sc.at, sc.next_at) AS days,
                 COUNT(*) AS n,
                 SUM(CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END) AS forward,
                 SUM(jike_dwell_us(sc.at, sc.next_at)) AS dwell_us
          FROM stage_changes sc WHERE sc.opportunity_id = ANY (opps) GROUP BY 1, 2, 3) g
    CROSS JOIN (VALUES (b, '', false), (0, '', false), (0, 'i:' || ind, false), (0, 'g:' || gr, false),
                       (b, 'd:', true), (0, 'd:', true), (0, 'd:i:' || ind, true), (0, 'd:g:' || gr, true)) AS v(k, p, daily);
END
$$;
-- +goose StatementEnd

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
    SELECT COALESCE(g.branch_id, 0), CASE WHEN GROUPING(g.day) = 0 THEN g.day ELSE g.month END, g.stage, g.days,
           CASE WHEN GROUPING(g.day) = 0 THEN 'd:' ELSE '' END ||
           CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           SUM(g.n), SUM(g.forward), SUM(g.dwell_us)
    FROM (SELECT c.branch_id, c.industry, c.grade, (sc.at AT TIME ZONE z)::date AS day, date_trunc('month', sc.at AT TIME ZONE z)::date AS month,
                 sc.to_stage AS stage, jike_dwell_days(sc.at, sc.next_at) AS days, 1 AS n,
                 CASE WHEN sc.next_stage IS NOT NULL AND jike_stage_rank(sc.next_stage) > jike_stage_rank(sc.to_stage) THEN 1 ELSE 0 END AS forward,
                 jike_dwell_us(sc.at, sc.next_at) AS dwell_us
          FROM stage_changes sc JOIN opportunities o ON o.id = sc.opportunity_id JOIN customers c ON c.id = o.customer_id
          WHERE o.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.branch_id, g.month, g.stage, g.days), (g.month, g.stage, g.days),
                            (g.industry, g.month, g.stage, g.days), (g.grade, g.month, g.stage, g.days),
                            (g.branch_id, g.day, g.stage, g.days), (g.day, g.stage, g.days),
                            (g.industry, g.day, g.stage, g.days), (g.grade, g.day, g.stage, g.days));
END
$$;
-- +goose StatementEnd

SELECT jike_refresh_stage_dwell_counts();

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_dwell_add(b BIGINT, ind TEXT, gr TEXT, at TIMESTAMPTZ, stage TEXT, next_at TIMESTAMPTZ, next_stage TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_stage_dwell_move(opps BIGINT[], b BIGINT, ind TEXT, gr TEXT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
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

DELETE FROM stage_dwell_deltas WHERE part LIKE 'd:%';
DELETE FROM stage_dwell_base WHERE part LIKE 'd:%';
