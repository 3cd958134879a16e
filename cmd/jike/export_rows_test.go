package main

// Exports of more rows than one batch, in every sort order, on both
// databases: every row of the scope exactly once, in the list's order.
// The customer export once paged on "id > last id" while ordering by
// update time and returned 1,999 rows for 20,065 customers.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/xuri/excelize/v2"
)

// exportRows is how many rows each export test reads: well past the
// 1,000-row batches, so every order crosses many batch boundaries.
const exportRows = 25_001

// bulkCustomers inserts n customers owned round-robin by the account
// managers of the Harbin branch (the director's scope), with few distinct
// values per sortable column so that every order has long runs of ties,
// plus outside customers in another branch that no Harbin export may
// contain. It returns the Harbin customers' credit codes by id.
func bulkCustomers(t *testing.T, a *app, n, outside int) map[uint]string {
	t.Helper()
	ctx := context.Background()
	var users []org.User
	if err := a.DB.Gorm.Where("role = ?", "account_manager").Order("id").Find(&users).Error; err != nil {
		t.Fatal(err)
	}
	harbin, daqing := users[:0:0], users[:0:0]
	for _, u := range users {
		if b, _ := a.Org.Store().BranchByID(ctx, *u.BranchID); b != nil && strings.Contains(b.Name, "哈尔滨") {
			harbin = append(harbin, u)
		} else {
			daqing = append(daqing, u)
		}
	}
	if len(harbin) == 0 || len(daqing) == 0 {
		t.Fatalf("demo organisation: %d Harbin and %d other account managers", len(harbin), len(daqing))
	}
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	rows := make([]prospects.Customer, 0, n+outside)
	for i := range n + outside {
		owners := harbin
		if i >= n {
			owners = daqing
		}
		u := owners[i%len(owners)]
		at := base.Add(time.Duration(i%53) * time.Minute)
		if i%3 == 1 {
			at = at.Add(time.Duration(i%9) * 250 * time.Millisecond)
		}
		rows = append(rows, prospects.Customer{
			Name: fmt.Sprintf("批量客户%04d", (i*7)%3001), CreditCode: fmt.Sprintf("T%017d", i+1),
			Industry: prospects.Industries[i%len(prospects.Industries)], Grade: prospects.Grades[i%4],
			Headcount: i % 50, AnnualSpendFen: money.Fen(100_000 * (i % 100)), Status: prospects.Statuses[i%4], OwnerID: u.ID,
			TeamID: *u.TeamID, BranchID: *u.BranchID, QualScore: (i % 5) * 25, Version: 1,
			SearchText: fmt.Sprintf("批量客户%04d", (i*7)%3001), CreatedAt: at, UpdatedAt: at,
		})
	}
	if err := a.DB.Gorm.CreateInBatches(rows, 400).Error; err != nil {
		t.Fatal(err)
	}
	analyze(t, a)
	out := make(map[uint]string, n)
	for _, c := range rows[:n] {
		out[c.ID] = c.CreditCode
	}
	return out
}

// analyze gathers the planner's statistics after a bulk load, as
// autovacuum does on PostgreSQL and PRAGMA optimize on each new SQLite
// connection in production.
func analyze(t *testing.T, a *app) {
	t.Helper()
	if err := a.DB.Gorm.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
}

// readCSV parses an export: UTF-8 with a BOM, a header row, then rows.
func readCSV(t *testing.T, body string) (header []string, rows [][]string) {
	t.Helper()
	if !strings.HasPrefix(body, "\uFEFF") {
		t.Fatalf("CSV without a BOM: %.60q", body)
	}
	all, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("empty CSV")
	}
	return all[0], all[1:]
}

