package contracts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/prospects"
)

// demoPlan is the state a demo contract is walked to, with the dates that
// put it there: it started startAgo days ago (negative: in the future) and
// runs for months.
type demoPlan struct {
	state    string
	startAgo int
	months   int
}

// demoPlans cycle over the demo contracts so that every state shows, and
// the expiring ones end in the next 30, 60 and 90 days.
var demoPlans = []demoPlan{
	{"active", 200, 24},
	{"expiring", 365 - 25, 12},   // ends in about 25 days
	{"overdue_tasks", 20, 12},    // signed, implementation late
	{"pending", -10, 12},         // waiting for the chief rep
	{"expiring", 365 - 55, 12},   // about 55 days
	{"approved", -20, 24},        // ready to sign
	{"draft", -30, 12},           // being prepared
	{"expiring", 730 - 85, 24},   // about 85 days
	{"expired", 400, 12},         // ended a month ago
	{"terminated", 150, 24},      // ended early
	{"renewed", 365 - 40, 12},    // renewed by a signed successor
	{"amended", 120, 24},         // an amendment replaced revision 1
	{"pending_director", -5, 36}, // big: the chief rep approved, the director not yet
	{"signed", -15, 12},          // signed, starts in two weeks
	{"active", 60, 36},
}

// demoTitles end the names of demo contracts made by hand.
var demoTitles = []string{"通信业务协议", "专线业务协议", "综合通信服务协议", "云网融合服务协议", "集团通信业务合作协议"}

// demoQuantity is a plausible quantity of a product: as many as make
// ¥2,000 to ¥30,000 a month (at least one), or a few of a one-time item.
func demoQuantity(r *rand.Rand, p Product) int64 {
	if p.MonthlyFen <= 0 {
		return int64(1 + r.IntN(5))
	}
	target := int64(2_000_00 + r.IntN(28_000_00))
	return max(1, min(target/int64(p.MonthlyFen), 5_000))
}

// demoNotes are the special terms of demo contracts.
var demoNotes = []string{
	"专线可用率不低于 99.95%，故障 4 小时内恢复；每超时 1 小时按当月月费的 1% 赔付，全年累计不超过当月月费。\n\n发票按月开具增值税专用发票。",
	"合同期内单价不变；新增站点按本合同折扣执行。甲方提前 30 日书面通知可调整带宽。",
	"乙方指定客户经理和首席客户代表一点对接，重大活动提供现场保障。",
}

