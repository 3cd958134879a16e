package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// homeWorld is the demo organisation with, for each of five customers, a
// contract in force signed two years ago two days from today and ending
// within the expiring window, a pending contract, an open need and a key
// person whose birthday is two days from today: the figures of the home
// panels whose statements migration 00029 indexes and caches (issue 19).
type homeWorld struct {
	a     *app
	today time.Time
	users map[string]authz.Subject
	cust  map[string]*prospects.Customer
}

// The customers: liwei's and zhangjing's (team 一部 of zhaomin, branch
// HRB of wangjianguo), zhoujie's (the branch's other team), gaoyuan's
// (the other branch, DQ) and one of liwei's that is deleted.
var homeCustomers = []struct{ key, owner string }{
	{"liwei", "liwei"}, {"zhangjing", "zhangjing"}, {"zhoujie", "zhoujie"}, {"gaoyuan", "gaoyuan"}, {"deleted", "liwei"},
}

// homeWant is, per demo role, which of homeCustomers the person sees.
var homeWant = map[string][]string{
	"liwei":       {"liwei"},
	"zhaomin":     {"liwei", "zhangjing"},
	"wangjianguo": {"liwei", "zhangjing", "zhoujie"},
	"admin":       {"liwei", "zhangjing", "zhoujie", "gaoyuan"},
}

