package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestSaveWritesEveryField: the product save writes every editable
// column and refuses a stale version, on both databases.
func TestSaveWritesEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		testkit.SavesEveryField(t, p, map[string]any{"Category": "idc_cloud", "UpdatedBy": ptr(uint(2))},
			func(p *Product) error { return svc.store.Save(ctx, p, now) },
			func() (*Product, error) { return svc.store.ByID(ctx, p.ID) })
	})
}

// TestServiceClockStampsProducts: creating and editing a product stamp the
// rows with the service's clock, not the system's.
func TestServiceClockStampsProducts(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
		svc := NewService(NewStore(d.Gorm), Options{Now: func() time.Time { return clock }})
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.store.ByID(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.CreatedAt.Equal(clock) || !got.UpdatedAt.Equal(clock) {
			t.Fatalf("created %s, updated %s; want the clock's %s", got.CreatedAt, got.UpdatedAt, clock)
		}
		clock = clock.Add(90 * time.Minute)
		if err := svc.SetActive(ctx, adminID, p.ID, false, got.Version); err != nil {
			t.Fatal(err)
		}
		if got, err = svc.store.ByID(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(clock) {
			t.Fatalf("updated %s after retiring, want the clock's %s", got.UpdatedAt, clock)
		}
	})
}
