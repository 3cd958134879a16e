package targets

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestActuals counts each line from records inside and outside November
// 2026 in Asia/Shanghai (23:59 on the last day is in, 00:01 on the first
// of the next month is out, and the other way round at the start) and
// inside and outside each viewer's scope, on PostgreSQL and SQLite.
func TestActuals(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		li, zj, zhou := w.custA["liwei"], w.custA["zhangjing"], w.custA["zhoujie"]
		liC := w.custC["liwei"]
		in1, in2 := sh(2026, 11, 1, 0, 1), sh(2026, 11, 30, 23, 59)
		out1, out2 := sh(2026, 10, 31, 23, 59), sh(2026, 12, 1, 0, 1)

		// visits: done in month (A and C customers), one planned, one
		// outside at each end, one to a colleague's customer.
		w.visit("liwei", li, in1, "done")
		w.visit("liwei", liC, in2, "done")
		w.visit("liwei", li, sh(2026, 11, 15, 9, 0), "planned")
		w.visit("liwei", li, out1, "done")
		w.visit("liwei", li, out2, "done")
		w.visit("liwei", zj, sh(2026, 11, 12, 9, 0), "done") // zhangjing's customer: liwei cannot open it
		w.visit("zhoujie", zhou, in2, "done")                // other team
		// contacts
		w.contact("liwei", li, in1)
		w.contact("liwei", liC, in2)
		w.contact("liwei", li, out2)
		w.contact("zhangjing", li, in2) // created by someone else
		// opportunities
		w.opp("liwei", li, "won", in2, 1234_56)
		w.opp("liwei", liC, "won", in1, 1000_00)
		w.opp("liwei", li, "won", out2, 9999_00)
		w.opp("liwei", li, "lost", in2, 5000_00)
		w.opp("liwei", li, "negotiation", in2, 5000_00)
		// proposals: two versions of one sent in the month count once
		w.proposal("liwei", li, "P-1", 1, &in1)
		w.proposal("liwei", li, "P-1", 2, &in2)
		w.proposal("liwei", li, "P-2", 1, &out1)
		w.proposal("liwei", li, "P-3", 1, nil)
		w.proposal("liwei", li, "P-1", 3, &out2) // P-1 again in December: counts there too

		m := w.month("2026-11")
		want := map[string]Values{
			// as the manager sees his own records
			"liwei": {LineVisits: 2, LineABVisits: 1, LineContacts: 2, LineSignings: 2, LineMRC: 2234_56, LineProposals: 1},
			// the chief rep sees the visit at the colleague's customer too
			"zhaomin":     {LineVisits: 3, LineABVisits: 2, LineContacts: 2, LineSignings: 2, LineMRC: 2234_56, LineProposals: 1},
			"wangjianguo": {LineVisits: 3, LineABVisits: 2, LineContacts: 2, LineSignings: 2, LineMRC: 2234_56, LineProposals: 1},
			// another team's chief rep and another branch's director see none of it
			"sunli":       {},
			"liuzhiqiang": {},
		}
		for viewer, wv := range want {
			got, err := w.svc.Actuals(context.Background(), w.users[viewer], []uint{w.users["liwei"].ID}, m)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range Lines {
				if g := got[w.users["liwei"].ID][l.Key]; g != wv[l.Key] {
					t.Errorf("%s sees %s = %d, want %d", viewer, l.Key, g, wv[l.Key])
				}
			}
		}
		// December starts at 00:00 Shanghai: the 00:01 records are there.
		dec, err := w.svc.Actuals(context.Background(), w.users["liwei"], []uint{w.users["liwei"].ID}, w.month("2026-12"))
		if err != nil {
			t.Fatal(err)
		}
		if v := dec[w.users["liwei"].ID]; v[LineVisits] != 1 || v[LineContacts] != 1 || v[LineSignings] != 1 || v[LineMRC] != 9999_00 {
			t.Errorf("December: %v", v)
		}
		// October to December counted together give each month's own
		// actuals: the records at either end of November land in the
		// month they were made in.
		months := []Month{w.month("2026-10"), m, w.month("2026-12")}
		for _, viewer := range []string{"liwei", "wangjianguo", "admin"} {
			together, err := w.svc.actualsOf(context.Background(), w.users[viewer], []uint{w.users["liwei"].ID}, months, false)
			if err != nil {
				t.Fatal(err)
			}
			// Summed, the quarter is its months added up: P-1 counts in
			// November and in December.
			summed, err := w.svc.actualsOf(context.Background(), w.users[viewer], []uint{w.users["liwei"].ID}, months, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(summed) != 1 {
				t.Fatalf("%s: summed gave %d periods", viewer, len(summed))
			}
			sums := Values{}
			var nonzero int
			for i, mo := range months {
				alone, err := w.svc.Actuals(context.Background(), w.users[viewer], []uint{w.users["liwei"].ID}, mo)
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range Lines {
					id := w.users["liwei"].ID
					if together[i][id][l.Key] != alone[id][l.Key] {
						t.Errorf("%s, %s %s: %d counted with the quarter, %d alone", viewer, mo, l.Key, together[i][id][l.Key], alone[id][l.Key])
					}
					if alone[id][l.Key] != 0 {
						nonzero++
					}
					sums[l.Key] += alone[id][l.Key]
				}
			}
			if nonzero < 6 {
				t.Errorf("%s: only %d lines counted anything over the three months: the check proves little", viewer, nonzero)
			}
			for _, l := range Lines {
				if got := summed[0][w.users["liwei"].ID][l.Key]; got != sums[l.Key] {
					t.Errorf("%s, the quarter's %s: %d summed, %d month by month", viewer, l.Key, got, sums[l.Key])
				}
			}
			if sums[LineProposals] != 3 {
				t.Errorf("%s: %d proposals over the quarter month by month, want P-2 in October, P-1 in November and again in December", viewer, sums[LineProposals])
			}
		}
		// A list of owners too long to name in the statements
		// (db.OwnedByAny): liwei's actuals are what they are alone, and
		// every other row read — zhoujie's visit, zhangjing's key
		// person — is left out.
		long := []uint{w.users["liwei"].ID}
		for i := range 300 {
			long = append(long, uint(9_000_000+i))
		}
		for _, viewer := range []string{"liwei", "admin"} {
			short, err := w.svc.Actuals(context.Background(), w.users[viewer], long[:1], m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.svc.Actuals(context.Background(), w.users[viewer], long, m)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(long) || !maps.Equal(got[long[0]], short[long[0]]) || short[long[0]][LineVisits] == 0 {
				t.Errorf("%s: %d owners of %d asked; liwei %v in a long list, %v alone", viewer, len(got), len(long), got[long[0]], short[long[0]])
			}
			for _, id := range long[1:] {
				if len(got[id]) != 0 && got[id][LineVisits]+got[id][LineContacts] != 0 {
					t.Errorf("%s: nobody's id %d counted %v", viewer, id, got[id])
				}
			}
		}
		// A contract source, once wired, replaces the won opportunities.
		w.svc.SetContracts(func(ctx context.Context, viewer authz.Subject, owners []uint, bounds []time.Time) ([]map[uint]Signed, error) {
			if len(bounds) != 2 || !bounds[0].Equal(m.Start()) || !bounds[1].Equal(m.End()) {
				t.Errorf("contract source got %v", bounds)
			}
			return []map[uint]Signed{{owners[0]: {Count: 7, MRCFen: 70_00}}}, nil
		})
		got, err := w.svc.Actuals(context.Background(), w.users["liwei"], []uint{w.users["liwei"].ID}, m)
		if err != nil {
			t.Fatal(err)
		}
		if v := got[w.users["liwei"].ID]; v[LineSignings] != 7 || v[LineMRC] != 70_00 || v[LineVisits] != 2 {
			t.Errorf("with contracts: %v", v)
		}
	})
}

