package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
)

// walkRecords are records of one customer of a manager's, of every kind
// the API reads by id.
type walkRecords struct {
	cust                     *prospects.Customer
	contact                  *prospects.Contact
	opp                      *prospects.Opportunity
	need, proposal, contract uint
}

// walkRecordsOf finds a customer of sub's with key persons,
// opportunities and a contract in the demo, and gives it a need and a
// proposal through the services when the demo gave it none.
func walkRecordsOf(t *testing.T, a *app, sub authz.Subject) walkRecords {
	t.Helper()
	ctx := context.Background()
	mine, _, err := a.Prospects.ListCustomers(ctx, sub, prospects.CustomerFilter{Limit: 500, Sort: "name"})
	must(t, err)
	for i := range mine {
		id := mine[i].ID
		ks, _, err := a.Contracts.List(ctx, sub, contracts.Filter{CustomerID: id, Limit: 1})
		must(t, err)
		cts, err := a.Prospects.Contacts(ctx, sub, id)
		must(t, err)
		ops, err := a.Prospects.Opportunities(ctx, sub, id)
		must(t, err)
		if len(ks) == 0 || len(cts) == 0 || len(ops) == 0 {
			continue
		}
		w := walkRecords{cust: &mine[i], contact: &cts[0], opp: &ops[0], contract: ks[0].ID}
		ns, _, err := a.Needs.ListNeeds(ctx, sub, needs.NeedFilter{CustomerID: id, Limit: 1})
		must(t, err)
		if len(ns) > 0 {
			w.need = ns[0].ID
		} else {
			n, err := a.Needs.SaveNeed(ctx, sub, id, 0, needs.NeedInput{Category: servicecat.Keys()[0], Description: "专线带宽需要扩容到 500M",
				Priority: "high"})
			must(t, err)
			w.need = n.ID
		}
		ps, _, err := a.Proposals.List(ctx, sub, proposals.Filter{CustomerID: id, Limit: 1})
		must(t, err)
		if len(ps) > 0 {
			w.proposal = ps[0].ID
		} else {
			products, _, err := a.Catalog.List(ctx, catalog.Filter{Status: catalog.StatusActive, Limit: 1})
			must(t, err)
			p, err := a.Proposals.Create(ctx, sub, proposals.Input{CustomerID: id, Title: "专线扩容方案", Background: "现有带宽不足",
				Lines: []proposals.LineInput{{ProductID: products[0].ID, Quantity: "2", TermMonths: "12", Rate: "100"}}})
			must(t, err)
			w.proposal = p.ID
		}
		return w
	}
	t.Fatalf("no customer of %s's with key persons, opportunities and a contract", sub.Username)
	return walkRecords{}
}

// apiListCase is one list of the API and the portal's service call that
// lists the same rows for a user.
type apiListCase struct {
	path   string
	portal func(sub authz.Subject) []uint
	// set: compare as sets (the portal orders its page differently).
	set bool
}

