package targets

import (
	"bytes"
	"context"
	"testing"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/xuri/excelize/v2"
)

// TestImportQuotas: dry run, row errors with their line numbers, all or
// nothing, scope (another team's manager is an error), xlsx and CSV.
func TestImportQuotas(t *testing.T) {
	w := newWorld(t, testkit.SQLite(t))
	ctx := context.Background()
	chief, dir := w.users["zhaomin"], w.users["wangjianguo"]
	count := func() int64 {
		var n int64
		w.d.Gorm.Raw("SELECT COUNT(*) FROM target_quotas").Scan(&n)
		return n
	}
	good := "\uFEFF用户名,走访,签约,新增月收入（元）,备注\nliwei,144,24,\"1,200,000.00\",x\nzhangjing,120,12,800000,\n"
	rows, _ := openTest("q.csv", []byte(good))
	res, err := w.svc.ImportQuotas(ctx, chief, 2027, rows, true)
	if err != nil || res.Rows != 2 || len(res.Errors) != 0 || len(res.Unknown) != 1 || count() != 0 {
		t.Fatalf("dry run: %+v %v, %d saved", res, err, count())
	}
	bad := "用户名,走访,签约,新增月收入(元)\nliwei,144,24,100\nzhoujie,1,1,1\nzhangjing,-3,1,1\nchenhao,99999,1,1\nliwei,1,1,1\n"
	rows, _ = openTest("q.csv", []byte(bad))
	res, err = w.svc.ImportQuotas(ctx, chief, 2027, rows, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "targets.import.unknown_user", 4: "targets.err.negative", 5: "targets.err.quota_too_big", 6: "targets.import.duplicate"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors: %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if want[e.Line] != e.MsgID {
			t.Errorf("line %d: %s, want %s", e.Line, e.MsgID, want[e.Line])
		}
	}
	if count() != 0 {
		t.Fatal("a file with errors saved rows")
	}
	// The same good file as a workbook, for real; the director adds a team row.
	f := excelize.NewFile()
	for i, r := range [][]any{{"用户名", "团队", "走访", "签约", "新增月收入(元)"}, {"liwei", "", 144, 24, 1200000}, {"", "政企客户一部", 600, 90, 5000000}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		_ = f.SetSheetRow("Sheet1", cell, &r)
	}
	var buf bytes.Buffer
	_ = f.Write(&buf)
	rows, err = openTest("q.xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err = w.svc.ImportQuotas(ctx, dir, 2027, rows, false)
	if err != nil || res.Saved != 2 || count() != 2 {
		t.Fatalf("xlsx import: %+v %v", res, err)
	}
	q, _ := w.svc.store.QuotaFor(ctx, w.users["liwei"].ID, 0, 2027)
	if q.Visits != 144 || q.MRCFen != 1_200_000_00 {
		t.Fatalf("saved %+v", q)
	}
	// A chief rep's team row is refused (the team quota is the director's).
	rows, _ = openTest("q.csv", []byte("团队,走访\n政企客户一部,1\n"))
	res, _ = w.svc.ImportQuotas(ctx, chief, 2027, rows, true)
	if res == nil || len(res.Errors) != 1 {
		t.Fatalf("chief rep's team row: %+v", res)
	}
	// Not a spreadsheet.
	if _, err := openTest("q.xlsx", []byte("hello")); err == nil {
		t.Fatal("garbage accepted")
	} else if f, ok := apperr.AsFields(err); !ok || f["file"] != "targets.import.bad_file" {
		t.Fatalf("garbage: %v", err)
	}
}

// openTest opens an in-memory sheet as the handler opens an upload.
func openTest(name string, data []byte) (*SheetRows, error) {
	return OpenRows(name, bytes.NewReader(data), int64(len(data)))
}
