package main

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/targets"
)

// TestSignedContractCountsInTargets: a signed contract is a signing and
// brings its monthly fee as new MRC on its owner's monthly targets, and
// only for viewers who may read its customer.
func TestSignedContractCountsInTargets(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		am := subject(t, w.a, "liwei")
		m := targets.MonthOf(time.Now(), time.UTC)
		actuals := func(viewer string) targets.Values {
			t.Helper()
			v, err := w.a.Targets.Actuals(ctx, subject(t, w.a, viewer), []uint{am.ID}, m)
			if err != nil {
				t.Fatal(err)
			}
			return v[am.ID]
		}
		before := actuals("liwei")
		c := w.signed(t)
		if c.MonthlyFen <= 0 {
			t.Fatalf("signed contract has no monthly fee: %d", c.MonthlyFen)
		}
		after := actuals("liwei")
		if got := after[targets.LineSignings] - before[targets.LineSignings]; got != 1 {
			t.Errorf("signings grew by %d, want 1", got)
		}
		if got := after[targets.LineMRC] - before[targets.LineMRC]; got != int64(c.MonthlyFen) {
			t.Errorf("new MRC grew by %d fen, want the contract's %d", got, c.MonthlyFen)
		}
		// The other branch's director counts none of it.
		if other := actuals("liuzhiqiang"); other[targets.LineSignings] != 0 || other[targets.LineMRC] != 0 {
			t.Errorf("the other branch's director sees liwei's signings: %v", other)
		}
		// Counted with the month before and after (a quarter's or a
		// year's attainment asks its months at once), each month has
		// what it has alone: the new contract in this one.
		bounds := []time.Time{m.Add(-1).Start(), m.Start(), m.End(), m.Add(1).End()}
		together, err := w.a.Contracts.SignedByOwner(ctx, am, []uint{am.ID}, bounds)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			alone, err := w.a.Contracts.SignedByOwner(ctx, am, []uint{am.ID}, bounds[i:i+2])
			if err != nil {
				t.Fatal(err)
			}
			if together[i][am.ID] != alone[0][am.ID] {
				t.Errorf("month %d of 3: %+v counted together, %+v alone", i, together[i][am.ID], alone[0][am.ID])
			}
		}
		if together[1][am.ID].Count < 1 || together[1][am.ID].NewMRC < int64(c.MonthlyFen) {
			t.Errorf("this month counted with its neighbours: %+v, want the new contract in it", together[1][am.ID])
		}

		// A list of owners too long to name in the statement
		// (db.OwnedByAny) counts those owners only: liwei and 300 ids of
		// nobody, while others signed contracts in the same years.
		admin := subject(t, w.a, "admin")
		years := []time.Time{m.Add(-36).Start(), m.Add(1).End()}
		theirs := w.signed(t) // signed again, and handed to a colleague
		if err := d.Gorm.Exec("UPDATE contracts SET owner_id = ? WHERE id = ?", subject(t, w.a, "zhangjing").ID, theirs.ID).Error; err != nil {
			t.Fatal(err)
		}
		var others int64
		if err := d.Gorm.Raw("SELECT COUNT(*) FROM contracts WHERE owner_id <> ? AND revision = 1 AND deleted_at IS NULL AND signed_at >= ? AND signed_at < ?",
			am.ID, years[0], years[1]).Scan(&others).Error; err != nil || others == 0 {
			t.Fatalf("no contract of another owner to leave out (%d, %v): the check proves nothing", others, err)
		}
		long := []uint{am.ID}
		for i := range 300 {
			long = append(long, uint(9_000_000+i))
		}
		got, err := w.a.Contracts.SignedByOwner(ctx, admin, long, years)
		if err != nil {
			t.Fatal(err)
		}
		short, err := w.a.Contracts.SignedByOwner(ctx, admin, []uint{am.ID}, years)
		if err != nil {
			t.Fatal(err)
		}
		if len(got[0]) != 1 || got[0][am.ID] != short[0][am.ID] || short[0][am.ID].Count < 1 {
			t.Errorf("owners of a long list: %v; liwei alone: %v", got[0], short[0])
		}
	})
}
