package prospects

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/testkit"
	"gorm.io/gorm"
)

// contactWeeksTruth counts the live key persons of live customers per
// week piece in zone, customer's branch and team, and creator (0 for
// none), in Go: the definition the kept rows (contact_week_counts,
// migrations 00053, 00063) must match, pieced without the database's
// function — each key person in its customer's part ” (all),
// 'i:<industry>' and 'g:<grade>', and in the same three of its month
// ('m:' before them, under the month's first day: migration 00066).
func contactWeeksTruth(t *testing.T, g *gorm.DB, zone *time.Location) string {
	t.Helper()
	var rows []struct {
		CreatedAt        time.Time
		CreatedBy        *uint
		BranchID, TeamID uint
		Industry, Grade  string
	}
	if err := g.Raw(`SELECT k.created_at, k.created_by, c.branch_id, c.team_id, c.industry, c.grade FROM contacts k
		JOIN customers c ON c.id = k.customer_id WHERE k.deleted_at IS NULL AND c.deleted_at IS NULL`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		local := r.CreatedAt.In(zone)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
		piece := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		if first := day.AddDate(0, 0, 1-day.Day()); first.After(piece) {
			piece = first
		}
		var owner uint
		if r.CreatedBy != nil {
			owner = *r.CreatedBy
		}
		month := day.AddDate(0, 0, 1-day.Day())
		for i, part := range []string{"", "i:" + r.Industry, "g:" + r.Grade, "m:", "m:i:" + r.Industry, "m:g:" + r.Grade} {
			at := piece
			if i >= 3 {
				at = month
			}
			out[fmt.Sprintf("%s/%s/%d/%d/%d", part, at.Format(time.DateOnly), r.BranchID, r.TeamID, owner)]++
		}
	}
	return fmt.Sprint(out)
}

// contactWeeksKept reads the kept rows that count anything, as
// contactWeeksTruth writes them.
func contactWeeksKept(t *testing.T, g *gorm.DB) string {
	t.Helper()
	var rows []struct {
		Part                      string
		Piece                     time.Time
		BranchID, TeamID, OwnerID uint
		N                         int64
	}
	if err := g.Raw("SELECT part, piece, branch_id, team_id, owner_id, n FROM contact_week_counts WHERE n <> 0").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[fmt.Sprintf("%s/%s/%d/%d/%d", r.Part, r.Piece.Format(time.DateOnly), r.BranchID, r.TeamID, r.OwnerID)] = r.N
	}
	return fmt.Sprint(out)
}

