package benchseed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The records of a generated province, kept in Go while it is written so
// the later tables (visit records, needs, contracts, targets, reviews) can
// refer to them and the reviews can hold the months' true actuals.
type (
	mgr  struct{ id, team, branch int64 }
	cust struct {
		owner, team, branch int64
		grade               byte
		created             time.Time
	}
	contact struct {
		cust         int
		name, mobile string
		title, role  int
		at           time.Time
	}
	opp struct {
		cust             int
		stage            int // index in openStages; 6 won, 7 lost
		created, changed time.Time
		close            time.Time
		monthly, oneTime int64
		owner            int64
	}
	visit struct {
		cust   int32
		owner  int64
		status string
		at     time.Time
	}
)

const (
	// targetMonths of monthly targets per manager, ending with End's month.
	targetMonths = 12
	// reviewMonths of monthly reviews per manager: the months before End's.
	reviewMonths = 11
)

// reviewLines are the lines of a monthly review (targets.Line*).
var reviewLines = []string{"visits", "ab_visits", "contacts", "signings", "mrc", "proposals"}

var (
	visitObjectives = []string{"初次拜访，了解组织架构和现有通信业务", "需求调研：专线、云和视频会议需求", "产品演示：云视讯与5G专网", "商务洽谈与合同签约", "客户关怀回访，了解使用情况"}
	visitDiscussed  = []string{"客户介绍了年度信息化规划，信息中心主任关注网络稳定性。", "现场查看机房，现有专线带宽不足，计划明年扩容。", "演示云视讯，客户反馈画面清晰，需要报价。", "就合同条款和付款方式达成一致，待客户盖章。", "客户对现有服务满意，提出增加物联网卡的需求。"}
	visitNextSteps  = []string{"两周内提交方案", "安排技术交流", "发送报价单", "跟进合同盖章", "下季度回访"}
	oppTitles       = []string{"千兆专线扩容", "云专网组网", "视频监控平台", "物联网卡批量采购", "5G专网建设", "SD-WAN组网", "云视讯会议系统", "政务外网接入"}
	proposalTitles  = []string{"专线及云服务综合方案", "智慧校园解决方案", "视频监控整体方案", "物联网连接方案", "5G专网建设方案", "数字政府综合方案"}
	needCategories  = []string{"dedicated_line", "broadband", "idc_cloud", "iot", "industry_app", "voice", "mobile", "other"}
	needTexts       = []string{"总部与分支机构之间需要稳定的互联专线", "现有带宽不足，希望升级到千兆", "计划将业务系统迁移上云", "车辆和设备需要物联网连接与管理平台", "需要行业应用支撑日常管理", "需要统一的固话和呼叫中心", "员工手机套餐需要统一管理", "需要统一的视频会议系统"}
	reviewSummaries = []string{"本月重点客户走访按计划完成，签约略低于目标。", "新增联系人不足，下月加强关键人拓展。", "方案发送数量达标，两个商机进入谈判阶段。"}
)

// visitStatus is the i-th generated visit's status: a tenth planned (from
// two weeks overdue to a month ahead), a twentieth cancelled, the rest
// done. By number, not by chance, so Expect knows the counts.
func visitStatus(i int) string {
	switch i % 20 {
	case 0, 7:
		return "planned"
	case 13:
		return "cancelled"
	}
	return "done"
}

// wonPerManager is how many of n closed opportunities are won (every
// fourth is lost).
func wonPerManager(n int) int {
	won := 0
	for k := 0; k < n; k++ {
		if k%4 != 1 {
			won++
		}
	}
	return won
}

// hasBaseContract says whether the i-th customer has a contract from
// before the generated year (two in five). By tens, not by i itself:
// industries cycle over i (i % 10), and "i % 5 < 2" gave the earlier
// contracts to four industries alone — finance's signings were twice its
// share of the customers, its attainment under the industry filter ~400 %.
func hasBaseContract(i int) bool { return (i/10)%5 < 2 }

func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return digits[n]
	}
	return strconv.Itoa(n)
}

