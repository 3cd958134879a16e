-- The visits and key persons counted per week piece also per customer
-- industry and per customer grade (issue 19). The kept counts of 00050
-- and 00053 serve the activity report and the attainment of the province
-- and of a branch; under an industry or a grade both still read that
-- tenth or quarter of the period's visits and key persons through their
-- customers (the admin's attainment for a year under one industry:
-- ~80,000 done visits and ~12,000 key persons, 200–400 ms on a first look
-- after a write; the activity for a year ~120 ms).
--
-- A row's part says which: '' for the rows of 00050 and 00053 as before,
-- 'i:<industry>' and 'g:<grade>' for the same counts of the customers of
-- that industry or grade (with the same piece, branch, team, owner and,
-- for visits, A/B). Every visit and key person is counted in three rows
-- instead of one; readers of the whole say part = ''. A customer whose
-- industry or grade changes moves its visits and key persons as a change
-- of branch does; the locks and their order are those of 00050 and 00053
-- (the customer FOR SHARE, then the counts). The part leads the key so
-- that each part's period is one range of it, and the key carries the
-- counts (INCLUDE) so that the range is read from the index alone: a
-- year of one industry is ~49,000 rows of visits, whose reads from the
-- table took 4–5 times as long as from the index.

-- +goose Up
ALTER TABLE visit_week_counts ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE visit_week_counts DROP CONSTRAINT visit_week_counts_pkey;
ALTER TABLE visit_week_counts ADD PRIMARY KEY (part, piece, branch_id, team_id, owner_id, ab) INCLUDE (planned, done, open);
DROP INDEX idx_visit_week_counts_branch;
CREATE INDEX idx_visit_week_counts_branch ON visit_week_counts (branch_id, part, piece);

ALTER TABLE contact_week_counts ADD COLUMN part TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_week_counts DROP CONSTRAINT contact_week_counts_pkey;
ALTER TABLE contact_week_counts ADD PRIMARY KEY (part, piece, branch_id, team_id, owner_id) INCLUDE (n);
DROP INDEX idx_contact_week_counts_branch;
CREATE INDEX idx_contact_week_counts_branch ON contact_week_counts (branch_id, part, piece);

-- The parts a customer of industry ind and grade gr counts in.
-- +goose StatementBegin
CREATE FUNCTION jike_week_parts(ind TEXT, gr TEXT) RETURNS TABLE (part TEXT) LANGUAGE sql IMMUTABLE AS $$
    VALUES (''), ('i:' || ind), ('g:' || gr)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION jike_visit_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, a BOOLEAN, ind TEXT, gr TEXT, sign BIGINT, st TEXT) RETURNS void LANGUAGE sql AS $$
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
CREATE OR REPLACE FUNCTION jike_visit_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
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
        SELECT branch_id, team_id, grade IN ('A', 'B') AS ab, industry, grade, deleted_at IS NULL AS live INTO c
        FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_visit_week_add(jike_visit_piece(OLD.starts_at, z), c.branch_id, c.team_id, OLD.owner_id, c.ab, c.industry, c.grade, -1, OLD.status);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, team_id, grade IN ('A', 'B') AS ab, industry, grade, deleted_at IS NULL AS live INTO c
        FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_visit_week_add(jike_visit_piece(NEW.starts_at, z), c.branch_id, c.team_id, NEW.owner_id, c.ab, c.industry, c.grade, 1, NEW.status);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_customer_visit_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
    z TEXT;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.team_id = NEW.team_id AND OLD.industry = NEW.industry AND OLD.grade = NEW.grade))) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF was_live THEN
        PERFORM jike_visit_week_add(g.piece, OLD.branch_id, OLD.team_id, g.owner_id, OLD.grade IN ('A', 'B'), OLD.industry, OLD.grade, -g.n, g.status)
        FROM (SELECT jike_visit_piece(starts_at, z) AS piece, owner_id, status, COUNT(*) AS n
              FROM visit_plans WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) g;
    END IF;
    IF now_live THEN
        PERFORM jike_visit_week_add(g.piece, NEW.branch_id, NEW.team_id, g.owner_id, NEW.grade IN ('A', 'B'), NEW.industry, NEW.grade, g.n, g.status)
        FROM (SELECT jike_visit_piece(starts_at, z) AS piece, owner_id, status, COUNT(*) AS n
              FROM visit_plans WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) g;
    END IF;
    RETURN NULL;
END
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
CREATE FUNCTION jike_contact_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, ind TEXT, gr TEXT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO contact_week_counts AS c (part, piece, branch_id, team_id, owner_id, n)
    SELECT w.part, p, b, tm, COALESCE(o, 0), d FROM jike_week_parts(ind, gr) AS w
    ON CONFLICT (part, piece, branch_id, team_id, owner_id) DO UPDATE SET n = c.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contact_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    c RECORD;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.created_by IS NOT DISTINCT FROM NEW.created_by
       AND OLD.created_at = NEW.created_at AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        SELECT branch_id, team_id, industry, grade, deleted_at IS NULL AS live INTO c FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(OLD.created_at, z), c.branch_id, c.team_id, OLD.created_by, c.industry, c.grade, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, team_id, industry, grade, deleted_at IS NULL AS live INTO c FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(NEW.created_at, z), c.branch_id, c.team_id, NEW.created_by, c.industry, c.grade, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A statement's new key persons in one upsert, each part's groups
