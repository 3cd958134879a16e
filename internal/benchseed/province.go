package benchseed

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jike-crm/jike/modules/prospects"
	"gorm.io/gorm"
)

// ProvinceSpec sizes a generated province. Zero fields take the defaults of
// ProvinceScale(600), the province of issue 19: 13 branches of 46 account
// managers (598) in teams of 12 (52 teams), 167 customers each (~100,000),
// two open opportunities per customer (~200,000, with their stage history)
// plus 20 won or lost per manager, a year of ~1,667 visits per manager
// (~1,000,000, a record for each one done), 501 key persons per manager
// (3 per customer, ~300,000), 36 proposals per manager, a need for every
// second customer, contracts (one per won opportunity and one for two
// customers in five), and a year of monthly targets and reviews.
type ProvinceSpec struct {
	Branches, Managers, TeamSize int // branches; account managers per branch; managers per team
	CustomersPerManager          int
	OpenPerCustomer              int // open opportunities per customer
	ClosedPerManager             int // won or lost opportunities per manager in the year
	VisitsPerManager             int // visit plans per manager in the year before End
	ContactsPerManager           int // key persons per manager, over three years (a third in the last year)
	ProposalsPerManager          int // proposals sent per manager in the year
	// End is the generated year's last moment (default now).
	End time.Time
	// Code prefixes the branch codes and usernames (default "PROV":
	// branches PROV1…, users prov1_director, prov1_chief1, prov1_am001).
	Code string
	// PasswordHash is every generated user's password hash (default a
	// string that matches no password, so nobody can log in).
	PasswordHash string
	// Seed makes the records; the same seed gives the same database.
	Seed uint64
	// Batch is the rows per INSERT statement (default 500).
	Batch int
	// Progress, when set, hears each table when it is done.
	Progress func(table string, rows int, took time.Duration)
}

// ProvinceScale is the spec for a province of about managers account
// managers, in branches of about 46 (a director's ~8,000 customers) and
// teams of 12: 600 is the province of issues 13 and 19 (13 branches, 598
// managers); a handful makes a test-sized one in one branch.
func ProvinceScale(managers int) ProvinceSpec {
	if managers < 1 {
		managers = 1
	}
	branches := max(1, (managers+23)/46)
	return ProvinceSpec{Branches: branches, Managers: max(1, managers/branches)}
}

// TeamScale is `--scale team`: one branch with one team of 12 account
// managers and its chief rep, the province's proportions per manager.
func TeamScale() ProvinceSpec {
	return ProvinceSpec{Branches: 1, Managers: 12, TeamSize: 12}
}

func (s *ProvinceSpec) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&s.Branches, 13)
	def(&s.Managers, 46)
	def(&s.TeamSize, 12)
	def(&s.CustomersPerManager, 167)
	def(&s.OpenPerCustomer, 2)
	def(&s.ClosedPerManager, 20)
	def(&s.VisitsPerManager, 1667)
	def(&s.ContactsPerManager, 501)
	def(&s.ProposalsPerManager, 36)
	def(&s.Batch, 500)
	if s.End.IsZero() {
		s.End = time.Now()
	}
	if s.Code == "" {
		s.Code = "PROV"
	}
	if s.PasswordHash == "" {
		s.PasswordHash = "$2a$04$benchseedbenchseedbenchseedbenchseedbenchseedbenchse"
	}
	if s.Seed == 0 {
		s.Seed = 2026
	}
}

// Counts are the rows a spec makes.
type Counts struct {
	Branches, Teams, Users, Customers, Opportunities, StageChanges, Visits, Contacts, Proposals int
	VisitRecords, Needs, Contracts, Targets, Reviews, ReviewLines                               int
}

// Expect is what Province makes for s (its defaults applied).
func (s ProvinceSpec) Expect() Counts {
	s.defaults()
	ams := s.Branches * s.Managers
	teams := s.Branches * ((s.Managers + s.TeamSize - 1) / s.TeamSize)
	custs := ams * s.CustomersPerManager
	done := 0
	for i := 0; i < ams*s.VisitsPerManager; i++ {
		if visitStatus(i) == "done" {
			done++
		}
	}
	contracts := ams * wonPerManager(s.ClosedPerManager)
	for i := 0; i < custs; i++ {
		if hasBaseContract(i) {
			contracts++
		}
	}
	return Counts{
		Branches: s.Branches, Teams: teams, Users: ams + teams + s.Branches,
		Customers:     custs,
		Opportunities: custs*s.OpenPerCustomer + ams*s.ClosedPerManager,
		Visits:        ams * s.VisitsPerManager, Contacts: ams * s.ContactsPerManager, Proposals: ams * s.ProposalsPerManager,
		VisitRecords: done, Needs: (custs + 1) / 2, Contracts: contracts,
		Targets: ams * targetMonths, Reviews: ams * reviewMonths, ReviewLines: ams * reviewMonths * len(reviewLines),
	}
}