// TestAPINewListsMatchPortalScope: for every demo user, each list the API
// added (opportunities, needs, proposals, contracts, visits, and a
// customer's needs and visits) returns, across all its pages and without
// repeats, exactly the rows the portal's service lists that user with the
// same filter and order — so no list returns a row the portal would hide.
func TestAPINewListsMatchPortalScope(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		w := walkRecordsOf(t, a, apiSubject(t, a, "liwei"))
		const all = 1_000_000
		idsOf := func(n int, id func(int) uint) []uint {
			out := make([]uint, n)
			for i := range out {
				out[i] = id(i)
			}
			return out
		}
		opps := func(f prospects.OpportunityFilter) func(authz.Subject) []uint {
			return func(sub authz.Subject) []uint {
				f.Limit = all
				rows, _, err := a.Prospects.ListOpportunities(ctx, sub, f)
				must(t, err)
				return idsOf(len(rows), func(i int) uint { return rows[i].ID })
			}
		}
		needList := func(f needs.NeedFilter) func(authz.Subject) []uint {
			return func(sub authz.Subject) []uint {
				f.Limit = all
				rows, _, err := a.Needs.ListNeeds(ctx, sub, f)
				must(t, err)
				return idsOf(len(rows), func(i int) uint { return rows[i].ID })
			}
		}
		props := func(f proposals.Filter) func(authz.Subject) []uint {
			return func(sub authz.Subject) []uint {
				f.Limit = all
				rows, _, err := a.Proposals.List(ctx, sub, f)
				must(t, err)
				return idsOf(len(rows), func(i int) uint { return rows[i].ID })
			}
		}
		conts := func(f contracts.Filter) func(authz.Subject) []uint {
			return func(sub authz.Subject) []uint {
				f.Limit = all
				rows, _, err := a.Contracts.List(ctx, sub, f)
				must(t, err)
				return idsOf(len(rows), func(i int) uint { return rows[i].ID })
			}
		}
		// The portal's visit list (the history page), for the view it
		// shows the user when asked for who.
		visitList := func(who string, customerID uint) func(authz.Subject) []uint {
			return func(sub authz.Subject) []uint {
				view := visits.ViewMine
				if (who == visits.ViewScope && a.Prospects.ListsOthers(sub)) || !a.Prospects.Sells(sub) {
					view = visits.ViewScope
				}
				rows, total, err := a.Visits.HistoryFor(ctx, sub, view, visits.HistoryQuery{CustomerID: customerID, Limit: visits.MaxPlans})
				must(t, err)
				if total >= visits.MaxPlans {
					t.Fatalf("%d visits: more than one portal page", total)
				}
				return idsOf(len(rows), func(i int) uint { return rows[i].ID })
			}
		}
		cases := []apiListCase{
			{"/api/v1/opportunities?limit=50", opps(prospects.OpportunityFilter{}), false},
			{"/api/v1/opportunities?limit=7&stage=needs&sort=close", opps(prospects.OpportunityFilter{Stages: []string{"needs"}, Sort: "close"}), false},
			{"/api/v1/opportunities?limit=30&sort=stage&order=desc", opps(prospects.OpportunityFilter{Sort: "stage", Desc: true}), false},
			{"/api/v1/needs?limit=40", needList(needs.NeedFilter{}), false},
			{"/api/v1/needs?limit=9&status=open&sort=priority", needList(needs.NeedFilter{Status: "open", Sort: "priority"}), false},
			{"/api/v1/customers/" + itoa(w.cust.ID) + "/needs?limit=1&sort=customer", needList(needs.NeedFilter{CustomerID: w.cust.ID, Sort: "customer"}), false},
			{"/api/v1/proposals?limit=11", props(proposals.Filter{}), false},
			{"/api/v1/proposals?limit=5&sort=total&order=desc", props(proposals.Filter{Sort: "total", Desc: true}), false},
			{"/api/v1/contracts?limit=6", conts(contracts.Filter{}), false},
			{"/api/v1/contracts?limit=4&sort=end&expiring_within=365", conts(contracts.Filter{Sort: "end", ExpiringWithin: 365}), false},
			{"/api/v1/visits?limit=50", visitList("", 0), true},
			{"/api/v1/visits?limit=50&who=scope", visitList(visits.ViewScope, 0), true},
			{"/api/v1/customers/" + itoa(w.cust.ID) + "/visits?limit=2&who=scope", visitList(visits.ViewScope, w.cust.ID), true},
		}
		rows := map[string]int{}
		for _, username := range apiWalkUsers {
			sub := apiSubject(t, a, username)
			c := newAPIClient(t, a, username)
			for _, tc := range cases {
				if strings.Contains(tc.path, "/customers/") {
					if _, err := a.Prospects.Customer(ctx, sub, w.cust.ID); err != nil {
						if r := c.get(tc.path); r.Status != 404 {
							t.Fatalf("%s %s: %d for a customer out of scope", username, tc.path, r.Status)
						}
						continue
					}
				}
				got := walkAll(t, c, tc.path)
				want := tc.portal(sub)
				if dup := firstDuplicate(got); dup != 0 {
					t.Fatalf("%s %s: row %d listed twice", username, tc.path, dup)
				}
				if tc.set {
					sortIDs(got)
					sortIDs(want)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s %s: the API listed %d rows, the portal %d\n api: %v\n portal: %v", username, tc.path, len(got), len(want), got, want)
				}
				rows[tc.path] += len(got)
			}
		}
		// Each list had rows to compare for someone (and more than one page).
		for _, tc := range cases {
			if rows[tc.path] < 2 {
				t.Errorf("%s: %d rows over all users: the comparison proves nothing", tc.path, rows[tc.path])
			}
		}
	})
}

