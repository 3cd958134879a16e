package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/todos"
	"github.com/jike-crm/jike/modules/visits"
	"gorm.io/gorm"
)

// stampedTables are the tables with a created_at or updated_at column,
// with the number of rows each holds (what the migrations put there).
func stampedTables(t *testing.T, d *db.DB) map[string]int64 {
	t.Helper()
	tables, err := d.Gorm.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, tbl := range tables {
		if tbl == "goose_db_version" {
			continue
		}
		cols, err := d.Gorm.Migrator().ColumnTypes(tbl)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(cols, func(c gorm.ColumnType) bool { return c.Name() == "created_at" || c.Name() == "updated_at" }) {
			continue
		}
		var n int64
		if err := d.Gorm.Table(tbl).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

// TestGormStampsTheAppClock: GORM's automatic created_at/updated_at read
// the app's clock (the one its services get), not the system clock, in
// every module — not only in the stores that pass the instant themselves.
// With a fake clock in 2030, a day of work through the services and the
// portal (catalogue products, a customer with a key person and an
// opportunity, a proposal through approval, a contract through signing, a
// visit plan, a need, a to-do, a service request, a signed-in session)
// leaves no row in any table stamped at another time. It failed before
// the app's *gorm.DB took its NowFunc from appOptions.Now (customers,
// opportunities, needs, plans, contracts, to-dos… carried the system's
// time).
func TestGormStampsTheAppClock(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := stampedTables(t, d)
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		clk := &fakeClock{t: at}
		w := newContractWorld(t, d, func(o *appOptions) { o.Now = clk.Now })
		a := w.a
		am := subject(t, a, "liwei")
		if c := w.signed(t); c.CreatedAt.IsZero() {
			t.Fatal("no contract")
		}
		if _, err := a.Visits.CreatePlan(ctx, am, visits.PlanInput{CustomerID: w.cu.ID, Date: "2030-01-05", Time: "10:00", Kind: "care", Objective: "回访"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Needs.SaveNeed(ctx, am, w.cu.ID, 0, needs.NeedInput{Category: "dedicated_line", Description: "再加一条专线", Priority: "high"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Todos.Create(ctx, am, todos.Input{Title: "准备续约材料", Date: "2030-01-03"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Aftersale.CreateRequest(ctx, am, aftersale.RequestInput{CustomerID: w.cu.ID, Kind: "request", Category: "billing",
			Severity: "normal", Channel: "phone", Description: "发票抬头"}); err != nil {
			t.Fatal(err)
		}
		// And through the portal: a session, and a to-do made by a form.
		c := loggedIn(t, a, "zhaomin")
		if res := c.PostForm("/todos", url.Values{"title": {"门户里记的待办"}, "date": {"2030-01-04"}}); res.Status >= http.StatusBadRequest {
			t.Fatalf("new to-do: %d", res.Status)
		}

		type stamps struct {
			CreatedAt *time.Time
			UpdatedAt *time.Time
		}
		checked := 0
		for tbl, had := range stampedTables(t, d) {
			cols, _ := d.Gorm.Migrator().ColumnTypes(tbl)
			var sel []string
			for _, col := range cols {
				if col.Name() == "created_at" || col.Name() == "updated_at" {
					sel = append(sel, col.Name())
				}
			}
			var rows []stamps
			if err := d.Gorm.Table(tbl).Select(sel).Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			other := 0
			for _, r := range rows {
				if (r.CreatedAt != nil && !r.CreatedAt.Equal(at)) || (r.UpdatedAt != nil && !r.UpdatedAt.Equal(at)) {
					other++
					if other > int(before[tbl]) {
						t.Errorf("%s: a row stamped %v / %v, not the app's clock %s", tbl, fmtTime(r.CreatedAt), fmtTime(r.UpdatedAt), at)
						break
					}
				}
			}
			if had > before[tbl] {
				checked++
			}
		}
		// The day's work reached many tables; all of them were looked at.
		if checked < 12 {
			t.Errorf("only %d tables gained rows", checked)
		}
	})
}

func fmtTime(p *time.Time) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprint(p.UTC())
}
