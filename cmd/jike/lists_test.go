package main

// Lists that span several people name the owner; the opportunity and
// proposal lists show totals of the whole filter (SQL sums) and export
// exactly the page's scope and filters, as CSV and as xlsx with numbers as
// numbers.

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/xuri/excelize/v2"
)

// proposal inserts the first version of a proposal of c.
func (w *boardWorld) proposal(t *testing.T, c prospects.Customer, title, status string, monthlyYuan int64) proposals.Proposal {
	t.Helper()
	w.seq++
	now := time.Now().UTC()
	p := proposals.Proposal{Number: fmt.Sprintf("FA2026-%06d", w.seq), Version: 1, CustomerID: c.ID, OwnerID: c.OwnerID,
		Title: title, Status: status, MonthlyFen: money.Fen(monthlyYuan * 100), OneTimeFen: money.Fen(monthlyYuan * 3),
		TotalFen: money.Fen(monthlyYuan * 100 * 12), LockVersion: 1, CreatedAt: now, UpdatedAt: now}
	if err := w.a.DB.Gorm.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	if err := w.a.DB.Gorm.Model(&p).Update("root_id", p.ID).Error; err != nil {
		t.Fatal(err)
	}
	return p
}

// exportLink finds a page's export link of kind ("export.csv") and returns
// it as a path to request.
func exportLink(t *testing.T, body, kind string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(/[a-z]+/` + regexp.QuoteMeta(kind) + `[^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s link on the page", kind)
	}
	return html.UnescapeString(m[1])
}

// sumColumn adds a CSV column of yuan amounts, in fen.
func sumColumn(t *testing.T, rows [][]string, col int) money.Fen {
	t.Helper()
	var sum money.Fen
	for _, r := range rows {
		f, err := money.Parse(r[col])
		if err != nil {
			t.Fatalf("amount %q: %v", r[col], err)
		}
		sum += f
	}
	return sum
}

func TestListsOwnersTotalsExports(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newBoardWorld(t, d)
		fillBoard(t, w)
		director, am := loggedIn(t, w.a, "wangjianguo"), loggedIn(t, w.a, "liwei")
		harbin := *w.users["wangjianguo"].BranchID

		// --- opportunities: finance deals of the branch, every stage.
		var n int64
		var monthly, oneTime money.Fen
		titles := map[string]bool{}
		for _, o := range w.opps {
			c := w.custs[o.CustomerID]
			if c.BranchID == harbin && c.Industry == "finance" {
				n++
				monthly += o.MonthlyFen
				oneTime += o.OneTimeFen
				titles[o.Title] = true
			}
		}
		page := director.Get("/opportunities?industry=finance")
		wantTotals := fmt.Sprintf("共 %d 个商机 · 月收入合计 ¥%s · 一次性收入合计 ¥%s", n, monthly, oneTime)
		if page.Status != 200 || !strings.Contains(page.Body, wantTotals) {
			t.Fatalf("totals: want %q in\n%.3000s", wantTotals, page.Body)
		}
		if !strings.Contains(page.Body, `<td class="owner">李伟</td>`) || !strings.Contains(page.Body, `<td class="owner">周杰</td>`) {
			t.Error("the director's opportunity list does not name the owners")
		}
		if mine := am.Get("/opportunities"); strings.Contains(mine.Body, `class="owner"`) || mine.Status != 200 {
			t.Error("an account manager's own list needs no owner column")
		}
		res := director.Get(exportLink(t, page.Body, "export.csv"))
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", res.Status, res.Header.Get("Content-Type"))
		}
		header, rows := readCSV(t, res.Body)
		if int64(len(rows)) != n {
			t.Fatalf("export has %d rows, the page says %d", len(rows), n)
		}
		for _, r := range rows {
			if !titles[r[columnIndex(t, header, "商机名称")]] {
				t.Errorf("export row %q is not in the page's filter", r[0])
			}
		}
		if got := sumColumn(t, rows, columnIndex(t, header, "月收入（元）")); got != monthly {
			t.Errorf("export monthly sum %s, page %s", got, monthly)
		}
		res = director.Get(exportLink(t, page.Body, "export.xlsx"))
		x, err := excelize.OpenReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		sheet := x.GetSheetName(0)
		all, _ := x.GetRows(sheet)
		if int64(len(all)-1) != n {
			t.Fatalf("xlsx has %d rows, want %d", len(all)-1, n)
		}
		col := columnIndex(t, all[0], "月收入（元）")
		cell, _ := excelize.CoordinatesToCellName(col+1, 2)
		if ct, _ := x.GetCellType(sheet, cell); ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
			t.Errorf("xlsx monthly cell is %v, want a number", ct)
		}
		raw, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if _, err := money.Parse(raw); err != nil || strings.Contains(raw, ",") || !titles[all[1][0]] {
			t.Errorf("xlsx monthly %q (%v) of %q", raw, err, all[1][0])
		}
		x.Close()
		// The account manager's export holds their own deals only.
		header, rows = readCSV(t, am.Get("/opportunities/export.csv").Body)
		var own int
		for _, o := range w.opps {
			if o.OwnerID == w.users["liwei"].ID {
				own++
			}
		}
		if len(rows) != own {
			t.Errorf("account manager's export has %d rows, want their %d", len(rows), own)
		}
		for _, r := range rows {
			if r[columnIndex(t, header, "客户经理")] != "李伟" {
				t.Errorf("account manager's export has %q of %q", r[0], r[1])
			}
		}

		// --- proposals.
		a1, c1 := w.custs[w.opps[0].CustomerID], w.custs[w.opps[1].CustomerID]
		var f1, d1 prospects.Customer
		for _, c := range w.custs {
			switch {
			case c.Industry == "finance" && c.Grade == "B":
				f1 = c
			case c.Industry == "energy":
				d1 = c
			}
		}
		w.proposal(t, a1, "李伟的方案一", proposals.StatusDraft, 1000)
		w.proposal(t, a1, "李伟的方案二", proposals.StatusSent, 2000)
		w.proposal(t, c1, "张静的方案", proposals.StatusSent, 4000)
		w.proposal(t, f1, "周杰的方案", proposals.StatusSent, 8000)
		w.proposal(t, d1, "大庆的方案", proposals.StatusSent, 16000)
		page = director.Get("/proposals?status=sent")
		want := "共 3 个方案 · 月费合计 ¥14,000.00 · 一次性费用合计 ¥420.00 · 合同期总价合计 ¥168,000.00"
		if !strings.Contains(page.Body, want) || !strings.Contains(page.Body, `<td class="owner">周杰</td>`) {
			t.Fatalf("proposal totals or owner: want %q\n%.3000s", want, page.Body)
		}
		header, rows = readCSV(t, director.Get(exportLink(t, page.Body, "export.csv")).Body)
		got := map[string]bool{}
		for _, r := range rows {
			got[r[columnIndex(t, header, "方案名称")]] = true
		}
		if len(rows) != 3 || !got["李伟的方案二"] || !got["张静的方案"] || !got["周杰的方案"] {
			t.Fatalf("proposal export: %q", rows)
		}
		if s := sumColumn(t, rows, columnIndex(t, header, "合同期总价（元）")); s != money.Fen(16_800_000) {
			t.Errorf("proposal export total %s", s)
		}
		res = director.Get(exportLink(t, page.Body, "export.xlsx"))
		if all := readXLSX(t, res.Body); len(all) != 4 {
			t.Fatalf("proposal xlsx has %d rows", len(all))
		}
		mineP := am.Get("/proposals")
		if strings.Contains(mineP.Body, `class="owner"`) || !strings.Contains(mineP.Body, "共 2 个方案") {
			t.Errorf("account manager's proposals: owner column or wrong totals")
		}
		_, rows = readCSV(t, am.Get("/proposals/export.csv").Body)
		if len(rows) != 2 {
			t.Errorf("account manager's proposal export has %d rows, want 2", len(rows))
		}

		// --- customers: the owner, and an export link that keeps the filter.
		page = director.Get("/customers?grade=A&all=1")
		if !strings.Contains(page.Body, `<td class="owner">李伟</td>`) {
			t.Error("the director's customer list does not name the owner")
		}
		header, rows = readCSV(t, director.Get(exportLink(t, page.Body, "export.csv")).Body)
		if len(rows) != 1 || rows[0][columnIndex(t, header, "客户等级")] != "A" {
			t.Errorf("customer export from the filtered page: %q", rows)
		}
		if mine := am.Get("/customers?all=1"); strings.Contains(mine.Body, `class="owner"`) {
			t.Error("an account manager's customer list needs no owner column")
		}
	})
}