-- summed first (an import's 100,000 are a few thousand groups, each row
-- of the counts written once).
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
CREATE OR REPLACE FUNCTION jike_customer_contact_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
    z TEXT;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.team_id = NEW.team_id AND OLD.industry = NEW.industry AND OLD.grade = NEW.grade))) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF was_live THEN
        PERFORM jike_contact_week_add(g.piece, OLD.branch_id, OLD.team_id, g.owner_id, OLD.industry, OLD.grade, -g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
    IF now_live THEN
        PERFORM jike_contact_week_add(g.piece, NEW.branch_id, NEW.team_id, g.owner_id, NEW.industry, NEW.grade, g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
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

DROP FUNCTION jike_visit_week_add(DATE, BIGINT, BIGINT, BIGINT, BOOLEAN, BIGINT, TEXT);
DROP FUNCTION jike_contact_week_add(DATE, BIGINT, BIGINT, BIGINT, BIGINT);

SELECT jike_refresh_visit_week_counts();
SELECT jike_refresh_contact_week_counts();

-- +goose Down
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
CREATE OR REPLACE FUNCTION jike_visit_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_customer_visit_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_refresh_visit_week_counts() RETURNS void LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE FUNCTION jike_contact_week_add(p DATE, b BIGINT, tm BIGINT, o BIGINT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO contact_week_counts AS c (piece, branch_id, team_id, owner_id, n)
    VALUES (p, b, tm, COALESCE(o, 0), d)
    ON CONFLICT (piece, branch_id, team_id, owner_id) DO UPDATE SET n = c.n + EXCLUDED.n
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contact_week_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
    c RECORD;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.customer_id = NEW.customer_id AND OLD.created_by IS NOT DISTINCT FROM NEW.created_by
       AND OLD.created_at = NEW.created_at AND (OLD.deleted_at IS NULL) = (NEW.deleted_at IS NULL) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
        SELECT branch_id, team_id, deleted_at IS NULL AS live INTO c FROM customers WHERE id = OLD.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(OLD.created_at, z), c.branch_id, c.team_id, OLD.created_by, -1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL THEN
        SELECT branch_id, team_id, deleted_at IS NULL AS live INTO c FROM customers WHERE id = NEW.customer_id FOR SHARE;
        IF c.live THEN
            PERFORM jike_contact_week_add(jike_visit_piece(NEW.created_at, z), c.branch_id, c.team_id, NEW.created_by, 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_contacts_inserted_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z TEXT;
BEGIN
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    PERFORM 1 FROM customers WHERE id IN (SELECT customer_id FROM new_contacts WHERE deleted_at IS NULL) ORDER BY id FOR SHARE;
    PERFORM jike_contact_week_add(g.piece, g.branch_id, g.team_id, g.owner_id, g.n)
    FROM (SELECT jike_visit_piece(k.created_at, z) AS piece, c.branch_id, c.team_id, COALESCE(k.created_by, 0) AS owner_id, COUNT(*) AS n
          FROM new_contacts k JOIN customers c ON c.id = k.customer_id
          WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL
          GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4) g;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jike_customer_contact_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live BOOLEAN := TG_OP <> 'INSERT' AND OLD.deleted_at IS NULL;
    now_live BOOLEAN := TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL;
    z TEXT;
BEGIN
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND was_live = now_live AND (NOT was_live OR
        (OLD.branch_id = NEW.branch_id AND OLD.team_id = NEW.team_id))) THEN
        RETURN NULL;
    END IF;
    SELECT zone INTO z FROM visit_week_zone WHERE id = 1;
    IF was_live THEN
        PERFORM jike_contact_week_add(g.piece, OLD.branch_id, OLD.team_id, g.owner_id, -g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = OLD.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
    IF now_live THEN
        PERFORM jike_contact_week_add(g.piece, NEW.branch_id, NEW.team_id, g.owner_id, g.n)
        FROM (SELECT jike_visit_piece(created_at, z) AS piece, COALESCE(created_by, 0) AS owner_id, COUNT(*) AS n
              FROM contacts WHERE customer_id = NEW.id AND deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2) g;
    END IF;
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
    INSERT INTO contact_week_counts (piece, branch_id, team_id, owner_id, n)
    SELECT jike_visit_piece(k.created_at, z), c.branch_id, c.team_id, COALESCE(k.created_by, 0), COUNT(*)
    FROM contacts k JOIN customers c ON c.id = k.customer_id
    WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL
    GROUP BY 1, 2, 3, 4;
END
$$;
-- +goose StatementEnd

DROP FUNCTION jike_visit_week_add(DATE, BIGINT, BIGINT, BIGINT, BOOLEAN, TEXT, TEXT, BIGINT, TEXT);
DROP FUNCTION jike_contact_week_add(DATE, BIGINT, BIGINT, BIGINT, TEXT, TEXT, BIGINT);
DROP FUNCTION jike_week_parts(TEXT, TEXT);

DELETE FROM visit_week_counts WHERE part <> '';
ALTER TABLE visit_week_counts DROP CONSTRAINT visit_week_counts_pkey;
DROP INDEX idx_visit_week_counts_branch;
ALTER TABLE visit_week_counts DROP COLUMN part;
ALTER TABLE visit_week_counts ADD PRIMARY KEY (piece, branch_id, team_id, owner_id, ab);
CREATE INDEX idx_visit_week_counts_branch ON visit_week_counts (branch_id, piece);

DELETE FROM contact_week_counts WHERE part <> '';
ALTER TABLE contact_week_counts DROP CONSTRAINT contact_week_counts_pkey;
DROP INDEX idx_contact_week_counts_branch;
ALTER TABLE contact_week_counts DROP COLUMN part;
ALTER TABLE contact_week_counts ADD PRIMARY KEY (piece, branch_id, team_id, owner_id);
CREATE INDEX idx_contact_week_counts_branch ON contact_week_counts (branch_id, piece);
