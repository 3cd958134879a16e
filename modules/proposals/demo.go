package proposals

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/prospects"
)

// demoStates is the cycle of end states the demo proposals are walked to,
// so that every status (and a second version) shows up.
var demoStates = []string{"draft", "pending", "pending_director", "approved", "sent", "accepted", "rejected", "revised", "returned"}

// SeedDemo writes demo proposals for opportunities in the later stages,
// walking each through the real workflow (create, submit, approvals by the
// chief rep and the director, send, the customer's decision, a revision),
// so statuses, approvals, versions, audit trail and timeline entries are
// all consistent. It needs the demo org, customers, opportunities and the
// catalogue; it does nothing when any proposal exists. It returns the
// number of proposal versions written.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, error) {
	g := s.store.DB().WithContext(ctx)
	var n int64
	if err := g.Unscoped().Model(&Proposal{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("seed demo proposals: %w", err)
	}
	products, err := s.Products(ctx)
	if err != nil || n > 0 || len(products) == 0 || s.opts.Users == nil {
		return 0, err
	}
	// Opportunities in the later stages, at most two per account manager
	// so that every demo login has proposals to look at.
	var candidates []demoOpp
	if err := g.Table("opportunities").
		Joins("JOIN customers ON customers.id = opportunities.customer_id AND customers.deleted_at IS NULL").
		Where("opportunities.stage IN ?", []string{prospects.StageNeeds, prospects.StageProposal, prospects.StageNegotiation, prospects.StageWon}).
		Select("opportunities.id, opportunities.customer_id, customers.owner_id, opportunities.monthly_fen, opportunities.one_time_fen").
		Order("opportunities.id ASC").Scan(&candidates).Error; err != nil {
		return 0, fmt.Errorf("seed demo proposals: %w", err)
	}
	perOwner := map[uint]int{}
	var chosen []demoOpp
	for _, o := range candidates {
		if perOwner[o.OwnerID] == 2 || o.MonthlyFen <= 0 {
			continue
		}
		perOwner[o.OwnerID]++
		chosen = append(chosen, o)
	}
	// The states that need the director's approval go to the largest
	// opportunities: a proposal is priced from its opportunity, so only a
	// large deal can reach the director's threshold.
	states := make([]string, len(chosen))
	var big []int
	for i := range chosen {
		states[i] = demoStates[i%len(demoStates)]
		if demoBig(states[i]) {
			big = append(big, i)
		}
	}
	bySize := make([]int, len(chosen))
	for i := range bySize {
		bySize[i] = i
	}
	sort.SliceStable(bySize, func(a, b int) bool { return chosen[bySize[a]].MonthlyFen > chosen[bySize[b]].MonthlyFen })
	// Swap: a big state on a small deal trades places with a small state
	// on one of the largest deals; every other proposal keeps its state.
	top := map[int]bool{}
	for _, i := range bySize[:len(big)] {
		top[i] = true
	}
	var smallOnTop []int
	for _, i := range bySize[:len(big)] {
		if !demoBig(states[i]) {
			smallOnTop = append(smallOnTop, i)
		}
	}
	for _, j := range big {
		if !top[j] && len(smallOnTop) > 0 {
			i := smallOnTop[0]
			smallOnTop = smallOnTop[1:]
			states[i], states[j] = states[j], states[i]
		}
	}
	r := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x2545f4914f6cdd1d))
	count := 0
	for i, o := range chosen {
		owner, err := s.opts.Users.UserByID(ctx, o.OwnerID)
		if err != nil {
			return count, err
		}
		// The owner reads their own customer through the service, like
		// any other caller.
		c, err := s.prospects.Customer(ctx, owner.Subject(), o.CustomerID)
		if err != nil {
			return count, err
		}
		state := states[i]
		made, err := s.demoProposal(ctx, r, c, o, owner.Subject(), state, products)
		count += made
		if err != nil {
			return count, fmt.Errorf("seed demo proposal for %s (%s): %w", c.Name, state, err)
		}
	}
	return count, nil
}

