// Package benchseed fills a PostgreSQL database with a large branch and a
// year of sales records, for benchmarks: the targets grid, and the reports
// and performance work that need the same kind of data. It writes with a
// few set-based statements (generate_series), so 600 account managers with
// a year of visits, key persons, opportunities and proposals take seconds,
// and it depends on the schema only (no module code), so any package's
// benchmark can call it after migrating.
//
//	res, err := benchseed.Fill(ctx, db.Gorm, benchseed.Spec{Managers: 600, Months: 12, End: now})
//
// Fill is PostgreSQL only. FillProvince (province.go) is the generator of
// `jike seed --scale`: a whole province (branches, teams, users,
// customers, key persons, opportunities with stage history, visits with
// records, needs, proposals, contracts, monthly targets and reviews),
// written row by row from a seeded generator with COPY on PostgreSQL and
// multi-row INSERTs on SQLite, so it runs on both engines.
package benchseed

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Spec says how much to make. Zero fields take the defaults shown.
type Spec struct {
	// Managers is the number of account managers (600), in teams of
	// TeamSize (20), each team led by a chief rep, all in one new branch
	// with one director.
	Managers, TeamSize int
	// CustomersPerManager (20): a quarter each of grades A, B, C and D.
	CustomersPerManager int
	// Months of records (12) ending at End (default now), and per manager
	// and month: done visits (12), new key persons (4), opportunities won
	// (2, each worth 1,000.00–20,000.00 yuan a month) and proposals sent (3).
	Months                                   int
	End                                      time.Time
	Visits, Contacts, Won, ProposalsPerMonth int
	// Code names the branch (unique per database; default "BENCH").
	Code string
}

// Result identifies what was made.
type Result struct {
	BranchID   uint
	DirectorID uint
	ChiefIDs   []uint
	ManagerIDs []uint
}

func (s *Spec) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&s.Managers, 600)
	def(&s.TeamSize, 20)
	def(&s.CustomersPerManager, 20)
	def(&s.Months, 12)
	def(&s.Visits, 12)
	def(&s.Contacts, 4)
	def(&s.Won, 2)
	def(&s.ProposalsPerMonth, 3)
	if s.End.IsZero() {
		s.End = time.Now()
	}
	if s.Code == "" {
		s.Code = "BENCH"
	}
}

