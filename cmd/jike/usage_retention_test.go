package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/retention"
)

// TestUsageImportRaisesRetentionAlert: a committed usage import
// recomputes the churn-risk score at once (usage.Options.AfterImport →
// retention.AfterImport), so a customer whose revenue fell gets its
// retention alert the day the month is loaded, for its owner — not after
// the nightly job. A dry run computes nothing.
func TestUsageImportRaisesRetentionAlert(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := subject(t, w.a, "admin")
		cust := w.liwei2
		month := func(ym string, rows ...string) []byte {
			return []byte("customer,product,month,revenue,quantity\n" + strings.Join(rows, ""))
		}
		row := func(product, ym, yuan string) string {
			return fmt.Sprintf("%s,%s,%s,%s,1\n", cust.CreditCode, product, ym, yuan)
		}
		// May–July: two products, 10,000 a month each.
		for _, ym := range []string{"2026-05", "2026-06", "2026-07"} {
			if rep, err := usageImport(t, w.a.Usage, admin, ym+".csv", month(ym, row("DIA-100M", ym, "10000"), row("VPMN-GRP", ym, "10000")), true); err != nil || !rep.Committed {
				t.Fatalf("%s: %+v %v", ym, rep, err)
			}
		}
		// August–September: one product left, at a tenth.
		for _, ym := range []string{"2026-08", "2026-09"} {
			if rep, err := usageImport(t, w.a.Usage, admin, ym+".csv", month(ym, row("DIA-100M", ym, "2000")), true); err != nil || !rep.Committed {
				t.Fatalf("%s: %+v %v", ym, rep, err)
			}
		}
		alerts := func() []retention.Alert {
			var out []retention.Alert
			if err := d.Gorm.Where("customer_id = ?", cust.ID).Find(&out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		oct := month("2026-10", row("DIA-100M", "2026-10", "2000"))
		// A dry run of October changes nothing.
		before := len(alerts())
		if _, err := usageImport(t, w.a.Usage, admin, "oct.csv", oct, false); err != nil {
			t.Fatal(err)
		}
		if len(alerts()) != before {
			t.Fatal("a dry run opened a retention alert")
		}
		if rep, err := usageImport(t, w.a.Usage, admin, "oct.csv", oct, true); err != nil || !rep.Committed {
			t.Fatalf("October: %+v %v", rep, err)
		}
		var sc retention.Score
		if err := d.Gorm.Where("customer_id = ?", cust.ID).First(&sc).Error; err != nil {
			t.Fatalf("no churn score after the import: %v", err)
		}
		if !strings.Contains(sc.Factors, retention.FactorRevenueFall) || !strings.Contains(sc.Factors, retention.FactorProductDrop) {
			t.Fatalf("the score does not explain the fall: %d %s", sc.Score, sc.Factors)
		}
		got := alerts()
		if len(got) != 1 || got[0].OwnerID != cust.OwnerID {
			t.Fatalf("after the October import: %d alerts %+v, want one for the owner", len(got), got)
		}
	})
}
