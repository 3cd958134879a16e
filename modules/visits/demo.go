package visits

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/prospects"
)

// demoUser is the demo account manager whose agenda is made to show every
// case: visits today (one not yet prepared) and one overdue.
const demoUser = "liwei"

// SeedDemo extends the demo customers (prospects.Service.SeedDemo) with
// visit plans and records: two to four visits for each A/B customer and up
// to two for C/D ones, from 60 days ago to 30 days ahead, on weekdays in
// office hours in the service's zone, done by the customer's owner (with
// the chief rep along at A customers). Their kinds follow the customer's
// opportunities (first visit → needs → demo → signing; care and the odd
// complaint for customers in service). Past visits are mostly done with a
// record, some chained to the next plan, a few cancelled or missed and two
// or three left planned (overdue); future ones are planned with their
// checklists partly ticked. The demo account manager liwei gets two visits
// today (tomorrow morning when it is late) and one overdue.
//
// The same seed over the same customers and clock gives the same data;
// each customer draws from its own source, so one customer's data does not
// depend on another's. It does nothing when any visit plan exists, deleted
// ones included; everything is written in one transaction with batch
// inserts, bypassing the per-record service rules (they hold by
// construction). It returns how many plans and records it created.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (plans, records int, err error) {
	g := s.store.DB().WithContext(ctx)
	var n int64
	if err := g.Unscoped().Model(&Plan{}).Count(&n).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	if n > 0 {
		return 0, 0, nil
	}
	var customers []prospects.Customer
	if err := g.Order("id").Find(&customers).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	if len(customers) == 0 {
		return 0, 0, nil
	}
	var contacts []prospects.Contact
	if err := g.Order("customer_id, id").Find(&contacts).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	var opps []prospects.Opportunity
	if err := g.Order("customer_id, id").Find(&opps).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	var demoIDs []uint
	if err := g.Table("users").Where("username = ?", demoUser).Pluck("id", &demoIDs).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	var demoID uint
	if len(demoIDs) > 0 {
		demoID = demoIDs[0]
	}

	gen := newVisitGen(seed, s.now(), s.loc)
	gen.build(customers, contacts, opps, demoID)

	err = s.store.Tx(ctx, func(tx *Store) error { return gen.write(ctx, tx) })
	if err != nil {
		return 0, 0, fmt.Errorf("seed demo visits: %w", err)
	}
	for _, v := range gen.visits {
		if v.rec != nil {
			records++
		}
	}
	return len(gen.visits), records, nil
}

// write inserts the generated plans, their links, records, chain links and
// audit entries.
func (gen *visitGen) write(ctx context.Context, tx *Store) error {
	db := tx.DB().WithContext(ctx)
	plans := make([]Plan, len(gen.visits))
	for i, v := range gen.visits {
		plans[i] = v.plan
	}
	if err := db.CreateInBatches(plans, 200).Error; err != nil {
		return fmt.Errorf("plans: %w", err)
	}
	for i, v := range gen.visits {
		v.plan.ID = plans[i].ID
	}
	var links []VisitContact
	var joins []Participant
	var recs []Record
	var todos []Todo
	nth := 0
	for _, v := range gen.visits {
		// Every third recent record without a next visit agreed a to-do:
		// due between three days ago and four days ahead, so the agenda
		// has some for today and some overdue.
		if v.rec != nil && v.next == nil && v.rec.NextDate == nil && gen.now.Sub(v.rec.CreatedAt) < 10*24*time.Hour {
			if nth%3 == 0 {
				l := gen.today.AddDate(0, 0, nth%8-3)
				due := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
				if v.rec.NextStep == "" {
					v.rec.NextStep = demoTodoTitles[nth%len(demoTodoTitles)]
				}
				v.rec.NextDate = &due
				todos = append(todos, Todo{CustomerID: v.plan.CustomerID, OwnerID: v.plan.OwnerID, VisitID: &v.plan.ID,
					Title: v.rec.NextStep, DueDate: due, CreatedBy: v.rec.CreatedBy, CreatedAt: v.rec.CreatedAt, UpdatedAt: v.rec.CreatedAt})
			}
			nth++
		}
		for _, c := range v.contacts {
			links = append(links, VisitContact{VisitID: v.plan.ID, ContactID: c})
		}
		for _, u := range v.participants {
			joins = append(joins, Participant{VisitID: v.plan.ID, UserID: u})
		}
		if v.rec != nil {
			r := *v.rec
			r.VisitID = v.plan.ID
			if v.next != nil {
				r.NextVisitID = &v.next.plan.ID
			}
			recs = append(recs, r)
		}
	}
	if len(links) > 0 {
		if err := db.CreateInBatches(links, 500).Error; err != nil {
			return fmt.Errorf("visit contacts: %w", err)
		}
	}
	if len(joins) > 0 {
		if err := db.CreateInBatches(joins, 500).Error; err != nil {
			return fmt.Errorf("visit participants: %w", err)
		}
	}
	if len(recs) > 0 {
		if err := db.CreateInBatches(recs, 200).Error; err != nil {
			return fmt.Errorf("visit records: %w", err)
		}
	}
	if len(todos) > 0 {
		if err := db.CreateInBatches(todos, 200).Error; err != nil {
			return fmt.Errorf("visit to-dos: %w", err)
		}
	}
	// A chained plan points back at the visit whose record created it; the
	// earlier plan's id is only known now. UpdateColumn keeps updated_at.
	for _, v := range gen.visits {
		if v.prev != nil {
			if err := db.Model(&Plan{}).Where("id = ?", v.plan.ID).UpdateColumn("prev_visit_id", v.prev.plan.ID).Error; err != nil {
				return fmt.Errorf("chain visits: %w", err)
			}
			v.plan.PrevVisitID = &v.prev.plan.ID
		}
	}
	// The trail: each plan's creation, how it ended, and each record.
	var entries []audit.Entry
	add := func(at time.Time, actor *uint, entity string, id uint, action string, changes map[string]audit.Change) error {
		b, err := json.Marshal(changes)
		if err != nil {
			return err
		}
		entries = append(entries, audit.Entry{At: at, ActorID: actor, Entity: entity, EntityID: id, Action: action, Changes: string(b)})
		return nil
	}
	for _, v := range gen.visits {
		created := v.plan
		created.Status, created.CancelReason = StatusPlanned, ""
		if err := add(created.CreatedAt, created.CreatedBy, "visit", created.ID, audit.ActionCreate, audit.Diff(nil, &created)); err != nil {
			return err
		}
		if v.plan.Status != StatusPlanned {
			if err := add(v.plan.UpdatedAt, v.plan.UpdatedBy, "visit", v.plan.ID, audit.ActionUpdate, audit.Diff(&created, &v.plan)); err != nil {
				return err
			}
		}
	}
	for i := range recs {
		r := &recs[i]
		if err := add(r.CreatedAt, r.CreatedBy, "visit_record", r.ID, audit.ActionCreate, audit.Diff(nil, r)); err != nil {
			return err
		}
	}
	for i := range todos {
		t := &todos[i]
		if err := add(t.CreatedAt, t.CreatedBy, "visit_todo", t.ID, audit.ActionCreate, audit.Diff(nil, t)); err != nil {
			return err
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].At.Before(entries[j].At) })
	if err := db.CreateInBatches(entries, 300).Error; err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// demoTodoTitles are next steps that are not visits.