// world is FillProvince's state for the tables made after the proposals.
type world struct {
	w          *writer
	rng        *rand.Rand
	spec       ProvinceSpec
	start, end time.Time
	ams        []mgr
	custs      []cust
	custIDs    []int64
	byOwner    map[int64][]int
	opps       []opp
	oppIDs     []int64
	visits     []visit
	firstVisit int64 // the largest visit_plans id before the generated ones
	contacts   []contact
	sentAt     []time.Time // per proposal, in manager order
	signed     []signing   // per contract written (contracts)
	out        *Province
}

// signing is a contract written: its owner, when it was signed and its
// monthly value — the signings and new MRC the portal counts (a first
// revision, no predecessor).
type signing struct {
	owner   int64
	at      time.Time
	monthly int64
}

// actuals are one manager's figures in one month, the review lines'.
type actuals struct {
	visits, ab, contacts, signings, mrc, proposals int64
}

func (wd *world) fill(ctx context.Context) error {
	for _, step := range []func(context.Context) error{wd.visitRecords, wd.needs, wd.contracts, wd.targetsAndReviews} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// visitRecords writes a record (what was discussed, the attitude, the
// next step) for every done visit.
func (wd *world) visitRecords(ctx context.Context) error {
	w := wd.w
	ids, err := w.ids("SELECT id FROM visit_plans WHERE id > "+w.ph(1)+" ORDER BY id", wd.firstVisit)
	if err != nil {
		return err
	}
	if len(ids) != len(wd.visits) {
		return fmt.Errorf("benchseed: %d visits read back, want %d", len(ids), len(wd.visits))
	}
	var done []int
	for i, v := range wd.visits {
		if v.status == "done" {
			done = append(done, i)
		}
	}
	attitudes := []string{"positive", "positive", "neutral", "neutral", "negative"}
	err = w.insert("visit_records", []string{"visit_id", "discussed", "attitude", "needs_text", "next_step", "created_by", "created_at", "updated_at"}, len(done), func(k int, r []any) {
		i := done[k]
		v := wd.visits[i]
		at := earlier(v.at.Add(2*time.Hour), wd.end)
		need := ""
		if k%3 == 0 {
			need = needTexts[k%len(needTexts)]
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] = ids[i], visitDiscussed[i%len(visitDiscussed)], attitudes[wd.rng.IntN(len(attitudes))], need, visitNextSteps[k%len(visitNextSteps)], v.owner, at, at
	})
	wd.out.Counts.VisitRecords = len(done)
	return err
}

// needs writes one need for every second customer, most still open.
func (wd *world) needs(ctx context.Context) error {
	var which []int
	for i := range wd.custs {
		if i%2 == 0 {
			which = append(which, i)
		}
	}
	prios := []string{"high", "medium", "medium", "low"}
	err := wd.w.insert("needs", []string{"customer_id", "category", "description", "priority", "status", "owner_id", "created_by", "created_at", "updated_at"}, len(which), func(k int, r []any) {
		i := which[k]
		c := wd.custs[i]
		at := c.created.Add(time.Duration(wd.rng.Int64N(int64(wd.end.Sub(c.created)) + 1))).Truncate(time.Second)
		status := "open"
		switch k % 20 {
		case 1, 2, 3, 4, 5:
			status = "addressed"
		case 6, 7, 8:
			status = "closed"
		}
		cat := k % len(needCategories)
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] = wd.custIDs[i], needCategories[cat], needTexts[cat], prios[k%len(prios)], status, c.owner, c.owner, at, at
	})
	wd.out.Counts.Needs = len(which)
	return err
}

