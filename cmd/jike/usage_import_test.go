package main

// The monthly usage import (modules/usage) on PostgreSQL and SQLite:
// encodings, idempotency, all-or-nothing, unknown keys, and every kind of
// bad file changing nothing.
//
//	go test ./cmd/jike/ -run TestUsage -count=1 -v

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	usagemod "github.com/jike-crm/jike/modules/usage"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// usageNow is the tests' clock: November 2026, so October is the last
// complete month and December is in the future.
var usageNow = time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC)

// usageWorld is an app with the catalogue and four customers: two of
// liwei's, one of chenhao's (same team), one of zhoujie's (another team).
type usageWorld struct {
	a                        *app
	liwei1, liwei2, chen, zj *prospects.Customer
}

func newUsageWorld(t *testing.T, d *db.DB, tweak ...func(*appOptions)) *usageWorld {
	t.Helper()
	a := newTestApp(t, d, append([]func(*appOptions){func(o *appOptions) { o.Now = func() time.Time { return usageNow } }}, tweak...)...)
	admin := subject(t, a, "admin")
	if _, err := a.Catalog.SeedDefaults(context.Background(), admin.ID); err != nil {
		t.Fatal(err)
	}
	return &usageWorld{a: a,
		liwei1: afterCustomer(t, a, "liwei", "用量一号银行", "91230103MA5100001", "A"),
		liwei2: afterCustomer(t, a, "liwei", "用量二号银行", "91230103MA5100002", "B"),
		chen:   afterCustomer(t, a, "chenhao", "用量三号银行", "91230103MA5100003", "B"),
		zj:     afterCustomer(t, a, "zhoujie", "用量四号银行", "91230103MA5100004", "C"),
	}
}

// usageImport runs the service import of data as name.
func usageImport(t *testing.T, svc *usagemod.Service, actor authz.Subject, name string, data []byte, commit bool) (*usagemod.Report, error) {
	t.Helper()
	return svc.Import(context.Background(), actor, usagemod.ImportRequest{Source: "billing", FileName: name,
		Src: bytes.NewReader(data), Size: int64(len(data)), MaxBytes: 10 << 20, Commit: commit})
}

