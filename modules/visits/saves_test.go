package visits

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

func ref(id uint) *uint { return &id }

// TestSavesWriteEveryField: the plan and record saves write every editable
// column and refuse a stale version, on both databases.
func TestSavesWriteEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		other, err := w.ps.CreateCustomer(ctx, w.users["liwei"], prospects.CustomerInput{Name: "哈尔滨市第三医院",
			CreditCode: prospects.MakeCreditCode("12230103MB1000002"), Industry: "healthcare", Grade: "B"}, false)
		if err != nil {
			t.Fatal(err)
		}
		p := w.plan(t, "liwei", 48*time.Hour)
		prev := w.plan(t, "liwei", 24*time.Hour)
		zhang := w.users["zhangjing"].ID
		testkit.SavesEveryField(t, p, map[string]any{"CustomerID": other.ID, "OwnerID": zhang, "Kind": "demo", "Status": "done",
			"PrevVisitID": ref(prev.ID), "UpdatedBy": ref(zhang)},
			func(p *Plan) error { return st.SavePlan(ctx, p, nil, nil, false, now) },
			func() (*Plan, error) { return st.Plan(ctx, p.ID) })

		r := &Record{VisitID: prev.ID, Discussed: "预算", Attitude: "positive", CreatedBy: ref(zhang)}
		if err := st.CreateRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, r, map[string]any{"VisitID": p.ID, "Attitude": "negative", "NextVisitID": ref(prev.ID), "UpdatedBy": ref(zhang)},
			func(r *Record) error { return st.SaveRecord(ctx, r, now) },
			func() (*Record, error) { return st.Record(ctx, p.ID) })
	})
}

// TestServiceClockStampsVisits: cancelling a visit is stamped with the
// service's clock, not the system's.
func TestServiceClockStampsVisits(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		p := w.plan(t, "liwei", 48*time.Hour)
		w.now = w.now.Add(3 * time.Hour)
		if err := w.svc.Cancel(ctx, w.users["liwei"], p.ID, "客户改期"); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.store.Plan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != StatusCancelled || !got.UpdatedAt.Equal(w.now) {
			t.Fatalf("plan %s updated %s, want cancelled at the clock's %s", got.Status, got.UpdatedAt, w.now)
		}
	})
}