// Province is what was made: one Result per branch, and the row counts.
type Province struct {
	Branches []*Result
	Counts   Counts
}

// The pipeline's stages in order (prospects.Stages; kept here so this
// package depends on the schema only).
var (
	openStages  = []string{"identified", "contacted", "visited", "needs", "proposal", "negotiation"}
	industries  = []string{"gov", "finance", "education", "healthcare", "manufacturing", "logistics", "energy", "trade", "internet", "other"}
	lostReasons = []string{"price", "competitor", "no_budget", "no_decision", "timing", "other"}
	visitKinds  = []string{"first", "needs", "demo", "signing", "care"}
)

// FillProvince generates a province-sized organisation and a year of its
// records on PostgreSQL or SQLite, for benchmarks and for `jike seed
// --scale`. Rows are made in Go from a seeded generator and written with
// multi-row INSERTs of Batch rows, one transaction per table, so the
// province (about 2.5 million rows with the stage history) loads in
// minutes; then the tables are analyzed, as autovacuum would. The branch
// codes must be new in the database.
//
// Grades are 10 % A, 20 % B, 35 % C and 35 % D; industries cycle over the
// ten; open opportunities are spread over the six open stages with one
// stage change into each stage up to the current one, expected to close
// from a month before End to eight months after; visits are spread over
// the year, A customers visited most, a tenth still planned (overdue), a
// twentieth cancelled.
func FillProvince(ctx context.Context, g *gorm.DB, spec ProvinceSpec) (*Province, error) {
	spec.defaults()
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	w := &writer{ctx: ctx, db: sqlDB, pg: g.Dialector.Name() == "postgres", batch: spec.Batch, progress: spec.Progress}
	rng := rand.New(rand.NewPCG(spec.Seed, 0x6a696b65))
	end := spec.End.UTC().Truncate(time.Second)
	start := end.AddDate(-1, 0, 0)
	span := end.Sub(start)
	out := &Province{}
	hash := spec.PasswordHash

	// The organisation: branches, teams, directors, chief reps, managers
	// (progress once for all of it, not per branch).
	orgBegan, progress := time.Now(), w.progress
	w.progress = nil
	type branchRow struct{ code, name string }
	var brs []branchRow
	for b := 1; b <= spec.Branches; b++ {
		name := branchCity(b-1) + "分公司"
		if spec.Code != "PROV" { // another province in the same database: its own names
			name = spec.Code + name
		}
		brs = append(brs, branchRow{fmt.Sprintf("%s%d", spec.Code, b), name})
	}
	if err := w.insert("branches", []string{"code", "name", "created_at", "updated_at"}, len(brs), func(i int, r []any) {
		r[0], r[1], r[2], r[3] = brs[i].code, brs[i].name, start, start
	}); err != nil {
		return nil, err
	}
	teamsPer := (spec.Managers + spec.TeamSize - 1) / spec.TeamSize
	var ams []mgr
	for _, br := range brs {
		res := &Result{}
		var branchID int64
		if err := w.one(&branchID, "SELECT id FROM branches WHERE code = "+w.ph(1), br.code); err != nil {
			return nil, err
		}
		res.BranchID = uint(branchID)
		if err := w.insert("teams", []string{"branch_id", "name", "active", "created_at", "updated_at"}, teamsPer, func(i int, r []any) {
			r[0], r[1], r[2], r[3], r[4] = branchID, fmt.Sprintf("政企客户%s组", chineseNumber(i+1)), true, start, start
		}); err != nil {
			return nil, err
		}
		teamIDs, err := w.ids("SELECT id FROM teams WHERE branch_id = "+w.ph(1)+" ORDER BY id", branchID)
		if err != nil {
			return nil, err
		}
		user := strings.ToLower(br.code)
		type userRow struct {
			username, name, role string
			team                 any
		}
		users := []userRow{{user + "_director", personName(rng), "director", nil}}
		for t, id := range teamIDs {
			users = append(users, userRow{fmt.Sprintf("%s_chief%d", user, t+1), personName(rng), "chief_rep", id})
		}
		for m := 0; m < spec.Managers; m++ {
			users = append(users, userRow{fmt.Sprintf("%s_am%03d", user, m+1), personName(rng), "account_manager", teamIDs[m/spec.TeamSize]})
		}
		if err := w.insert("users", []string{"username", "name", "role", "branch_id", "team_id", "password_hash", "created_at", "updated_at"}, len(users), func(i int, r []any) {
			u := users[i]
			r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = u.username, u.name, u.role, branchID, u.team, hash, start, start
		}); err != nil {
			return nil, err
		}
		userIDs, err := w.ids("SELECT id FROM users WHERE branch_id = "+w.ph(1)+" ORDER BY id", branchID)
		if err != nil {
			return nil, err
		}
		if len(userIDs) != len(users) {
			return nil, fmt.Errorf("benchseed: branch %s has %d users, want %d (not a new branch code?)", br.code, len(userIDs), len(users))
		}
		res.DirectorID = uint(userIDs[0])
		for t := range teamIDs {
			res.ChiefIDs = append(res.ChiefIDs, uint(userIDs[1+t]))
			if _, err := w.db.ExecContext(ctx, "UPDATE teams SET leader_id = "+w.ph(1)+" WHERE id = "+w.ph(2), userIDs[1+t], teamIDs[t]); err != nil {
				return nil, fmt.Errorf("benchseed: team leader: %w", err)
			}
		}
		for m := 0; m < spec.Managers; m++ {
			id := userIDs[1+len(teamIDs)+m]
			res.ManagerIDs = append(res.ManagerIDs, uint(id))
			ams = append(ams, mgr{id, teamIDs[m/spec.TeamSize], branchID})
		}
		out.Branches = append(out.Branches, res)
	}
	if w.progress = progress; progress != nil {
		progress("organisation", len(brs)*(2+2*teamsPer+spec.Managers), time.Since(orgBegan))
	}

	// Customers, CustomersPerManager per manager.
	day := 24 * time.Hour
	custs := make([]cust, 0, len(ams)*spec.CustomersPerManager)
	branchIndex := map[int64]int{}
	for i, b := range out.Branches {
		branchIndex[int64(b.BranchID)] = i
	}
	for _, m := range ams {
		for c := 0; c < spec.CustomersPerManager; c++ {
			g := byte('D')
			switch x := rng.IntN(100); {
			case x < 10:
				g = 'A'
			case x < 30:
				g = 'B'
			case x < 65:
				g = 'C'
			}
			// Customers came over three years (the first year's the most).
			since := time.Duration(rng.Int64N(int64(3*365*day))) * 3 / 4
			custs = append(custs, cust{m.id, m.team, m.branch, g, end.Add(-3*365*day + since).Truncate(time.Second)})
		}
	}
	codeBase := fmt.Sprintf("%s%d", spec.Code, end.Unix()%1000000)
	// Key persons: ContactsPerManager per manager, dealt round the
	// manager's customers so that each has some; the first of a customer
	// came with it, the others later. Made before the customers because a
	// customer's search text holds its key persons' names.
	byOwner := map[int64][]int{}
	for i, c := range custs {
		byOwner[c.owner] = append(byOwner[c.owner], i)
	}
	contacts := make([]contact, 0, len(ams)*spec.ContactsPerManager)
	names := make([][]string, len(custs))
	for _, m := range ams {
		mine := byOwner[m.id]
		for k := 0; k < spec.ContactsPerManager; k++ {
			ci := mine[k%len(mine)]
			at := custs[ci].created
			if k >= len(mine) {
				at = at.Add(time.Duration(rng.Int64N(int64(end.Sub(at)) + 1))).Truncate(time.Second)
			}
			ct := contact{cust: ci, name: personName(rng), mobile: mobile(rng), title: rng.IntN(len(titles)), role: k % 4, at: at}
			contacts = append(contacts, ct)
			names[ci] = append(names[ci], ct.name)
		}
	}
	regions := []string{"东城区", "西城区", "开发区", "高新区", "经开区", "新区"}
	if err := w.insert("customers", []string{"name", "credit_code", "industry", "grade", "status", "headcount", "annual_spend_fen", "address", "region", "owner_id", "team_id", "branch_id", "search_text", "created_by", "created_at", "updated_at"}, len(custs), func(i int, r []any) {
		c := custs[i]
		bi := branchIndex[c.branch]
		city, ind := branchCity(bi), i%len(industries)
		name := customerName(city, ind, i/len(industries))
		cc := creditCode(branchRegions[bi%len(branchRegions)], spec.Code, i)
		search := strings.ToLower(strings.Join(append([]string{name, cc}, names[i]...), " "))
		head := 20 + rng.IntN(2000)
		if c.grade == 'A' {
			head *= 5
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6] = name, cc, industries[ind], string(c.grade), "active", head, int64(head)*int64(50000+rng.IntN(100000))
		r[7], r[8] = fmt.Sprintf("%s市%s%s路%d号", city, regions[i%len(regions)], tradeNames[i%len(tradeNames)]+"兴", 1+rng.IntN(300)), city+regions[i%len(regions)]
		r[9], r[10], r[11], r[12], r[13], r[14], r[15] = c.owner, c.team, c.branch, search, c.owner, c.created, c.created
	}); err != nil {
		return nil, err
	}
	custIDs, err := w.ids("SELECT id FROM customers WHERE branch_id IN (" + w.list(out) + ") ORDER BY id")
	if err != nil {
		return nil, err
	}
	if len(custIDs) != len(custs) {
		return nil, fmt.Errorf("benchseed: %d customers read back, want %d", len(custIDs), len(custs))
	}

	// Opportunities: open ones per customer, closed ones per manager.
	opps := make([]opp, 0, len(custs)*spec.OpenPerCustomer+len(ams)*spec.ClosedPerManager)
	for i, c := range custs {
		for k := 0; k < spec.OpenPerCustomer; k++ {
			st := rng.IntN(len(openStages))
			created := end.Add(-time.Duration(30+rng.IntN(300)) * day).Add(time.Duration(rng.IntN(86400)) * time.Second)
			if created.Before(c.created) {
				created = c.created.Add(time.Duration(rng.IntN(86400)) * time.Second)
			}
			changed := created.Add(time.Duration(st*9) * day)
			closeDay := end.AddDate(0, 0, -30+rng.IntN(270))
			opps = append(opps, opp{cust: i, stage: st, created: created, changed: changed,
				close:   time.Date(closeDay.Year(), closeDay.Month(), closeDay.Day(), 0, 0, 0, 0, time.UTC),
				monthly: 50000 + int64(rng.IntN(2000000)), oneTime: int64(rng.IntN(3)) * 100000, owner: c.owner})
		}
	}
	for _, m := range ams {
		mine := byOwner[m.id]
		for k := 0; k < spec.ClosedPerManager; k++ {
			st := 6
			if k%4 == 1 {
				st = 7
			}
			changed := start.Add(time.Duration(rng.Int64N(int64(span))))
			opps = append(opps, opp{cust: mine[rng.IntN(len(mine))], stage: st, created: changed.Add(-time.Duration(40+rng.IntN(60)) * day), changed: changed,
				monthly: 100000 + int64(rng.IntN(1900000)), owner: m.id})
		}
	}
	stageName := func(st int) string {
		switch st {
		case 6:
			return "won"
		case 7:
			return "lost"
		}
		return openStages[st]
	}
	var maxOpp int64
	if err := w.one(&maxOpp, "SELECT COALESCE(MAX(id), 0) FROM opportunities"); err != nil {
		return nil, err
	}
	// Each at the win probability its stage suggests, as a move to the
	// stage sets it (the weighted pipeline is not all zero).
	if err := w.insert("opportunities", []string{"customer_id", "title", "stage", "owner_id", "monthly_fen", "one_time_fen", "expected_close", "lost_reason", "stage_changed_at", "created_at", "updated_at", "probability"}, len(opps), func(i int, r []any) {
		o := opps[i]
		var closeDate any
		if o.stage < 6 {
			closeDate = o.close
		}
		reason := ""
		if o.stage == 7 {
			reason = lostReasons[i%len(lostReasons)]
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] = custIDs[o.cust], oppTitles[i%len(oppTitles)], stageName(o.stage), o.owner, o.monthly, o.oneTime, closeDate, reason, o.changed, o.created, o.changed
		r[11] = prospects.DefaultProbability[stageName(o.stage)]
	}); err != nil {
		return nil, err
	}
	oppIDs, err := w.ids("SELECT id FROM opportunities WHERE id > "+w.ph(1)+" ORDER BY id", maxOpp)
	if err != nil {
		return nil, err
	}
	if len(oppIDs) != len(opps) {
		return nil, fmt.Errorf("benchseed: %d opportunities read back, want %d", len(oppIDs), len(opps))
	}
	// Stage history: an open opportunity entered each stage up to its
	// current one, nine days apart; a closed one was found, got a
	// proposal, and ended.
	type change struct {
		opp      int
		from, to string
		at       time.Time
	}
	var changes []change
	for i, o := range opps {
		if o.stage < 6 {
			for s := 0; s <= o.stage; s++ {
				from := ""
				if s > 0 {
					from = openStages[s-1]
				}
				changes = append(changes, change{i, from, openStages[s], o.created.Add(time.Duration(s*9) * day)})
			}
			continue
		}
		changes = append(changes,
			change{i, "", "identified", o.created},
			change{i, "identified", "proposal", o.changed.Add(-12 * day)},
			change{i, "proposal", stageName(o.stage), o.changed})
	}
	// Each change carries its opportunity's next one (migration 00051),
	// which PostgreSQL's paused triggers would have kept: an
	// opportunity's changes are consecutive here, put in time order
	// (their ids follow), each followed by the next.
	for lo := 0; lo < len(changes); {
		hi := lo + 1
		for hi < len(changes) && changes[hi].opp == changes[lo].opp {
			hi++
		}
		sort.SliceStable(changes[lo:hi], func(a, b int) bool { return changes[lo+a].at.Before(changes[lo+b].at) })
		lo = hi
	}
	if err := w.insert("stage_changes", []string{"opportunity_id", "from_stage", "to_stage", "by_id", "at", "next_at", "next_stage"}, len(changes), func(i int, r []any) {
		c := changes[i]
		r[0], r[1], r[2], r[3], r[4], r[5], r[6] = oppIDs[c.opp], c.from, c.to, opps[c.opp].owner, c.at, nil, nil
		if i+1 < len(changes) && changes[i+1].opp == c.opp {
			r[5], r[6] = changes[i+1].at, changes[i+1].to
		}
	}); err != nil {
		return nil, err
	}

	// Visits: A customers four times as likely as C and D, B twice.
	nVisits := len(ams) * spec.VisitsPerManager
	var maxVisit int64
	if err := w.one(&maxVisit, "SELECT COALESCE(MAX(id), 0) FROM visit_plans"); err != nil {
		return nil, err
	}
	visits := make([]visit, nVisits)
	err = w.insert("visit_plans", []string{"customer_id", "owner_id", "starts_at", "kind", "objective", "status", "created_by", "created_at", "updated_at"}, nVisits, func(i int, r []any) {
		m := ams[i/spec.VisitsPerManager]
		mine := byOwner[m.id]
		var ci int
		for try := 0; ; try++ {
			ci = mine[rng.IntN(len(mine))]
			weight := map[byte]int{'A': 8, 'B': 4}[custs[ci].grade]
			if weight == 0 {
				weight = 2
			}
			if try >= 3 || rng.IntN(8) < weight {
				break
			}
		}
		// Done and cancelled visits over the year; planned ones from two
		// weeks ago (overdue) to a month ahead, in working hours.
		status := visitStatus(i)
		var at time.Time
		if status == "planned" {
			at = end.Add(-14*day + time.Duration(rng.Int64N(int64(44*day))))
		} else {
			at = start.Add(time.Duration(rng.Int64N(int64(span))))
		}
		at = time.Date(at.Year(), at.Month(), at.Day(), 1+rng.IntN(9), 30*rng.IntN(2), 0, 0, time.UTC) // 09:00–17:30 in China
		kind := i % len(visitKinds)
		visits[i] = visit{cust: int32(ci), owner: m.id, status: status, at: at}
		created := earlier(at.Add(-72*time.Hour), end)
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] = custIDs[ci], m.id, at, visitKinds[kind], visitObjectives[kind], status, m.id, created, later(created, earlier(at, end))
	})
	if err != nil {
		return nil, err
	}
	roles := []string{"decision", "influencer", "user", "gatekeeper"}
	attitudes := []string{"supporter", "neutral", "neutral", "opponent"}
	if err := w.insert("contacts", []string{"customer_id", "name", "title", "mobile", "role", "attitude", "created_by", "created_at", "updated_at"}, len(contacts), func(i int, r []any) {
		c := contacts[i]
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] = custIDs[c.cust], c.name, titles[c.title], c.mobile, roles[c.role], attitudes[i%len(attitudes)], custs[c.cust].owner, c.at, c.at
	}); err != nil {
		return nil, err
	}
	sentAt := make([]time.Time, len(ams)*spec.ProposalsPerManager)
	if err := w.insert("proposals", []string{"number", "version", "customer_id", "owner_id", "title", "status", "monthly_fen", "sent_at", "decided_at", "created_by", "created_at", "updated_at"}, len(ams)*spec.ProposalsPerManager, func(i int, r []any) {
		m := ams[i/spec.ProposalsPerManager]
		mine := byOwner[m.id]
		sent := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		sentAt[i] = sent
		status, decided := "sent", any(nil)
		if i%3 == 0 {
			status, decided = "accepted", sent.Add(10*day)
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] = fmt.Sprintf("%s-%07d", codeBase, i+1), 1, custIDs[mine[rng.IntN(len(mine))]], m.id, proposalTitles[i%len(proposalTitles)], status, int64(100000+rng.IntN(900000)), sent, decided, m.id, sent.Add(-2*day), sent
	}); err != nil {
		return nil, err
	}
	// Each proposal is its own first version: the root of its versions,
	// as the proposals module sets it (the lists show a root's latest
	// version).
	if _, err := w.db.ExecContext(ctx, "UPDATE proposals SET root_id = id WHERE root_id IS NULL"); err != nil {
		return nil, fmt.Errorf("benchseed: proposal roots: %w", err)
	}
	out.Counts = Counts{Branches: len(brs), Teams: len(brs) * teamsPer, Users: len(brs) * (1 + teamsPer + spec.Managers), Customers: len(custs),
		Opportunities: len(opps), StageChanges: len(changes), Visits: nVisits, Contacts: len(ams) * spec.ContactsPerManager, Proposals: len(ams) * spec.ProposalsPerManager}

	wd := &world{w: w, rng: rng, spec: spec, start: start, end: end, ams: ams, custs: custs, custIDs: custIDs, byOwner: byOwner,
		opps: opps, oppIDs: oppIDs, visits: visits, firstVisit: maxVisit, contacts: contacts, sentAt: sentAt, out: out}
	if err := wd.fill(ctx); err != nil {
		return nil, err
	}
	if w.pg {
		// The COPY paused the opportunities' triggers, with them those
		// that keep the per-stage totals (migration 00045): summed again
		// from the rows.
		if _, err := sqlDB.ExecContext(ctx, "SELECT jike_refresh_opportunity_stage_totals()"); err != nil {
			return nil, fmt.Errorf("benchseed: opportunity stage totals: %w", err)
		}
		// And the customers' and the visits', with them the care list's
		// counts (00046), the branches' sums (00047), the visits per
		// week piece (00050), the stage changes per month (00052), the
		// key persons per week piece (00053), the customers per manager
		// (00064) and the open opportunities per close day (00068).
		for _, f := range []string{"jike_refresh_care_contact_counts", "jike_refresh_opportunity_branch_totals", "jike_refresh_visit_week_counts",
			"jike_refresh_stage_dwell_counts", "jike_refresh_contact_week_counts", "jike_refresh_customer_owner_counts",
			"jike_refresh_opportunity_close_counts"} {
			if _, err := sqlDB.ExecContext(ctx, "SELECT "+f+"()"); err != nil {
				return nil, fmt.Errorf("benchseed: %s: %w", f, err)
			}
		}
	}
	for _, t := range []string{"branches", "teams", "users", "customers", "opportunities", "stage_changes", "visit_plans", "contacts", "proposals",
		"visit_records", "needs", "contracts", "monthly_targets", "monthly_reviews", "review_lines", "target_quotas"} {
		q := "ANALYZE " + t
		if w.pg {
			q = "VACUUM ANALYZE " + t
		}
		if _, err := sqlDB.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("benchseed: analyze %s: %w", t, err)
		}
	}
	return out, nil
}