func TestProposeFromQuota(t *testing.T) {
	cases := []struct {
		annual int64
		uplift int
		money  bool
		want   int64
	}{
		{120, 10, false, 11}, // 10 + 10 % = 11 exactly
		{100, 10, false, 10}, // 8.33 × 1.1 = 9.17 → 10 (never below the share)
		{12, 10, false, 2},   // 1 × 1.1 = 1.1 → 2
		{0, 10, false, 0},    // no quota, no proposal
		{12, 0, false, 1},    // no uplift: the share
		{1_200_000_00, 10, true, 110_000_00},
		{1_000_000_00, 10, true, 91_666_67 + 33}, // 91,666.67 → ¥91,667.00 (whole yuan up)
	}
	for _, c := range cases {
		if got := ProposeFromQuota(c.annual, c.uplift, c.money); got != c.want {
			t.Errorf("ProposeFromQuota(%d, %d, %v) = %d, want %d", c.annual, c.uplift, c.money, got, c.want)
		}
	}
	if got := ProposeFromLast(9, 10, false); got != 10 {
		t.Errorf("last 9 + 10 %% = %d, want 10", got)
	}
	if got := ProposeFromLast(1000_50, 10, true); got != 1101_00 {
		t.Errorf("last ¥1000.50 + 10 %% = %d, want ¥1101.00", got)
	}
}

