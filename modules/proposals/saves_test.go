package proposals

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

func ref(id uint) *uint { return &id }

// TestSaveWritesEveryField: the proposal save writes every editable column
// (locked on lock_version; Version is the proposal's own number) and
// refuses a stale lock version, on both databases.
func TestSaveWritesEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "2", TermMonths: "12", Rate: "100"}))
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "1", TermMonths: "12", Rate: "100"}))
		if err != nil {
			t.Fatal(err)
		}
		cu := *w.customer
		cu.ID, cu.Name, cu.CreditCode = 0, "另一家银行", prospects.MakeCreditCode("91230103MA1000078")
		if err := prospects.NewStore(d.Gorm).CreateCustomer(ctx, &cu, time.Now()); err != nil {
			t.Fatal(err)
		}
		zhang, chief, dir := w.users["zhangjing"].ID, w.users["zhaomin"].ID, w.users["wangjianguo"].ID
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		testkit.SavesEveryField(t, p, map[string]any{"RootID": ref(other.ID), "OwnerID": zhang, "Status": StatusApproved,
			"ChiefApprovedBy": ref(chief), "DirectorApprovedBy": ref(dir), "UpdatedBy": ref(zhang), "CustomerID": cu.ID},
			func(p *Proposal) error { return w.svc.store.Save(ctx, p, nil, nil, now) },
			func() (*Proposal, error) { return w.svc.store.Proposal(ctx, p.ID) })
	})
}

// TestServiceClockStampsProposals: submitting a proposal is stamped with
// the service's clock, not the system's.
func TestServiceClockStampsProposals(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		clock := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
		w.svc.opts.Now = func() time.Time { return clock }
		p, err := w.svc.Create(ctx, w.users["liwei"], w.input(LineInput{ProductID: 1, Quantity: "2", TermMonths: "12", Rate: "100"}))
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(2 * time.Hour)
		if _, err := w.svc.Submit(ctx, w.users["liwei"], p.ID, p.LockVersion); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.store.Proposal(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(clock) {
			t.Fatalf("proposal updated %s, want the clock's %s", got.UpdatedAt, clock)
		}
	})
}