// writer writes generated rows with multi-row INSERTs through database/sql
// (no ORM in the loop), with the dialect's placeholders.
type writer struct {
	ctx      context.Context
	db       *sql.DB
	pg       bool
	batch    int
	progress func(string, int, time.Duration)
}

// ph is the n-th placeholder.
func (w *writer) ph(n int) string {
	if w.pg {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// list is the generated branches' ids, for an IN list.
func (w *writer) list(p *Province) string {
	var b strings.Builder
	for i, r := range p.Branches {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(r.BranchID), 10))
	}
	return b.String()
}

func (w *writer) one(dst *int64, q string, args ...any) error {
	if err := w.db.QueryRowContext(w.ctx, q, args...).Scan(dst); err != nil {
		return fmt.Errorf("benchseed: %s: %w", q, err)
	}
	return nil
}

func (w *writer) ids(q string, args ...any) ([]int64, error) {
	rows, err := w.db.QueryContext(w.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("benchseed: %s: %w", q, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// insert writes n rows into table, row(i, r) filling row i's values in
// column order: on PostgreSQL with COPY, on SQLite in statements of
// w.batch rows; either way inside one transaction.
func (w *writer) insert(table string, cols []string, n int, row func(i int, r []any)) error {
	began := time.Now()
	if w.pg {
		if err := w.copy(table, cols, n, row); err != nil {
			return err
		}
		if w.progress != nil {
			w.progress(table, n, time.Since(began))
		}
		return nil
	}
	// One connection for the load, its page cache back to SQLite's
	// default after it: each connection's SQLite has 256 MB in all
	// (go-sqlite3's WebAssembly memory), and a connection left with a
	// 128 MB cache full of the last table's pages ran out of memory in
	// the next big statement on it (the care rebuild's GROUP BY over
	// the province's visits, "sqlite3: out of memory").
	conn, err := w.db.Conn(w.ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(w.ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// A page cache as large as a table's indexes (the default is 2 MB):
	// every row updates each index, and customer_bigrams (00036) takes
	// ~40 rows per customer, each at a random place of a 56 MB tree.
	if _, err := tx.ExecContext(w.ctx, "PRAGMA cache_size = -131072"); err != nil {
		return fmt.Errorf("benchseed: cache for %s: %w", table, err)
	}
	defer func() { _, _ = conn.ExecContext(w.ctx, "PRAGMA cache_size = -2000") }()
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	stmts := map[int]*sql.Stmt{}
	args := make([]any, 0, w.batch*len(cols))
	for lo := 0; lo < n; lo += w.batch {
		hi := min(lo+w.batch, n)
		args = args[:0]
		for i := lo; i < hi; i++ {
			r := make([]any, len(cols))
			row(i, r)
			args = append(args, r...)
		}
		st := stmts[hi-lo]
		if st == nil {
			var b strings.Builder
			b.WriteString(head)
			p := 0
			for i := 0; i < hi-lo; i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for c := range cols {
					if c > 0 {
						b.WriteByte(',')
					}
					p++
					b.WriteString(w.ph(p))
				}
				b.WriteByte(')')
			}
			if st, err = tx.PrepareContext(w.ctx, b.String()); err != nil {
				return fmt.Errorf("benchseed: prepare %s: %w", table, err)
			}
			stmts[hi-lo] = st
		}
		if _, err := st.ExecContext(w.ctx, args...); err != nil {
			return fmt.Errorf("benchseed: insert %s rows %d–%d: %w", table, lo, hi, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("benchseed: commit %s: %w", table, err)
	}
	if w.progress != nil {
		w.progress(table, n, time.Since(began))
	}
	return nil
}

// copy is insert on PostgreSQL: COPY FROM STDIN (binary) through the pgx
// connection under database/sql, in a transaction.
func (w *writer) copy(table string, cols []string, n int, row func(i int, r []any)) error {
	conn, err := w.db.Conn(w.ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("benchseed: PostgreSQL through %T, not pgx", dc)
		}
		tx, err := sc.Conn().Begin(w.ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(w.ctx) }()
		rebuild, err := dropSecondaryIndexes(w.ctx, tx, table)
		if err != nil {
			return err
		}
		readd, err := dropForeignKeys(w.ctx, tx, table)
		if err != nil {
			return err
		}
		triggers, err := pauseTriggers(w.ctx, tx, table)
		if err != nil {
			return err
		}
		i := 0
		got, err := tx.CopyFrom(w.ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			r := make([]any, len(cols))
			row(i, r)
			i++
			return r, nil
		}))
		if err != nil {
			return fmt.Errorf("benchseed: copy %s: %w", table, err)
		}
		if got != int64(n) {
			return fmt.Errorf("benchseed: copy %s: %d rows written, want %d", table, got, n)
		}
		for _, def := range rebuild {
			if _, err := tx.Exec(w.ctx, def); err != nil {
				return fmt.Errorf("benchseed: rebuild index on %s: %w", table, err)
			}
		}
		for _, def := range readd {
			if _, err := tx.Exec(w.ctx, def); err != nil {
				return fmt.Errorf("benchseed: foreign key on %s: %w", table, err)
			}
		}
		if err := resumeTriggers(w.ctx, tx, table, triggers, n > 0); err != nil {
			return err
		}
		return tx.Commit(w.ctx)
	})
}

// pauseTriggers disables table's own triggers for the COPY and tells
// whether it had any. They are the cache-version triggers (migration
// 00026): deferred row triggers, which would queue an event per copied
// row — a million for the visits — and which forbid the index builds
// that follow while those events are pending.
func pauseTriggers(ctx context.Context, tx pgx.Tx, table string) (bool, error) {
	name := pgx.Identifier{table}.Sanitize()
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal", name).Scan(&n); err != nil {
		return false, fmt.Errorf("benchseed: triggers of %s: %w", table, err)
	}
	if n == 0 {
		return false, nil
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" DISABLE TRIGGER USER"); err != nil {
		return false, fmt.Errorf("benchseed: pause triggers of %s: %w", table, err)
	}
	return true, nil
}

// resumeTriggers enables them again and, when rows were written, touches
// one row so that they run once for the whole load: the versions of the
// aggregates over table move on at commit, as after any other write.
func resumeTriggers(ctx context.Context, tx pgx.Tx, table string, paused, wrote bool) error {
	if !paused {
		return nil
	}
	name := pgx.Identifier{table}.Sanitize()
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" ENABLE TRIGGER USER"); err != nil {
		return fmt.Errorf("benchseed: resume triggers of %s: %w", table, err)
	}
	if !wrote {
		return nil
	}
	if _, err := tx.Exec(ctx, "UPDATE "+name+" SET id = id WHERE id = (SELECT MIN(id) FROM "+name+")"); err != nil {
		return fmt.Errorf("benchseed: touch %s: %w", table, err)
	}
	return nil
}