// TestAPINewListsStableUnderInserts: an opportunity added between two
// pages of the list (newest first) neither repeats a row nor loses one.
func TestAPINewListsStableUnderInserts(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		liwei := apiSubject(t, a, "liwei")
		before, _, err := a.Prospects.ListOpportunities(ctx, liwei, prospects.OpportunityFilter{Limit: 1_000_000})
		must(t, err)
		if len(before) < 6 {
			t.Fatalf("only %d opportunities", len(before))
		}
		c := newAPIClient(t, a, "liwei")
		var seen []uint
		next := "/api/v1/opportunities?limit=3"
		for i := 0; next != ""; i++ {
			r := c.get(next)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", next, r.Status, r.Body)
			}
			seen = append(seen, ids(t, r)...)
			var page struct {
				Next  *string `json:"next_cursor"`
				Total int64   `json:"total"`
			}
			r.JSON(t, &page)
			if i == 0 && page.Total != int64(len(before)) {
				t.Fatalf("total %d, want %d", page.Total, len(before))
			}
			next = ""
			if page.Next != nil {
				next = "/api/v1/opportunities?limit=3&cursor=" + *page.Next
			}
			if i < 2 {
				// A new opportunity (and an update of one already read)
				// lands before the cursor in "last updated first".
				_, err := a.Prospects.CreateOpportunity(ctx, liwei, prospects.OpportunityInput{CustomerID: before[0].CustomerID,
					Title: fmt.Sprintf("插入的商机 %d", i), Stage: prospects.StageIdentified, Monthly: "100", OneTime: "0"})
				must(t, err)
			}
		}
		if dup := firstDuplicate(seen); dup != 0 {
			t.Fatalf("opportunity %d listed twice", dup)
		}
		got := map[uint]bool{}
		for _, id := range seen {
			got[id] = true
		}
		for _, o := range before {
			if !got[o.ID] {
				t.Fatalf("opportunity %d lost while paging", o.ID)
			}
		}
	})
}

