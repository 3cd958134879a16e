-- The visits and key persons of 00063 also counted per month (issue 19).
-- The attainment of the province or of a branch reads its visits and key
-- persons from the counts per week piece, summed into months: a year of
-- the province is ~72,000 rows of visits and ~35,000 of key persons (five
-- pieces a month per manager), ~70 of the year's ~125 ms of SQL on a
-- first look after a write; a year of one industry ~49,000 rows of visits.
-- Counted per month the same lines are a fifth of that.
--
-- The months live in the same tables as the week pieces, under their own
-- parts: 'm:' followed by the week part ('m:' for every customer,
-- 'm:i:<industry>', 'm:g:<grade>'), the piece being the month's first day.
-- Every reader already names one part, so a reader of weeks never sees a
-- month and a reader of months never a week, and every writer of the
-- counts (the row triggers through jike_visit_week_add and
-- jike_contact_week_add, the statement trigger of new key persons, the
-- moves of a customer, the refresh functions) writes both with the same
-- locks in the same order: a piece never straddles two months, so a
-- month's count is the sum of its pieces'. A visit or key person is
-- counted in six rows instead of three.

-- +goose Up
-- The (part, piece) rows a visit or key person of a customer of industry
-- ind and grade gr in the week piece p counts in: its three week parts,
-- then the same three of its month.
-- +goose StatementBegin
CREATE FUNCTION jike_piece_parts(p DATE, ind TEXT, gr TEXT) RETURNS TABLE (part TEXT, piece DATE) LANGUAGE sql IMMUTABLE AS $$
    SELECT w.part, p FROM jike_week_parts(ind, gr) AS w
    UNION ALL
    SELECT 'm:' || w.part, p - CAST(EXTRACT(DAY FROM p) AS INT) + 1 FROM jike_week_parts(ind, gr) AS w
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_visit_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, a BOOLEAN, ind TEXT, gr TEXT, sign BIGINT, st TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO visit_week_counts AS c (part, piece, branch_id, team_id, owner_id, ab, planned, done, open)
    SELECT w.part, w.piece, b, tm, o, a,
           CASE WHEN st <> 'cancelled' THEN sign ELSE 0 END,
           CASE WHEN st = 'done' THEN sign ELSE 0 END,
           CASE WHEN st = 'planned' THEN sign ELSE 0 END
    FROM jike_piece_parts(p, ind, gr) AS w
    ON CONFLICT (part, piece, branch_id, team_id, owner_id, ab) DO UPDATE
        SET planned = c.planned + EXCLUDED.planned, done = c.done + EXCLUDED.done, open = c.open + EXCLUDED.open
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_visit_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, visit_plans IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM visit_week_counts;
    INSERT INTO visit_week_counts (part, piece, branch_id, team_id, owner_id, ab, planned, done, open)
    SELECT CASE WHEN GROUPING(g.piece) = 1 THEN 'm:' ELSE '' END ||
           CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           CASE WHEN GROUPING(g.piece) = 1 THEN g.month ELSE g.piece END,
           g.branch_id, g.team_id, g.owner_id, g.ab,
           SUM(CASE WHEN g.status <> 'cancelled' THEN 1 ELSE 0 END),
           SUM(CASE WHEN g.status = 'done' THEN 1 ELSE 0 END),
           SUM(CASE WHEN g.status = 'planned' THEN 1 ELSE 0 END)
    FROM (SELECT p.piece, p.piece - CAST(EXTRACT(DAY FROM p.piece) AS INT) + 1 AS month, c.branch_id, c.team_id, v.owner_id,
                 c.grade IN ('A', 'B') AS ab, c.industry, c.grade, v.status
          FROM visit_plans v JOIN customers c ON c.id = v.customer_id
          CROSS JOIN LATERAL (SELECT jike_visit_piece(v.starts_at, z) AS piece) p
          WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id, g.ab),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.ab, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.ab, g.grade),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.ab),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.ab, g.industry),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.ab, g.grade));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contact_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, ind TEXT, gr TEXT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO contact_week_counts AS c (part, piece, branch_id, team_id, owner_id, n)
    SELECT w.part, w.piece, b, tm, COALESCE(o, 0), d FROM jike_piece_parts(p, ind, gr) AS w
    ON CONFLICT (part, piece, branch_id, team_id, owner_id) DO UPDATE SET n = c.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contacts_inserted_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    PERFORM 1 FROM customers WHERE id IN (SELECT customer_id FROM new_contacts WHERE deleted_at IS NULL) ORDER BY id FOR SHARE;
    INSERT INTO contact_week_counts AS w (part, piece, branch_id, team_id, owner_id, n)
    SELECT CASE WHEN GROUPING(g.piece) = 1 THEN 'm:' ELSE '' END ||
           CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END AS part,
           CASE WHEN GROUPING(g.piece) = 1 THEN g.month ELSE g.piece END AS piece,
           g.branch_id, g.team_id, g.owner_id, COUNT(*)
    FROM (SELECT p.piece, p.piece - CAST(EXTRACT(DAY FROM p.piece) AS INT) + 1 AS month, c.branch_id, c.team_id,
                 COALESCE(k.created_by, 0) AS owner_id, c.industry, c.grade
          FROM new_contacts k JOIN customers c ON c.id = k.customer_id
          CROSS JOIN LATERAL (SELECT jike_visit_piece(k.created_at, z) AS piece) p
          WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.grade),
                            (g.month, g.branch_id, g.team_id, g.owner_id),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.grade))
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (part, piece, branch_id, team_id, owner_id) DO UPDATE SET n = w.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_contact_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, contacts IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM contact_week_counts;
    INSERT INTO contact_week_counts (part, piece, branch_id, team_id, owner_id, n)
    SELECT CASE WHEN GROUPING(g.piece) = 1 THEN 'm:' ELSE '' END ||
           CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           CASE WHEN GROUPING(g.piece) = 1 THEN g.month ELSE g.piece END,
           g.branch_id, g.team_id, g.owner_id, COUNT(*)
    FROM (SELECT p.piece, p.piece - CAST(EXTRACT(DAY FROM p.piece) AS INT) + 1 AS month, c.branch_id, c.team_id,
                 COALESCE(k.created_by, 0) AS owner_id, c.industry, c.grade
          FROM contacts k JOIN customers c ON c.id = k.customer_id
          CROSS JOIN LATERAL (SELECT jike_visit_piece(k.created_at, z) AS piece) p
          WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.grade),
                            (g.month, g.branch_id, g.team_id, g.owner_id),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.month, g.branch_id, g.team_id, g.owner_id, g.grade));