// demoOpp is an opportunity a demo proposal is written for.
type demoOpp struct {
	ID, CustomerID, OwnerID uint
	MonthlyFen, OneTimeFen  money.Fen
}

// demoBig reports whether a demo state needs the director's approval.
func demoBig(state string) bool { return state == "pending_director" || state == "accepted" }

func (s *Service) demoProposal(ctx context.Context, r *rand.Rand, c *prospects.Customer, opp demoOpp, am authz.Subject, state string, products []Priced) (int, error) {
	big := demoBig(state)
	in := Input{
		CustomerID: c.ID, OpportunityID: opp.ID, Title: demoTitle(c.Name, r),
		ValidUntil:     s.opts.Now().AddDate(0, 2, 0).Format("2006-01-02"),
		Background:     c.Name + "正处于数字化转型阶段，总部与各分支机构之间的数据交换、视频会议和对外服务对网络的可靠性、带宽和安全提出了更高要求。现有线路由多家运营商分散提供，运维界面不统一，故障定位慢。",
		NeedsAnalysis:  "经多次走访和需求访谈，客户的主要诉求如下：\n- 总部与分支机构之间稳定、低时延的专线互联\n- 互联网出口带宽按业务高峰弹性扩容\n- 统一的服务界面：7×24 小时响应，故障 4 小时内恢复\n- 费用可预测，按月结算",
		Solution:       "采用“专线 + 互联网 + 云”的一体化架构：总部部署双路由互联网专线，分支机构通过数据专线汇聚到总部；核心业务系统迁移到云主机，通过 SD-WAN 统一调度流量。全网由我方客户经理和首席客户代表一点对接，7×24 小时网管监控。",
		Implementation: "第一阶段（签约后 2 周）：现场勘查、方案细化；\n第二阶段（第 3–6 周）：线路开通与割接，每个站点割接安排在夜间窗口；\n第三阶段（第 7–8 周）：云主机迁移、联调测试与验收。",
		Commitments:    "- 专线可用率不低于 99.95%，故障 4 小时内恢复\n- 指定客户经理和首席客户代表一点对接，重大活动现场保障\n- 每季度提交服务报告，每年一次满意度回访",
	}
	in.Lines = demoLines(r, opp, state, products)
	if big {
		for j := range in.Lines {
			in.Lines[j].TermMonths = "36"
		}
	}
	p, err := s.Create(ctx, am, in)
	if err != nil {
		return 0, err
	}
	made := 1
	if state == "draft" {
		return made, nil
	}
	if p, err = s.Submit(ctx, am, p.ID, 0); err != nil {
		// A big proposal on a chief rep's own customer needs a fallback
		// approver the demo does not configure: it stays a draft.
		var f apperr.Fields
		if errors.As(err, &f) && f["_form"] == "proposals.v.no_approver" {
			return made, nil
		}
		return made, err
	}
	// approve walks the pending version through its approvals, each by
	// the first person its step routes to; upTo stops before the
	// director's when the demo wants it waiting there.
	approve := func(p *Proposal, upTo string) (*Proposal, error) {
		for lvl := NextLevel(p); lvl != "" && lvl != upTo; lvl = NextLevel(p) {
			who, err := s.demoApprover(ctx, p, c)
			if err != nil || who == nil {
				return p, err
			}
			if p, err = s.Decide(ctx, *who, p.ID, true, "同意，请抓紧推进签约。"); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	switch state {
	case "pending":
		return made, nil
	case "pending_director":
		_, err = approve(p, "director")
		return made, err
	case "returned":
		who, err := s.demoApprover(ctx, p, c)
		if err == nil && who != nil {
			_, err = s.Decide(ctx, *who, p.ID, false, "折扣超出权限较多，请与客户再谈，执行价调整到 85% 以上后重新提交。")
		}
		return made, err
	}
	if p, err = approve(p, ""); err != nil || state == "approved" {
		return made, err
	}
	if p, err = s.Send(ctx, am, p.ID); err != nil && !errors.Is(err, ErrFollowUp) {
		return made, err
	}
	switch state {
	case "accepted", "rejected":
		_, err = s.CustomerDecision(ctx, am, p.ID, state == "accepted")
		if errors.Is(err, ErrFollowUp) {
			err = nil
		}
	case "revised":
		// The customer asked for changes: version 2 is made, approved and
		// sent, which supersedes version 1.
		in.Title += "（修订）"
		in.LockVersion = p.LockVersion
		v2, err := s.Update(ctx, am, p.ID, in)
		if err != nil {
			return made, err
		}
		made++
		if v2, err = s.Submit(ctx, am, v2.ID, 0); err != nil {
			return made, err
		}
		if v2, err = approve(v2, ""); err != nil {
			return made, err
		}
		if _, err = s.Send(ctx, am, v2.ID); errors.Is(err, ErrFollowUp) {
			err = nil
		}
	}
	return made, err
}

// demoApprover is the first person the step p waits for routes to, or
// nil when nobody may take it.
func (s *Service) demoApprover(ctx context.Context, p *Proposal, c *prospects.Customer) (*authz.Subject, error) {
	ids, err := s.newRouter().approvers(ctx, p, c)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	u, err := s.opts.Users.UserByID(ctx, ids[0])
	if err != nil {
		return nil, err
	}
	sub := u.Subject()
	return &sub, nil
}

var demoTitles = []string{"全网互联网专线整体解决方案", "总部与分支机构组网方案", "云网融合数字化升级方案", "物联网终端连接与管理方案", "统一通信与视频会议方案"}

func demoTitle(customer string, r *rand.Rand) string {
	return customer + demoTitles[r.IntN(len(demoTitles))]
}

// demoLines prices a proposal from its opportunity: one to three monthly
// products whose quantities add up to about the opportunity's monthly fee
// (so the quote a customer gets is in proportion to the deal and to what
// the customer spends), plus the products' one-time fees.
func demoLines(r *rand.Rand, opp demoOpp, state string, products []Priced) []LineInput {
	belowFloor := state == "pending" || state == "returned" || state == "approved"
	rate := int64(100)
	if r.IntN(3) == 0 {
		rate = 95
	}
	k := 1 + r.IntN(3)
	left := int64(opp.MonthlyFen)
	var lines []LineInput
	used := map[uint]bool{}
	for j := 0; j < k && left > 0; j++ {
		share := left
		if j < k-1 {
			share = left * int64(40+r.IntN(30)) / 100
		}
		// The products whose unit price (at the rate) fits the share.
		var fit []Priced
		for _, p := range products {
			if p.Active && p.MonthlyFen > 0 && !used[p.ID] && int64(p.MonthlyFen)*rate/100 <= share {
				fit = append(fit, p)
			}
		}
		if len(fit) == 0 {
			continue
		}
		p := fit[r.IntN(len(fit))]
		used[p.ID] = true
		lineRate := rate
		if belowFloor && j == 0 {
			// Below the product's floor: the chief rep must approve.
			lineRate = max(int64(p.FloorRate)/100-5, 50)
		}
		unit := int64(p.MonthlyFen) * lineRate / 100
		qty := max(share/unit, 1)
		left -= qty * unit
		lines = append(lines, LineInput{ProductID: p.ID, Quantity: strconv.FormatInt(qty, 10),
			TermMonths: strconv.Itoa(12 * (1 + r.IntN(3))), Rate: strconv.FormatInt(lineRate, 10)})
	}
	if len(lines) == 0 { // a deal smaller than any product: the cheapest, once
		cheapest := -1
		for i, p := range products {
			if p.Active && p.MonthlyFen > 0 && (cheapest < 0 || p.MonthlyFen < products[cheapest].MonthlyFen) {
				cheapest = i
			}
		}
		lineRate := rate
		if belowFloor {
			lineRate = max(int64(products[cheapest].FloorRate)/100-5, 50)
		}
		lines = append(lines, LineInput{ProductID: products[cheapest].ID, Quantity: "1", TermMonths: "12", Rate: strconv.FormatInt(lineRate, 10)})
	}
	return lines
}