// SeedDemo writes demo contracts, walking each through the real workflow
// (create, submit, approvals, signing, implementation, activation,
// renewal, amendment, termination) so that statuses, approvals, tasks,
// timeline, audit and notices are consistent; then runs the daily job
// once, which makes the ones near their end expiring (or expired) and
// sends the renewal reminders. Contracts are made from the demo's
// accepted proposals first, then by hand for up to two customers of each
// account manager. It needs the demo org, customers and catalogue, and
// does nothing when any contract exists. It returns how many contracts
// (first revisions) it made.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, error) {
	g := db.Conn(ctx, s.store.DB())
	var n int64
	if err := g.Unscoped().Model(&Contract{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	products, err := s.Products(ctx)
	if err != nil || len(products) == 0 {
		return 0, err
	}
	// Customers with key persons, by owner, oldest first.
	var cands []struct{ ID, OwnerID uint }
	if err := g.Table("customers").Where("customers.deleted_at IS NULL AND EXISTS (SELECT 1 FROM contacts WHERE contacts.customer_id = customers.id AND contacts.deleted_at IS NULL)").
		Select("customers.id, customers.owner_id").Order("id").Scan(&cands).Error; err != nil {
		return 0, fmt.Errorf("seed demo contracts: %w", err)
	}
	var accepted []struct{ ID, CustomerID uint }
	if err := g.Table("proposals").Where("status = ? AND deleted_at IS NULL", "accepted").Select("id, customer_id").Order("id").Scan(&accepted).Error; err != nil {
		return 0, fmt.Errorf("seed demo contracts: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	made, i := 0, 0
	used := map[uint]bool{}
	perOwner := map[uint]int{}
	next := func() demoPlan { p := demoPlans[i%len(demoPlans)]; i++; return p }
	for _, a := range accepted {
		if used[a.CustomerID] {
			continue
		}
		cust, err := s.deps.Customers.CustomerFor(ctx, s.demoOwner(ctx, a.CustomerID), a.CustomerID, "write")
		if err != nil {
			continue
		}
		used[cust.ID] = true
		perOwner[cust.OwnerID]++
		plan := next()
		if plan.state == "pending_director" {
			plan = next() // a proposal's total is what it is
		}
		if err := s.demoContract(ctx, r, cust, a.ID, plan, products); err != nil {
			return made, fmt.Errorf("seed demo contract for %s (%s): %w", cust.Name, plan.state, err)
		}
		made++
	}
	for _, c := range cands {
		if used[c.ID] || perOwner[c.OwnerID] >= 2 {
			continue
		}
		cust, err := s.deps.Customers.CustomerFor(ctx, s.demoOwner(ctx, c.ID), c.ID, "write")
		if err != nil {
			continue
		}
		used[c.ID] = true
		perOwner[c.OwnerID]++
		plan := next()
		if err := s.demoContract(ctx, r, cust, 0, plan, products); err != nil {
			return made, fmt.Errorf("seed demo contract for %s (%s): %w", cust.Name, plan.state, err)
		}
		made++
	}
	// The daily job: expiring, expired, reminders, overdue tasks.
	if err := s.Renewals(ctx, s.opts.Now()); err != nil {
		return made, err
	}
	return made, s.TasksOverdue(ctx, s.opts.Now())
}

// demoOwner is the subject of a customer's owner (the zero subject when
// it cannot be read: the customer is then skipped).
func (s *Service) demoOwner(ctx context.Context, customerID uint) authz.Subject {
	var ownerID uint
	if err := db.Conn(ctx, s.store.DB()).Table("customers").Where("id = ?", customerID).Select("owner_id").Scan(&ownerID).Error; err != nil {
		return authz.Subject{}
	}
	u, err := s.deps.Org.UserByID(ctx, ownerID)
	if err != nil {
		return authz.Subject{}
	}
	return u.Subject()
}

// demoApprovers are the customer's chief rep (or team leader) and the
// branch's director.
func (s *Service) demoApprovers(ctx context.Context, cust *prospects.Customer) (chief, director *authz.Subject, err error) {
	cid, err := s.chiefOf(ctx, cust)
	if err != nil {
		return nil, nil, err
	}
	if cid != 0 {
		u, err := s.deps.Org.UserByID(ctx, cid)
		if err != nil {
			return nil, nil, err
		}
		sub := u.Subject()
		chief = &sub
	}
	ds, _, err := s.deps.Org.ListUsers(ctx, org.UserFilter{Role: authz.RoleDirector, BranchID: cust.BranchID, Status: "active", Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(ds) > 0 {
		sub := ds[0].Subject()
		director = &sub
	}
	return chief, director, nil
}

func (s *Service) demoContract(ctx context.Context, r *rand.Rand, cust *prospects.Customer, proposalID uint, plan demoPlan, products []Product) error {
	owner, err := s.deps.Org.UserByID(ctx, cust.OwnerID)
	if err != nil {
		return err
	}
	am := owner.Subject()
	contacts, err := s.deps.Customers.Contacts(ctx, am, cust.ID)
	if err != nil || len(contacts) == 0 {
		return err
	}
	signatory := contacts[0].ID
	for _, k := range contacts {
		if k.Role == "decision" {
			signatory = k.ID
			break
		}
	}
	today := s.Today()
	start := today.AddDate(0, 0, -plan.startAgo)
	in := Input{CustomerID: cust.ID, ProposalID: proposalID, Title: cust.Name + demoTitles[0],
		StartOn: start.Format("2006-01-02"), EndOn: EndFor(start, plan.months).Format("2006-01-02"),
		PaymentTerms: PaymentTerms[r.IntN(3)], PaymentDueDay: strconv.Itoa(5 + r.IntN(20)),
		OurSignatoryID: cust.OwnerID, CustomerSignatoryID: signatory, Notes: demoNotes[r.IntN(len(demoNotes))]}
	if proposalID == 0 {
		opps, err := s.deps.Customers.Opportunities(ctx, am, cust.ID)
		if err != nil {
			return err
		}
		for _, o := range opps {
			if !o.Closed() {
				in.OpportunityID = o.ID
				break
			}
		}
		in.Title = cust.Name + demoTitles[r.IntN(len(demoTitles))]
		k := 1 + r.IntN(3)
		for j := 0; j < k; j++ {
			p := products[r.IntN(len(products))]
			rate := "100"
			if r.IntN(3) == 0 {
				rate = "95"
			}
			in.Lines = append(in.Lines, LineInput{ProductID: p.ID, Quantity: strconv.FormatInt(demoQuantity(r, p), 10), Rate: rate})
		}
		// A contract the demo wants waiting for approval is big enough
		// to need it.
		switch plan.state {
		case "pending":
			in.Lines = append(in.Lines, s.bigLine(products, plan.months, s.opts.ChiefThreshold))
		case "pending_director":
			in.Lines = append(in.Lines, s.bigLine(products, plan.months, s.opts.DirectorThreshold))
		}
	} else {
		acc, err := s.deps.Proposals.Accepted(ctx, am, proposalID)
		if err != nil {
			return err
		}
		in.Title = acc.Title
		longest := 1
		for _, l := range acc.Lines {
			longest = max(longest, l.TermMonths)
		}
		if longest > plan.months {
			in.EndOn = EndFor(start, longest).Format("2006-01-02")
		}
	}
	c, err := s.Create(ctx, am, in)
	if err != nil || plan.state == "draft" {
		return err
	}
	chief, director, err := s.demoApprovers(ctx, cust)
	if err != nil {
		return err
	}
	// approve walks a pending revision through its steps, each decided by
	// the first of the chief rep and the director the four-eyes rule lets
	// decide it; upTo stops before that level. A step nobody may take
	// (a chief rep's own customer needing two directors) stays pending.
	approve := func(c *Contract, upTo string) (*Contract, error) {
		for lvl := NextLevel(c); lvl != "" && lvl != upTo; lvl = NextLevel(c) {
			var who *authz.Subject
			for _, x := range []*authz.Subject{chief, director} {
				if x != nil && s.decisionError(ctx, *x, c, cust) == nil {
					who = x
					break
				}
			}
			if who == nil {
				return c, nil
			}
			var err error
			if c, err = s.Decide(ctx, *who, c.ID, true, "同意，请按期签署。"); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
	if c, err = s.Submit(ctx, am, c.ID, 0); err != nil {
		return err
	}
	switch plan.state {
	case "pending":
		return nil
	case "pending_director":
		_, err = approve(c, LevelDirector)
		return err
	}
	if c, err = approve(c, ""); err != nil || plan.state == "approved" || !c.IsApproved() {
		return err
	}
	signedOn := minDate(start.AddDate(0, 0, -7), today)
	if c, err = s.Sign(ctx, am, c.ID, signedOn.Format("2006-01-02"), 0); err != nil || plan.state == "signed" {
		return err
	}
	tasks, err := s.store.Tasks(ctx, c.Root())
	if err != nil {
		return err
	}
	if plan.state == "overdue_tasks" {
		// The service is open; the cutover and the acceptance are late.
		for k, t := range tasks {
			in := TaskInput{Title: t.Title, OwnerID: t.OwnerID, DueOn: today.AddDate(0, 0, -3-7*k).Format("2006-01-02"), Status: TaskTodo, Version: t.Version}
			if k == 0 {
				in.Status, in.Note = TaskDone, "已开通，待割接。"
			} else if k == 1 {
				in.Status = TaskDoing
			}
			if _, err := s.UpdateTask(ctx, am, c.ID, t.ID, in); err != nil {
				return err
			}
		}
		return nil
	}
	for _, t := range tasks {
		if _, err := s.UpdateTask(ctx, am, c.ID, t.ID, TaskInput{Title: t.Title, OwnerID: t.OwnerID, DueOn: t.DueOn.Format("2006-01-02"), Status: TaskDone, Version: t.Version}); err != nil {
			return err
		}
	}
	if c, err = s.Activate(ctx, am, c.ID, 0); err != nil {
		return err
	}
	switch plan.state {
	case "terminated":
		_, err = s.Terminate(ctx, am, c.ID, "客户办公地点搬迁，双方协商提前终止，已结清费用。", 0)
	case "renewed":
		var next *Contract
		if next, err = s.Renew(ctx, am, c.ID, true); err != nil {
			return err
		}
		if next, err = s.Submit(ctx, am, next.ID, 0); err != nil {
			return err
		}
		if next, err = approve(next, ""); err != nil {
			return err
		}
		_, err = s.Sign(ctx, am, next.ID, "", 0)
	case "amended":
		var amd *Contract
		if amd, err = s.Amend(ctx, am, c.ID); err != nil {
			return err
		}
		lines, err := s.store.Lines(ctx, amd.ID)
		if err != nil {
			return err
		}
		in := InputOf(amd, lines)
		in.Notes = "补充协议：总部出口带宽扩容，新增一条业务，其余条款不变。"
		in.Lines = append(in.Lines, LineInput{ProductID: products[r.IntN(len(products))].ID, Quantity: "1"})
		if amd, err = s.Update(ctx, am, amd.ID, in); err != nil {
			return err
		}
		if amd, err = s.Submit(ctx, am, amd.ID, 0); err != nil {
			return err
		}
		if amd, err = approve(amd, ""); err != nil {
			return err
		}
		if !amd.IsApproved() {
			return nil
		}
		// err is this case's own (shadowed by the lines above): return it
		// here, or a failed signing would be lost.
		_, err = s.Sign(ctx, am, amd.ID, "", 0)
		return err
	}
	return err
}

// bigLine is a line of the dearest monthly product with a quantity that
// takes a contract of months above threshold.
func (s *Service) bigLine(products []Product, months int, threshold money.Fen) LineInput {
	best := products[0]
	for _, p := range products {
		if p.MonthlyFen > best.MonthlyFen {
			best = p
		}
	}
	per := int64(best.MonthlyFen) * int64(max(months, 1))
	qty := int64(1)
	if per > 0 {
		qty = int64(threshold)/per + 1
	}
	return LineInput{ProductID: best.ID, Quantity: strconv.FormatInt(qty, 10)}
}

func minDate(a, b time.Time) time.Time {
	if dateOf(a).Before(dateOf(b)) {
		return dateOf(a)
	}
	return dateOf(b)
}
