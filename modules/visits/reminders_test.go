package visits

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestRemindersOncePerVisit: a reminder marked sent is not read again,
// the record reminder still comes after the preparation one, marking
// leaves the plan's version and updated_at alone, and a deleted
// customer's visit raises nothing.
func TestRemindersOncePerVisit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		soon := w.plan(t, "liwei", 3*time.Hour)
		past := w.plan(t, "liwei", -3*time.Hour)
		gone, err := w.ps.CreateCustomer(ctx, w.users["liwei"], prospects.CustomerInput{Name: "哈尔滨市第三医院", CreditCode: prospects.MakeCreditCode("12230103MB1000002"), Industry: "healthcare", Grade: "B"}, false)
		if err != nil {
			t.Fatal(err)
		}
		w.plan(t, "liwei", 2*time.Hour, func(p *PlanInput) { p.CustomerID = gone.ID; p.Contacts = nil })
		// Soft-deleted in place: who may delete a customer is not at
		// stake here.
		if err := d.Gorm.Exec("UPDATE customers SET deleted_at = ? WHERE id = ?", w.now, gone.ID).Error; err != nil {
			t.Fatal(err)
		}
		kinds := func(rs []Reminder) map[uint]string {
			out := map[uint]string{}
			for _, r := range rs {
				if _, twice := out[r.PlanID]; twice {
					t.Fatalf("two reminders for visit %d: %+v", r.PlanID, rs)
				}
				out[r.PlanID] = r.Kind
			}
			return out
		}
		due, err := w.svc.Reminders(ctx, w.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(due); len(got) != 2 || got[soon.ID] != ReminderPrep || got[past.ID] != ReminderRecord {
			t.Fatalf("reminders %v, want %d prep and %d record (and none for a deleted customer)", got, soon.ID, past.ID)
		}
		if err := w.svc.MarkReminded(ctx, due, w.now); err != nil {
			t.Fatal(err)
		}
		if again, err := w.svc.Reminders(ctx, w.now.Add(time.Minute)); err != nil || len(again) != 0 {
			t.Fatalf("after marking: %v %+v", err, again)
		}
		after, err := w.svc.store.Plan(ctx, soon.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != soon.Version || after.UpdatedAt.Sub(soon.UpdatedAt).Abs() >= time.Microsecond || after.PrepRemindedAt == nil || after.RecordRemindedAt != nil {
			t.Fatalf("marked plan: version %d→%d, updated %v→%v, prep %v, record %v", soon.Version, after.Version, soon.UpdatedAt, after.UpdatedAt, after.PrepRemindedAt, after.RecordRemindedAt)
		}
		// The visit ends without a record: its second reminder comes once.
		later := w.now.Add(5 * time.Hour)
		due, err = w.svc.Reminders(ctx, later)
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(due); len(got) != 1 || got[soon.ID] != ReminderRecord {
			t.Fatalf("after the visit: %v, want the record reminder of %d only", got, soon.ID)
		}
		if err := w.svc.MarkReminded(ctx, due, later); err != nil {
			t.Fatal(err)
		}
		if again, err := w.svc.Reminders(ctx, later.Add(time.Hour)); err != nil || len(again) != 0 {
			t.Fatalf("after the record reminder: %v %+v", err, again)
		}
	})
}