// readXLSX returns the rows of a workbook's first sheet as text.
func readXLSX(t *testing.T, body string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column finds a header's position.
func columnIndex(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}

// onceEach checks that got holds every value of want exactly once and
// nothing else, and says how it failed.
func onceEach(t *testing.T, what string, got []string, want map[uint]string) {
	t.Helper()
	wanted := make(map[string]bool, len(want))
	for _, v := range want {
		wanted[v] = true
	}
	seen := make(map[string]int, len(got))
	var foreign []string
	for _, v := range got {
		seen[v]++
		if !wanted[v] && len(foreign) < 5 {
			foreign = append(foreign, v)
		}
	}
	repeated := 0
	for _, c := range seen {
		if c > 1 {
			repeated++
		}
	}
	if len(got) != len(want) || len(seen) != len(want) || repeated > 0 || len(foreign) > 0 {
		t.Fatalf("%s: %d rows, %d distinct, %d repeated, out of scope %q; want each of the %d rows once",
			what, len(got), len(seen), repeated, foreign, len(want))
	}
}

// customerSorts are the customer list's sort keys; "" is the default
// (last updated first).
var customerSortKeys = []string{"", "name", "updated", "grade", "score", "spend", "headcount"}

// TestCustomerExportEveryRowOnce exports 25,001 customers (of 25,301 in
// the database) as the director, in every sort order and direction, as
// CSV, and as xlsx in an order with long ties, on PostgreSQL and SQLite: each customer
// of the branch exactly once, in the order of the list.
func TestCustomerExportEveryRowOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		codes := bulkCustomers(t, a, exportRows, 300)
		c := loggedIn(t, a, "wangjianguo")
		director := subject(t, a, "wangjianguo")
		for _, sort := range customerSortKeys {
			for _, dir := range []string{"asc", "desc"} {
				if sort == "" && dir == "desc" {
					continue
				}
				query := "sort=" + sort + "&dir=" + dir
				t.Run("csv "+query, func(t *testing.T) {
					res := c.Get("/customers/export.csv?" + query)
					if res.Status != 200 {
						t.Fatalf("status %d: %.300s", res.Status, res.Body)
					}
					header, rows := readCSV(t, res.Body)
					col := columnIndex(t, header, "统一社会信用代码")
					got := make([]string, len(rows))
					for i, r := range rows {
						got[i] = r[col]
					}
					onceEach(t, "CSV "+query, got, codes)
					// The same order as the list: the page query over everything.
					list, _, err := a.Prospects.ListCustomers(context.Background(), director,
						prospects.CustomerFilter{Sort: sort, Desc: dir == "desc", Limit: exportRows + 1000})
					if err != nil {
						t.Fatal(err)
					}
					for i := range list {
						if list[i].CreditCode != got[i] {
							t.Fatalf("row %d is %s, the list has %s there", i+1, got[i], list[i].CreditCode)
						}
					}
				})
			}
		}
		for _, query := range []string{"sort=grade&dir=desc"} {
			t.Run("xlsx "+query, func(t *testing.T) {
				res := c.Get("/customers/export.xlsx?" + query)
				if res.Status != 200 {
					t.Fatalf("status %d: %.300s", res.Status, res.Body)
				}
				rows := readXLSX(t, res.Body)
				col := columnIndex(t, rows[0], "统一社会信用代码")
				got := make([]string, 0, len(rows))
				for _, r := range rows[1:] {
					got = append(got, r[col])
				}
				onceEach(t, "xlsx "+query, got, codes)
			})
		}
	})
}

// bulkOpportunities inserts n opportunities on the given customers, with
// few distinct values per sortable column (and a third without an
// expected close date). The one-time value, i fen, identifies each row
// in an export; it returns the identities of those of inScope customers.
func bulkOpportunities(t *testing.T, a *app, n int, custs []prospects.Customer, inScope func(prospects.Customer) bool) map[uint]string {
	t.Helper()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	rows := make([]prospects.Opportunity, n)
	for i := range rows {
		c := custs[i%len(custs)]
		at := base.Add(time.Duration(i%47) * time.Minute)
		rows[i] = prospects.Opportunity{CustomerID: c.ID, Title: fmt.Sprintf("批量商机%04d", (i*13)%2003),
			MonthlyFen: money.Fen(100 * (i % 97)), OneTimeFen: money.Fen(i + 1), Stage: prospects.Stages[i%len(prospects.Stages)],
			Probability: 10, OwnerID: c.OwnerID, StageChangedAt: at, Version: 1, CreatedAt: at, UpdatedAt: at}
		if i%3 != 0 {
			d := time.Date(2026, 6, 1+i%29, 0, 0, 0, 0, time.UTC)
			rows[i].ExpectedClose = &d
		}
	}
	if err := a.DB.Gorm.CreateInBatches(rows, 500).Error; err != nil {
		t.Fatal(err)
	}
	analyze(t, a)
	out := map[uint]string{}
	for i, o := range rows {
		if inScope(custs[i%len(custs)]) {
			out[o.ID] = o.OneTimeFen.Plain()
		}
	}
	return out
}

