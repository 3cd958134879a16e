package prospects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
)

// DemoStats counts what SeedDemo created.
type DemoStats struct {
	Customers, Contacts, Opportunities int
}

// demoCustomerCount is how many group customers the demo holds.
const demoCustomerCount = 200

// SeedDemo fills an empty customer book with demo data for the demo
// organisation (org.Service.SeedDemo): about 200 Heilongjiang group
// customers spread over the account managers and chief reps of every active
// team, with key persons, qualification answers, opportunities in every
// stage and their stage history. The same seed gives the same data (names,
// codes, amounts; timestamps are relative to now). It does nothing and
// returns zero stats when any customer exists, deleted ones included.
//
// Rows are written through the store in one transaction with batch inserts,
// bypassing the per-record service rules (they hold by construction).
func (s *Service) SeedDemo(ctx context.Context, seed int64) (DemoStats, error) {
	var n int64
	if err := s.store.DB().WithContext(ctx).Unscoped().Model(&Customer{}).Count(&n).Error; err != nil {
		return DemoStats{}, fmt.Errorf("seed demo customers: %w", err)
	}
	if n > 0 {
		return DemoStats{}, nil
	}
	teams, err := s.demoTeams(ctx)
	if err != nil {
		return DemoStats{}, fmt.Errorf("seed demo customers: %w", err)
	}
	if len(teams) == 0 {
		return DemoStats{}, errors.New("seed demo customers: no active team has account managers or chief reps; seed the organisation first")
	}
	g := &demoGen{
		r:     rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15)),
		now:   s.now().Truncate(time.Second),
		names: map[string]bool{}, codes: map[string]bool{},
	}
	g.build(teams)

	err = s.store.Tx(ctx, func(tx *Store) error {
		db := tx.DB().WithContext(ctx)
		if err := db.CreateInBatches(g.customers, 100).Error; err != nil {
			return fmt.Errorf("customers: %w", err)
		}
		for i := range g.contacts {
			g.contacts[i].CustomerID = g.customers[g.contactOf[i]].ID
		}
		if err := db.CreateInBatches(g.contacts, 200).Error; err != nil {
			return fmt.Errorf("contacts: %w", err)
		}
		for i := range g.opps {
			g.opps[i].CustomerID = g.customers[g.oppOf[i]].ID
		}
		if err := db.CreateInBatches(g.opps, 200).Error; err != nil {
			return fmt.Errorf("opportunities: %w", err)
		}
		for i := range g.moves {
			g.moves[i].OpportunityID = g.opps[g.moveOf[i]].ID
		}
		if err := db.CreateInBatches(g.moves, 500).Error; err != nil {
			return fmt.Errorf("stage changes: %w", err)
		}
		// One "create" entry per customer, dated when the customer was
		// created, so that the timeline starts where the record does.
		entries := make([]audit.Entry, len(g.customers))
		for i := range g.customers {
			c := &g.customers[i]
			b, err := json.Marshal(audit.Diff(nil, c))
			if err != nil {
				return err
			}
			entries[i] = audit.Entry{At: c.CreatedAt, ActorID: c.CreatedBy, Entity: "customer", EntityID: c.ID,
				Action: audit.ActionCreate, Changes: string(b)}
		}
		if err := db.CreateInBatches(entries, 200).Error; err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return DemoStats{}, fmt.Errorf("seed demo customers: %w", err)
	}
	return DemoStats{Customers: len(g.customers), Contacts: len(g.contacts), Opportunities: len(g.opps)}, nil
}

// --- the organisation the demo customers belong to

type demoTeam struct {
	team    org.Team
	city    *demoCity
	chief   *org.User // nil if the team has none
	members []org.User
	weights []int // per industry (Industries order)
}

type demoOwner struct {
	user   org.User
	team   *demoTeam
	weight int
}

// demoTeams loads the active teams with their account managers and chief
// reps, sorted in Go (by branch code, team name, role, username) so that
// the same seed gives the same data whatever the database collation and ids.
func (s *Service) demoTeams(ctx context.Context) ([]*demoTeam, error) {
	branches, err := s.org.Branches(ctx)
	if err != nil {
		return nil, err
	}
	branchCode := map[uint]string{}
	cityOf := map[uint]*demoCity{}
	for _, b := range branches {
		branchCode[b.ID] = b.Code
		cityOf[b.ID] = &demoHarbin
		if strings.EqualFold(b.Code, "DQ") || strings.Contains(b.Name, "大庆") {
			cityOf[b.ID] = &demoDaqing
		}
	}
	teams, err := s.org.Teams(ctx, 0, true)
	if err != nil || len(teams) == 0 {
		return nil, err
	}
	sort.Slice(teams, func(i, j int) bool {
		if a, b := branchCode[teams[i].BranchID], branchCode[teams[j].BranchID]; a != b {
			return a < b
		}
		return teams[i].Name < teams[j].Name
	})
	ids := make([]uint, len(teams))
	for i, t := range teams {
		ids[i] = t.ID
	}
	users, err := s.org.UsersByTeam(ctx, ids...)
	if err != nil {
		return nil, err
	}
	sort.Slice(users, func(i, j int) bool {
		if users[i].Role != users[j].Role {
			return users[i].Role > users[j].Role // chief_rep before account_manager
		}
		return users[i].Username < users[j].Username
	})
	var out []*demoTeam
	for _, t := range teams {
		city := cityOf[t.BranchID]
		if city == nil {
			city = &demoHarbin
		}
		dt := &demoTeam{team: t, city: city}
		for _, u := range users {
			if u.TeamID == nil || *u.TeamID != t.ID || u.BranchID == nil {
				continue
			}
			switch u.Role {
			case authz.RoleChiefRep:
				if dt.chief == nil || (t.LeaderID != nil && *t.LeaderID == u.ID) {
					dt.chief = &u
				}
				dt.members = append(dt.members, u)
			case authz.RoleAccountManager:
				dt.members = append(dt.members, u)
			}
		}
		if len(dt.members) == 0 {
			continue
		}
		dt.weights = demoIndustryWeights(city, t.Name)
		out = append(out, dt)
	}
	return out, nil
}

// demoIndustryWeights: the city sets the mix (energy in Daqing, government
// and finance in Harbin) and the team's name its speciality.
func demoIndustryWeights(city *demoCity, teamName string) []int {
	w := append([]int(nil), city.industryWeights...)
	boost := func(industry string, factor int) {
		for i, ind := range Industries {
			if ind == industry {
				w[i] *= factor
			}
		}
	}
	switch {
	case strings.Contains(teamName, "金融"):
		boost("finance", 4)
	case strings.Contains(teamName, "能源"):
		boost("energy", 2)
	case strings.Contains(teamName, "政企"), strings.Contains(teamName, "政府"):
		boost("gov", 2)
	}
	if strings.Contains(teamName, "教育") {
		boost("education", 3)
	}
	if strings.Contains(teamName, "医疗") {
		boost("healthcare", 3)
	}
	return w
}

// --- generator

type demoGen struct {
	r     *rand.Rand
	now   time.Time
	names map[string]bool
	codes map[string]bool

	customers []Customer
	contacts  []Contact
	contactOf []int // index into customers
	opps      []Opportunity
	oppOf     []int // index into customers
	moves     []StageChange
	moveOf    []int // index into opps
}

func (g *demoGen) intn(n int) int { return g.r.IntN(n) }

