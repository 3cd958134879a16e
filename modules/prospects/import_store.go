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
// PostgreSQL: customers has two GIN indexes on its search text (trigrams,
// 00002; character pairs, 00036), ~40 entries a customer each, and with
// the default 4 MB pending list each index merged its pending entries
// into its tree every few thousand rows. A list that holds the whole
// import is merged once, sorted, by EndBulkLoad. SQLite: nothing.
func (s *Store) BeginBulkLoad(ctx context.Context) error {
	if s.db.Dialector.Name() != db.Postgres {
		return nil
	}
	return db.Conn(ctx, s.db).Exec(fmt.Sprintf("SET LOCAL gin_pending_list_limit = %d", bulkPendingKB)).Error
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

// CreateCustomers inserts customers in multi-row statements, filling
// their ids. A credit code taken meanwhile is apperr.ErrConflict (the
// caller's transaction then rolls back the whole file). They are stamped
// with now, the service's clock.
func (s *Store) CreateCustomers(ctx context.Context, cs []*Customer, now time.Time) error {
	for _, c := range cs {
		c.Version = 1
	}
	if err := db.ConnAt(ctx, s.db, now).CreateInBatches(cs, importBatch).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create customers: %w", apperr.ErrConflict)
		}
		return fmt.Errorf("create customers: %w", err)
	}
	return nil
}

// CreateContacts inserts key persons in multi-row statements.
func (s *Store) CreateContacts(ctx context.Context, cs []*Contact) error {
	for _, c := range cs {
		c.Version = 1
	}
	if len(cs) == 0 {
		return nil
	}
	if err := db.Conn(ctx, s.db).CreateInBatches(cs, importBatch).Error; err != nil {
		return fmt.Errorf("create contacts: %w", err)
	}
	return nil
}

// auditCreated writes one "create" audit entry per new customer, with
// the same content audit.Record writes, in multi-row statements.
func (s *Store) auditCreated(ctx context.Context, actorID uint, cs []*Customer, now time.Time) error {
	now = now.UTC()
	entries := make([]audit.Entry, 0, len(cs))
	for _, c := range cs {
		b, err := json.Marshal(audit.Diff(nil, c))
		if err != nil {
			return fmt.Errorf("audit: encode changes: %w", err)
		}
		e := audit.Entry{At: now, Entity: "customer", EntityID: c.ID, Action: audit.ActionCreate, Changes: string(b)}
		if actorID != 0 {
			e.ActorID = &actorID
		}
		entries = append(entries, e)
	}
	if err := db.Conn(ctx, s.db).CreateInBatches(entries, 1000).Error; err != nil {
		return fmt.Errorf("audit: write imported customers: %w", err)
	}
	return nil
}
