package prospects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
)

// importBatch is the rows per INSERT of an import's commit: a customer
// has about 30 columns, so 500 rows stay far below both engines' limit
// on bound parameters (PostgreSQL 65,535; SQLite 32,766), and 100,000
// customers are 200 statements instead of 100,000 (issue 19).
const importBatch = 500

// bulkPendingKB is the GIN pending list a large import collects its
// customers' search entries in (gin_pending_list_limit, kB; PostgreSQL's
// default is 4 MB).
const bulkPendingKB = 256 << 10

// BeginBulkLoad prepares the transaction for many customers at once, on
// PostgreSQL:
//
//   - customers has two GIN indexes on its search text (trigrams, 00002;
//     character pairs, 00036), ~40 entries a customer each, and with the
//     default 4 MB pending list each index merged its pending entries
//     into its tree every few thousand rows. A list that holds the whole
//     import is merged once, sorted, by EndBulkLoad.
//   - Jike's sessions plan every statement afresh (plan_cache_mode=
//     force_custom_plan, db.withSessionDefaults), and so did the foreign
//     keys' checks, which run a statement per row and key (owner, team,
//     branch, chief rep, a key person's customer): 400,000 plans, 7.4 s of
//     a 35 s import of 100,000 customers. Their best plan is always the
//     primary key, so the transaction keeps one.
//
// SQLite: nothing.
func (s *Store) BeginBulkLoad(ctx context.Context) error {
	if s.db.Dialector.Name() != db.Postgres {
		return nil
	}
	return db.Conn(ctx, s.db).Exec(fmt.Sprintf("SET LOCAL gin_pending_list_limit = %d; "+
		"SET LOCAL plan_cache_mode = force_generic_plan", bulkPendingKB)).Error
}

// EndBulkLoad merges the GIN indexes' pending entries before the commit,
// so that no search after the import has to read them unsorted.
func (s *Store) EndBulkLoad(ctx context.Context) error {
	if s.db.Dialector.Name() != db.Postgres {
		return nil
	}
	return db.Conn(ctx, s.db).Exec("SELECT gin_clean_pending_list('idx_customers_search'::regclass), " +
		"gin_clean_pending_list('idx_customers_bigrams'::regclass)").Error
}

// BulkTx runs fn in one transaction that CreateImported and
// CreateContacts may COPY into (db.WithBulkTx); fn gets the transaction's
// context, which they need for it.
func (s *Store) BulkTx(ctx context.Context, fn func(ctx context.Context, tx *Store) error) error {
	return db.WithBulkTx(ctx, s.db, func(ctx context.Context) error { return fn(ctx, &Store{db: db.Conn(ctx, s.db)}) })
}

// CreateImported inserts an import's customers level by level (a
// parent's level before its members'), each with its "create" audit
// entry, filling their ids. link is called on each customer once every
// customer of the earlier levels has its id, to set its parent_id. A
// credit code taken meanwhile is apperr.ErrConflict (the caller's
// transaction then rolls back the whole file). They are stamped with now,
// the service's clock.
//
// In a bulk transaction on PostgreSQL (ctx from BulkTx) the ids are
// taken from the sequence at once and the customers and their audit
// entries written with COPY, the entries encoded while the customers are
// stored; otherwise in multi-row INSERTs of importBatch rows.
func (s *Store) CreateImported(ctx context.Context, actorID uint, levels [][]*Customer, link func(*Customer), now time.Time) error {
	if !db.CanCopy(ctx, s.db) {
		for _, level := range levels {
			for _, c := range level {
				link(c)
				c.Version = 1
			}
			if err := s.created(db.ConnAt(ctx, s.db, now).CreateInBatches(level, importBatch).Error); err != nil {
				return err
			}
			if err := s.auditCreated(ctx, actorID, level, now); err != nil {
				return err
			}
		}
		return nil
	}
	var all []*Customer
	for _, level := range levels {
		all = append(all, level...)
	}
	ids, err := db.ReserveIDs(ctx, s.db, "customers", len(all))
	if err != nil {
		return fmt.Errorf("create customers: %w", err)
	}
	at := now.UTC()
	for i, c := range all {
		c.ID = ids[i]
	}
	for _, c := range all {
		link(c)
		c.Version, c.CreatedAt, c.UpdatedAt = 1, at, at
	}
	type encoded struct {
		entries []audit.Entry
		err     error
	}
	done := make(chan encoded, 1)
	go func() {
		e, err := createdEntries(actorID, all, now)
		done <- encoded{e, err}
	}()
	err = s.created(db.CopyIn(ctx, s.db, all))
	enc := <-done
	if err != nil {
		return err
	}
	if enc.err != nil {
		return enc.err
	}
	if err := db.CopyIn(ctx, s.db, enc.entries); err != nil {
		return fmt.Errorf("audit: write imported customers: %w", err)
	}
	return nil
}

// created maps the error of inserting customers: a unique violation (the
// credit code) is apperr.ErrConflict.
func (s *Store) created(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("create customers: %w", apperr.ErrConflict)
	}
	return fmt.Errorf("create customers: %w", err)
}

// CreateContacts inserts key persons: with COPY in a bulk transaction on
// PostgreSQL, else in multi-row statements.
func (s *Store) CreateContacts(ctx context.Context, cs []*Contact, now time.Time) error {
	for _, c := range cs {
		c.Version = 1
	}
	if len(cs) == 0 {
		return nil
	}
	conn := db.ConnAt(ctx, s.db, now)
	var err error
	if db.CanCopy(ctx, s.db) {
		err = db.CopyIn(ctx, conn, cs)
	} else {
		err = conn.CreateInBatches(cs, importBatch).Error
	}
	if err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}
	return nil
}

// auditCreated writes one "create" audit entry per new customer, with
// the same content audit.Record writes, in multi-row statements.
func (s *Store) auditCreated(ctx context.Context, actorID uint, cs []*Customer, now time.Time) error {
	entries, err := createdEntries(actorID, cs, now)
	if err != nil {
		return err
	}
	if err := db.Conn(ctx, s.db).CreateInBatches(entries, 1000).Error; err != nil {
		return fmt.Errorf("audit: write imported customers: %w", err)
	}
	return nil
}

// createdEntries are the "create" audit entries of new customers.
func createdEntries(actorID uint, cs []*Customer, now time.Time) ([]audit.Entry, error) {
	now = now.UTC()
	entries := make([]audit.Entry, 0, len(cs))
	for _, c := range cs {
		b, err := json.Marshal(audit.Diff(nil, c))
		if err != nil {
			return nil, fmt.Errorf("audit: encode changes: %w", err)
		}
		e := audit.Entry{At: now, Entity: "customer", EntityID: c.ID, Action: audit.ActionCreate, Changes: string(b)}
		if actorID != 0 {
			e.ActorID = &actorID
		}
		entries = append(entries, e)
	}
	return entries, nil
}