END
$$;
-- +goose StatementEnd

-- The months of the counts kept so far: the sums of their pieces.
INSERT INTO visit_week_counts (part, piece, branch_id, team_id, owner_id, ab, planned, done, open)
SELECT 'm:' || part, piece - CAST(EXTRACT(DAY FROM piece) AS INT) + 1, branch_id, team_id, owner_id, ab, SUM(planned), SUM(done), SUM(open)
FROM visit_week_counts GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO contact_week_counts (part, piece, branch_id, team_id, owner_id, n)
SELECT 'm:' || part, piece - CAST(EXTRACT(DAY FROM piece) AS INT) + 1, branch_id, team_id, owner_id, SUM(n)
FROM contact_week_counts GROUP BY 1, 2, 3, 4, 5;
ANALYZE visit_week_counts;
ANALYZE contact_week_counts;

-- +goose Down
DELETE FROM visit_week_counts WHERE part LIKE 'm:%';
DELETE FROM contact_week_counts WHERE part LIKE 'm:%';

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_visit_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, a BOOLEAN, ind TEXT, gr TEXT, sign BIGINT, st TEXT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO visit_week_counts AS c (part, piece, branch_id, team_id, owner_id, ab, planned, done, open)
    SELECT w.part, p, b, tm, o, a,
           CASE WHEN st <> 'cancelled' THEN sign ELSE 0 END,
           CASE WHEN st = 'done' THEN sign ELSE 0 END,
           CASE WHEN st = 'planned' THEN sign ELSE 0 END
    FROM jike_week_parts(ind, gr) AS w
    ON CONFLICT (part, piece, branch_id, team_id, owner_id, ab) DO UPDATE
        SET planned = c.planned + EXCLUDED.planned, done = c.done + EXCLUDED.done, open = c.open + EXCLUDED.open
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_visit_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, visit_plans IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM visit_week_counts;
    INSERT INTO visit_week_counts (part, piece, branch_id, team_id, owner_id, ab, planned, done, open)
    SELECT CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           g.piece, g.branch_id, g.team_id, g.owner_id, g.ab,
           SUM(CASE WHEN g.status <> 'cancelled' THEN 1 ELSE 0 END),
           SUM(CASE WHEN g.status = 'done' THEN 1 ELSE 0 END),
           SUM(CASE WHEN g.status = 'planned' THEN 1 ELSE 0 END)
    FROM (SELECT jike_visit_piece(v.starts_at, z) AS piece, c.branch_id, c.team_id, v.owner_id, c.grade IN ('A', 'B') AS ab,
                 c.industry, c.grade, v.status
          FROM visit_plans v JOIN customers c ON c.id = v.customer_id
          WHERE v.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id, g.ab),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.ab, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.ab, g.grade));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contact_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, ind TEXT, gr TEXT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO contact_week_counts AS c (part, piece, branch_id, team_id, owner_id, n)
    SELECT w.part, p, b, tm, COALESCE(o, 0), d FROM jike_week_parts(ind, gr) AS w
    ON CONFLICT (part, piece, branch_id, team_id, owner_id) DO UPDATE SET n = c.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contacts_inserted_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    PERFORM 1 FROM customers WHERE id IN (SELECT customer_id FROM new_contacts WHERE deleted_at IS NULL) ORDER BY id FOR SHARE;
    INSERT INTO contact_week_counts AS w (part, piece, branch_id, team_id, owner_id, n)
    SELECT CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END AS part,
           g.piece, g.branch_id, g.team_id, g.owner_id, COUNT(*)
    FROM (SELECT jike_visit_piece(k.created_at, z) AS piece, c.branch_id, c.team_id, COALESCE(k.created_by, 0) AS owner_id, c.industry, c.grade
          FROM new_contacts k JOIN customers c ON c.id = k.customer_id
          WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.grade))
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (part, piece, branch_id, team_id, owner_id) DO UPDATE SET n = w.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_contact_week_counts() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    LOCK TABLE customers, contacts IN SHARE MODE;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    DELETE FROM contact_week_counts;
    INSERT INTO contact_week_counts (part, piece, branch_id, team_id, owner_id, n)
    SELECT CASE WHEN GROUPING(g.industry) = 0 THEN 'i:' || g.industry WHEN GROUPING(g.grade) = 0 THEN 'g:' || g.grade ELSE '' END,
           g.piece, g.branch_id, g.team_id, g.owner_id, COUNT(*)
    FROM (SELECT jike_visit_piece(k.created_at, z) AS piece, c.branch_id, c.team_id, COALESCE(k.created_by, 0) AS owner_id, c.industry, c.grade
          FROM contacts k JOIN customers c ON c.id = k.customer_id
          WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL) g
    GROUP BY GROUPING SETS ((g.piece, g.branch_id, g.team_id, g.owner_id),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.industry),
                            (g.piece, g.branch_id, g.team_id, g.owner_id, g.grade));
END
$$;
-- +goose StatementEnd

DROP FUNCTION jike_piece_parts(DATE, TEXT, TEXT);