// TestContactWeekCountsKept: PostgreSQL's key persons counted per creator
// and week piece stay those of the live key persons of live customers
// after each kind of write — a key person added (by nobody, too), moved
// in time, to another creator or customer, deleted, restored, removed; a
// customer moved to another branch or team, to another industry or
// grade, deleted, restored — also
// while four writers change the same rows at once; and after a change of
// zone they are counted in the new one.
func TestContactWeekCountsKept(t *testing.T) {
	d := testkit.Postgres(t)
	w := newWorld(t, d)
	g := d.Gorm
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	counted := 0
	check := func(step string, zone *time.Location) {
		t.Helper()
		truth, kept := contactWeeksTruth(t, g, zone), contactWeeksKept(t, g)
		if kept != truth {
			t.Fatalf("%s: kept\n %s\nthe key persons say\n %s", step, kept, truth)
		}
		if truth != "map[]" {
			counted++
		}
	}
	custs := []uint{w.customer(t, "liwei", "松花江冷链物流有限公司").ID, w.customer(t, "zhangjing", "哈尔滨市道里区教育局").ID,
		w.customer(t, "gaoyuan", "大庆油田信息中心").ID}
	var owners, branches, teams []uint
	for _, q := range []struct {
		sql string
		to  *[]uint
	}{{"SELECT id FROM users WHERE role = 'account_manager' ORDER BY id", &owners}, {"SELECT id FROM branches ORDER BY id", &branches}, {"SELECT id FROM teams ORDER BY id", &teams}} {
		if err := g.Raw(q.sql).Scan(q.to).Error; err != nil || len(*q.to) < 2 {
			t.Fatalf("%s: %v %v", q.sql, *q.to, err)
		}
	}
	base := time.Date(2026, 10, 31, 15, 30, 0, 0, time.UTC) // Sunday 31 Oct 23:30 in Shanghai
	at := func(r *rand.Rand) time.Time { return base.Add(time.Duration(r.IntN(24*20)) * 30 * time.Minute) }
	creator := func(r *rand.Rand) any {
		if r.IntN(6) == 0 {
			return nil
		}
		return owners[r.IntN(len(owners))]
	}
	exec := func(tx *gorm.DB, q string, args ...any) error { return tx.Exec(q, args...).Error }
	insert := func(tx *gorm.DB, r *rand.Rand) error {
		t := at(r)
		return exec(tx, `INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '王主任', 'decision', ?, ?, ?)`,
			custs[r.IntN(len(custs))], creator(r), t, t)
	}
	r := rand.New(rand.NewPCG(53, 1))
	for range 30 {
		if err := insert(g, r); err != nil {
			t.Fatal(err)
		}
	}
	check("added", shanghai)
	contact := "(SELECT MIN(id) FROM contacts WHERE customer_id IN ? AND id >= (SELECT MIN(id) FROM contacts WHERE customer_id IN ?) + ?)"
	pick := func(r *rand.Rand) []any { return []any{custs, custs, r.IntN(30)} }
	writes := []func(tx *gorm.DB, r *rand.Rand) error{
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE contacts SET created_at = ? WHERE id = "+contact, append([]any{at(r)}, pick(r)...)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE contacts SET created_by = ? WHERE id = "+contact, append([]any{creator(r)}, pick(r)...)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE contacts SET customer_id = ? WHERE id = "+contact, append([]any{custs[r.IntN(len(custs))]}, pick(r)...)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE contacts SET deleted_at = now() WHERE id = "+contact, pick(r)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE contacts SET deleted_at = NULL WHERE id = "+contact, pick(r)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// Several in one statement, as an import's COPY inserts them
			// (counted once per statement, migration 00058): some on the
			// same customer, creator and day, one already deleted.
			t1, t2 := at(r), at(r)
			c1, c2 := custs[r.IntN(len(custs))], custs[r.IntN(len(custs))]
			o1, o2 := creator(r), creator(r)
			return exec(tx, `INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at, deleted_at) VALUES
				(?, '甲', 'user', ?, ?, ?, NULL), (?, '乙', 'user', ?, ?, ?, NULL), (?, '丙', 'user', ?, ?, ?, NULL), (?, '丁', 'user', ?, ?, ?, now())`,
				c1, o1, t1, t1, c1, o1, t1, t1, c2, o2, t2, t2, c2, o2, t2, t2)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			// An edit of what is not counted changes nothing.
			return exec(tx, "UPDATE contacts SET title = '处长', attitude = 'support' WHERE id = "+contact, pick(r)...)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			if err := insert(tx, r); err != nil || r.IntN(3) != 0 {
				return err
			}
			return exec(tx, `DELETE FROM contacts WHERE id = (SELECT MAX(id) FROM contacts) AND NOT EXISTS (SELECT 1 FROM needs WHERE contact_id = contacts.id)
				AND NOT EXISTS (SELECT 1 FROM visit_contacts WHERE contact_id = contacts.id)`)
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET industry = ? WHERE id = ?", []string{"logistics", "education", "energy"}[r.IntN(3)], custs[r.IntN(len(custs))])
		},
		func(tx *gorm.DB, r *rand.Rand) error {
			return exec(tx, "UPDATE customers SET grade = ? WHERE id = ?", []string{"A", "B", "C", "D"}[r.IntN(4)], custs[r.IntN(len(custs))])
		},
	}
	writes = append(writes, testkit.CustomerMoves(custs, branches, teams)...)
	testkit.EachWrite(t, g, r, writes, func(i int) int {
		if i == len(writes)-2 { // a customer deleted: once, some stay
			return 1
		}
		return 4
	}, func(step string) { check(step, shanghai) })
	testkit.ConcurrentWrites(t, g, 53, func(tx *gorm.DB, r *rand.Rand) error { return writes[r.IntN(len(writes))](tx, r) })
	if err := exec(g, "UPDATE customers SET deleted_at = NULL WHERE id IN ?", custs); err != nil {
		t.Fatal(err)
	}
	check("after four writers at once", shanghai)

	// The portal's zone changing counts them again in the new one.
	if err := exec(g, "UPDATE visit_week_zone SET zone = 'UTC' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	check("counted in UTC", time.UTC)
	if err := insert(g, r); err != nil {
		t.Fatal(err)
	}
	check("written in UTC", time.UTC)
	if err := exec(g, "UPDATE visit_week_zone SET zone = 'Asia/Shanghai' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	check("back in Shanghai", shanghai)
	if counted < 10 {
		t.Errorf("only %d checks had key persons to count: the test proves little", counted)
	}
}