// TestOpportunityExportEveryRowOnce: 25,001 opportunities of the branch
// (and others of another branch) exported by the director in every sort
// order of the list, on both databases, including the expected close date
// that is NULL for a third of them: each exactly once, in the list's order.
// (The xlsx writer shares the reader; its cells are checked in lists_test.)
func TestOpportunityExportEveryRowOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		bulkCustomers(t, a, 40, 2)
		var custs []prospects.Customer
		if err := a.DB.Gorm.Order("id").Find(&custs).Error; err != nil {
			t.Fatal(err)
		}
		director := subject(t, a, "wangjianguo")
		ids := bulkOpportunities(t, a, exportRows+exportRows/20+100, custs, func(c prospects.Customer) bool { return c.BranchID == director.BranchID })
		if len(ids) < exportRows {
			t.Fatalf("only %d opportunities in scope", len(ids))
		}
		c := loggedIn(t, a, "wangjianguo")
		for _, sort := range []string{"", "close", "value", "updated", "stage", "title"} {
			for _, dir := range []string{"asc", "desc"} {
				if sort == "" && dir == "desc" {
					continue
				}
				query := "sort=" + sort + "&dir=" + dir
				t.Run("csv "+query, func(t *testing.T) {
					res := c.Get("/opportunities/export.csv?" + query)
					if res.Status != 200 {
						t.Fatalf("status %d: %.300s", res.Status, res.Body)
					}
					header, rows := readCSV(t, res.Body)
					col := columnIndex(t, header, "一次性收入（元）")
					got := make([]string, len(rows))
					for i, r := range rows {
						got[i] = r[col]
					}
					onceEach(t, "CSV "+query, got, ids)
					list, _, err := a.Prospects.ListOpportunities(ctx, director,
						prospects.OpportunityFilter{Sort: sort, Desc: dir == "desc", Limit: len(ids) + 10})
					if err != nil {
						t.Fatal(err)
					}
					for i := range list {
						if list[i].OneTimeFen.Plain() != got[i] {
							t.Fatalf("row %d is %s, the list has %s there", i+1, got[i], list[i].OneTimeFen.Plain())
						}
					}
				})
			}
		}
	})
}

// TestProposalExportEveryRowOnce: 25,001 proposals of the branch exported
// by the director in every sort order of the list, on both databases.
func TestProposalExportEveryRowOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		bulkCustomers(t, a, 40, 2)
		var custs []prospects.Customer
		if err := a.DB.Gorm.Order("id").Find(&custs).Error; err != nil {
			t.Fatal(err)
		}
		director := subject(t, a, "wangjianguo")
		base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		n := exportRows + exportRows/20 + 100
		rows := make([]proposals.Proposal, n)
		for i := range rows {
			c := custs[i%len(custs)]
			at := base.Add(time.Duration(i%41) * time.Second)
			rows[i] = proposals.Proposal{Number: fmt.Sprintf("FA2026-%06d", i+1), Version: 1, CustomerID: c.ID, OwnerID: c.OwnerID,
				Title: "批量方案", Status: proposals.Statuses[i%len(proposals.Statuses)], TotalFen: money.Fen(100 * (i % 89)),
				LockVersion: 1, CreatedAt: at, UpdatedAt: at}
		}
		if err := a.DB.Gorm.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Gorm.Exec("UPDATE proposals SET root_id = id").Error; err != nil {
			t.Fatal(err)
		}
		analyze(t, a)
		ids := map[uint]string{}
		for i, p := range rows {
			if custs[i%len(custs)].BranchID == director.BranchID {
				ids[p.ID] = p.Number
			}
		}
		if len(ids) < exportRows {
			t.Fatalf("only %d proposals in scope", len(ids))
		}
		c := loggedIn(t, a, "wangjianguo")
		for _, sort := range []string{"", "updated", "total", "number", "customer", "status"} {
			for _, dir := range []string{"asc", "desc"} {
				if sort == "" && dir == "desc" {
					continue
				}
				query := "sort=" + sort + "&dir=" + dir
				t.Run("csv "+query, func(t *testing.T) {
					res := c.Get("/proposals/export.csv?" + query)
					if res.Status != 200 {
						t.Fatalf("status %d: %.300s", res.Status, res.Body)
					}
					header, rows := readCSV(t, res.Body)
					col := columnIndex(t, header, "方案编号")
					got := make([]string, len(rows))
					for i, r := range rows {
						got[i] = r[col]
					}
					onceEach(t, "CSV "+query, got, ids)
					list, _, err := a.Proposals.List(ctx, director, proposals.Filter{Sort: sort, Desc: dir == "desc", Limit: len(ids) + 10})
					if err != nil {
						t.Fatal(err)
					}
					for i := range list {
						if list[i].Number != got[i] {
							t.Fatalf("row %d is %s, the list has %s there", i+1, got[i], list[i].Number)
						}
					}
				})
			}
		}
	})
}

