package prospects

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func ref(id uint) *uint { return &id }

// TestSavesWriteEveryField: the customer, key person and opportunity saves
// write every editable column (a forgotten one would be silently dropped)
// and refuse a stale version, on both databases.
func TestSavesWriteEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		c := w.customer(t, "liwei", "哈尔滨市第一医院")
		other := w.customer(t, "liwei", "哈尔滨市第二医院")
		// Someone of another team and branch, for every reference.
		var far = w.as("admin")
		for _, u := range w.users {
			if u.TeamID != 0 && u.TeamID != c.TeamID && u.BranchID != c.BranchID {
				far = u
			}
		}
		if far.TeamID == 0 {
			t.Fatal("no user outside the customer's team and branch")
		}
		testkit.SavesEveryField(t, c, map[string]any{
			"Grade": "A", "Status": "active", "OwnerID": far.ID, "ChiefRepID": ref(far.ID), "TeamID": far.TeamID,
			"BranchID": far.BranchID, "UpdatedBy": ref(far.ID), "ParentID": ref(other.ID),
		},
			func(c *Customer) error { return st.SaveCustomer(ctx, c, now) },
			func() (*Customer, error) { return st.Customer(ctx, c.ID) })

		ct, err := w.svc.SaveContact(ctx, w.as("liwei"), other.ID, 0, ContactInput{Name: "王院长", Role: "decision", Mobile: "13900001111"})
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, ct, map[string]any{"CustomerID": c.ID, "Role": "influencer", "UpdatedBy": ref(far.ID)},
			func(ct *Contact) error { return st.SaveContact(ctx, ct, now) },
			func() (*Contact, error) { return st.Contact(ctx, ct.ID) })

		o, err := w.svc.CreateOpportunity(ctx, w.as("liwei"), OpportunityInput{CustomerID: other.ID, Title: "专线", Monthly: "8800", ExpectedClose: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, o, map[string]any{"CustomerID": c.ID, "OwnerID": far.ID, "Stage": StageNeeds, "UpdatedBy": ref(far.ID)},
			func(o *Opportunity) error { return st.SaveOpportunity(ctx, o, now) },
			func() (*Opportunity, error) { return st.Opportunity(ctx, o.ID) })
	})
}

// TestServiceClockStampsCustomers: an edit, a stage move and a removed key
// person are stamped with the service's clock, not the system's.
func TestServiceClockStampsCustomers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		clock := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
		w.svc.SetClock(func() time.Time { return clock })
		am := w.as("liwei")
		c := w.customer(t, "liwei", "哈尔滨市第一医院")
		clock = clock.Add(time.Hour)
		in := CustomerInput{Name: c.Name, CreditCode: c.CreditCode, Industry: c.Industry, Grade: "A", Status: c.Status,
			Headcount: "120", AnnualSpend: "36000.50", Version: c.Version}
		if _, err := w.svc.UpdateCustomer(ctx, am, c.ID, in, true); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.store.Customer(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(clock) {
			t.Fatalf("customer updated %s, want the clock's %s", got.UpdatedAt, clock)
		}
		o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: c.ID, Title: "专线"})
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Hour)
		if _, err := w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageContacted, Version: o.Version}); err != nil {
			t.Fatal(err)
		}
		oo, err := w.svc.store.Opportunity(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !oo.UpdatedAt.Equal(clock) || !oo.StageChangedAt.Equal(clock) {
			t.Fatalf("opportunity updated %s, stage changed %s; want the clock's %s", oo.UpdatedAt, oo.StageChangedAt, clock)
		}
		ct, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "王院长", Role: "decision"})
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Hour)
		if err := w.svc.DeleteContact(ctx, am, c.ID, ct.ID); err != nil {
			t.Fatal(err)
		}
		var deleted Contact
		if err := d.Gorm.Unscoped().First(&deleted, ct.ID).Error; err != nil {
			t.Fatal(err)
		}
		if !deleted.DeletedAt.Valid || !deleted.DeletedAt.Time.Equal(clock) {
			t.Fatalf("key person deleted at %v, want the clock's %s", deleted.DeletedAt, clock)
		}
	})
}