func TestParseValue(t *testing.T) {
	visits, _ := lineDef(LineVisits)
	mrc, _ := lineDef(LineMRC)
	cases := []struct {
		l    LineDef
		in   string
		want int64
		err  string
	}{
		{visits, "12", 12, ""},
		{visits, "", 0, ""},
		{visits, "-1", 0, "targets.err.negative"},
		{visits, "1.5", 0, "targets.err.whole"},
		{visits, "10000", 0, "targets.err.too_big.visits"},
		{mrc, "12,345.67", 12345_67, ""},
		{mrc, "0.005", 0, "targets.err.amount"},
		{mrc, "-3", 0, "targets.err.negative"},
		{mrc, "99999999", 0, "targets.err.too_big.mrc"},
	}
	for _, c := range cases {
		got, msg := ParseValue(c.l, c.in)
		if got != c.want || msg != c.err {
			t.Errorf("ParseValue(%s, %q) = %d %q, want %d %q", c.l.Key, c.in, got, msg, c.want, c.err)
		}
	}
}

func row(owner uint, version int, visits string) TargetInput {
	return TargetInput{OwnerID: owner, Version: version, Values: map[string]string{LineVisits: visits, LineMRC: "5000"}}
}

// TestSetTargetsAndLocking: the chief rep sets the team's next month; once
// the month has started only the director may change it, with a reason
// that lands in the audit trail; bad values change nothing.
func TestSetTargetsAndLocking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		dec := w.month("2026-12")
		li, zj := w.users["liwei"].ID, w.users["zhangjing"].ID
		chief, dir := w.users["zhaomin"], w.users["wangjianguo"]

		// Bad values: a clear error per cell, and nothing saved.
		_, err := w.svc.SaveTargets(ctx, chief, dec, []TargetInput{row(li, 0, "8"), row(zj, 0, "10000")}, "")
		f, ok := apperr.AsFields(err)
		if !ok || f[FieldKey(zj, LineVisits)] != "targets.err.too_big.visits" {
			t.Fatalf("want a too-big error, got %v", err)
		}
		if ts, _ := w.svc.store.Targets(ctx, w.svc.enf.ListScope(chief, "target", "read"), []string{"2026-12"}, nil); len(ts) != 0 {
			t.Fatalf("a failed grid saved %d rows", len(ts))
		}
		// A manager of another team is not the chief rep's: 404, nothing saved.
		if _, err := w.svc.SaveTargets(ctx, chief, dec, []TargetInput{row(li, 0, "8"), row(w.users["zhoujie"].ID, 0, "8")}, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other team: want ErrNotFound, got %v", err)
		}
		n, err := w.svc.SaveTargets(ctx, chief, dec, []TargetInput{row(li, 0, "8"), row(zj, 0, "9")}, "")
		if err != nil || n != 2 {
			t.Fatalf("save: %d %v", n, err)
		}
		tg, _ := w.svc.store.TargetFor(ctx, li, "2026-12")
		if tg.Visits != 8 || tg.MRCFen != 5000_00 || tg.TeamID != w.users["liwei"].TeamID {
			t.Fatalf("saved %+v", tg)
		}
		// A stale version is a conflict.
		if _, err := w.svc.SaveTargets(ctx, chief, dec, []TargetInput{row(li, 0, "9")}, ""); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		// The month starts (00:00 Shanghai): locked for the chief rep.
		w.now = sh(2026, 12, 1, 0, 0)
		_, err = w.svc.SaveTargets(ctx, chief, dec, []TargetInput{row(li, tg.Version, "5")}, "")
		if f, ok := apperr.AsFields(err); !ok || f["_form"] != "targets.err.locked" {
			t.Fatalf("locked: %v", err)
		}
		// The director needs a reason …
		_, err = w.svc.SaveTargets(ctx, dir, dec, []TargetInput{row(li, tg.Version, "5")}, " ")
		if f, ok := apperr.AsFields(err); !ok || f["reason"] != "targets.err.reason" {
			t.Fatalf("reason: %v", err)
		}
		// … and with one, the change is made and audited with it.
		if _, err := w.svc.SaveTargets(ctx, dir, dec, []TargetInput{row(li, tg.Version, "5")}, "客户项目延期"); err != nil {
			t.Fatal(err)
		}
		var changes string
		d.Gorm.Raw("SELECT changes FROM audit_log WHERE entity = 'monthly_target' AND entity_id = ? AND action = 'override'", tg.ID).Scan(&changes)
		if !strings.Contains(changes, "客户项目延期") || !strings.Contains(changes, `"visits"`) {
			t.Fatalf("audit of the override: %q", changes)
		}
		// Before the month, the chief rep's November (already started) was locked too.
		if _, err := w.svc.SaveTargets(ctx, chief, w.month("2026-11"), []TargetInput{row(li, 0, "5")}, ""); err == nil {
			t.Fatal("a started month accepted the chief rep's targets")
		}
	})
}