// TestContractExportEveryRowOnce: 2,600 contracts of the branch (more
// than two batches of the keyset reader, with ties in every sort column)
// exported by the director in every sort order of the list, each row once
// and in the list's order, on both databases.
func TestContractExportEveryRowOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		bulkCustomers(t, a, 40, 2)
		var custs []prospects.Customer
		if err := a.DB.Gorm.Order("id").Find(&custs).Error; err != nil {
			t.Fatal(err)
		}
		director := subject(t, a, "wangjianguo")
		base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		const n = 2600
		rows := make([]contracts.Contract, n)
		for i := range rows {
			c := custs[i%len(custs)]
			at := base.Add(time.Duration(i%41) * time.Second)
			rows[i] = contracts.Contract{Number: fmt.Sprintf("HT-批量-2026-%06d", i+1), Revision: 1, IsCurrent: true,
				CustomerID: c.ID, OwnerID: c.OwnerID, BranchID: c.BranchID, Title: "批量合同",
				Status: contracts.Statuses[i%len(contracts.Statuses)], StartOn: start.AddDate(0, 0, i%17),
				EndOn: start.AddDate(1, 0, i%23), TermMonths: 12, TotalFen: money.Fen(100 * (i % 89)),
				PaymentTerms: "monthly", PaymentDueDay: 10, Version: 1, CreatedAt: at, UpdatedAt: at}
		}
		if err := a.DB.Gorm.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Gorm.Exec("UPDATE contracts SET root_id = id").Error; err != nil {
			t.Fatal(err)
		}
		ids := map[uint]string{}
		for i, ct := range rows {
			if custs[i%len(custs)].BranchID == director.BranchID {
				ids[ct.ID] = ct.Number
			}
		}
		if len(ids) <= 2000 {
			t.Fatalf("only %d contracts in scope: not more than two batches", len(ids))
		}
		c := loggedIn(t, a, "wangjianguo")
		for _, sort := range []string{"", "updated", "total", "number", "customer", "status", "start", "end"} {
			for _, dir := range []string{"asc", "desc"} {
				if sort == "" && dir == "desc" {
					continue
				}
				query := "sort=" + sort + "&dir=" + dir
				t.Run("csv "+query, func(t *testing.T) {
					res := c.Get("/contracts/export.csv?" + query)
					if res.Status != 200 {
						t.Fatalf("status %d: %.300s", res.Status, res.Body)
					}
					header, rows := readCSV(t, res.Body)
					col := columnIndex(t, header, "合同编号")
					got := make([]string, len(rows))
					for i, r := range rows {
						got[i] = r[col]
					}
					onceEach(t, "CSV "+query, got, ids)
					list, _, err := a.Contracts.List(ctx, director, contracts.Filter{Sort: sort, Desc: dir == "desc", Limit: len(ids) + 10})
					if err != nil {
						t.Fatal(err)
					}
					for i := range list {
						if list[i].Number != got[i] {
							t.Fatalf("row %d is %s, the list has %s there", i+1, got[i], list[i].Number)
						}
					}
				})
			}
		}
	})
}

// TestServiceRequestExportEveryRowOnce: 2,300 service requests of the
// branch, many sharing a deadline, exported by the director: every row
// exactly once, ordered by deadline as the list is, on both databases.
func TestServiceRequestExportEveryRowOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		bulkCustomers(t, a, 40, 2)
		var custs []prospects.Customer
		if err := a.DB.Gorm.Order("id").Find(&custs).Error; err != nil {
			t.Fatal(err)
		}
		director := subject(t, a, "wangjianguo")
		base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		const n = 2300
		rows := make([]aftersale.Request, n)
		for i := range rows {
			c := custs[i%len(custs)]
			due := base.Add(time.Duration(i%37) * time.Hour)
			rows[i] = aftersale.Request{CustomerID: c.ID, Kind: "complaint", Category: "network", Severity: "normal",
				Channel: "phone", Description: "批量投诉", Status: "open", FirstResponderID: c.OwnerID, HandlerID: c.OwnerID,
				ClockFrom: base, ResponseDueAt: due, WarnAt: due, ResolveDueAt: due, DirectorAt: due, Cycle: 1, Version: 1,
				CreatedAt: base, UpdatedAt: base}
		}
		if err := a.DB.Gorm.CreateInBatches(rows, 500).Error; err != nil {
			t.Fatal(err)
		}
		ids := map[uint]string{}
		for i, r := range rows {
			if custs[i%len(custs)].BranchID == director.BranchID {
				ids[r.ID] = aftersale.RequestNo(r.ID)
			}
		}
		if len(ids) <= 1000 {
			t.Fatalf("only %d requests in scope: not more than one batch", len(ids))
		}
		res := loggedIn(t, a, "wangjianguo").Get("/aftersale/requests/export.csv?view=all")
		if res.Status != 200 {
			t.Fatalf("status %d: %.300s", res.Status, res.Body)
		}
		header, got := readCSV(t, res.Body)
		noCol, dueCol := columnIndex(t, header, "编号"), columnIndex(t, header, "解决时限")
		nos := make([]string, len(got))
		for i, r := range got {
			nos[i] = r[noCol]
			if i > 0 && got[i-1][dueCol] > r[dueCol] {
				t.Fatalf("row %d (due %s) comes after a later deadline (%s)", i+1, r[dueCol], got[i-1][dueCol])
			}
		}
		onceEach(t, "CSV", nos, ids)
	})
}