func newHomeWorld(t *testing.T, d *db.DB) *homeWorld {
	t.Helper()
	ctx := context.Background()
	a := newTestApp(t, d)
	w := &homeWorld{a: a, today: a.Contracts.Today(), users: map[string]authz.Subject{}, cust: map[string]*prospects.Customer{}}
	byName := map[string]*org.User{}
	for _, name := range []string{"liwei", "zhangjing", "zhoujie", "gaoyuan", "zhaomin", "wangjianguo", "admin"} {
		u, err := a.Org.Store().UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		byName[name], w.users[name] = u, u.Subject()
	}
	g := d.Gorm
	for i, hc := range homeCustomers {
		o := byName[hc.owner]
		c := &prospects.Customer{Name: "首页客户" + hc.key, CreditCode: fmt.Sprintf("91230100HOME%05d", i), Industry: "gov", Grade: "A",
			Status: "active", OwnerID: o.ID, TeamID: *o.TeamID, BranchID: *o.BranchID, SearchText: "首页客户" + hc.key, Version: 1}
		if err := g.Create(c).Error; err != nil {
			t.Fatal(err)
		}
		w.cust[hc.key] = c
		w.addContract(t, c, fmt.Sprintf("HT-HOME-%d", i), contracts.StatusActive)
		w.addContract(t, c, fmt.Sprintf("HT-HOME-P%d", i), contracts.StatusPending) // waits for its chief rep
		if err := g.Create(&needs.Need{CustomerID: c.ID, Category: "dedicated_line", Description: "专线扩容", Priority: "high", Status: needs.StatusOpen,
			OwnerID: o.ID, Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		bday := time.Date(1980, w.today.Month(), w.today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
		if err := g.Create(&prospects.Contact{CustomerID: c.ID, Name: "联系人" + hc.key, Role: "decision", Attitude: "neutral",
			Birthday: &bday, Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Model(&prospects.Customer{}).Where("id = ?", w.cust["deleted"].ID).Update("deleted_at", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	return w
}

// addContract adds a current contract of c: in force (signed two years
// ago, two days from today's date, ending in 30 days) or pending.
func (w *homeWorld) addContract(t *testing.T, c *prospects.Customer, number, status string) {
	t.Helper()
	signed := w.today.AddDate(-2, 0, 2)
	k := &contracts.Contract{Number: number, Revision: 1, IsCurrent: true, CustomerID: c.ID, OwnerID: c.OwnerID, BranchID: c.BranchID,
		Title: "专线合同", Status: status, StartOn: signed, EndOn: w.today.AddDate(0, 0, 30), TermMonths: 24,
		PaymentTerms: "monthly", PaymentDueDay: 10, Version: 1}
	if status == contracts.StatusPending {
		now := time.Now()
		k.SubmittedAt, k.NeedsChief = &now, true
	} else {
		k.SignedOn = &signed
	}
	if err := w.a.DB.Gorm.Create(k).Error; err != nil {
		t.Fatal(err)
	}
}

// figures are a person's home panel figures from the customers above.
type homeFigures struct {
	expiring, needs, birthdays, anniversaries int
}

// figures reads the panels' figures as the panels do (the services they
// call), counting only this world's customers' care events.
func (w *homeWorld) figures(t *testing.T, name string) homeFigures {
	t.Helper()
	ctx := context.Background()
	me := w.users[name]
	var f homeFigures
	_, total, err := w.a.Contracts.Expiring(ctx, me, contracts.Filter{Limit: 8})
	if err != nil {
		t.Fatal(err)
	}
	f.expiring = int(total)
	n, err := w.a.Needs.CountNeeds(ctx, me, needs.StatusOpen)
	if err != nil {
		t.Fatal(err)
	}
	f.needs = int(n)
	evs, err := w.a.Aftersale.CareEvents(ctx, me, 7, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if !strings.HasPrefix(e.CustomerName, "首页客户") {
			continue
		}
		switch e.Kind {
		case "birthday":
			f.birthdays++
		case "anniversary":
			f.anniversaries++
		}
	}
	return f
}

// check compares every role's figures with what it sees (want: the
// customers per person; extra adds to every figure of the people who see
// the customer named by extraFor).
func (w *homeWorld) check(t *testing.T, step string, want map[string][]string, extraFor string) {
	t.Helper()
	for name, keys := range want {
		n := len(keys)
		exp := homeFigures{n, n, n, n}
		for _, k := range keys {
			if k == extraFor {
				exp.expiring++
				exp.needs++
			}
		}
		if got := w.figures(t, name); got != exp {
			t.Errorf("%s: %s's home figures %+v, want %+v", step, name, got, exp)
		}
	}
}

// TestHomePanelFigures checks the figures of the home panels that
// migration 00029 serves from new indexes and from the per-scope counts
// cache (the expiring contracts' count, the open needs' count, this
// week's birthdays and contract anniversaries) for each role, with a
// deleted customer's and the other branch's rows left out, and that the
// cached counts follow writes made by plain SQL (a new contract and need,
// a customer deleted, one moved to another branch) on both databases.
func TestHomePanelFigures(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newHomeWorld(t, d)
		g := d.Gorm
		w.check(t, "start", homeWant, "")
		w.check(t, "read again (cached)", homeWant, "")

		// A second contract in force and a second need for zhangjing's
		// customer: the cached counts of everyone who sees it move.
		w.addContract(t, w.cust["zhangjing"], "HT-HOME-X", contracts.StatusActive)
		if err := g.Exec("UPDATE contracts SET signed_on = NULL WHERE number = 'HT-HOME-X'").Error; err != nil {
			t.Fatal(err) // no second anniversary: only the counts change
		}
		if err := g.Create(&needs.Need{CustomerID: w.cust["zhangjing"].ID, Category: "idc_cloud", Description: "上云", Priority: "low",
			Status: needs.StatusOpen, OwnerID: w.cust["zhangjing"].OwnerID, Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		w.check(t, "after a contract and a need", homeWant, "zhangjing")

		// zhangjing's customer deleted: it leaves every figure.
		if err := g.Exec("UPDATE customers SET deleted_at = ? WHERE id = ?", time.Now(), w.cust["zhangjing"].ID).Error; err != nil {
			t.Fatal(err)
		}
		gone := map[string][]string{}
		for name, keys := range homeWant {
			for _, k := range keys {
				if k != "zhangjing" {
					gone[name] = append(gone[name], k)
				}
			}
		}
		w.check(t, "after a customer deleted", gone, "")

		// zhoujie's customer moved to the other branch: the director no
		// longer sees it, the admin still does.
		dq := w.cust["gaoyuan"]
		if err := g.Exec("UPDATE customers SET branch_id = ?, team_id = ?, owner_id = ? WHERE id = ?", dq.BranchID, dq.TeamID, dq.OwnerID, w.cust["zhoujie"].ID).Error; err != nil {
			t.Fatal(err)
		}
		gone["wangjianguo"] = []string{"liwei"}
		w.check(t, "after a customer moved to the other branch", gone, "")

		// The approvals queue (pending contracts, the new index's order):
		// the chief rep sees the pending contracts of his team's live
		// customers only (zhangjing's was deleted above).
		rows, err := w.a.Contracts.Queue(context.Background(), w.users["zhaomin"])
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			if strings.HasPrefix(r.Number, "HT-HOME-P") {
				got = append(got, r.CustomerName)
			}
		}
		if strings.Join(got, ",") != "首页客户liwei" {
			t.Errorf("chief rep's approval queue: %v, want only 首页客户liwei", got)
		}
	})
}

// TestHomePanelIndexes checks that the care events' month-day filters
// can use migration 00029's expression indexes on both databases (the
// expression the store writes must be the indexed one, character for
// character in meaning): without them a province's 300,000 key persons
// and 49,000 contracts were read for this week's few.
func TestHomePanelIndexes(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newHomeWorld(t, d)
		ctx := context.Background()
		// A year of birthdays and signing days (3,650 key persons, 1,825
		// contracts), analyzed, so that the planners weigh the indexes
		// on a table that is not trivially small.
		c := w.cust["liwei"]
		var people []prospects.Contact
		var deals []contracts.Contract
		for i := range 3650 {
			day := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
			people = append(people, prospects.Contact{CustomerID: c.ID, Name: fmt.Sprint("联系人", i), Role: "user", Attitude: "neutral", Birthday: &day, Version: 1})
			if i%2 == 0 {
				signed := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365)
				deals = append(deals, contracts.Contract{Number: fmt.Sprint("HT-YEAR-", i), Revision: 1, IsCurrent: true, CustomerID: c.ID,
					OwnerID: c.OwnerID, BranchID: c.BranchID, Title: "专线合同", Status: contracts.StatusActive, SignedOn: &signed, StartOn: signed,
					EndOn: signed.AddDate(10, 0, 0), TermMonths: 120, PaymentTerms: "monthly", PaymentDueDay: 10, Version: 1})
			}
		}
		if err := d.Gorm.CreateInBatches(people, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.CreateInBatches(deals, 200).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Exec("ANALYZE").Error; err != nil {
			t.Fatal(err)
		}
		rec := recordStatements(t, d, "home_panels:record")
		list := rec.during(func() {
			if _, err := w.a.Aftersale.CareEvents(ctx, w.users["admin"], 7, false); err != nil {
				t.Fatal(err)
			}
		})
		want := map[string]string{"contacts.birthday AS": "idx_contacts_birthday_md", "contracts.signed_on AS": "idx_contracts_signed_md"}
		for from, index := range want {
			var found *stmt
			for i := range list {
				if strings.Contains(list[i].SQL, from) && strings.Contains(list[i].SQL, "BETWEEN") {
					found = &list[i]
				}
			}
			if found == nil {
				t.Fatalf("no care statement reads %s", from)
			}
			plan := explainPlan(t, d, found.SQL, found.Vars)
			if !strings.Contains(plan, index) {
				t.Errorf("care events %s: the plan does not use %s:\n%s", from, index, plan)
			}
		}
	})
}

// explainPlan returns the plan of q: on PostgreSQL with sequential scans
// discouraged (the test's tables are small, so a scan could still win on
// cost and say nothing about whether the index can serve), on SQLite the
// query plan.
func explainPlan(t *testing.T, d *db.DB, q string, vars []any, pgSettings ...string) string {
	t.Helper()
	var lines []string
	err := d.Gorm.Transaction(func(tx *gorm.DB) error {
		explain := "EXPLAIN QUERY PLAN "
		if d.Dialect == db.Postgres {
			for _, set := range append([]string{"enable_seqscan = off"}, pgSettings...) {
				if err := tx.Exec("SET LOCAL " + set).Error; err != nil {
					return err
				}
			}
			explain = "EXPLAIN "
		}
		rows, err := tx.Raw(explain+q, vars...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			if err := rows.Scan(vals...); err != nil {
				return err
			}
			line := *(vals[len(vals)-1].(*any))
			if bs, ok := line.([]byte); ok {
				line = string(bs)
			}
			lines = append(lines, fmt.Sprint(line))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestHomeCountsUnreadOnce checks that the home page counts the bell's
// unread notifications at most once: each of its panels builds the page
// data, which counted them once per panel (a dozen statements per
// request). A notice just sent makes the page count (the kept count of
// notify.Service.Unread is stale) exactly once, and the bell shows it.
func TestHomeCountsUnreadOnce(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newHomeWorld(t, d)
		rec := recordStatements(t, d, "home_unread:record")
		for name := range homeWant {
			cl := loggedIn(t, w.a, name)
			if err := d.Gorm.Exec("INSERT INTO notifications (user_id, kind, msg_id, args, link, created_at) "+
				"SELECT id, 'test', 'notify.title', '{}', '', CURRENT_TIMESTAMP FROM users WHERE username = ?", name).Error; err != nil {
				t.Fatal(err)
			}
			var status int
			var body string
			list := rec.during(func() { r := cl.Get("/"); status, body = r.Status, r.Body })
			if status != 200 {
				t.Fatalf("%s's home: %d", name, status)
			}
			n := 0
			for _, s := range list {
				if strings.Contains(s.SQL, "notifications") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s's home counted the notifications %d times, want once", name, n)
			}
			if !strings.Contains(body, `class="bell bell-on"`) {
				t.Errorf("%s's home: a notice was sent, the bell does not show it", name)
			}
			// Nothing written since: the next look counts nothing.
			for _, s := range rec.during(func() { cl.Get("/") }) {
				if strings.Contains(s.SQL, "notifications") {
					t.Errorf("%s's second look counted the notifications again: %s", name, s.SQL)
				}
			}
		}
	})
}