// TestSetFormProposes checks the proposal from the manager's quota, the
// team quota split among its managers, and last month's result.
func TestSetFormProposes(t *testing.T) {
	w := newWorld(t, testkit.SQLite(t))
	ctx := context.Background()
	dir := w.users["wangjianguo"]
	li := w.users["liwei"]
	if _, err := w.svc.SaveQuotas(ctx, dir, 2026, []QuotaInput{
		{OwnerID: li.ID, Field: "a", Values: map[string]string{LineVisits: "120", LineSignings: "24", LineMRC: "1200000"}},
		{TeamID: li.TeamID, Field: "b", Values: map[string]string{LineVisits: "480", LineSignings: "0", LineMRC: "0"}},
	}); err != nil {
		t.Fatal(err)
	}
	// the chief rep may not set the team's own quota
	if _, err := w.svc.SaveQuotas(ctx, w.users["zhaomin"], 2026, []QuotaInput{{TeamID: li.TeamID, Field: "b", Values: map[string]string{LineVisits: "1"}}}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("chief rep set the team quota: %v", err)
	}
	w.contact("liwei", w.custA["liwei"], sh(2026, 11, 5, 10, 0)) // last month: 1 new contact
	g, err := w.svc.SetForm(ctx, w.users["zhaomin"], w.month("2026-12"))
	if err != nil {
		t.Fatal(err)
	}
	var liRow, zjRow *SetRow
	for i := range g.Rows {
		switch g.Rows[i].Person.ID {
		case li.ID:
			liRow = &g.Rows[i]
		case w.users["zhangjing"].ID:
			zjRow = &g.Rows[i]
		}
	}
	if liRow == nil || zjRow == nil || len(g.Rows) != 4 {
		t.Fatalf("rows: %d", len(g.Rows))
	}
	if liRow.Values[LineVisits] != 11 || liRow.Values[LineSignings] != 3 || liRow.Values[LineMRC] != 110_000_00 || liRow.Values[LineContacts] != 2 {
		t.Errorf("liwei's proposal from his quota: %v", liRow.Values)
	}
	// team quota 480 visits over 4 managers = 120 each → 11 a month
	if zjRow.Values[LineVisits] != 11 {
		t.Errorf("zhangjing's proposal from the team quota: %v", zjRow.Values)
	}
	if g.Locked {
		t.Error("next month is not locked")
	}
}