func usageCount(t *testing.T, a *app, source string, ym int) int64 {
	t.Helper()
	n, err := a.Usage.Store().CountMonths(context.Background(), source, ym)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func usageImports(t *testing.T, a *app) (all, replaced int64) {
	t.Helper()
	g := a.DB.Gorm
	if err := g.Model(&usagemod.Import{}).Count(&all).Error; err != nil {
		t.Fatal(err)
	}
	if err := g.Model(&usagemod.Import{}).Where("replaced_at IS NOT NULL").Count(&replaced).Error; err != nil {
		t.Fatal(err)
	}
	return
}

// goodCSV is a valid October file for the world's customers: credit codes
// and a customer id, a credit with a negative amount, quantities.
func (w *usageWorld) goodCSV(header string) string {
	if header == "" {
		header = "customer,product,month,revenue,quantity,credit"
	}
	return header + "\n" +
		w.liwei1.CreditCode + ",DIA-100M,2026-10,3200.00,2,\n" +
		w.liwei1.CreditCode + ",VPMN-GRP,2026-10,-150.50,0,1\n" +
		itoa(w.liwei2.ID) + ",dia-20m,2026-10,\"1,280.10\",1,0\n" +
		w.chen.CreditCode + ",BB-200M,2026-10,399,3,\n" +
		w.zj.CreditCode + ",DIA-100M,2026-10,5000.01,4,否\n"
}

// goodRevenue is goodCSV's total in fen.
const goodRevenue = 320000 - 15050 + 128010 + 39900 + 500001

func xlsxOf(t *testing.T, csv string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		var row []any
		for _, c := range strings.Split(strings.ReplaceAll(line, `"1,280.10"`, "1280.10"), ",") {
			row = append(row, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUsageImportEncodings: the same month in UTF-8, UTF-8 with BOM, GBK
// (with the Chinese header) and xlsx checks clean and commits five rows
// with the exact total in fen, each import replacing the one before.
func TestUsageImportEncodings(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := subject(t, w.a, "admin")
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(w.goodCSV("客户,产品,月份,收入,数量,冲减"))
		if err != nil {
			t.Fatal(err)
		}
		files := []struct {
			name string
			data []byte
		}{
			{"utf8.csv", []byte(w.goodCSV(""))},
			{"bom.csv", append([]byte("\xEF\xBB\xBF"), w.goodCSV("")...)},
			{"gbk.csv", []byte(gbk)},
			{"month.xlsx", xlsxOf(t, w.goodCSV(""))},
		}
		for i, f := range files {
			rep, err := usageImport(t, w.a.Usage, admin, f.name, f.data, false)
			if err != nil {
				t.Fatalf("%s dry run: %v", f.name, err)
			}
			if !rep.OK() || rep.Rows != 5 || rep.YM != 202610 || rep.RevenueFen != goodRevenue {
				t.Fatalf("%s dry run: %+v", f.name, rep)
			}
			if n := usageCount(t, w.a, "billing", 202610); n != int64(min(i, 1)*5) {
				t.Fatalf("%s: a dry run wrote rows: %d", f.name, n)
			}
			rep, err = usageImport(t, w.a.Usage, admin, f.name, f.data, true)
			if err != nil || !rep.Committed {
				t.Fatalf("%s commit: %v %+v", f.name, err, rep)
			}
			if n := usageCount(t, w.a, "billing", 202610); n != 5 {
				t.Fatalf("%s: %d rows stored, want 5", f.name, n)
			}
		}
		var credit usagemod.Month
		if err := w.a.DB.Gorm.Where("customer_id = ? AND is_credit", w.liwei1.ID).First(&credit).Error; err != nil || credit.RevenueFen != -15050 {
			t.Fatalf("credit row: %+v %v", credit, err)
		}
	})
}

// TestUsageImportIsIdempotent: importing the same month twice leaves one
// month of rows, one replaced import and two audit entries saying who.
func TestUsageImportIsIdempotent(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := subject(t, w.a, "admin")
		data := []byte(w.goodCSV(""))
		for i := 0; i < 2; i++ {
			if rep, err := usageImport(t, w.a.Usage, admin, "oct.csv", data, true); err != nil || !rep.Committed {
				t.Fatalf("import %d: %v %+v", i, err, rep)
			}
		}
		if n := usageCount(t, w.a, "billing", 202610); n != 5 {
			t.Fatalf("rows after two imports: %d, want 5", n)
		}
		if all, replaced := usageImports(t, w.a); all != 2 || replaced != 1 {
			t.Fatalf("imports: %d (%d replaced), want 2 (1)", all, replaced)
		}
		// Another source's month is not touched by a billing re-import.
		if _, err := w.a.Usage.Import(context.Background(), admin, usagemod.ImportRequest{Source: "manual", FileName: "m.csv",
			Src: bytes.NewReader(data), Size: int64(len(data)), MaxBytes: 10 << 20, Commit: true}); err != nil {
			t.Fatal(err)
		}
		if rep, err := usageImport(t, w.a.Usage, admin, "oct.csv", data, false); err != nil || !rep.Replaces {
			t.Fatalf("a dry run of a loaded month must say it replaces it: %v %+v", err, rep)
		}
		if n := usageCount(t, w.a, "manual", 202610); n != 5 {
			t.Fatalf("manual rows: %d", n)
		}
		var entries []audit.Entry
		if err := w.a.DB.Gorm.Where("entity = ?", "usage_import").Order("id").Find(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 || entries[0].ActorID == nil || *entries[0].ActorID != admin.ID {
			t.Fatalf("audit entries: %+v", entries)
		}
		if !strings.Contains(entries[1].Changes, `"rows_deleted":{"from":null,"to":5}`) {
			t.Errorf("the re-import's audit says how many rows it replaced: %s", entries[1].Changes)
		}
	})
}

// TestUsageImportAllOrNothing: a bad row in the middle of a file that
// spans several chunks (the first already inserted in the transaction)
// rolls back everything: the earlier month, its import and the audit
// stay as they were.
func TestUsageImportAllOrNothing(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := subject(t, w.a, "admin")
		enf, err := authz.New()
		if err != nil {
			t.Fatal(err)
		}
		svc := usagemod.NewService(usagemod.NewStore(d.Gorm), enf, w.a.Prospects, usagemod.Options{
			Now: func() time.Time { return usageNow }, ChunkRows: 2})
		if rep, err := usageImport(t, svc, admin, "oct.csv", []byte(w.goodCSV("")), true); err != nil || !rep.Committed {
			t.Fatalf("first import: %v %+v", err, rep)
		}
		beforeImports, _ := usageImports(t, w.a)
		// Six rows, three chunks; row 5 (the third chunk's first) is bad.
		bad := "customer,product,month,revenue,quantity\n" +
			w.liwei1.CreditCode + ",DIA-100M,2026-10,1,1\n" +
			w.liwei1.CreditCode + ",DIA-20M,2026-10,1,1\n" +
			w.liwei2.CreditCode + ",DIA-100M,2026-10,1,1\n" +
			w.liwei2.CreditCode + ",abc-not-a-product,2026-10,1,1\n" +
			w.chen.CreditCode + ",DIA-100M,2026-10,1,1\n" +
			w.zj.CreditCode + ",DIA-100M,2026-10,1,1\n"
		rep, err := usageImport(t, svc, admin, "bad.csv", []byte(bad), true)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Committed || rep.ErrorCount != 1 || rep.Errors[0].Row != 5 || rep.Errors[0].MsgID != "usage.err.product_unknown" {
			t.Fatalf("report: %+v", rep)
		}
		if n := usageCount(t, w.a, "billing", 202610); n != 5 {
			t.Fatalf("rows after the refused file: %d, want the first import's 5", n)
		}
		var sum int64
		if err := d.Gorm.Model(&usagemod.Month{}).Select("SUM(revenue_fen)").Scan(&sum).Error; err != nil || sum != goodRevenue {
			t.Fatalf("revenue after the refused file: %d %v", sum, err)
		}
		if all, replaced := usageImports(t, w.a); all != beforeImports || replaced != 0 {
			t.Fatalf("imports after the refused file: %d (%d replaced)", all, replaced)
		}
	})
}