// TestAPIReadResources: needs, proposals (with the PDF) and contracts read
// by id carry their ETag and the portal's figures; out of scope is 404 for
// each; filters the list does not know are a 422 naming them; the
// per-customer key persons and opportunities are paged by id.
func TestAPIReadResources(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		liwei := apiSubject(t, a, "liwei")
		w := walkRecordsOf(t, a, liwei)
		c := newAPIClient(t, a, "liwei")
		other := newAPIClient(t, a, "zhoujie")

		r := c.get("/api/v1/needs/" + itoa(w.need))
		var n api.Need
		r.JSON(t, &n)
		need, _, err := a.Needs.Need(ctx, liwei, w.need, "read")
		must(t, err)
		if r.Status != 200 || r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, need.Version) || n.Description != need.Description || n.CustomerID != w.cust.ID {
			t.Fatalf("need: %d %s %+v", r.Status, r.Header.Get("ETag"), n)
		}

		r = c.get("/api/v1/proposals/" + itoa(w.proposal))
		var p api.Proposal
		r.JSON(t, &p)
		d2, err := a.Proposals.Get(ctx, liwei, w.proposal)
		must(t, err)
		if r.Status != 200 || r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, d2.P.LockVersion) || p.TotalFen != int64(d2.P.TotalFen) ||
			p.TotalYuan != d2.P.TotalFen.Plain() || len(p.Lines) != len(d2.Lines) || p.Background == nil {
			t.Fatalf("proposal: %d %+v", r.Status, p)
		}
		var sum int64
		for _, l := range p.Lines {
			sum += l.TotalFen
		}
		if len(p.Lines) > 0 && sum != p.TotalFen {
			t.Fatalf("the lines add up to %d, the proposal says %d", sum, p.TotalFen)
		}
		pdf := c.get("/api/v1/proposals/" + itoa(w.proposal) + "/pdf")
		if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf.Body), "%PDF") ||
			!strings.Contains(pdf.Header.Get("Content-Disposition"), d2.P.Number) {
			t.Fatalf("pdf: %d %s %s", pdf.Status, pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Disposition"))
		}
		// The portal's download is the same file name.
		page := loggedIn(t, a, "liwei").Get("/proposals/" + itoa(w.proposal) + "/pdf")
		if page.Status != 200 || page.Header.Get("Content-Disposition") != pdf.Header.Get("Content-Disposition") {
			t.Fatalf("portal pdf: %d %q vs %q", page.Status, page.Header.Get("Content-Disposition"), pdf.Header.Get("Content-Disposition"))
		}

		r = c.get("/api/v1/contracts/" + itoa(w.contract))
		var k api.Contract
		r.JSON(t, &k)
		kd, err := a.Contracts.Get(ctx, liwei, w.contract)
		must(t, err)
		if r.Status != 200 || r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, kd.C.Version) || k.Number != kd.C.Number ||
			k.EndOn != kd.C.EndOn.UTC().Format("2006-01-02") || len(k.Lines) != len(kd.Lines) || k.TotalFen != int64(kd.C.TotalFen) {
			t.Fatalf("contract: %d %+v", r.Status, k)
		}

		for _, path := range []string{"/needs/" + itoa(w.need), "/proposals/" + itoa(w.proposal), "/proposals/" + itoa(w.proposal) + "/pdf",
			"/contracts/" + itoa(w.contract), "/customers/" + itoa(w.cust.ID) + "/needs", "/customers/" + itoa(w.cust.ID) + "/proposals",
			"/customers/" + itoa(w.cust.ID) + "/visits"} {
			if r := other.get("/api/v1" + path); r.Status != 404 {
				t.Fatalf("another team's manager, %s: %d", path, r.Status)
			}
		}
		for _, path := range []string{"/needs?status=done", "/needs?sort=size", "/opportunities?close=2026-13", "/opportunities?stage=x",
			"/contracts?min_fen=-1", "/proposals?order=up", "/visits?from=2026-02-30", "/targets?month=2026-13", "/reports/funnel?period=week",
			"/reports/funnel?manager=3"} {
			p := c.get("/api/v1" + path).Problem(t)
			if p.Status != 422 || len(p.Errors) == 0 {
				t.Fatalf("%s: %+v", path, p)
			}
		}
		stale := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"updated","d":true,"k":["2026-01-01T00:00:00Z",1]}`))
		if r := c.get("/api/v1/needs?cursor=" + stale); r.Status != 200 {
			t.Fatalf("a cursor of the list's sort: %d %s", r.Status, r.Body)
		}
		if p := c.get("/api/v1/needs?sort=priority&cursor=" + stale).Problem(t); p.Status != 400 {
			t.Fatalf("a cursor of another sort: %+v", p)
		}
		// A customer's key persons, one at a time, in the order added.
		cts, err := a.Prospects.Contacts(ctx, liwei, w.cust.ID)
		must(t, err)
		got := walkAll(t, c, "/api/v1/customers/"+itoa(w.cust.ID)+"/contacts?limit=1")
		if len(got) != len(cts) {
			t.Fatalf("key persons: %v of %d", got, len(cts))
		}
		for i := 1; i < len(got); i++ {
			if got[i] <= got[i-1] {
				t.Fatalf("key persons not in id order: %v", got)
			}
		}
		ops, err := a.Prospects.Opportunities(ctx, liwei, w.cust.ID)
		must(t, err)
		if got := walkAll(t, c, "/api/v1/customers/"+itoa(w.cust.ID)+"/opportunities?limit=1"); len(got) != len(ops) || firstDuplicate(got) != 0 {
			t.Fatalf("opportunities: %v of %d", got, len(ops))
		}
	})
}

// TestAPIFigures: the target grid and each report answer the figures the
// portal's services compute for the same viewer and filter, and the
// policy decides who may read them.
func TestAPIFigures(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		for _, username := range []string{"wangjianguo", "zhaomin", "liwei"} {
			sub := apiSubject(t, a, username)
			c := newAPIClient(t, a, username)
			m := a.Targets.CurrentMonth()
			g, err := a.Targets.Grid(ctx, sub, m, "name", false)
			must(t, err)
			r := c.get("/api/v1/targets?month=" + m.String())
			var grid api.TargetGrid
			r.JSON(t, &grid)
			if r.Status != 200 || grid.Month != m.String() || len(grid.Rows) != len(g.Rows) || len(g.Rows) == 0 {
				t.Fatalf("%s targets: %d %d rows, want %d", username, r.Status, len(grid.Rows), len(g.Rows))
			}
			for i, row := range g.Rows {
				for j, l := range row.Lines {
					got := grid.Rows[i].Lines[j]
					if grid.Rows[i].OwnerID != row.Person.ID || got.Key != l.Def.Key || got.Target != l.Target || got.Actual != l.Actual {
						t.Fatalf("%s targets row %d line %s: %+v, want %+v", username, i, l.Def.Key, got, l)
					}
				}
			}
			for _, key := range []string{"funnel", "forecast", "attainment", "coverage", "velocity", "activity", "expiring"} {
				r := c.get("/api/v1/reports/" + key + "?period=year")
				var rep api.Report
				r.JSON(t, &rep)
				if r.Status != 200 || rep.Key != key || rep.Filter.Period != "year" {
					t.Fatalf("%s report %s: %d %s", username, key, r.Status, r.Body)
				}
				f, err := a.Reports.ParseFilter(map[string][]string{"period": {"year"}})
				must(t, err)
				want, err := a.Reports.Build(ctx, sub, key, f, func(id string, args ...any) string { return a.Server.I18n.T("zh-CN", id, args...) })
				must(t, err)
				if len(rep.Tables) != len(want.Tables) {
					t.Fatalf("%s report %s: %d tables, want %d", username, key, len(rep.Tables), len(want.Tables))
				}
				for i, tb := range want.Tables {
					if len(rep.Tables[i].Rows) != len(tb.Rows) {
						t.Fatalf("%s report %s table %d: %d rows, want %d", username, key, i, len(rep.Tables[i].Rows), len(tb.Rows))
					}
					for j, row := range tb.Rows {
						for k, cell := range row {
							if rep.Tables[i].Rows[j][k].Text != cell.Show() {
								t.Fatalf("%s report %s [%d][%d][%d]: %q, want %q", username, key, i, j, k, rep.Tables[i].Rows[j][k].Text, cell.Show())
							}
						}
					}
				}
			}
		}
		// The admin reads reports but has no targets (policy).
		admin := newAPIClient(t, a, "admin")
		if p := admin.get("/api/v1/targets").Problem(t); p.Status != 403 {
			t.Fatalf("admin targets: %+v", p)
		}
		if r := admin.get("/api/v1/reports/funnel"); r.Status != 200 {
			t.Fatalf("admin funnel: %d", r.Status)
		}
	})
}