// Fill makes the branch, its people and their records, then analyzes the
// tables (what autovacuum does in production).
func Fill(ctx context.Context, g *gorm.DB, spec Spec) (*Result, error) {
	spec.defaults()
	g = g.WithContext(ctx)
	end := spec.End.UTC()
	start := end.AddDate(0, -spec.Months, 0)
	span := end.Sub(start).Seconds()
	teams := (spec.Managers + spec.TeamSize - 1) / spec.TeamSize
	res := &Result{}
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"branch", `INSERT INTO branches (code, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, []any{spec.Code, "压测分公司 " + spec.Code, end, end}},
	}
	for _, s := range steps {
		if err := g.Exec(s.sql, s.args...).Error; err != nil {
			return nil, fmt.Errorf("benchseed: %s: %w", s.what, err)
		}
	}
	if err := g.Raw(`SELECT id FROM branches WHERE code = ?`, spec.Code).Scan(&res.BranchID).Error; err != nil {
		return nil, err
	}
	b, code := res.BranchID, spec.Code
	run := func(what, sql string, args ...any) error {
		if err := g.Exec(sql, args...).Error; err != nil {
			return fmt.Errorf("benchseed: %s: %w", what, err)
		}
		return nil
	}
	hash := "$2a$04$benchseedbenchseedbenchseedbenchseedbenchseedbenchse" // never matches a password
	if err := run("teams", `INSERT INTO teams (branch_id, name, active, created_at, updated_at)
		SELECT ?, '压测团队' || t, TRUE, ?, ? FROM generate_series(1, ?) AS t`, b, end, end, teams); err != nil {
		return nil, err
	}
	if err := run("director", `INSERT INTO users (username, name, role, branch_id, password_hash, created_at, updated_at)
		VALUES (lower(?) || '_director', '压测经理', 'director', ?, ?, ?, ?)`, code, b, hash, end, end); err != nil {
		return nil, err
	}
	if err := run("chief reps", `INSERT INTO users (username, name, role, branch_id, team_id, password_hash, created_at, updated_at)
		SELECT lower(?) || '_chief' || teams.id, '压测首席' || teams.id, 'chief_rep', ?, teams.id, ?, ?, ? FROM teams WHERE branch_id = ?`,
		code, b, hash, end, end, b); err != nil {
		return nil, err
	}
	if err := run("leaders", `UPDATE teams SET leader_id = users.id FROM users WHERE users.team_id = teams.id AND users.role = 'chief_rep' AND teams.branch_id = ?`, b); err != nil {
		return nil, err
	}
	if err := run("managers", `WITH t AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM teams WHERE branch_id = ?)
		INSERT INTO users (username, name, role, branch_id, team_id, password_hash, created_at, updated_at)
		SELECT lower(?) || '_am' || i, '压测经理' || i, 'account_manager', ?, t.id, ?, ?, ?
		FROM generate_series(0, ? - 1) AS i JOIN t ON t.k = i / ?`, b, code, b, hash, end, end, spec.Managers, spec.TeamSize); err != nil {
		return nil, err
	}
	g.Raw(`SELECT id FROM users WHERE branch_id = ? AND role = 'director'`, b).Scan(&res.DirectorID)
	g.Raw(`SELECT id FROM users WHERE branch_id = ? AND role = 'chief_rep' ORDER BY id`, b).Scan(&res.ChiefIDs)
	g.Raw(`SELECT id FROM users WHERE branch_id = ? AND role = 'account_manager' ORDER BY id`, b).Scan(&res.ManagerIDs)

	if err := run("customers", `INSERT INTO customers (name, credit_code, industry, grade, status, owner_id, team_id, branch_id, search_text, created_at, updated_at)
		SELECT ? || '压测客户' || u.id || '-' || c, lpad(u.id::text, 12, '0') || lpad(c::text, 6, '0'), 'manufacturing',
		  (ARRAY['A','B','C','D'])[1 + c % 4], 'active', u.id, u.team_id, u.branch_id, '', ?, ?
		FROM users u CROSS JOIN generate_series(1, ?) AS c WHERE u.branch_id = ? AND u.role = 'account_manager'`,
		code, start, start, spec.CustomersPerManager, b); err != nil {
		return nil, err
	}
	// Each record: a manager's customer chosen by the record number, at a
	// time spread evenly (with a stride that is not a whole day) over the
	// months.
	perMgr := func(n int) int { return n * spec.Months }
	recs := []struct {
		what, sql string
		n         int
	}{
		{"visits", `INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
			SELECT c.id, c.owner_id, ?::timestamptz + (r::bigint * ?::bigint / ?::bigint) * interval '1 second', 'needs', '压测走访', CASE WHEN r % 10 = 0 THEN 'planned' ELSE 'done' END, ?, ?
			FROM customers c JOIN generate_series(0, ? - 1) AS r ON r % ? = c.id % ?
			WHERE c.branch_id = ?`, perMgr(spec.Visits)},
		{"key persons", `INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at)
			SELECT c.id, '压测联系人', 'user', c.owner_id, ?::timestamptz + (r::bigint * ?::bigint / ?::bigint) * interval '1 second', GREATEST(?::timestamptz, ?::timestamptz)
			FROM customers c JOIN generate_series(0, ? - 1) AS r ON r % ? = c.id % ?
			WHERE c.branch_id = ?`, perMgr(spec.Contacts)},
		{"opportunities", `INSERT INTO opportunities (customer_id, title, stage, probability, owner_id, monthly_fen, stage_changed_at, created_at, updated_at)
			SELECT c.id, '压测商机', CASE WHEN r % 4 = 1 THEN 'lost' ELSE 'won' END, CASE WHEN r % 4 = 1 THEN 0 ELSE 100 END, c.owner_id, 100000 + (r * 7919 % 1900000),
			  ?::timestamptz + (r::bigint * ?::bigint / ?::bigint) * interval '1 second', ?, ?
			FROM customers c JOIN generate_series(0, ? - 1) AS r ON r % ? = c.id % ?
			WHERE c.branch_id = ?`, perMgr(spec.Won) * 4 / 3},
		{"proposals", `INSERT INTO proposals (number, version, customer_id, owner_id, title, status, sent_at, created_at, updated_at)
			SELECT ? || '-' || c.id || '-' || r, 1, c.id, c.owner_id, '压测方案', 'sent', ?::timestamptz + (r::bigint * ?::bigint / ?::bigint) * interval '1 second', ?, ?
			FROM customers c JOIN generate_series(0, ? - 1) AS r ON r % ? = c.id % ?
			WHERE c.branch_id = ?`, perMgr(spec.ProposalsPerMonth)},
	}
	for _, r := range recs {
		// n records per manager, spread over the manager's customers: a
		// record r belongs to the customers with id ≡ r (mod
		// CustomersPerManager), one of each manager's.
		total := r.n
		args := []any{start, int64(span), total, start, start, total, spec.CustomersPerManager, spec.CustomersPerManager, b}
		if r.what == "proposals" {
			args = append([]any{code}, args...)
		}
		if err := run(r.what, r.sql, args...); err != nil {
			return nil, err
		}
	}
	for _, t := range []string{"users", "teams", "customers", "visit_plans", "contacts", "opportunities", "proposals"} {
		if err := run("analyze", "VACUUM ANALYZE "+t); err != nil {
			return nil, err
		}
	}
	return res, nil
}