// TestUsageImportRefusesBadFiles: each bad file gets its own message and
// changes nothing; unknown customers and products are listed.
func TestUsageImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := subject(t, w.a, "admin")
		code := w.liwei1.CreditCode
		rowFiles := []struct {
			name, data string
			msgs       []string
		}{
			{"future", "customer,product,month,revenue,quantity\n" + code + ",DIA-100M,2026-12,1,1\n", []string{"usage.err.month_future"}},
			{"negative", "customer,product,month,revenue,quantity,credit\n" + code + ",DIA-100M,2026-10,-1.00,1,\n", []string{"usage.err.negative"}},
			{"mixed months", "customer,product,month,revenue,quantity\n" + code + ",DIA-100M,2026-10,1,1\n" + code + ",DIA-20M,2026-09,1,1\n", []string{"usage.err.month_mixed"}},
			{"three decimals", "customer,product,month,revenue,quantity\n" + code + ",DIA-100M,2026-10,1.005,1\n", []string{"usage.err.revenue"}},
			{"duplicate", "customer,product,month,revenue,quantity\n" + code + ",DIA-100M,2026-10,1,1\n" + itoa(w.liwei1.ID) + ",DIA-100M,2026-10,1,1\n", []string{"usage.err.duplicate"}},
			{"unknown keys", "customer,product,month,revenue,quantity\n" + prospects.MakeCreditCode("91230103MA5999999") + ",DIA-100M,2026-10,1,1\n" +
				"999999,DIA-100M,2026-10,1,1\n" + code + ",NOPE-1,2026-10,1,1\n", []string{"usage.err.customer_unknown", "usage.err.customer_unknown", "usage.err.product_unknown"}},
		}
		for _, f := range rowFiles {
			for _, commit := range []bool{false, true} {
				rep, err := usageImport(t, w.a.Usage, admin, "f.csv", []byte(f.data), commit)
				if err != nil {
					t.Fatalf("%s: %v", f.name, err)
				}
				var got []string
				for _, e := range rep.Errors {
					got = append(got, e.MsgID)
				}
				if rep.OK() || rep.Committed || fmt.Sprint(got) != fmt.Sprint(f.msgs) {
					t.Errorf("%s (commit %v): errors %v, want %v", f.name, commit, got, f.msgs)
				}
			}
		}
		rep, _ := usageImport(t, w.a.Usage, admin, "f.csv", []byte(rowFiles[5].data), false)
		if len(rep.UnknownCustomers) != 2 || rep.UnknownCustomers[1] != "999999" || fmt.Sprint(rep.UnknownProducts) != "[NOPE-1]" {
			t.Errorf("unknown keys reported: %v %v", rep.UnknownCustomers, rep.UnknownProducts)
		}
		big := bytes.Repeat([]byte("a"), 50<<20)
		copy(big, "customer,product,month,revenue,quantity\n")
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0, 1, 2, 3}, 200)...)
		fileErrs := []struct {
			name, file string
			data       []byte
			msg        string
		}{
			{"wrong columns", "f.csv", []byte("name,amount\nx,1\n"), "usage.err.unknown_column"},
			{"missing column", "f.csv", []byte("customer,product,month,revenue\n" + code + ",DIA-100M,2026-10,1\n"), "usage.err.missing_columns"},
			{"50 MB", "f.csv", big, "usage.err.too_large"},
			{"binary renamed", "f.csv", png, "usage.err.not_text"},
			{"not a workbook", "f.xlsx", []byte("just text"), "usage.err.unreadable"},
			{"a PDF", "f.pdf", []byte("%PDF-1.4"), "usage.err.file_type"},
			{"header only", "f.csv", []byte("customer,product,month,revenue,quantity\n"), "usage.err.empty"},
		}
		for _, f := range fileErrs {
			_, err := usageImport(t, w.a.Usage, admin, f.file, f.data, true)
			var fe *usagemod.FileError
			if !asFileError(err, &fe) || fe.MsgID != f.msg {
				t.Errorf("%s: %v, want %s", f.name, err, f.msg)
			}
		}
		if all, _ := usageImports(t, w.a); all != 0 {
			t.Fatalf("bad files made %d imports", all)
		}
		var n int64
		if err := d.Gorm.Model(&usagemod.Month{}).Count(&n).Error; err != nil || n != 0 {
			t.Fatalf("bad files stored %d rows (%v)", n, err)
		}
		// Only the admin imports.
		if _, err := usageImport(t, w.a.Usage, subject(t, w.a, "wangjianguo"), "oct.csv", []byte(w.goodCSV("")), true); err == nil {
			t.Fatal("a director imported a month")
		}
	})
}

func asFileError(err error, target **usagemod.FileError) bool {
	fe, ok := err.(*usagemod.FileError)
	if ok {
		*target = fe
	}
	return ok
}