// contracts writes a contract for every won opportunity (signed when it
// was won, 12 to 36 months from the next weeks) and for two customers in
// five one from before (started up to three years ago), each the current
// revision, its status from its dates: active, expiring (ends within 90
// days), expired; then advances the branches' contract number counters
// past them so the portal's next contract gets a new number.
func (wd *world) contracts(ctx context.Context) error {
	w := wd.w
	type contract struct {
		cust, opp        int // opp -1: none
		signed           time.Time
		term             int
		monthly, oneTime int64
		title            string
	}
	day := 24 * time.Hour
	var cs []contract
	for i, o := range wd.opps {
		if o.stage == 6 {
			cs = append(cs, contract{cust: o.cust, opp: i, signed: o.changed, term: 12 * (1 + wd.rng.IntN(3)), monthly: o.monthly, oneTime: o.oneTime, title: oppTitles[i%len(oppTitles)] + "合同"})
		}
	}
	for i, c := range wd.custs {
		if !hasBaseContract(i) {
			continue
		}
		from := later(c.created, wd.end.AddDate(-3, 0, 0))
		// Signed from the customer's start (three years back at most) to
		// a month before End.
		signed := from.Add(time.Duration(wd.rng.Int64N(max(int64(wd.end.Sub(from)-30*day), int64(day))))).Truncate(time.Second)
		cs = append(cs, contract{cust: i, opp: -1, signed: signed, term: 12 * (1 + wd.rng.IntN(3)), monthly: 50000 + int64(wd.rng.IntN(3000000)), title: "通信业务框架合同"})
	}
	branchName := map[int64]string{}
	rows, err := w.db.QueryContext(ctx, "SELECT id, name FROM branches")
	if err != nil {
		return fmt.Errorf("benchseed: branches: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		branchName[id] = strings.TrimSuffix(strings.TrimSpace(name), "分公司")
	}
	rows.Close()
	type seqKey struct {
		branch int64
		year   int
	}
	seq := map[seqKey]int{}
	cols := []string{"number", "revision", "is_current", "customer_id", "opportunity_id", "owner_id", "branch_id", "title", "status", "signed_on", "start_on", "end_on", "term_months",
		"monthly_fen", "one_time_fen", "total_fen", "payment_terms", "payment_due_day", "signed_at", "activated_at", "created_by", "created_at", "updated_at"}
	err = w.insert("contracts", cols, len(cs), func(k int, r []any) {
		c := cs[k]
		cu := wd.custs[c.cust]
		key := seqKey{cu.branch, c.signed.Year()}
		seq[key]++
		number := fmt.Sprintf("HT-%s-%d-%06d", branchName[cu.branch], key.year, seq[key])
		signedOn := time.Date(c.signed.Year(), c.signed.Month(), c.signed.Day(), 0, 0, 0, 0, time.UTC)
		startOn := signedOn.AddDate(0, 0, 1+k%14)
		endOn := startOn.AddDate(0, c.term, -1)
		status := "active"
		switch {
		case startOn.After(wd.end):
			status = "signed"
		case endOn.Before(wd.end):
			status = "expired"
		case endOn.Before(wd.end.Add(90 * day)):
			status = "expiring"
		}
		var oppID, activated any
		if c.opp >= 0 {
			oppID = wd.oppIDs[c.opp]
		}
		if status != "signed" {
			activated = startOn
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] = number, 1, true, wd.custIDs[c.cust], oppID, cu.owner, cu.branch, c.title, status
		wd.signed = append(wd.signed, signing{owner: cu.owner, at: c.signed, monthly: c.monthly})
		r[9], r[10], r[11], r[12], r[13], r[14], r[15] = signedOn, startOn, endOn, c.term, c.monthly, c.oneTime, c.monthly*int64(c.term)+c.oneTime
		r[16], r[17], r[18], r[19], r[20], r[21], r[22] = "monthly", 1+k%28, c.signed, activated, cu.owner, c.signed.Add(-3*day), c.signed
	})
	if err != nil {
		return err
	}
	if _, err := w.db.ExecContext(ctx, "UPDATE contracts SET root_id = id WHERE root_id IS NULL"); err != nil {
		return fmt.Errorf("benchseed: contract roots: %w", err)
	}
	for k, n := range seq {
		q := "INSERT INTO contract_numbers (branch_id, year, last_seq) VALUES (" + w.ph(1) + ", " + w.ph(2) + ", " + w.ph(3) + ")"
		if _, err := w.db.ExecContext(ctx, q, k.branch, k.year, n); err != nil {
			return fmt.Errorf("benchseed: contract numbers: %w", err)
		}
	}
	wd.out.Counts.Contracts = len(cs)
	return nil
}

// targetsAndReviews writes each manager's monthly targets for the twelve
// months to End's, the year's quotas (per manager and per team, the sums
// of the months of End's year), and the reviews of the eleven months
// before End's with their lines: the target, the month's actual from the
// generated records, and for a missed line a reason A–D.
func (wd *world) targetsAndReviews(ctx context.Context) error {
	w, spec := wd.w, wd.spec
	endMonth := wd.end.Year()*12 + int(wd.end.Month()) - 1
	monthIndex := func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 - endMonth + targetMonths - 1 }
	monthName := func(m int) string {
		abs := endMonth - (targetMonths - 1) + m
		return fmt.Sprintf("%04d-%02d", abs/12, abs%12+1)
	}
	mi := map[int64]int{}
	for i, m := range wd.ams {
		mi[m.id] = i
	}
	act := make([][targetMonths]actuals, len(wd.ams))
	tally := func(owner int64, at time.Time, f func(*actuals)) {
		if m := monthIndex(at); m >= 0 && m < targetMonths {
			f(&act[mi[owner]][m])
		}
	}
	for _, v := range wd.visits {
		if v.status == "done" {
			g := wd.custs[v.cust].grade
			tally(v.owner, v.at, func(a *actuals) {
				a.visits++
				if g == 'A' || g == 'B' {
					a.ab++
				}
			})
		}
	}
	for _, c := range wd.contacts {
		tally(wd.custs[c.cust].owner, c.at, func(a *actuals) { a.contacts++ })
	}
	// Signings and new MRC as the portal counts them: the contracts
	// signed (every won opportunity's and the customers' earlier ones).
	for _, c := range wd.signed {
		tally(c.owner, c.at, func(a *actuals) { a.signings++; a.mrc += c.monthly })
	}
	for i, at := range wd.sentAt {
		tally(wd.ams[i/spec.ProposalsPerManager].id, at, func(a *actuals) { a.proposals++ })
	}

	// Targets near what the records make, a manager ±15 %.
	type target struct{ visits, ab, contacts, signings, mrc, proposals int64 }
	perMonth := func(n int) float64 { return float64(n) / 12 }
	done := perMonth(spec.VisitsPerManager) * 0.85
	tg := make([][targetMonths]target, len(wd.ams))
	for i := range wd.ams {
		f := 0.85 + 0.3*wd.rng.Float64()
		// The manager's own signings and new MRC of the twelve months,
		// a month's share: his contracts signed, not the won
		// opportunities alone (the portal counts the contracts).
		var signings, mrc int64
		for m := 0; m < targetMonths; m++ {
			signings, mrc = signings+act[i][m].signings, mrc+act[i][m].mrc
		}
		for m := 0; m < targetMonths; m++ {
			tg[i][m] = target{visits: int64(done * f), ab: int64(done * 0.4 * f), contacts: max(1, int64(float64(spec.ContactsPerManager)/36*f)),
				signings: max(1, int64(perMonth(int(signings))*f+0.5)), proposals: max(1, int64(perMonth(spec.ProposalsPerManager)*f))}
			tg[i][m].mrc = max(100000, int64(float64(mrc)/targetMonths*f)/100000*100000) // whole thousands of yuan
		}
	}
	created := wd.end.AddDate(0, -targetMonths, 0)
	err := w.insert("monthly_targets", []string{"month", "owner_id", "team_id", "branch_id", "visits", "ab_visits", "contacts", "signings", "mrc_fen", "proposals", "created_at", "updated_at"}, len(wd.ams)*targetMonths, func(k int, r []any) {
		i, m := k/targetMonths, k%targetMonths
		a, t := wd.ams[i], tg[i][m]
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] = monthName(m), a.id, a.team, a.branch, t.visits, t.ab, t.contacts, t.signings, t.mrc, t.proposals, created, created
	})
	if err != nil {
		return err
	}
	// The year's quotas: the manager's months of End's year, and the team's sum.
	type quota struct {
		owner                   any
		team, branch            int64
		visits, signings, mrcFn int64
	}
	var qs []quota
	teamAt := map[int64]int{}
	for i, a := range wd.ams {
		q := quota{owner: a.id, team: a.team, branch: a.branch}
		for m := 0; m < targetMonths; m++ {
			if monthName(m)[:4] == strconv.Itoa(wd.end.Year()) {
				q.visits, q.signings, q.mrcFn = q.visits+tg[i][m].visits, q.signings+tg[i][m].signings, q.mrcFn+tg[i][m].mrc
			}
		}
		qs = append(qs, q)
		if _, ok := teamAt[a.team]; !ok {
			teamAt[a.team] = len(qs)
			qs = append(qs, quota{owner: nil, team: a.team, branch: a.branch})
		}
		t := &qs[teamAt[a.team]]
		t.visits, t.signings, t.mrcFn = t.visits+q.visits, t.signings+q.signings, t.mrcFn+q.mrcFn
	}
	if err := w.insert("target_quotas", []string{"year", "owner_id", "team_id", "branch_id", "visits", "signings", "mrc_fen", "created_at", "updated_at"}, len(qs), func(k int, r []any) {
		q := qs[k]
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] = wd.end.Year(), q.owner, q.team, q.branch, q.visits, q.signings, q.mrcFn, created, created
	}); err != nil {
		return err
	}

	// Reviews of the months before End's, signed off by the team's chief.
	leader := map[int64]int64{}
	rows, err := w.db.QueryContext(ctx, "SELECT id, COALESCE(leader_id, 0) FROM teams")
	if err != nil {
		return fmt.Errorf("benchseed: teams: %w", err)
	}
	for rows.Next() {
		var id, l int64
		if err := rows.Scan(&id, &l); err != nil {
			rows.Close()
			return err
		}
		leader[id] = l
	}
	rows.Close()
	var maxReview int64
	if err := w.one(&maxReview, "SELECT COALESCE(MAX(id), 0) FROM monthly_reviews"); err != nil {
		return err
	}
	n := len(wd.ams) * reviewMonths
	err = w.insert("monthly_reviews", []string{"month", "owner_id", "team_id", "branch_id", "status", "summary", "submitted_at", "signed_off_at", "signed_off_by", "created_by", "created_at", "updated_at"}, n, func(k int, r []any) {
		i, m := k/reviewMonths, k%reviewMonths
		a := wd.ams[i]
		abs := endMonth - (targetMonths - 1) + m
		next := time.Date(abs/12, time.Month(abs%12+1), 1, 2, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
		status, submitted, signed, by := "signed_off", any(next.AddDate(0, 0, 2)), any(next.AddDate(0, 0, 4)), any(leader[a.team])
		switch k % 10 {
		case 0:
			status, submitted, signed, by = "draft", nil, nil, nil
		case 1:
			status, signed, by = "submitted", nil, nil
		case 2:
			status, signed, by = "returned", nil, nil
		}
		r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] = monthName(m), a.id, a.team, a.branch, status, reviewSummaries[k%len(reviewSummaries)], submitted, signed, by, a.id, next, next.AddDate(0, 0, 4)
	})
	if err != nil {
		return err
	}
	ids, err := w.ids("SELECT id FROM monthly_reviews WHERE id > "+w.ph(1)+" ORDER BY id", maxReview)
	if err != nil {
		return err
	}
	if len(ids) != n {
		return fmt.Errorf("benchseed: %d reviews read back, want %d", len(ids), n)
	}
	reasons := []string{"A", "B", "C", "D"}
	notes := map[string]string{"A": "客户预算推迟到下季度", "B": "竞争对手低价竞争", "C": "内部审批流程较长", "D": "个人时间安排不足"}
	err = w.insert("review_lines", []string{"review_id", "line", "target", "actual", "reason", "note"}, n*len(reviewLines), func(k int, r []any) {
		rev, l := k/len(reviewLines), k%len(reviewLines)
		i, m := rev/reviewMonths, rev%reviewMonths
		a, t := act[i][m], tg[i][m]
		target, actual := []int64{t.visits, t.ab, t.contacts, t.signings, t.mrc, t.proposals}[l], []int64{a.visits, a.ab, a.contacts, a.signings, a.mrc, a.proposals}[l]
		reason, note := "", ""
		if actual < target {
			reason = reasons[(i+m+l)%len(reasons)]
			note = notes[reason]
		}
		r[0], r[1], r[2], r[3], r[4], r[5] = ids[rev], reviewLines[l], target, actual, reason, note
	})
	if err != nil {
		return err
	}
	wd.out.Counts.Targets, wd.out.Counts.Reviews, wd.out.Counts.ReviewLines = len(wd.ams)*targetMonths, n, n*len(reviewLines)
	return nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
