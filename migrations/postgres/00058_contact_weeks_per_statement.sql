-- Key persons inserted many at once are counted once per statement.
--
-- 00053 counted each inserted key person in its own upsert of
-- contact_week_counts. A customer import inserts its 100,000 key persons
-- in one COPY, created by one person at one moment: 100,000 updates of
-- the same row in one transaction, each finding the row's newest version
-- at the end of a longer chain — the import of 100,000 customers went
-- from ~22 s to ~88 s (issue 19: ≤ 30 s), 69 s of it in those upserts.
--
-- Inserts are now counted by a statement-level trigger over the inserted
-- rows (a transition table): the statement's key persons grouped per
-- piece, customer's branch and team and creator, one upsert per group.
-- The customers are locked (FOR SHARE, in id order) before they are read,
-- as the row trigger did each one. Updates and deletes keep the row
-- trigger (PostgreSQL allows a transition table on a trigger of one event
-- only, and they come one at a time).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION jike_contacts_inserted_weeks() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER trg_contacts_week_counts ON contacts;
CREATE TRIGGER trg_contacts_week_counts AFTER UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION jike_contact_week_delta();
CREATE TRIGGER trg_contacts_week_counts_insert AFTER INSERT ON contacts
    REFERENCING NEW TABLE AS new_contacts
    FOR EACH STATEMENT EXECUTE FUNCTION jike_contacts_inserted_weeks();

-- +goose Down
DROP TRIGGER trg_contacts_week_counts_insert ON contacts;
DROP TRIGGER trg_contacts_week_counts ON contacts;
CREATE TRIGGER trg_contacts_week_counts AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION jike_contact_week_delta();
DROP FUNCTION jike_contacts_inserted_weeks();