// between returns an integer in [lo, hi].
func (g *demoGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *demoGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *demoGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// pickFront prefers the front of list (for common surnames and the like).
func (g *demoGen) pickFront(list []string) string {
	return list[min(g.r.IntN(len(list)), g.r.IntN(len(list)))]
}

// weighted returns an index with probability proportional to its weight.
func (g *demoGen) weighted(ws []int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	if total <= 0 {
		return g.r.IntN(len(ws))
	}
	n := g.r.IntN(total)
	for i, w := range ws {
		if n < w {
			return i
		}
		n -= w
	}
	return len(ws) - 1
}

// instant returns a time in [from, to], moved into office hours (08:00–
// 18:00 China time) on the same day when that stays in range. It always
// draws twice from the source, so the sequence does not depend on now.
func (g *demoGen) instant(from, to time.Time) time.Time {
	f, h := g.r.Float64(), g.r.Float64()
	if !to.After(from) {
		return from
	}
	t := from.Add(time.Duration(f * float64(to.Sub(from)))).Truncate(time.Second)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	// 08:00–18:00 CST is 00:00–10:00 UTC.
	office := day.Add(time.Duration(h * float64(10*time.Hour))).Truncate(time.Second)
	if !office.Before(from) && !office.After(to) {
		return office
	}
	return t
}

func demoDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// demoDraft is a customer before its grade is known: who owns it, what and
// where it is and how big.
type demoDraft struct {
	owner     demoOwner
	industry  string
	dist      *demoDistrict
	name      string
	kind      string
	headcount int
	bigness   float64
}

// demoIndustryPull shifts the grade ranking: a bank branch of 40 people
// spends more on telecoms than a shop of 40.
var demoIndustryPull = map[string]float64{
	"finance": 2.2, "internet": 1.2, "energy": 0.6, "gov": 0.6, "healthcare": 0.3, "logistics": 0.3,
	"education": 0, "manufacturing": 0, "trade": -0.2, "other": -0.6,
}

func (g *demoGen) build(teams []*demoTeam) {
	var owners []demoOwner
	for _, t := range teams {
		for _, u := range t.members {
			w := 3
			if u.Role == authz.RoleChiefRep {
				w = 1
			}
			owners = append(owners, demoOwner{user: u, team: t, weight: w})
		}
	}
	n := demoCustomerCount
	drafts := make([]demoDraft, n)
	ownerWeights := make([]int, len(owners))
	for i := range drafts {
		var owner demoOwner
		var industry string
		if i < len(Industries) {
			// The first customers cover every industry once.
			industry = Industries[i]
			for k, o := range owners {
				ownerWeights[k] = o.weight * o.team.weights[i]
			}
			owner = owners[g.weighted(ownerWeights)]
		} else {
			for k, o := range owners {
				ownerWeights[k] = o.weight
			}
			owner = owners[g.weighted(ownerWeights)]
			industry = Industries[g.weighted(owner.team.weights)]
		}
		city := owner.team.city
		dist := &city.districts[g.intn(len(city.districts))]
		name, tmpl := g.customerName(industry, city, dist)
		people := g.between(tmpl.people[0], tmpl.people[1])
		if people > 100 {
			people = people / 10 * 10
		}
		drafts[i] = demoDraft{owner: owner, industry: industry, dist: dist, name: name, kind: tmpl.code, headcount: people,
			bigness: math.Log(float64(people)) + demoIndustryPull[industry] + 0.7*g.r.NormFloat64()}
	}
	// Grades in the handbook's proportions (10/25/40/25 %), the biggest
	// spenders first.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return drafts[order[a]].bigness > drafts[order[b]].bigness })
	grades := make([]string, n)
	k := 0
	for gi, share := range []int{10, 25, 40, 25} {
		quota := n * share / 100
		if gi == len(Grades)-1 {
			quota = n - k
		}
		for ; quota > 0 && k < n; quota-- {
			grades[order[k]] = Grades[gi]
			k++
		}
	}
	for i := range drafts {
		g.customer(&drafts[i], grades[i])
	}
	g.opportunities()
}

// customer generates one customer with its key persons.
func (g *demoGen) customer(d *demoDraft, grade string) {
	owner, city, dist := d.owner, d.owner.team.city, d.dist
	created := g.instant(g.now.AddDate(0, 0, -120), g.now.AddDate(0, 0, -1))
	c := Customer{
		Name: d.name, CreditCode: g.creditCode(d.kind, dist.code), Industry: d.industry, Grade: grade,
		Headcount: d.headcount, Region: dist.name, Address: g.address(city, dist),
		OwnerID: owner.user.ID, TeamID: *owner.user.TeamID, BranchID: *owner.user.BranchID,
		CreatedBy: &owner.user.ID, UpdatedBy: &owner.user.ID, Version: 1, CreatedAt: created,
	}
	c.UpdatedAt = g.instant(created, g.now)
	if chief := owner.team.chief; chief != nil && (grade == "A" || (grade == "B" && g.chance(0.15))) {
		id := chief.ID
		c.ChiefRepID = &id
	}
	spend := demoSpend[grade]
	c.AnnualSpendFen = money.Fen(g.between(spend[0], spend[1])/1000*1000) * 100
	c.Status = Statuses[g.weighted(demoStatusWeights[grade])]
	c.Competitors = g.competitors()
	g.qualify(&c)

	names := g.keyPersons(len(g.customers), &c, owner, d.industry, city)
	c.SearchText = searchText(&c, names)
	g.customers = append(g.customers, c)
}

// customerName builds a distinct name for the industry and returns it with
// its template.
func (g *demoGen) customerName(industry string, city *demoCity, dist *demoDistrict) (string, *demoNameTmpl) {
	var tmpls []*demoNameTmpl
	var ws []int
	list := demoNames[industry]
	for i := range list {
		if t := &list[i]; t.city == 0 || t.city == city.key {
			tmpls = append(tmpls, t)
			ws = append(ws, t.w)
		}
	}
	for try := 0; ; try++ {
		t := tmpls[g.weighted(ws)]
		name := g.fill(t.t, city, dist)
		if try > 200 {
			name += dist.short + "分部"
		}
		if !g.names[name] {
			g.names[name] = true
			return name, t
		}
	}
}

// fill replaces the {placeholders} of a name template.
func (g *demoGen) fill(tmpl string, city *demoCity, dist *demoDistrict) string {
	local := city.name + "市" + dist.name
	if strings.HasSuffix(dist.name, "县") {
		local = dist.name
	}
	pairs := []string{"{cityfull}", city.name + "市", "{city}", city.name, "{local}", local,
		"{dist}", dist.name, "{distshort}", dist.short}
	for _, p := range demoPlaceholders {
		if strings.Contains(tmpl, "{"+p.key+"}") {
			pairs = append(pairs, "{"+p.key+"}", p.value(g))
		}
	}
	name := strings.NewReplacer(pairs...).Replace(tmpl)
	// A city's own bank does not repeat the city: 哈尔滨银行道里支行.
	return strings.Replace(name, city.name+"银行"+city.name, city.name+"银行", 1)
}

// creditCode makes a distinct, valid unified social credit code: authority
// and category, the district's division code, and a subject identifier —
// an old-style organisation code with its GB 11714 check digit, or for
// newer enterprises an "MA…" identifier.
func (g *demoGen) creditCode(kind, region string) string {
	for {
		var subject string
		if kind[0] == '9' && g.chance(0.55) {
			var b strings.Builder
			b.WriteString("MA")
			for k := 0; k < 7; k++ {
				b.WriteByte(creditCodeChars[g.intn(len(creditCodeChars))])
			}
			subject = b.String()
		} else {
			digits := make([]byte, 8)
			for k := range digits {
				digits[k] = byte('0' + g.intn(10))
			}
			subject = string(digits) + string(demoOrgCodeCheck(digits))
		}
		code := MakeCreditCode(kind + region + subject)
		if !g.codes[code] {
			g.codes[code] = true
			return code
		}
	}
}

// demoOrgCodeCheck is the check character of an organisation code
// (GB 11714): weights 3 7 9 10 5 8 4 2, C = 11 − Σ mod 11, 10 → X, 11 → 0.
func demoOrgCodeCheck(digits []byte) byte {
	weights := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, d := range digits {
		sum += int(d-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

func (g *demoGen) address(city *demoCity, dist *demoDistrict) string {
	prefix := "黑龙江省" + city.name + "市" + dist.name
	street := g.pick(dist.streets)
	return fmt.Sprintf("%s%s%d号", prefix, street, g.between(1, 688))
}

func (g *demoGen) competitors() string {
	k := g.weighted([]int{25, 50, 20, 5})
	ws := []int{40, 30, 30, 8, 5} // Competitors order
	chosen := make([]bool, len(Competitors))
	for ; k > 0; k-- {
		i := g.weighted(ws)
		chosen[i], ws[i] = true, 0
	}
	var out []string
	for i, c := range Competitors {
		if chosen[i] {
			out = append(out, c)
		}
	}
	return strings.Join(out, ",")
}

// qualify answers the four signs for three customers in four; notes for
// some answers.
func (g *demoGen) qualify(c *Customer) {
	if !g.chance(0.75) {
		return
	}
	ws := []int{45, 30, 25} // yes, partly, no
	if c.Status == "active" {
		ws = []int{60, 28, 12}
	}
	answers := []string{QualYes, QualPartly, QualNo}
	answer := func(sign string) (string, string) {
		a := answers[g.weighted(ws)]
		note := ""
		if g.chance(0.4) {
			note = g.pick(demoQualNotes[sign][a])
		}
		return a, note
	}
	c.QualPay, c.QualPayNote = answer("pay")
	c.QualNeed, c.QualNeedNote = answer("need")
	c.QualAuthority, c.QualAuthorityNote = answer("authority")
	c.QualAcceptance, c.QualAcceptanceNote = answer("acceptance")
	c.QualScore = QualScore(c.QualPay, c.QualNeed, c.QualAuthority, c.QualAcceptance)
}

// keyPersons adds 1–4 key persons and returns their names in insertion
// order (the order ContactNames reads them back in).
func (g *demoGen) keyPersons(ci int, c *Customer, owner demoOwner, industry string, city *demoCity) []string {
	countWs := []int{20, 35, 30, 15}
	if c.Grade == "A" {
		countWs = []int{5, 25, 40, 30}
	}
	n := 1 + g.weighted(countWs)
	titles := demoTitles[demoTitleGroup(industry)]
	used, usedTitles := map[string]bool{}, map[string]bool{}
	var names []string
	for k := 0; k < n; k++ {
		var role string
		switch {
		case k == 0 && n >= 2:
			role = "decision"
		case n == 1:
			role = ContactRoles[g.weighted([]int{25, 25, 10, 40})]
		default:
			role = ContactRoles[g.weighted([]int{5, 40, 25, 30})]
		}
		var name, sp, gp string
		female := g.chance(0.42)
		for {
			sur := g.pickFront(demoSurnames)
			givenList := demoMaleNames
			if female {
				givenList = demoFemaleNames
			}
			given := g.pick(givenList)
			var s, gv string
			s, sp, _ = strings.Cut(sur, ":")
			gv, gp, _ = strings.Cut(given, ":")
			name = s + gv
			if !used[name] {
				used[name] = true
				break
			}
		}
		title := g.pick(titles[role])
		for try := 0; try < 4 && usedTitles[title]; try++ {
			title = g.pick(titles[role])
		}
		usedTitles[title] = true
		ct := Contact{
			Name: name, Title: title, Role: role,
			Attitude:  Attitudes[g.weighted([]int{40, 45, 15})],
			CreatedBy: &owner.user.ID, UpdatedBy: &owner.user.ID, Version: 1,
		}
		if g.chance(0.9) {
			ct.Mobile = g.pick(demoMobilePrefixes) + fmt.Sprintf("%08d", g.intn(100_000_000))
		}
		if g.chance(0.4) || ct.Mobile == "" {
			ct.Phone = city.landline(g)
		}
		if g.chance(0.35) {
			var local string
			switch g.intn(3) {
			case 0:
				local = sp + gp
			case 1:
				local = sp + gp + strconv.Itoa(g.between(60, 99))
			default:
				local = gp + "." + sp
			}
			ct.Email = local + "@" + demoMailDomains[demoTitleGroup(industry)]
		}
		if g.chance(0.4) {
			b := time.Date(g.between(1960, 1990), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.intn(365))
			ct.Birthday = &b
		}
		if g.chance(0.15) {
			ct.Preferences = g.pick(demoPreferences)
		}
		if g.chance(0.1) {
			ct.Notes = g.pick(demoContactNotes)
		}
		ct.CreatedAt = g.instant(c.CreatedAt, minTime(c.CreatedAt.AddDate(0, 0, 14), g.now))
		ct.UpdatedAt = ct.CreatedAt
		g.contacts = append(g.contacts, ct)
		g.contactOf = append(g.contactOf, ci)
		names = append(names, name)
	}
	return names
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// demoOppPlan is an opportunity before its details are drawn.
type demoOppPlan struct {
	ci    int
	stage string
}

// opportunities plans about 1.5 per customer, makes sure every stage
// occurs and won ones belong to active customers, then draws values,
// dates and the stage history.
func (g *demoGen) opportunities() {
	var plans []demoOppPlan
	for ci := range g.customers {
		c := &g.customers[ci]
		k := g.weighted(demoOppCount[c.Grade])
		for ; k > 0; k-- {
			stage := Stages[g.weighted(demoStageWeights[c.Status])]
			plans = append(plans, demoOppPlan{ci: ci, stage: stage})
		}
	}
	if len(plans) == 0 {
		return
	}
	seen := map[string]bool{}
	for _, p := range plans {
		seen[p.stage] = true
	}
	for _, st := range Stages {
		if !seen[st] {
			plans[g.intn(len(plans))].stage = st
		}
	}
	titles := map[int]map[string]bool{}
	for i := range plans {
		p := &plans[i]
		c := &g.customers[p.ci]
		if p.stage == StageWon && c.Status != "active" {
			// Winning makes the customer active, as MoveStage does.
			c.Status = "active"
		}
		if titles[p.ci] == nil {
			titles[p.ci] = map[string]bool{}
		}
		g.opportunity(p, titles[p.ci])
	}
}

func (g *demoGen) product(industry string) *demoProduct {
	ws := make([]int, len(demoProducts))
	for i, p := range demoProducts {
		ws[i] = p.w
		if p.only != "" && !strings.Contains(p.only, industry) {
			ws[i] = 0
		} else if strings.Contains(p.favoured, industry) {
			ws[i] *= 4
		}
	}
	return &demoProducts[g.weighted(ws)]
}

// offer picks a product and a title for it; the value follows the title's
// quantity where it names one, else the product's range and the grade.
func (g *demoGen) offer(c *Customer) (prod *demoProduct, title string, monthly, oneTime int) {
	prod = g.product(c.Industry)
	scale := demoScale[c.Grade]
	title = g.pick(prod.titles)
	monthly = g.between(prod.monthly[0], prod.monthly[1]) * scale / 100
	if strings.Contains(title, "{n}") {
		n := prod.counts[g.sized(c.Grade, len(prod.counts))]
		title = strings.ReplaceAll(title, "{n}", strconv.Itoa(n))
		if prod.unit[1] > 0 {
			monthly = n * g.between(prod.unit[0], prod.unit[1])
		}
	}
	if strings.Contains(title, "{bw}") {
		bws := []int{100, 200, 300, 500, 1000}
		if strings.Contains(title, "扩容") {
			bws = bws[2:]
		}
		bw := bws[g.sized(c.Grade, len(bws))]
		title = strings.ReplaceAll(title, "{bw}", strconv.Itoa(bw))
		if prod.unit[1] > 0 {
			monthly = bw / 100 * g.between(prod.unit[0], prod.unit[1])
		}
	}
	if strings.Contains(title, "{x}") {
		extras := prod.extras[c.Industry]
		if len(extras) == 0 {
			extras = prod.extras[""]
		}
		title = strings.ReplaceAll(title, "{x}", g.pick(extras))
	}
	monthly = max(monthly/10*10, 100)
	if prod.oneTime[1] > 0 {
		oneTime = g.between(prod.oneTime[0], prod.oneTime[1]) * scale / 100 / 100 * 100
	}
	return prod, title, monthly, oneTime
}

// sized picks an index into an ascending list of quantities: bigger
// customers buy more.
func (g *demoGen) sized(grade string, n int) int {
	k, other := g.intn(n), g.intn(n)
	switch grade {
	case "A", "B":
		return max(k, other)
	case "D":
		return min(k, other)
	}
	return k
}

func (g *demoGen) opportunity(p *demoOppPlan, usedTitles map[string]bool) {
	c := &g.customers[p.ci]
	owner := c.OwnerID
	var prod *demoProduct
	var title string
	var monthly, oneTime int
	for try := 0; try < 8; try++ {
		prod, title, monthly, oneTime = g.offer(c)
		if !usedTitles[title] {
			break
		}
	}
	usedTitles[title] = true
	products := prod.name
	if g.chance(0.25) {
		if other := g.product(c.Industry); other.name != prod.name {
			products += "、" + other.name
		}
	}

	// The path through the pipeline, identified first.
	var path []string
	lostAt := g.weighted([]int{10, 20, 20, 20, 18, 12})
	switch p.stage {
	case StageWon:
		path = append(append(path, OpenStages...), StageWon)
	case StageLost:
		path = append(append(path, OpenStages[:lostAt+1]...), StageLost)
	default:
		for _, st := range OpenStages {
			path = append(path, st)
			if st == p.stage {
				break
			}
		}
	}

	// Times: created within the last 90 days (not before the customer),
	// moves spread after it.
	start := maxTime(c.CreatedAt, g.now.AddDate(0, 0, -90))
	t0 := g.instant(start, g.now.Add(-12*time.Hour))
	end := t0.Add(time.Duration((0.35 + 0.65*g.r.Float64()) * float64(g.now.Sub(t0))))
	times := make([]time.Time, len(path))
	times[0] = t0
	for k := 1; k < len(path); k++ {
		times[k] = g.instant(t0, end)
	}
	sort.Slice(times[1:], func(a, b int) bool { return times[1+a].Before(times[1+b]) })
	for k := 1; k < len(times); k++ {
		if !times[k].After(times[k-1]) {
			times[k] = times[k-1].Add(37 * time.Minute)
		}
	}
	last := times[len(times)-1]

	o := Opportunity{
		Title: title, Products: products, MonthlyFen: money.Fen(monthly) * 100, OneTimeFen: money.Fen(oneTime) * 100,
		Stage: p.stage, Probability: DefaultProbability[p.stage], OwnerID: owner, StageChangedAt: last,
		CreatedBy: &owner, UpdatedBy: &owner, Version: 1, CreatedAt: t0, UpdatedAt: last,
	}
	today := demoDate(g.now)
	var closeDate time.Time
	switch p.stage {
	case StageWon:
		closeDate = demoDate(last)
	case StageLost:
		closeDate = minTime(demoDate(last).AddDate(0, 0, g.between(-5, 30)), today)
	default:
		r := demoCloseDays[p.stage]
		closeDate = today.AddDate(0, 0, g.between(r[0], r[1]))
	}
	o.ExpectedClose = &closeDate
	if p.stage == StageLost {
		o.LostReason = LostReasons[g.weighted([]int{30, 30, 15, 10, 10, 5})]
		o.LostNote = g.pick(demoLostNotes[o.LostReason])
	}

	oi := len(g.opps)
	g.opps = append(g.opps, o)
	g.oppOf = append(g.oppOf, p.ci)
	for k, to := range path {
		m := StageChange{ToStage: to, ByID: owner, At: times[k]}
		if k > 0 {
			m.FromStage = path[k-1]
		}
		switch {
		case to == StageLost:
			m.Note = o.LostNote
		case k > 0 && g.chance(0.3):
			m.Note = g.pick(demoMoveNotes[to])
		}
		g.moves = append(g.moves, m)
		g.moveOf = append(g.moveOf, oi)
	}
	if p.stage == StageWon && c.UpdatedAt.Before(last) {
		c.UpdatedAt = last
	}
}

// --- data pools

type demoDistrict struct {
	name, short, code string
	streets           []string
}

type demoCity struct {
	key       byte // 'H' or 'D'
	name      string
	areaCode  string
	localLead string // first digit of local numbers
	localLen  int
	districts []demoDistrict
	// industryWeights in Industries order.
	industryWeights []int
}

func (c *demoCity) landline(g *demoGen) string {
	rest := c.localLen - len(c.localLead)
	n := g.intn(pow10(rest))
	return fmt.Sprintf("%s-%s%0*d", c.areaCode, c.localLead, rest, n)
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

var demoHarbin = demoCity{
	key: 'H', name: "哈尔滨", areaCode: "0451", localLead: "8", localLen: 8,
	//                        gov fin edu hea man log ene tra int oth
	industryWeights: []int{16, 12, 10, 10, 10, 8, 3, 10, 10, 6},
	districts: []demoDistrict{
		{"南岗区", "南岗", "230103", []string{"西大直街", "学府路", "红军街", "果戈里大街", "长江路", "黄河路", "嵩山路", "和兴路"}},
		{"道里区", "道里", "230102", []string{"中央大街", "友谊路", "经纬街", "新阳路", "安隆街", "群力大道", "工程街"}},
		{"道外区", "道外", "230104", []string{"靖宇街", "南勋街", "北新街", "景阳街", "南直路", "太古街"}},
		{"香坊区", "香坊", "230110", []string{"香坊大街", "中山路", "赣水路", "珠江路", "公滨路", "红旗大街"}},
		{"松北区", "松北", "230109", []string{"世纪大道", "创新路", "学海街", "祥安北大街", "松北大道"}},
		{"平房区", "平房", "230108", []string{"友协大街", "联盟大街", "新疆大街", "哈南一路"}},
		{"呼兰区", "呼兰", "230111", []string{"南大街", "利民大道", "学院路", "兰河大街"}},
		{"阿城区", "阿城", "230112", []string{"延川大街", "通城街", "金源大街", "上京大道"}},
	},
}

var demoDaqing = demoCity{
	key: 'D', name: "大庆", areaCode: "0459", localLead: "6", localLen: 7,
	//                        gov fin edu hea man log ene tra int oth
	industryWeights: []int{6, 6, 8, 8, 8, 6, 30, 8, 4, 4},
	districts: []demoDistrict{
		{"萨尔图区", "萨尔图", "230602", []string{"中七路", "纬二路", "东风路", "会战大街", "经六街", "新村纬一路"}},
		{"让胡路区", "让胡路", "230604", []string{"中央大街", "西宾路", "乘风路", "西静路", "铁人大道"}},
		{"龙凤区", "龙凤", "230603", []string{"龙凤大街", "卧里屯大街", "兴化路", "开发区路"}},
		{"红岗区", "红岗", "230605", []string{"红岗路", "八百垧大街", "杏树岗路"}},
		{"大同区", "大同", "230606", []string{"庆新路", "大同大街", "林源路"}},
		{"肇州县", "肇州", "230621", []string{"肇州大街", "中央街", "新华路"}},
	},
}

// demoNameTmpl is a customer name template: {placeholders} are filled
// from the pools; code is the credit code's authority and category
// (11 机关, 12 事业单位, 31 律师事务所, 51 社会团体, 52 民办非企业单位,
// 91 企业, 92 个体工商户); people the range of its headcount.
type demoNameTmpl struct {
	t      string
	code   string
	city   byte // 0 any, 'H' Harbin, 'D' Daqing
	w      int
	people [2]int
}

var demoNames = map[string][]demoNameTmpl{
	"gov": {
		{"{local}人民政府", "11", 0, 3, [2]int{200, 800}},
		{"{local}{bureau}", "11", 0, 10, [2]int{40, 300}},
		{"{cityfull}{bureau}", "11", 0, 4, [2]int{80, 500}},
		{"{cityfull}公安局{distshort}分局", "11", 0, 2, [2]int{200, 900}},
		{"国家税务总局{cityfull}{dist}税务局", "11", 0, 2, [2]int{60, 300}},
		{"{local}政务服务中心", "12", 0, 2, [2]int{30, 150}},
		{"{local}融媒体中心", "12", 0, 1, [2]int{20, 120}},
		{"黑龙江省{prov}", "11", 'H', 4, [2]int{150, 600}},
	},
	"finance": {
		{"{bank}{city}{distshort}支行", "91", 0, 10, [2]int{15, 80}},
		{"{city}农村商业银行{distshort}支行", "91", 0, 3, [2]int{10, 50}},
		{"黑龙江省农村信用社联合社{distshort}支行", "91", 0, 2, [2]int{8, 40}},
		{"{insurer}{city}{distshort}支公司", "91", 0, 4, [2]int{20, 150}},
		{"江海证券有限公司{city}{street}证券营业部", "91", 0, 2, [2]int{15, 60}},
		{"{city}{word}小额贷款有限公司", "91", 0, 1, [2]int{8, 40}},
		{"{city}{word}融资担保有限公司", "91", 0, 1, [2]int{10, 50}},
	},
	"education": {
		{"{unih}{college}", "12", 'H', 8, [2]int{100, 600}},
		{"{unid}{college}", "12", 'D', 5, [2]int{100, 500}},
		{"{cityfull}第{n80}中学校", "12", 'H', 4, [2]int{120, 400}},
		{"{cityfull}第{n80}中学", "12", 'D', 4, [2]int{120, 400}},
		{"{local}{xiao}小学", "12", 0, 4, [2]int{60, 200}},
		{"{local}实验学校", "12", 0, 1, [2]int{80, 250}},
		{"{city}{word}职业技能培训学校", "52", 0, 1, [2]int{10, 60}},
		{"{city}{word}幼儿园", "52", 0, 1, [2]int{15, 60}},
		{"大庆师范学院", "12", 'D', 1, [2]int{800, 1500}},
		{"大庆职业学院", "12", 'D', 1, [2]int{400, 900}},
		{"大庆医学高等专科学校", "12", 'D', 1, [2]int{300, 600}},
		{"哈尔滨职业技术学院", "12", 'H', 1, [2]int{500, 1000}},
	},
	"healthcare": {
		{"{cityfull}第{n5}医院", "12", 0, 5, [2]int{800, 3000}},
		{"哈尔滨医科大学附属第{n4}医院", "12", 'H', 3, [2]int{2500, 6000}},
		{"{local}人民医院", "12", 0, 3, [2]int{300, 1200}},
		{"{local}中医医院", "12", 0, 2, [2]int{200, 800}},
		{"{local}疾病预防控制中心", "12", 0, 2, [2]int{60, 250}},
		{"{local}妇幼保健院", "12", 0, 2, [2]int{150, 600}},
		{"{cityfull}{dist}{sq}社区卫生服务中心", "12", 0, 2, [2]int{20, 80}},
		{"{city}{word}口腔医院", "52", 0, 1, [2]int{20, 120}},
		{"{city}{word}医院有限公司", "91", 0, 1, [2]int{50, 300}},
		{"大庆油田总医院", "12", 'D', 1, [2]int{2000, 4000}},
		{"大庆龙南医院", "12", 'D', 1, [2]int{1500, 3000}},
		{"黑龙江省医院", "12", 'H', 1, [2]int{2500, 4500}},
		{"哈尔滨市儿童医院", "12", 'H', 1, [2]int{800, 1500}},
	},
	"manufacturing": {
		{"{city}{word}{mfg}有限公司", "91", 0, 10, [2]int{30, 800}},
		{"黑龙江{word}{mfg}股份有限公司", "91", 0, 3, [2]int{200, 3000}},
		{"大庆{word}化工有限公司", "91", 'D', 3, [2]int{80, 1500}},
		{"大庆{word}石油机械制造有限公司", "91", 'D', 2, [2]int{60, 800}},
		{"哈尔滨{word}航空零部件有限公司", "91", 'H', 1, [2]int{100, 1200}},
	},
	"energy": {
		{"大庆油田有限责任公司第{n10}采油厂", "91", 'D', 5, [2]int{3000, 12000}},
		{"大庆油田有限责任公司{dqunit}", "91", 'D', 5, [2]int{800, 6000}},
		{"中国石油天然气股份有限公司大庆石化分公司{plant}", "91", 'D', 4, [2]int{600, 4000}},
		{"国网大庆供电公司{distshort}供电中心", "91", 'D', 2, [2]int{80, 300}},
		{"大庆{word}石油技术服务有限公司", "91", 'D', 4, [2]int{30, 500}},
		{"大庆{word}燃气有限公司", "91", 'D', 1, [2]int{50, 400}},
		{"大庆{word}新能源科技有限公司", "91", 'D', 2, [2]int{20, 300}},
		{"国网哈尔滨供电公司{distshort}供电中心", "91", 'H', 3, [2]int{80, 300}},
		{"华电能源股份有限公司哈尔滨第{n3}发电厂", "91", 'H', 1, [2]int{500, 1500}},
		{"哈尔滨{word}热力有限公司", "91", 'H', 3, [2]int{100, 900}},
		{"哈尔滨{word}燃气有限公司", "91", 'H', 1, [2]int{100, 600}},
		{"哈尔滨{word}新能源有限公司", "91", 'H', 2, [2]int{20, 200}},
	},
	"logistics": {
		{"黑龙江{word}物流有限公司", "91", 0, 5, [2]int{30, 600}},
		{"{city}{word}运输有限公司", "91", 0, 3, [2]int{20, 400}},
		{"{city}{word}供应链管理有限公司", "91", 0, 3, [2]int{15, 200}},
		{"{city}{word}冷链物流有限公司", "91", 0, 2, [2]int{20, 300}},
		{"{city}{word}快递服务有限公司", "91", 0, 2, [2]int{50, 800}},
		{"{city}{word}客运有限公司", "91", 0, 1, [2]int{100, 1500}},
	},
	"trade": {
		{"{city}{word}{trd}有限公司", "91", 0, 10, [2]int{20, 800}},
		{"{city}市{dist}{word}便利店", "92", 0, 2, [2]int{3, 15}},
		{"{city}{word}商贸有限责任公司", "91", 0, 2, [2]int{10, 100}},
	},
	"internet": {
		{"{city}{word}{net}有限公司", "91", 0, 10, [2]int{15, 400}},
		{"黑龙江{word}{net}股份有限公司", "91", 0, 2, [2]int{100, 1500}},
	},
	"other": {
		{"{cityfull}{assoc}协会", "51", 0, 3, [2]int{5, 30}},
		{"黑龙江{word}律师事务所", "31", 0, 3, [2]int{10, 120}},
		{"{city}{word}物业管理有限公司", "91", 0, 3, [2]int{50, 1500}},
		{"{city}{word}会计师事务所有限公司", "91", 0, 1, [2]int{10, 80}},
		{"{city}{word}文化传媒有限公司", "91", 0, 2, [2]int{10, 100}},
		{"{city}{word}建筑工程有限公司", "91", 0, 2, [2]int{30, 600}},
	},
}

type demoPlaceholder struct {
	key   string
	value func(g *demoGen) string
}

func demoListPH(key string, list ...string) demoPlaceholder {
	return demoPlaceholder{key, func(g *demoGen) string { return g.pick(list) }}
}

func demoNumPH(key string, n int) demoPlaceholder {
	return demoPlaceholder{key, func(g *demoGen) string { return demoChineseNumber(g.between(1, n)) }}
}

// demoPlaceholders fill the name templates; a fixed order keeps the draws
// from the random source deterministic.
var demoPlaceholders = []demoPlaceholder{
	demoListPH("word", "东盛", "华瑞", "鑫达", "龙翔", "北方", "天润", "宏远", "恒泰", "金鼎", "新源", "远大", "兴隆",
		"瑞丰", "博远", "华源", "冰城", "松江", "金桥", "长青", "百川", "顺达", "联创", "盛世", "嘉禾", "鸿运", "中盈",
		"银河", "星海", "润泽", "永庆", "福瑞", "海川", "泰和", "龙运", "信达", "汇通", "广源", "聚丰", "昊天", "龙腾"),
	demoListPH("bank", "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行",
		"招商银行", "兴业银行", "哈尔滨银行", "龙江银行", "中信银行", "中国光大银行"),
	demoListPH("insurer", "中国人民财产保险股份有限公司", "中国人寿保险股份有限公司", "中国太平洋财产保险股份有限公司",
		"中国平安财产保险股份有限公司"),
	demoListPH("street", "西大直街", "中山路", "红旗大街", "友谊路", "会战大街", "学府路"),
	demoListPH("bureau", "教育局", "财政局", "卫生健康局", "市场监督管理局", "住房和城乡建设局", "人力资源和社会保障局",
		"应急管理局", "自然资源局", "民政局", "城市管理局", "农业农村局", "交通运输局", "医疗保障局", "退役军人事务局", "统计局"),
	demoListPH("prov", "农业农村厅", "自然资源厅", "交通运输厅", "水利厅", "生态环境厅", "商务厅", "文化和旅游厅",
		"卫生健康委员会", "教育厅", "人力资源和社会保障厅", "市场监督管理局", "营商环境建设监督局"),
	demoListPH("unih", "哈尔滨工业大学", "哈尔滨工程大学", "黑龙江大学", "东北林业大学", "东北农业大学", "哈尔滨医科大学",
		"哈尔滨理工大学", "哈尔滨师范大学", "哈尔滨商业大学"),
	demoListPH("unid", "东北石油大学", "黑龙江八一农垦大学"),
	demoListPH("college", "计算机科学与技术学院", "电气工程及自动化学院", "经济与管理学院", "外国语学院", "材料科学与工程学院",
		"土木工程学院", "信息与通信工程学院", "继续教育学院", "机电工程学院", "化学化工学院", "网络与信息化中心", "图书馆"),
	demoListPH("xiao", "光华", "复华", "继红", "兆麟", "花园", "清滨", "虹桥", "铁岭", "奋斗", "东风", "育才", "新华"),
	demoListPH("sq", "和兴", "先锋", "花园", "大成", "新春", "通达", "铁路", "安静", "新兴", "红旗"),
	demoListPH("mfg", "机械制造", "汽车零部件", "电机", "食品", "乳业", "制药", "包装材料", "精密铸造", "电气设备", "锅炉",
		"建材", "塑胶制品", "钢结构", "农机装备", "木业", "亚麻纺织"),
	demoListPH("trd", "商贸", "超市连锁", "汽车销售服务", "酒店管理", "百货", "医药连锁", "餐饮管理", "家居广场", "农产品批发市场"),
	demoListPH("net", "科技", "信息技术", "网络科技", "软件开发", "数据服务", "云计算", "电子商务", "智能科技"),
	demoListPH("assoc", "软件行业", "物流与采购", "餐饮行业", "个体劳动者", "建筑业", "中小企业", "汽车流通", "电子商务"),
	demoListPH("dqunit", "井下作业分公司", "试油试采分公司", "测试技术服务分公司", "物资公司", "水务公司", "装备制造集团",
		"勘探开发研究院", "采气分公司", "储运销售分公司", "天然气分公司", "矿区服务事业部", "电力集团"),
	demoListPH("plant", "炼油厂", "化工一厂", "化工二厂", "塑料厂", "腈纶厂", "化肥厂", "热电厂", "水气厂"),
	demoNumPH("n3", 3), demoNumPH("n4", 4), demoNumPH("n5", 5), demoNumPH("n10", 10), demoNumPH("n80", 80),
}

// demoChineseNumber writes 1–99 in Chinese numerals.
func demoChineseNumber(n int) string {
	digits := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + digits[n%10]
	default:
		return digits[n/10] + "十" + digits[n%10]
	}
}

// demoSpend is the annual telecom spend (yuan) by grade.
var demoSpend = map[string][2]int{
	"A": {1_500_000, 5_000_000}, "B": {500_000, 1_800_000}, "C": {150_000, 600_000}, "D": {50_000, 180_000},
}

// demoStatusWeights: prospect, active, dormant, churned.
var demoStatusWeights = map[string][]int{
	"A": {20, 70, 7, 3}, "B": {35, 50, 10, 5}, "C": {45, 35, 12, 8}, "D": {55, 25, 12, 8},
}

// demoOppCount: weights of 0–4 opportunities per customer by grade.
var demoOppCount = map[string][]int{
	"A": {0, 15, 35, 30, 20}, "B": {5, 30, 40, 25, 0}, "C": {15, 40, 35, 10, 0}, "D": {30, 45, 20, 5, 0},
}

// demoStageWeights by customer status, in Stages order.
var demoStageWeights = map[string][]int{
	"prospect": {18, 16, 14, 12, 10, 8, 6, 8},
	"active":   {10, 10, 10, 12, 12, 10, 22, 10},
	"dormant":  {20, 20, 10, 8, 4, 2, 0, 20},
	"churned":  {20, 15, 5, 4, 2, 0, 0, 30},
}

// demoScale multiplies a product's value range by grade (percent).
var demoScale = map[string]int{"A": 300, "B": 150, "C": 100, "D": 50}

// demoCloseDays: expected close, days from today, by open stage.
var demoCloseDays = map[string][2]int{
	StageIdentified: {60, 180}, StageContacted: {45, 170}, StageVisited: {30, 150},
	StageNeeds: {20, 120}, StageProposal: {10, 90}, StageNegotiation: {5, 60},
}

type demoProduct struct {
	name     string
	w        int
	favoured string // industries where it sells more
	only     string // if set, the only industries it is offered to
	monthly  [2]int // yuan per month, scaled by grade
	unit     [2]int // yuan per month per {n} of the title (per 100M of {bw})
	oneTime  [2]int // yuan, scaled by grade; zero = none
	titles   []string
	counts   []int               // for {n}, ascending
	extras   map[string][]string // for {x}, by industry ("" = any)
}

var demoProducts = []demoProduct{
	{name: "集团V网", w: 10, favoured: "gov,education,healthcare,energy", monthly: [2]int{500, 8000}, unit: [2]int{8, 20},
		titles: []string{"集团V网新装（{n}户）", "集团V网扩容", "集团V网融合套餐升级"}, counts: []int{50, 80, 120, 200, 300, 500, 800}},
	{name: "互联网专线", w: 12, favoured: "internet,trade,manufacturing,logistics", monthly: [2]int{3000, 20000}, unit: [2]int{1200, 2500},
		oneTime: [2]int{0, 5000}, titles: []string{"互联网专线{bw}M新装", "互联网专线扩容至{bw}M", "互联网专线双路由备份"}},
	{name: "数据专线", w: 9, favoured: "finance,gov,healthcare,energy", monthly: [2]int{3000, 30000}, unit: [2]int{1500, 4000},
		oneTime: [2]int{2000, 20000}, titles: []string{"数据专线（{x}互联）", "数据专线{n}条（{x}联网）"}, counts: []int{2, 3, 5, 8, 12},
		extras: map[string][]string{"": {"分支机构", "机房"}, "healthcare": {"院区", "医联体"}, "education": {"校区"},
			"energy": {"厂区", "作业区"}, "finance": {"网点", "同城灾备"}, "gov": {"下属单位", "政务外网"}}},
	{name: "企业宽带", w: 8, favoured: "trade,other,logistics", monthly: [2]int{300, 2000}, unit: [2]int{100, 300}, oneTime: [2]int{0, 500},
		titles: []string{"企业宽带{bw}M", "办公区企业宽带改造"}},
	{name: "云主机", w: 7, favoured: "internet,education,gov", monthly: [2]int{2000, 20000}, unit: [2]int{300, 1500},
		titles: []string{"云主机{n}台（业务上云）", "云主机及云存储", "{x}系统上云"}, counts: []int{4, 8, 10, 16, 20, 32},
		extras: map[string][]string{"": {"OA", "ERP", "财务", "门户网站"}, "healthcare": {"HIS", "PACS"}, "education": {"教务", "一卡通"},
			"gov": {"OA", "政务公开网站"}, "finance": {"OA", "办公"}}},
	{name: "IDC 机柜", w: 5, favoured: "internet,finance", only: "internet,finance,gov,healthcare,education,energy,trade", monthly: [2]int{6000, 30000}, unit: [2]int{3000, 5000}, oneTime: [2]int{0, 10000},
		titles: []string{"IDC 机柜租用{n}架", "IDC 机柜扩容"}, counts: []int{1, 2, 4, 6, 10}},
	{name: "物联网卡", w: 7, favoured: "energy,logistics,manufacturing", only: "energy,logistics,manufacturing,trade,healthcare,gov,internet",
		unit: [2]int{2, 8}, monthly: [2]int{500, 5000},
		titles: []string{"物联网卡{n}张（{x}）"}, counts: []int{200, 500, 1000, 2000, 5000},
		extras: map[string][]string{"": {"设备联网"}, "energy": {"油井数据采集", "管线监测"}, "logistics": {"车载定位", "冷链温控"},
			"manufacturing": {"设备监测", "智能电表"}, "trade": {"收银终端", "共享设备"}, "healthcare": {"医疗设备监测"},
			"gov": {"环境监测", "智慧路灯"}}},
	{name: "行业短信", w: 5, favoured: "finance,trade,gov", monthly: [2]int{300, 5000},
		titles: []string{"行业短信（{x}）"},
		extras: map[string][]string{"": {"业务通知", "缴费提醒"}, "finance": {"验证码", "动账通知"}, "trade": {"会员营销"},
			"gov": {"政务通知"}, "healthcare": {"预约挂号提醒"}, "education": {"家校通知"}}},
	{name: "400 号码", w: 4, favoured: "trade,logistics,internet", monthly: [2]int{200, 2000}, oneTime: [2]int{0, 1000},
		titles: []string{"400 号码开通", "400 客服热线"}},
	{name: "视频会议", w: 5, favoured: "gov,healthcare,energy", monthly: [2]int{1000, 8000}, unit: [2]int{200, 600}, oneTime: [2]int{5000, 80000},
		titles: []string{"视频会议系统（{n}会场）", "远程视频会商系统"}, counts: []int{4, 8, 12, 20, 30}},
	{name: "5G 专网", w: 2, favoured: "energy,manufacturing", only: "energy,manufacturing,healthcare,logistics,education",
		monthly: [2]int{10000, 60000}, oneTime: [2]int{50000, 300000}, titles: []string{"5G 专网（{x}）"},
		extras: map[string][]string{"energy": {"智能油田", "智慧炼厂"}, "manufacturing": {"智慧工厂"}, "healthcare": {"智慧医院"},
			"logistics": {"智慧仓储"}, "education": {"智慧校园"}}},
	{name: "视频监控", w: 4, favoured: "gov,education,trade", monthly: [2]int{800, 12000}, oneTime: [2]int{10000, 150000},
		titles: []string{"视频监控（{x}）"},
		extras: map[string][]string{"": {"园区安防"}, "gov": {"雪亮工程"}, "education": {"校园安防"}, "trade": {"明厨亮灶", "门店安防"},
			"logistics": {"仓储安防"}, "energy": {"站场安防"}}},
	{name: "SD-WAN 组网", w: 3, favoured: "finance,trade,manufacturing", monthly: [2]int{2000, 20000}, unit: [2]int{400, 1200},
		oneTime: [2]int{0, 20000}, titles: []string{"SD-WAN 组网（{n}个站点）"}, counts: []int{5, 10, 20, 30, 50}},
	{name: "云电脑", w: 3, favoured: "education,gov,finance", monthly: [2]int{1000, 15000}, unit: [2]int{80, 150},
		titles: []string{"云电脑{n}台"}, counts: []int{20, 50, 100, 200}},
}

var demoSurnames = []string{
	"王:wang", "李:li", "张:zhang", "刘:liu", "陈:chen", "杨:yang", "赵:zhao", "孙:sun", "于:yu", "高:gao",
	"马:ma", "徐:xu", "周:zhou", "吴:wu", "黄:huang", "朱:zhu", "胡:hu", "郭:guo", "何:he", "林:lin",
	"姜:jiang", "郑:zheng", "梁:liang", "宋:song", "韩:han", "冯:feng", "董:dong", "曹:cao", "曲:qu", "崔:cui",
	"邓:deng", "许:xu", "付:fu", "沈:shen", "彭:peng", "吕:lv", "苏:su", "卢:lu", "蒋:jiang", "蔡:cai",
	"贾:jia", "丁:ding", "魏:wei", "薛:xue", "田:tian", "任:ren", "范:fan", "石:shi", "姚:yao", "谭:tan",
	"邹:zou", "隋:sui", "佟:tong", "关:guan", "丛:cong", "尹:yin", "孟:meng", "白:bai", "秦:qin", "侯:hou",
	"常:chang", "牛:niu", "金:jin", "齐:qi", "鲍:bao", "宫:gong",
}

var demoMaleNames = []string{
	"建国:jianguo", "志强:zhiqiang", "国庆:guoqing", "建华:jianhua", "海涛:haitao", "立新:lixin", "永刚:yonggang",
	"宏伟:hongwei", "晓东:xiaodong", "文博:wenbo", "子豪:zihao", "浩然:haoran", "明辉:minghui", "振华:zhenhua",
	"德胜:desheng", "春生:chunsheng", "玉龙:yulong", "海波:haibo", "宇航:yuhang", "俊杰:junjie", "长江:changjiang",
	"庆丰:qingfeng", "铁军:tiejun", "伟:wei", "强:qiang", "磊:lei", "军:jun", "勇:yong", "杰:jie", "涛:tao",
	"斌:bin", "超:chao", "鹏:peng", "刚:gang", "辉:hui", "鑫:xin", "旭:xu", "峰:feng", "东:dong", "亮:liang", "健:jian",
}

var demoFemaleNames = []string{
	"秀英:xiuying", "桂芝:guizhi", "丽娟:lijuan", "晓燕:xiaoyan", "海燕:haiyan", "春梅:chunmei", "玉兰:yulan",
	"淑华:shuhua", "雪梅:xuemei", "婷婷:tingting", "思琪:siqi", "欣怡:xinyi", "文静:wenjing", "丽华:lihua",
	"红艳:hongyan", "晓丽:xiaoli", "美玲:meiling", "佳琪:jiaqi", "静:jing", "敏:min", "丽:li", "艳:yan", "娟:juan",
	"霞:xia", "芳:fang", "娜:na", "婷:ting", "颖:ying", "琳:lin", "慧:hui", "雪:xue", "莹:ying",
}

var demoMobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
	"156", "157", "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187",
	"188", "189", "191", "193", "195", "198", "199",
}

// demoMailDomains are reserved example domains, so that demo addresses
// never reach a real mailbox.
var demoMailDomains = map[string]string{
	"gov": "gov.example.cn", "finance": "bank.example.cn", "education": "edu.example.cn",
	"healthcare": "hospital.example.cn", "energy": "petro.example.cn", "enterprise": "corp.example.cn",
}

func demoTitleGroup(industry string) string {
	switch industry {
	case "gov", "finance", "education", "healthcare", "energy":
		return industry
	}
	return "enterprise"
}

// demoTitles by title group and contact role.
var demoTitles = map[string]map[string][]string{
	"gov": {
		"decision":   {"局长", "副局长", "区长", "副区长", "主任"},
		"influencer": {"办公室主任", "信息中心主任", "科技信息科科长"},
		"user":       {"信息中心科员", "网络管理员"},
		"gatekeeper": {"办公室副主任", "综合科科长", "财务科科长"},
	},
	"finance": {
		"decision":   {"行长", "副行长", "总经理", "分管副总经理"},
		"influencer": {"科技部经理", "运营管理部经理", "信息科技部主管"},
		"user":       {"网点主任", "系统管理员", "运维工程师"},
		"gatekeeper": {"办公室主任", "综合管理部经理", "采购部经理"},
	},
	"education": {
		"decision":   {"院长", "校长", "副校长", "党委书记"},
		"influencer": {"网络与信息中心主任", "信息化办公室主任", "副院长"},
		"user":       {"网络管理员", "教务处老师", "实验室主任"},
		"gatekeeper": {"办公室主任", "资产处处长", "后勤处处长"},
	},
	"healthcare": {
		"decision":   {"院长", "副院长", "党委书记", "主任"},
		"influencer": {"信息科主任", "设备科科长", "医务科科长"},
		"user":       {"信息科工程师", "网络管理员"},
		"gatekeeper": {"院办主任", "采购中心主任", "财务科科长"},
	},
	"energy": {
		"decision":   {"厂长", "经理", "副总经理", "党委书记"},
		"influencer": {"信息中心主任", "生产运行部主任", "通信站站长"},
		"user":       {"自动化工程师", "通信工程师", "生产调度员"},
		"gatekeeper": {"物资供应科科长", "企管科科长", "办公室主任"},
	},
	"enterprise": {
		"decision":   {"总经理", "董事长", "副总经理", "总裁"},
		"influencer": {"IT经理", "信息部部长", "技术总监"},
		"user":       {"网络管理员", "运维工程师", "行政专员"},
		"gatekeeper": {"采购部经理", "行政部经理", "办公室主任"},
	},
}

var demoPreferences = []string{
	"喜欢打羽毛球，周末常去体育馆", "爱好钓鱼，夏天常去松花江边", "喝茶，偏好普洱", "关注孩子升学", "不喜欢电话打扰，微信沟通",
	"爱好冬泳", "爱好书法", "喜欢下象棋", "不饮酒", "爱好摄影，冰雪节必去", "喜欢滑雪，冬天常去亚布力",
}

var demoContactNotes = []string{
	"春节前需上门走访", "与我方分管副总是老同学", "曾在竞争对手处任职", "周二、周四上午在单位", "负责本单位通信费报销审核",
	"下半年可能调任", "对上次故障处理不满意，需重点维护",
}

var demoQualNotes = map[string]map[string][]string{
	"pay": {
		QualYes:    {"年度信息化预算已批复", "今年通信费预算比去年增加约两成", "财务确认可按月付费"},
		QualPartly: {"预算需下季度追加审批", "预算有限，倾向分期付款"},
		QualNo:     {"今年预算已用完，明年再议", "资金紧张，暂无新增预算"},
	},
	"need": {
		QualYes:    {"现有专线带宽不足，计划扩容", "新院区投用，需要组网", "视频会议需求迫切", "新厂区明年投产，需要通信配套"},
		QualPartly: {"有上云意向，尚在论证", "对物联网卡有兴趣，规模未定"},
		QualNo:     {"现有服务基本满足需要", "近期无新增业务"},
	},
	"authority": {
		QualYes:    {"已接触到一把手", "信息科主任可直接决定十万元以下采购"},
		QualPartly: {"决策需上级单位审批", "需走政府采购流程"},
		QualNo:     {"尚未接触到决策人", "关键人刚调整，关系需重建"},
	},
	"acceptance": {
		QualYes:    {"认可我方网络质量和服务", "对客户经理印象很好"},
		QualPartly: {"对价格敏感，需要优惠方案", "担心割接影响业务"},
		QualNo:     {"与现运营商签有三年合约", "对我方有过投诉经历"},
	},
}

var demoLostNotes = map[string][]string{
	"price":       {"对方报价低约15%，我方无法跟进", "客户认为资费偏高，最终未签"},
	"competitor":  {"竞争对手以三年合约加赠终端中标", "客户选择与现运营商续约"},
	"no_budget":   {"项目预算被削减，暂停采购", "财政资金未到位"},
	"no_decision": {"领导调整，项目搁置", "内部意见不一，迟迟未定"},
	"timing":      {"客户计划推迟到明年二季度", "机房改造延期，需求后移"},
	"other":       {"客户搬迁至外地", "业务合并后需求取消"},
}

var demoMoveNotes = map[string][]string{
	StageContacted:   {"电话联系上信息科", "通过办公室约到负责人"},
	StageVisited:     {"已上门走访，见到分管领导", "陪同分公司领导走访"},
	StageNeeds:       {"需求已确认，待出方案", "现场勘查完成"},
	StageProposal:    {"方案已提交", "报价已提交，等待审批"},
	StageNegotiation: {"商务条款谈判中", "价格基本谈妥，待走合同流程"},
	StageWon:         {"合同已签订", "已完成开通"},
}
