package prospects

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// countingWriter is a sheet.Writer that counts rows and remembers how many
// rows had been written when each batch of the export began.
type countingWriter struct{ rows int }

func (w *countingWriter) Row(cells ...any) error { w.rows++; return nil }
func (w *countingWriter) Close() error           { return nil }

// TestCustomerExportFeedsTheWriterPerBatch: the customer export hands the
// writer each batch of 1,000 as it is read — the rows of the first batch
// are written before the second is read — and never more than a batch at
// a time, so memory holds one batch however long the list (the export
// used to collect up to 100,000 rows first). Every customer comes once,
// with its owner's and key persons' names.
func TestCustomerExportFeedsTheWriterPerBatch(t *testing.T) {
	w := newWorld(t, testkit.SQLite(t))
	ctx := context.Background()
	owner := w.as("liwei")
	const n = 2_345
	rows := make([]Customer, n)
	for i := range rows {
		rows[i] = Customer{Name: fmt.Sprintf("流式导出客户%04d", i), CreditCode: fmt.Sprintf("T%017d", i+1), Industry: "gov", Grade: "C",
			Status: "prospect", OwnerID: owner.ID, TeamID: owner.TeamID, BranchID: owner.BranchID, Version: 1,
			SearchText: fmt.Sprintf("流式导出客户%04d", i)}
	}
	if err := w.d.Gorm.CreateInBatches(rows, 500).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.d.Gorm.Create(&Contact{CustomerID: rows[0].ID, Name: "王主任", Role: "decision", Version: 1}).Error; err != nil {
		t.Fatal(err)
	}

	sw := &countingWriter{}
	var batches, written []int
	seen := map[string]bool{}
	err := w.svc.EachExportRow(ctx, owner, CustomerFilter{}, func(batch []ExportRow) error {
		batches, written = append(batches, len(batch)), append(written, sw.rows)
		for _, r := range batch {
			if seen[r.Customer.Name] {
				t.Errorf("%s exported twice", r.Customer.Name)
			}
			seen[r.Customer.Name] = true
			if r.Owner != "李伟" {
				t.Fatalf("%s: owner %q", r.Customer.Name, r.Owner)
			}
			if r.Customer.ID == rows[0].ID && strings.Join(r.KeyPersons, "") != "王主任" {
				t.Errorf("key persons of the first customer: %q", r.KeyPersons)
			}
		}
		return WriteExportRows(sw, batch)
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(batches) != "[1000 1000 345]" || fmt.Sprint(written) != "[0 1000 2000]" || sw.rows != n || len(seen) != n {
		t.Fatalf("batches %v, rows written before each %v, %d rows in all, %d distinct; want [1000 1000 345], [0 1000 2000], %d",
			batches, written, sw.rows, len(seen), n)
	}

	// The real writer takes the batches the same way.
	var buf bytes.Buffer
	out, err := NewCustomerExport(&buf, sheet.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.EachExportRow(ctx, owner, CustomerFilter{}, func(b []ExportRow) error { return WriteExportRows(out, b) }); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "流式导出客户"); got != n {
		t.Fatalf("CSV has %d customers, want %d", got, n)
	}
}