func TestUpliftOption(t *testing.T) {
	zero, neg := 0, -5
	if s := NewService(nil, nil, nil, nil, Options{UpliftPct: &zero}); s.UpliftPct() != 0 {
		t.Errorf("0 %% uplift became %d", s.UpliftPct())
	}
	if s := NewService(nil, nil, nil, nil, Options{}); s.UpliftPct() != DefaultUpliftPct {
		t.Errorf("default uplift %d", s.UpliftPct())
	}
	if s := NewService(nil, nil, nil, nil, Options{UpliftPct: &neg}); s.UpliftPct() != DefaultUpliftPct {
		t.Errorf("negative uplift %d", s.UpliftPct())
	}
}

// TestTargetGridsAreTheGridsTargets: the targets-only read of several
// months gives, month by month, the same people and targets as Grid, with
// no actuals; for each role's scope.
func TestTargetGridsAreTheGridsTargets(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		li, zj := w.users["liwei"].ID, w.users["zhangjing"].ID
		months := []Month{w.month("2026-12"), w.month("2027-01")}
		if _, err := w.svc.SaveTargets(ctx, w.users["zhaomin"], months[0], []TargetInput{row(li, 0, "8"), row(zj, 0, "9")}, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SaveTargets(ctx, w.users["zhaomin"], months[1], []TargetInput{row(li, 0, "12")}, ""); err != nil {
			t.Fatal(err)
		}
		w.visit("liwei", w.custA["liwei"], sh(2026, 12, 3, 10, 0), "done")
		for _, who := range []string{"liwei", "zhaomin", "wangjianguo", "zhoujie"} {
			grids, err := w.svc.TargetGrids(ctx, w.users[who], months)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range months {
				want, err := w.svc.Grid(ctx, w.users[who], m, "name", false)
				if err != nil {
					t.Fatal(err)
				}
				got := grids[m]
				if got == nil || len(got.Rows) != len(want.Rows) {
					t.Fatalf("%s %s: %v rows, Grid has %d", who, m, got, len(want.Rows))
				}
				for i, r := range got.Rows {
					if r.Person.ID != want.Rows[i].Person.ID {
						t.Fatalf("%s %s row %d: %s, Grid has %s", who, m, i, r.Person.Name, want.Rows[i].Person.Name)
					}
					for j, l := range r.Lines {
						if l.Target != want.Rows[i].Lines[j].Target || l.Has != want.Rows[i].Lines[j].Has || l.Actual != 0 {
							t.Fatalf("%s %s %s %s: %+v, Grid has %+v", who, m, r.Person.Name, l.Def.Key, l, want.Rows[i].Lines[j])
						}
					}
				}
			}
		}
		// The lean read the grids use gives the same targets as the
		// full one, field by field, but who set them when.
		keys := []string{months[0].String(), months[1].String()}
		full, err := w.svc.store.Targets(ctx, w.svc.enf.Unrestricted(w.users["admin"], "target", "read"), keys, []uint{li, zj})
		if err != nil {
			t.Fatal(err)
		}
		lean, err := w.svc.store.TargetLines(ctx, w.svc.enf.Unrestricted(w.users["admin"], "target", "read"), keys, []uint{li, zj})
		if err != nil {
			t.Fatal(err)
		}
		if len(full) != 3 || len(lean) != len(full) {
			t.Fatalf("%d targets, %d lean; want 3 each", len(full), len(lean))
		}
		for i := range full {
			f := full[i]
			f.CreatedBy, f.UpdatedBy, f.CreatedAt, f.UpdatedAt = nil, nil, time.Time{}, time.Time{}
			if lean[i] != f || f.MRCFen != 5000_00 {
				t.Errorf("target %d: lean %+v, full %+v", i, lean[i], f)
			}
		}
		// The December visit is an actual of the grid, not of the targets-only read.
		g, _ := w.svc.Grid(ctx, w.users["liwei"], months[0], "name", false)
		if g.Rows[0].Lines[0].Actual == 0 {
			t.Fatal("the grid shows no actual: the comparison above proves nothing about actuals")
		}
	})
}
