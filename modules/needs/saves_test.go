package needs

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func ref(id uint) *uint { return &id }

// TestSavesWriteEveryField: the analysis, current-service and need saves
// write every editable column and refuse a stale version, on both
// databases.
func TestSavesWriteEveryField(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		st := w.svc.store
		now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
		am := w.as("liwei")
		c := w.customer(t, "liwei", "哈尔滨银行")
		other := w.customer(t, "liwei", "龙江银行")
		a, err := w.svc.SaveAnalysis(ctx, am, c.ID, AnalysisInput{PainPoints: "专线不稳", ITBudget: "120000", DecisionCalendar: "每年三月", Notes: "n"})
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, a, map[string]any{"CustomerID": other.ID, "UpdatedBy": ref(w.as("zhangjing").ID)},
			func(a *CustomerAnalysis) error { return st.SaveAnalysis(ctx, a, now) },
			func() (*CustomerAnalysis, error) { return st.Analysis(ctx, other.ID) })

		cs, err := w.svc.SaveService(ctx, am, c.ID, 0, ServiceInput{Service: "voice", Supplier: "cmcc", Description: "固话", MonthlySpend: "3000", ContractEnd: "2027-06-30"})
		if err != nil {
			t.Fatal(err)
		}
		testkit.SavesEveryField(t, cs, map[string]any{"CustomerID": other.ID, "Service": "iot", "Supplier": "ctcc", "UpdatedBy": ref(w.as("zhangjing").ID)},
			func(cs *CustomerService) error { return st.SaveService(ctx, cs, now) },
			func() (*CustomerService, error) { return st.Service(ctx, cs.ID) })

		ct := w.contact(t, "liwei", other.ID, "王行长")
		o := w.opportunity(t, "liwei", other.ID, "专线")
		n := w.need(t, "liwei", c.ID, "需要专线")
		// source_visit_id has no foreign key (needs sits beside visits).
		testkit.SavesEveryField(t, n, map[string]any{
			"CustomerID": other.ID, "Category": "idc_cloud", "Priority": "low", "Status": "addressed",
			"ContactID": ref(ct.ID), "OpportunityID": ref(o.ID), "SourceVisitID": ref(4242), "OwnerID": w.as("zhangjing").ID,
			"UpdatedBy": ref(w.as("zhangjing").ID),
		},
			func(n *Need) error { return st.SaveNeed(ctx, n, now) },
			func() (*Need, error) { return st.Need(ctx, n.ID) })
	})
}

// TestServiceClockStampsNeeds: editing a need and removing a service row
// are stamped with the service's clock (fixedNow), not the system's.
func TestServiceClockStampsNeeds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		c := w.customer(t, "liwei", "哈尔滨银行")
		n := w.need(t, "liwei", c.ID, "需要专线")
		if _, err := w.svc.SaveNeed(ctx, am, c.ID, n.ID, NeedInput{Category: "dedicated_line", Description: "需要两条专线", Priority: "high", Version: n.Version}); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.store.Need(ctx, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.UpdatedAt.Equal(fixedNow) {
			t.Fatalf("need updated %s, want the clock's %s", got.UpdatedAt, fixedNow)
		}
		cs, err := w.svc.SaveService(ctx, am, c.ID, 0, ServiceInput{Service: "voice", Supplier: "cmcc"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.DeleteService(ctx, am, c.ID, cs.ID); err != nil {
			t.Fatal(err)
		}
		var gone CustomerService
		if err := d.Gorm.Unscoped().First(&gone, cs.ID).Error; err != nil {
			t.Fatal(err)
		}
		if !gone.DeletedAt.Valid || !gone.DeletedAt.Time.Equal(fixedNow) {
			t.Fatalf("service row deleted at %v, want the clock's %s", gone.DeletedAt, fixedNow)
		}
	})
}