var demoTodoTitles = []string{"发送专线报价单", "安排技术人员现场勘查", "提交公司资质材料", "约客户信息科做技术交流", "整理需求清单发给首席客户代表"}

// --- generator

type demoVisit struct {
	plan         Plan
	contacts     []uint
	participants []uint
	rec          *Record
	prev, next   *demoVisit // chained: next was created by prev's record
	forced       bool
	custCreated  time.Time
}

// demoForced is a visit the demo user must have at a given time.
type demoForced struct {
	start    time.Time
	dur      int
	overdue  bool // left planned in the past
	prepared bool // checklist complete (else partly ticked)
}

type demoSpan struct{ from, to time.Time }

type visitGen struct {
	seed   int64
	now    time.Time // UTC
	loc    *time.Location
	today  time.Time // local midnight of now
	busy   map[uint][]demoSpan
	forced map[uint][]demoForced // by customer id
	demoID uint
	visits []*demoVisit
}

func newVisitGen(seed int64, now time.Time, loc *time.Location) *visitGen {
	now = now.UTC().Truncate(time.Second)
	l := now.In(loc)
	return &visitGen{
		seed: seed, now: now, loc: loc,
		today:  time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc),
		busy:   map[uint][]demoSpan{},
		forced: map[uint][]demoForced{},
	}
}

// day is local midnight k days from today.
func (gen *visitGen) day(k int) time.Time { return gen.today.AddDate(0, 0, k) }

// dayOffset is how many local days t is from today (negative in the past).
func (gen *visitGen) dayOffset(t time.Time) int {
	l := t.In(gen.loc)
	a := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(gen.today.Year(), gen.today.Month(), gen.today.Day(), 0, 0, 0, 0, time.UTC)
	return int(a.Sub(b).Hours() / 24)
}

