package prospects

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// ownerCountsTruth counts the live customers per part (” for all,
// 'i:<industry>', 'g:<grade>'), owner and branch, in Go: the definition
// the kept rows (customer_owner_counts, migration 00064) must match.
func ownerCountsTruth(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var rows []struct {
		OwnerID, BranchID uint
		Industry, Grade   string
	}
	if err := g.Raw(`SELECT owner_id, branch_id, industry, grade FROM customers WHERE deleted_at IS NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		for _, part := range []string{"", "i:" + r.Industry, "g:" + r.Grade} {
			out[fmt.Sprintf("%s/%d/%d", part, r.OwnerID, r.BranchID)]++
		}
	}
	return fmt.Sprint(out)
}

// ownerCountsKept reads the kept rows that count anything, as
// ownerCountsTruth writes them.
func ownerCountsKept(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var rows []struct {
		Part              string
		OwnerID, BranchID uint
		N                 int64
	}
	if err := g.Raw("SELECT part, owner_id, branch_id, n FROM customer_owner_counts WHERE n <> 0").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[fmt.Sprintf("%s/%d/%d", r.Part, r.OwnerID, r.BranchID)] = r.N
	}
	return fmt.Sprint(out)
}

// TestCustomerOwnerCountsKept: PostgreSQL's live customers counted per
// owner, branch and part stay those of the customers after each kind of
// write — customers added one at a time and several in one statement
// (one already deleted), handed to another owner, moved to another
// branch, put in another industry or grade, deleted, restored, removed,
// and an edit of what is not counted — also while four writers change the
// same customers at once, transfers in both directions among them.
func TestCustomerOwnerCountsKept(t *testing.T) {
	d := testkit.Postgres(t)
	w := newWorld(t, d)
	g := d.Gorm
	check := func(step string) {
		t.Helper()
		if kept, truth := ownerCountsKept(t, g), ownerCountsTruth(t, g); kept != truth {
			t.Fatalf("%s: kept\n %s\nthe customers say\n %s", step, kept, truth)
		}
	}
	custs := []uint{w.customer(t, "liwei", "松花江冷链物流有限公司").ID, w.customer(t, "zhangjing", "哈尔滨市道里区教育局").ID,
		w.customer(t, "gaoyuan", "大庆油田信息中心").ID}
	check("created by the service")
	var owners, branches []uint
	for _, q := range []struct {
		sql string
		to  *[]uint
	}{{"SELECT id FROM users WHERE role = 'account_manager' ORDER BY id", &owners}, {"SELECT id FROM branches ORDER BY id", &branches}} {
		if err := g.Raw(q.sql).Scan(q.to).Error; err != nil || len(*q.to) < 2 {
			t.Fatalf("%s: %v %v", q.sql, *q.to, err)
		}
	}
	var team uint
	if err := g.Raw("SELECT MIN(id) FROM teams").Scan(&team).Error; err != nil || team == 0 {
		t.Fatalf("a team: %d %v", team, err)
	}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	industries, grades := []string{"gov", "finance", "education"}, []string{"A", "B", "C", "D"}
	var n atomic.Int64 // the writers' customers' numbers, for unique credit codes
	// values are one new customer's columns for a multi-row insert.
	values := func(r *rand.Rand, deleted bool) []any {
		n := n.Add(1)
		var at any
		if deleted {
			at = "2026-01-01T00:00:00Z"
		}
		return []any{fmt.Sprintf("计数测试客户%d", n), MakeCreditCode(fmt.Sprintf("91230103MA7%06d", n)), industries[r.IntN(3)], grades[r.IntN(4)],
			owners[r.IntN(len(owners))], team, branches[r.IntN(len(branches))], at}
	}
	const cols = `INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, deleted_at, created_at, updated_at) VALUES `
	const row = `(?, ?, ?, ?, 'prospect', ?, ?, ?, ?, now(), now())`
	r := rand.New(rand.NewPCG(64, 1))
	if err := exec(g, cols+row+", "+row+", "+row, append(append(values(r, false), values(r, false)...), values(r, true)...)...); err != nil {
		t.Fatal(err)
	}
	check("three in one statement, one deleted")
	pick := func(r *rand.Rand) uint { return custs[r.IntN(len(custs))] }
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET owner_id = ? WHERE id = ?", owners[r.IntN(len(owners))], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// Two customers handed over in opposite directions.
			a, b := custs[0], custs[1+r.IntN(len(custs)-1)]
			return exec(tx, "UPDATE customers SET owner_id = CASE WHEN id = ? THEN (SELECT owner_id FROM customers WHERE id = ?) ELSE (SELECT owner_id FROM customers WHERE id = ?) END WHERE id IN (?, ?)",
				a, b, a, a, b)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET branch_id = ? WHERE id = ?", branches[r.IntN(len(branches))], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET industry = ? WHERE id = ?", industries[r.IntN(3)], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET grade = ?, industry = ? WHERE id = ?", grades[r.IntN(4)], industries[r.IntN(3)], pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// An edit of what is not counted changes nothing.
			return exec(tx, "UPDATE customers SET address = '道里区', headcount = headcount + 1 WHERE id = ?", pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			if err := exec(tx, cols+row, values(r, false)...); err != nil || r.IntN(2) != 0 {
				return err
			}
			return exec(tx, "DELETE FROM customers WHERE id = (SELECT MAX(id) FROM customers)")
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = now() WHERE id = ?", pick(r))
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET deleted_at = NULL WHERE id = ?", pick(r))
		},
	}
	testkit.EachWrite(t, g, r, writes, func(int) int { return 3 }, check)
	testkit.ConcurrentWrites(t, g, 64, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	check("after four writers at once")
	if err := exec(g, "SELECT jike_refresh_customer_owner_counts()"); err != nil {
		t.Fatal(err)
	}
	check("counted again")
}