// dropForeignKeys drops table's foreign keys and returns the statements
// that add them again. Checked row by row during a COPY, they cost about as
// much as the indexes did; added again after it, each is validated over
// the whole table with one join, so the load is still checked before the
// transaction commits.
func dropForeignKeys(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	name := pgx.Identifier{table}.Sanitize()
	rows, err := tx.Query(ctx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = $1::regclass AND contype = 'f'`, name)
	if err != nil {
		return nil, fmt.Errorf("benchseed: foreign keys of %s: %w", table, err)
	}
	var names, defs []string
	for rows.Next() {
		var n, def string
		if err := rows.Scan(&n, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
		defs = append(defs, "ALTER TABLE "+name+" ADD CONSTRAINT "+pgx.Identifier{n}.Sanitize()+" "+def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" DROP CONSTRAINT "+pgx.Identifier{n}.Sanitize()); err != nil {
			return nil, fmt.Errorf("benchseed: drop foreign key %s: %w", n, err)
		}
	}
	return defs, nil
}

// dropSecondaryIndexes drops table's indexes that back no constraint and
// returns the statements that make them again. Keeping every index up to
// date row by row was the whole cost of the province seed (visit_plans has
// seven): one sorted build per index after the COPY is several times
// cheaper. It runs inside the COPY's transaction, so a failed load leaves
// the indexes as they were; primary keys and unique constraints stay,
// since the load must still be checked against them.
func dropSecondaryIndexes(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
		return nil, fmt.Errorf("benchseed: maintenance_work_mem: %w", err)
	}
	rows, err := tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = $1::regclass
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, pgx.Identifier{table}.Sanitize())
	if err != nil {
		return nil, fmt.Errorf("benchseed: indexes of %s: %w", table, err)
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, name)
		defs = append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.Exec(ctx, "DROP INDEX "+name); err != nil {
			return nil, fmt.Errorf("benchseed: drop index %s: %w", name, err)
		}
	}
	return defs, nil
}