func (gen *visitGen) weekday(k int) bool {
	wd := gen.day(k).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// toWeekday moves day k to a weekday in [lo, hi], preferring the nearer
// side; ok is false when the range holds no weekday near k.
func (gen *visitGen) toWeekday(k, lo, hi int) (int, bool) {
	for d := 0; d <= 3; d++ {
		for _, c := range []int{k - d, k + d} {
			if c >= lo && c <= hi && gen.weekday(c) {
				return c, true
			}
		}
	}
	return k, false
}

func (gen *visitGen) hasWeekday(lo, hi int) bool {
	for k := lo; k <= hi; k++ {
		if gen.weekday(k) {
			return true
		}
	}
	return false
}

// Start times (minutes after midnight): mornings end by 12:00, afternoons
// start at 13:30 and end by 17:30.
var demoSlots = []int{9 * 60, 9*60 + 30, 10 * 60, 10*60 + 30, 11 * 60, 13*60 + 30, 14 * 60, 14*60 + 30, 15 * 60, 15*60 + 30, 16 * 60, 16*60 + 30}

func slotFits(m, dur int) bool {
	if m < 12*60 {
		return m+dur <= 12*60
	}
	return m+dur <= 17*60+30
}

// free reports whether owner has nothing within 30 minutes of [from, to).
func (gen *visitGen) free(owner uint, from, to time.Time) bool {
	for _, sp := range gen.busy[owner] {
		if from.Before(sp.to.Add(30*time.Minute)) && sp.from.Before(to.Add(30*time.Minute)) {
			return false
		}
	}
	return true
}

func (gen *visitGen) reserve(owner uint, from time.Time, dur int) {
	gen.busy[owner] = append(gen.busy[owner], demoSpan{from, from.Add(time.Duration(dur) * time.Minute)})
}

// place picks a start on day k (moving to neighbouring weekdays in [lo,
// hi] when the owner's day is full) that fits dur and, when after is set,
// starts an hour after it. It draws exactly once from r.
func (gen *visitGen) place(r *rand.Rand, owner uint, k, lo, hi, dur int, after time.Time) time.Time {
	var slots []int
	for _, m := range demoSlots {
		if slotFits(m, dur) {
			slots = append(slots, m)
		}
	}
	pick := int(r.Float64() * float64(len(slots)))
	try := func(k int) (time.Time, bool) {
		day := gen.day(k)
		for i := range slots {
			m := slots[(pick+i)%len(slots)]
			start := day.Add(time.Duration(m) * time.Minute)
			if !after.IsZero() && start.Before(after.Add(time.Hour)) {
				continue
			}
			if gen.free(owner, start, start.Add(time.Duration(dur)*time.Minute)) {
				return start, true
			}
		}
		return time.Time{}, false
	}
	for d := 0; d <= 6; d++ {
		for _, c := range []int{k + d, k - d} {
			if c < lo || c > hi || !gen.weekday(c) {
				continue
			}
			if t, ok := try(c); ok {
				gen.reserve(owner, t, dur)
				return t.UTC()
			}
		}
	}
	// The owner is fully booked around k (never in the demo): share a slot.
	t := gen.day(k).Add(time.Duration(slots[pick]) * time.Minute)
	gen.reserve(owner, t, dur)
	return t.UTC()
}

// planDemoUser decides the demo user's visits: two today from at least
// three hours ahead (tomorrow morning when that is too late), the first
// not yet prepared, and one overdue a few days ago.
func (gen *visitGen) planDemoUser(customers []prospects.Customer, contactsOf map[uint][]prospects.Contact) {
	if gen.demoID == 0 {
		return
	}
	var mine []*prospects.Customer
	for i := range customers {
		if customers[i].OwnerID == gen.demoID {
			mine = append(mine, &customers[i])
		}
	}
	if len(mine) == 0 {
		return
	}
	var chosen []*prospects.Customer
	taken := map[uint]bool{}
	choose := func(ok func(c *prospects.Customer) bool) *prospects.Customer {
		for _, c := range mine {
			if !taken[c.ID] && ok(c) {
				taken[c.ID] = true
				return c
			}
		}
		return nil
	}
	for _, rule := range []func(c *prospects.Customer) bool{
		func(c *prospects.Customer) bool {
			return (c.Grade == "A" || c.Grade == "B") && (c.Status == "active" || c.Status == "prospect") && len(contactsOf[c.ID]) > 0
		},
		func(c *prospects.Customer) bool { return len(contactsOf[c.ID]) > 0 },
		func(*prospects.Customer) bool { return true },
	} {
		for len(chosen) < 2 {
			c := choose(rule)
			if c == nil {
				break
			}
			chosen = append(chosen, c)
		}
	}
	for len(chosen) < 2 {
		chosen = append(chosen, mine[0])
	}
	// Today: the first visit at least three hours ahead (on the half hour,
	// not before 09:00), the second two hours later; if the second would
	// end after 17:30, both move to tomorrow morning, still within 24 h.
	local := gen.now.In(gen.loc)
	first := local.Add(3 * time.Hour)
	if t := first.Truncate(30 * time.Minute); t.Before(first) {
		first = t.Add(30 * time.Minute)
	}
	if nine := gen.day(0).Add(9 * time.Hour); first.Before(nine) {
		first = nine
	}
	second := first.Add(2 * time.Hour)
	if second.Add(time.Hour).After(gen.day(0).Add(17*time.Hour + 30*time.Minute)) {
		first = gen.day(1).Add(9*time.Hour + 30*time.Minute)
		second = gen.day(1).Add(11 * time.Hour)
	}
	gen.forced[chosen[0].ID] = append(gen.forced[chosen[0].ID], demoForced{start: first.UTC(), dur: 60})
	gen.forced[chosen[1].ID] = append(gen.forced[chosen[1].ID], demoForced{start: second.UTC(), dur: 60, prepared: true})
	gen.reserve(gen.demoID, first, 60)
	gen.reserve(gen.demoID, second, 60)

	// Overdue: the last weekday before today, 14:30, at a customer known
	// for a while.
	k, _ := gen.toWeekday(-1, -5, -1)
	if !gen.weekday(k) {
		k = -1
	}
	at := gen.day(k).Add(14*time.Hour + 30*time.Minute)
	c := choose(func(c *prospects.Customer) bool { return gen.dayOffset(c.CreatedAt) <= -7 })
	if c == nil {
		c = mine[0]
	}
	gen.forced[c.ID] = append(gen.forced[c.ID], demoForced{start: at.UTC(), dur: 60, overdue: true})
	gen.reserve(gen.demoID, at, 60)
}

type demoCustomer struct {
	c        *prospects.Customer
	contacts []prospects.Contact
	stage    string // the furthest stage of its opportunities
	opp      string // the title of that opportunity
	forced   []demoForced
}

func (gen *visitGen) build(customers []prospects.Customer, contacts []prospects.Contact, opps []prospects.Opportunity, demoID uint) {
	gen.demoID = demoID
	contactsOf := map[uint][]prospects.Contact{}
	for _, ct := range contacts {
		contactsOf[ct.CustomerID] = append(contactsOf[ct.CustomerID], ct)
	}
	oppsOf := map[uint][]prospects.Opportunity{}
	for _, o := range opps {
		oppsOf[o.CustomerID] = append(oppsOf[o.CustomerID], o)
	}
	gen.planDemoUser(customers, contactsOf)
	for i := range customers {
		c := &customers[i]
		dc := demoCustomer{c: c, contacts: contactsOf[c.ID], forced: gen.forced[c.ID]}
		dc.stage, dc.opp = furthestStage(oppsOf[c.ID])
		r := rand.New(rand.NewPCG(uint64(gen.seed), uint64(i+1)*0x9e3779b97f4a7c15))
		gen.customer(r, &dc)
	}
	gen.leaveOverdue()
}

// furthestStage returns the most advanced open stage (else won, else lost)
// of a customer's opportunities, with that opportunity's title.
func furthestStage(opps []prospects.Opportunity) (stage, title string) {
	best := -1
	for _, o := range opps {
		if i := slices.Index(prospects.OpenStages, o.Stage); i > best {
			best, stage, title = i, o.Stage, o.Title
		}
	}
	if best >= 0 {
		return stage, title
	}
	for _, end := range []string{prospects.StageWon, prospects.StageLost} {
		for _, o := range opps {
			if o.Stage == end {
				return o.Stage, o.Title
			}
		}
	}
	return "", ""
}

// demoPath is the handbook's sequence of visits to win and keep a customer.
var demoPath = []string{"first", "needs", "demo", "signing", "care"}

const careStep = 4

// reached is the index in demoPath of the last visit a customer at this
// stage has had (-1: none yet).
func reached(stage, status string) int {
	switch stage {
	case prospects.StageIdentified, prospects.StageContacted:
		return -1
	case prospects.StageVisited:
		return 0
	case prospects.StageNeeds, prospects.StageLost:
		return 1
	case prospects.StageProposal, prospects.StageNegotiation:
		return 2
	case prospects.StageWon:
		return 3
	}
	if status == "prospect" {
		return -1
	}
	return careStep
}

func weighted(r *rand.Rand, ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	n := r.IntN(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

// demoCounts: how many random visits (0, 1, 2, …) a customer of each grade
// gets, as weights.
var demoCounts = map[string][]int{
	"A": {0, 0, 0, 5, 4},
	"B": {0, 0, 3, 4, 1},
	"C": {3, 4, 2},
	"D": {5, 3, 1},
}

func (gen *visitGen) customer(r *rand.Rand, dc *demoCustomer) {
	c := dc.c
	ws := demoCounts[c.Grade]
	if ws == nil {
		ws = demoCounts["D"]
	}
	n := weighted(r, ws)
	past := 0
	for k := 0; k < n; k++ {
		if r.Float64() < 0.65 {
			past++
		}
	}
	// Past visits fall after the customer was created, at most 60 days ago.
	lo := max(-60, gen.dayOffset(c.CreatedAt)+1)
	if !gen.hasWeekday(lo, -1) {
		past = 0
	}
	used := map[int]bool{}
	for _, f := range dc.forced {
		used[gen.dayOffset(f.start)] = true
	}
	// Draw the days first (each visit on its own day), then order them.
	type slot struct {
		k      int
		forced *demoForced
	}
	var days []slot
	for j := 0; j < n; j++ {
		from, to := 0, 30
		if j < past {
			from, to = lo, -1
		}
		var k int
		for try := 0; try < 8; try++ {
			k = from + r.IntN(to-from+1)
			k, _ = gen.toWeekday(k, from, to)
			if !used[k] {
				break
			}
		}
		used[k] = true
		days = append(days, slot{k: k})
	}
	for i := range dc.forced {
		days = append(days, slot{k: gen.dayOffset(dc.forced[i].start), forced: &dc.forced[i]})
	}
	sort.SliceStable(days, func(a, b int) bool { return days[a].k < days[b].k })

	// Kinds follow the path: the latest past visit is the stage reached,
	// earlier ones step back; future ones step forward.
	at := reached(dc.stage, c.Status)
	nPast := 0
	for _, d := range days {
		if d.k < 0 || (d.forced != nil && d.forced.overdue) {
			nPast++
		}
	}
	base := at // the path index of the latest past visit
	kinds := make([]string, len(days))
	for j := range days {
		var idx int
		if j < nPast {
			// Only the first visit is a first visit.
			idx = max(at-(nPast-1-j), min(j, 1))
			if at == careStep {
				idx = careStep
			}
			base = idx
		} else {
			idx = base + 1 + (j - nPast)
			switch {
			case dc.stage == prospects.StageLost || at == careStep:
				idx = careStep
			case dc.stage != prospects.StageWon && idx > 3:
				idx = 3
			}
		}
		kinds[j] = demoPath[min(idx, careStep)]
		if kinds[j] == "care" && c.Status == "active" && r.Float64() < 0.15 {
			kinds[j] = "complaint"
		}
	}

	var prev *demoVisit
	for j, d := range days {
		v := gen.visit(r, dc, kinds[j], d.k, lo, d.forced)
		// Chain: a done visit whose record agreed the next one.
		chainDraw := r.Float64()
		if prev != nil && prev.rec != nil && chainDraw < 0.7 && prev.rec.CreatedAt.Before(v.plan.StartsAt.Add(-time.Hour)) &&
			v.plan.StartsAt.Sub(prev.rec.CreatedAt) < 21*24*time.Hour {
			gen.chain(prev, v)
		}
		gen.visits = append(gen.visits, v)
		prev = v
	}
}

// chain makes next the visit that prev's record created: same key persons,
// colleagues and place, created when the record was.
func (gen *visitGen) chain(prev, next *demoVisit) {
	prev.next, next.prev = next, prev
	r := prev.rec
	r.NextStep = next.plan.Objective
	l := next.plan.StartsAt.In(gen.loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	r.NextDate = &d
	next.contacts = slices.Clone(prev.contacts)
	next.participants = slices.Clone(prev.participants)
	next.plan.Location = prev.plan.Location
	next.plan.CreatedAt = r.CreatedAt
	if next.plan.UpdatedAt.Before(next.plan.CreatedAt) {
		next.plan.UpdatedAt = next.plan.CreatedAt
	}
}

// visit generates one plan on day k (or at the forced time) and, when done,
// its record. It draws the same number of values whatever the outcome.
func (gen *visitGen) visit(r *rand.Rand, dc *demoCustomer, kind string, k, lo int, forced *demoForced) *demoVisit {
	c := dc.c
	owner := c.OwnerID
	dur := demoDurations[kind][r.IntN(len(demoDurations[kind]))]
	var start time.Time
	if forced != nil {
		start, dur = forced.start, forced.dur
		r.Float64() // keep the draws aligned
	} else if k < 0 {
		start = gen.place(r, owner, k, lo, -1, dur, time.Time{})
	} else {
		// Today only from an hour ahead; else the next days.
		start = gen.place(r, owner, k, 0, 30, dur, gen.now)
	}
	p := Plan{
		CustomerID: c.ID, OwnerID: owner, StartsAt: start, DurationMin: dur, Kind: kind,
		Objective: gen.objective(r, dc, kind), Location: demoLocation(c.Address),
		Status: StatusPlanned, Version: 1, CreatedBy: &owner, UpdatedBy: &owner,
	}
	v := &demoVisit{forced: forced != nil, custCreated: c.CreatedAt}
	past := p.EndsAt().Before(gen.now)

	// Who to meet and who comes along.
	v.contacts = pickContacts(r, dc.contacts, kind, start)
	if c.ChiefRepID != nil && *c.ChiefRepID != owner &&
		(c.Grade == "A" || (kind == "demo" || kind == "signing")) {
		v.participants = []uint{*c.ChiefRepID}
	}

	// When it was planned: a few days ahead, in office hours, after the
	// customer existed and not after now.
	lead := time.Duration((0.5 + 9.5*r.Float64()) * float64(24*time.Hour))
	created := officeHours(start.Add(-lead), gen.loc, r.Float64())
	if created.After(gen.now) {
		created = gen.now.Add(-time.Duration(10+r.IntN(48*60)) * time.Minute)
	} else {
		r.IntN(48 * 60)
	}
	created = maxTime(created, c.CreatedAt.Add(30*time.Minute))
	created = minTime(created, start.Add(-30*time.Minute), gen.now)
	p.CreatedAt, p.UpdatedAt = created.Truncate(time.Second), created.Truncate(time.Second)

	// Outcome, checklist and record: always drawn, then applied.
	outcome := r.Float64()
	ticks := make([]float64, len(ChecklistItems))
	for i := range ticks {
		ticks[i] = r.Float64()
	}
	recLag, recDay, later := r.Float64(), r.Float64(), r.Float64()
	rec := gen.record(r, dc, kind, v.contacts)
	cancel := demoCancelReasons[r.IntN(len(demoCancelReasons))]

	status := StatusPlanned
	if past {
		switch {
		case forced != nil && forced.overdue:
		case outcome < 0.83:
			status = StatusDone
		case outcome < 0.92:
			status = StatusCancelled
		default:
			status = StatusMissed
		}
	}
	p.Status = status
	tickP := 0.0
	switch {
	case status == StatusDone:
		tickP = 0.85
	case status != StatusPlanned:
		tickP = 0.4
	case past:
		tickP = 0.5
	default:
		ahead := start.Sub(gen.now)
		switch {
		case ahead <= 48*time.Hour:
			tickP = 0.6
		case ahead <= 7*24*time.Hour:
			tickP = 0.35
		default:
			tickP = 0.12
		}
	}
	for i, item := range ChecklistItems {
		p.setItem(item, ticks[i] < tickP)
	}
	if forced != nil && !forced.overdue {
		// The demo user's day: the first visit half prepared, the second ready.
		for i, item := range ChecklistItems {
			p.setItem(item, forced.prepared || i%3 == 0)
		}
	}
	end := p.EndsAt()
	switch status {
	case StatusDone:
		// Written up the same afternoon or the next morning.
		var at time.Time
		if recDay < 0.7 {
			at = end.Add(time.Duration(15+recLag*150) * time.Minute)
		} else {
			l := end.In(gen.loc)
			at = time.Date(l.Year(), l.Month(), l.Day()+1, 8, 30, 0, 0, gen.loc).Add(time.Duration(recLag*120) * time.Minute)
		}
		at = minTime(at, gen.now.Add(-time.Minute)).Truncate(time.Second)
		at = maxTime(at, end)
		rec.CreatedAt, rec.UpdatedAt = at, at
		if later < 0.15 {
			rec.UpdatedAt = minTime(at.Add(time.Duration(1+later*100)*time.Hour), gen.now).Truncate(time.Second)
		}
		v.rec = rec
		p.UpdatedAt = at
	case StatusCancelled:
		// Called off the day before or that morning.
		p.CancelReason = cancel
		at := officeHours(start.Add(-time.Duration(2+recLag*46)*time.Hour), gen.loc, recDay)
		at = minTime(at, start.Add(-30*time.Minute), gen.now)
		p.UpdatedAt = maxTime(at, p.CreatedAt).Truncate(time.Second)
	case StatusMissed:
		// Marked missed a day or two later.
		at := officeHours(end.Add(time.Duration(20+recLag*52)*time.Hour), gen.loc, recDay)
		p.UpdatedAt = maxTime(minTime(at, gen.now), end).Truncate(time.Second)
	default:
		if p.ChecklistDone() > 0 {
			// Last ticked somewhere between planning and the visit (or now).
			hi := minTime(start, gen.now)
			if hi.After(p.CreatedAt) {
				at := officeHours(p.CreatedAt.Add(time.Duration(recLag*float64(hi.Sub(p.CreatedAt)))), gen.loc, recDay)
				p.UpdatedAt = maxTime(minTime(at, hi), p.CreatedAt).Truncate(time.Second)
			}
		}
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if v.rec != nil {
		v.rec.CreatedAt, v.rec.UpdatedAt = v.rec.CreatedAt.UTC(), v.rec.UpdatedAt.UTC()
	}
	v.plan = p
	return v
}

// leaveOverdue leaves two recent past visits of other owners without a
// record, so the team's overdue lists have something in them.
func (gen *visitGen) leaveOverdue() {
	r := rand.New(rand.NewPCG(uint64(gen.seed), 0x0bad5eed))
	want := 2
	if gen.demoID == 0 {
		want = 3
	}
	var cands []*demoVisit
	for _, v := range gen.visits {
		k := gen.dayOffset(v.plan.StartsAt)
		if !v.forced && v.plan.Status == StatusDone && v.plan.OwnerID != gen.demoID && k >= -6 && k <= -1 {
			cands = append(cands, v)
		}
	}
	seen := map[uint]bool{}
	for len(cands) > 0 && want > 0 {
		i := r.IntN(len(cands))
		v := cands[i]
		cands = slices.Delete(cands, i, i+1)
		if seen[v.plan.OwnerID] {
			continue
		}
		seen[v.plan.OwnerID] = true
		want--
		v.plan.Status, v.rec = StatusPlanned, nil
		v.plan.UpdatedAt = v.plan.CreatedAt
		if n := v.next; n != nil {
			v.next, n.prev = nil, nil
		}
	}
}

func (gen *visitGen) objective(r *rand.Rand, dc *demoCustomer, kind string) string {
	list := demoObjectives[kind]
	if kind == "care" {
		switch {
		case dc.c.Status == "dormant":
			list = demoCareDormant
		case dc.c.Status == "churned":
			list = demoCareChurned
		case dc.c.Status != "active":
			list = demoCareProspect
		}
	}
	o := list[r.IntN(len(list))]
	if strings.Contains(o, "{opp}") {
		if dc.opp == "" {
			o = list[0]
		} else {
			o = strings.ReplaceAll(o, "{opp}", dc.opp)
		}
	}
	return o
}

func (gen *visitGen) record(r *rand.Rand, dc *demoCustomer, kind string, met []uint) *Record {
	who := "客户"
	for _, ct := range dc.contacts {
		if len(met) > 0 && ct.ID == met[0] {
			who = ct.Title + ct.Name
		}
	}
	fill := func(s string) string {
		opp := dc.opp
		if opp == "" {
			opp = "相关业务"
		}
		return strings.NewReplacer("{who}", who, "{opp}", opp).Replace(s)
	}
	texts := demoRecordTexts[kind]
	if kind == "care" && dc.c.Status != "active" {
		texts = demoRecordInactive
	}
	ws := []int{55, 35, 10}
	if kind == "complaint" || (kind == "care" && dc.c.Status != "active") {
		ws = []int{20, 50, 30}
	}
	owner := dc.c.OwnerID
	return &Record{
		Discussed: fill(texts.discussed[r.IntN(len(texts.discussed))]),
		Attitude:  Attitudes[weighted(r, ws)],
		NeedsText: fill(texts.needs[r.IntN(len(texts.needs))]),
		NextStep:  fill(texts.next[r.IntN(len(texts.next))]),
		Version:   1, CreatedBy: &owner, UpdatedBy: &owner,
	}
}

// pickContacts chooses one or two key persons, by the roles a visit of
// this kind is for, among those known before it.
func pickContacts(r *rand.Rand, all []prospects.Contact, kind string, start time.Time) []uint {
	two := r.Float64() < 0.35
	a, b := r.Float64(), r.Float64()
	var known []prospects.Contact
	for _, ct := range all {
		if ct.CreatedAt.Before(start) {
			known = append(known, ct)
		}
	}
	if len(known) == 0 {
		known = all
	}
	if len(known) == 0 {
		return nil
	}
	roleW := demoRoleWeights[kind]
	pick := func(u float64, skip uint) uint {
		ws := make([]int, len(known))
		total := 0
		for i, ct := range known {
			if ct.ID == skip {
				continue
			}
			ws[i] = 1
			if j := slices.Index(prospects.ContactRoles, ct.Role); j >= 0 {
				ws[i] += roleW[j]
			}
			total += ws[i]
		}
		n := int(u * float64(total))
		for i, w := range ws {
			if n < w {
				return known[i].ID
			}
			n -= w
		}
		return known[len(known)-1].ID
	}
	out := []uint{pick(a, 0)}
	if two && len(known) > 1 {
		if id := pick(b, out[0]); id != out[0] {
			out = append(out, id)
		}
	}
	return out
}

func officeHours(t time.Time, loc *time.Location, f float64) time.Time {
	l := t.In(loc)
	if h := l.Hour(); h < 8 || h >= 19 {
		l = time.Date(l.Year(), l.Month(), l.Day(), 8, 0, 0, 0, loc).Add(time.Duration(f * float64(10*time.Hour)))
	}
	return l.UTC()
}

func demoLocation(address string) string {
	r := []rune(strings.TrimSpace(address))
	if len(r) > 200 {
		r = r[:200]
	}
	return string(r)
}

func minTime(t time.Time, more ...time.Time) time.Time {
	for _, m := range more {
		if m.Before(t) {
			t = m
		}
	}
	return t
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// --- texts

var demoDurations = map[string][]int{
	"first": {60, 60, 45}, "needs": {90, 60, 120}, "demo": {120, 90}, "signing": {60, 90},
	"care": {45, 60, 60}, "complaint": {60, 45},
}

// demoRoleWeights by kind, in ContactRoles order (decision, influencer,
// user, gatekeeper).
var demoRoleWeights = map[string][]int{
	"first": {2, 4, 2, 4}, "needs": {1, 4, 5, 1}, "demo": {3, 5, 3, 0}, "signing": {8, 3, 1, 0},
	"care": {3, 2, 4, 1}, "complaint": {2, 2, 5, 1},
}

// demoObjectives by kind; the first of each list names no opportunity.
var demoObjectives = map[string][]string{
	"first": {
		"了解信息化现状，介绍集团V网",
		"初次走访，了解现网运营商及合同到期时间",
		"走访信息化负责人，介绍政企业务与5G应用",
		"了解办公网络与通信现状，约定需求调研时间",
		"递送名片与产品手册，建立联系",
	},
	"needs": {
		"确认专线带宽与接入点",
		"调研「{opp}」需求，收集现网设备清单",
		"现场勘查机房与弱电井，确认布线条件",
		"梳理分支机构分布与组网需求",
		"确认「{opp}」的用户数与使用场景",
	},
	"demo": {
		"演示云视频会议方案",
		"汇报「{opp}」解决方案并答疑",
		"演示云视讯与移动办公应用",
		"讲解组网方案与资费构成",
		"请技术支撑现场演示「{opp}」",
	},
	"signing": {
		"协议条款沟通",
		"「{opp}」报价与优惠政策确认",
		"推动合同审批，确认开通时间",
		"与采购、法务沟通合同细节",
	},
	"care": {
		"季度回访，了解使用情况",
		"回访专线运行情况，收集满意度",
		"账单核对，介绍新业务",
		"合同续约沟通",
		"节前走访，维系关键人关系",
	},
	"complaint": {
		"处理网络中断投诉，说明原因与整改措施",
		"跟进话费争议，解释计费规则",
		"回应信号覆盖投诉，协调网络优化",
	},
}

var (
	demoCareDormant  = []string{"沉默客户唤醒，了解业务停用原因", "了解业务量下降原因，推荐适配套餐"}
	demoCareChurned  = []string{"离网客户回访，了解竞争对手报价", "挽回沟通，介绍最新优惠政策"}
	demoCareProspect = []string{"保持联系，了解后续信息化规划", "了解下一步项目计划，介绍新产品"}
)

var demoCancelReasons = []string{
	"客户临时有会，改期",
	"关键人出差，客户要求推迟到下周",
	"暴雪封路，无法前往，已电话致歉并改约",
	"客户内部机构调整，暂缓沟通",
	"与分公司例会冲突，已与客户协商改期",
	"客户要求先发资料，暂不安排上门",
}

type demoTexts struct{ discussed, needs, next []string }

var demoRecordTexts = map[string]demoTexts{
	"first": {
		discussed: []string{
			"与{who}初步交流。客户目前通信业务分散在多家运营商，对集团V网内部免费通话较感兴趣，同意提供近三个月话费清单。",
			"见到{who}，介绍了我司政企产品体系。客户正在规划办公楼网络改造，希望先看同类单位案例。",
			"{who}介绍了单位组织架构和信息化分工，现网宽带由其他运营商提供，合同年底到期。",
		},
		needs: []string{"对内部通话资费敏感，关注集团V网", "办公楼网络改造，需要企业宽带", ""},
		next:  []string{"整理客户通信清单，下周电话沟通方案思路", "邀请技术支撑一同做需求调研", "发送同类单位案例资料"},
	},
	"needs": {
		discussed: []string{
			"与{who}一起查看机房和弱电井，确认了接入点位置，初步需要{opp}。",
			"{who}梳理了分支机构分布和现有带宽，明确了业务高峰时段的使用需求。",
			"现场调研完成，收集了终端数量与网络拓扑，客户关注资费和开通周期。",
		},
		needs: []string{"{opp}，希望年内开通", "互联网专线，要求双路由备份", "分支机构组网，数据专线若干条"},
		next:  []string{"出具初步方案与报价", "与网络部确认资源覆盖情况"},
	},
	"demo": {
		discussed: []string{
			"向{who}等演示了方案，客户对稳定性和运维响应比较认可，主要关注价格。",
			"技术支撑现场演示，{who}提出需要与现有系统对接，要求补充对接说明。",
			"方案汇报顺利，客户希望在内部会议讨论后再反馈。",
		},
		needs: []string{"要求与现有OA系统对接", "关注数据安全与本地存储", ""},
		next:  []string{"根据反馈修改方案，等待客户内部讨论结果", "补充对接说明和案例材料"},
	},
	"signing": {
		discussed: []string{
			"与{who}逐条沟通合同条款，客户希望付款方式改为按季度支付。",
			"报价基本认可，{who}表示将走内部审批流程，预计两周内完成。",
			"确认了开通时间和服务等级，客户法务对违约条款提出修改意见。",
		},
		needs: []string{"", "希望增加一年免费运维"},
		next:  []string{"跟进合同审批进度", "准备开通工单，协调装维上门"},
	},
	"care": {
		discussed: []string{
			"回访{who}，现网运行稳定，客户对装维响应速度满意。",
			"核对近三个月账单，{who}反映部分号码套餐不合理，已记录待调整。",
			"{who}提到明年有新办公点投入使用，可能新增宽带和固话需求。",
		},
		needs: []string{"", "新办公点宽带和固话", "部分号码套餐需调整"},
		next:  []string{"", "提交套餐调整申请", "下季度再次回访"},
	},
	"complaint": {
		discussed: []string{
			"就近期网络中断向{who}说明故障原因，已协调网络部完成整改，客户表示理解。",
			"{who}对话费争议仍有意见，已提交计费核查工单，承诺三个工作日内答复。",
		},
		needs: []string{"网络稳定性保障", "计费核查"},
		next:  []string{"跟踪工单处理结果并电话回访"},
	},
}

var demoRecordInactive = demoTexts{
	discussed: []string{
		"{who}表示业务量下降主要因部门调整，暂无新增需求，同意保持联系。",
		"了解到客户已转用其他运营商，主要原因是价格，{who}愿意听取我方新方案。",
		"{who}介绍了明年的信息化预算安排，目前没有立项计划。",
	},
	needs: []string{"", "对价格敏感，希望有更优惠的融合套餐"},
	next:  []string{"", "申请针对性优惠方案", "保持季度联系"},
}
