package targets

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
)

// Demo texts: the handbook's reasons as account managers write them.
var (
	demoNotes = map[string][]string{
		"A": {"本月走访安排多次被临时事务挤占，下月每周固定两个半天走访，不再随意取消。",
			"对重点客户跟进不够主动，下月每天下班前补齐走访记录并约好次日走访。",
			"签约前的最后一步没有盯紧，下月对谈判中的商机每周至少联系一次决策人。"},
		"B": {"月初没有排出全月走访计划，下月月初按客户等级排好计划并报首席客户代表。",
			"方案准备时间估计不足，下月提前两周启动方案撰写并约好业务支撑。",
			"走访路线安排不合理，下月按区域集中安排走访。"},
		"C": {"年度任务分解时未考虑该客户预算冻结，建议下月目标按实际商机调整。",
			"新增联系人目标偏高，本季度以深耕现有客户的决策链为主。"},
		"D": {"客户单位机构调整，关键人变动，项目推迟到下季度。",
			"防汛保障任务占用近两周时间，下月补上计划内的走访。"},
	}
	demoReasonWeights = []string{"A", "B", "B", "B", "C", "C", "D"}
	demoSummaries     = []string{
		"本月重点推进了两家 A 类客户的专线扩容，方案已提交，预计下月签约。",
		"月中客户集中年底预算审批，走访以需求确认为主，签约节奏偏慢。",
		"新接手三家客户，本月以建立联系、梳理决策链为主。",
		"",
	}
	demoSignOff = []string{"分析到位，措施可行，下月重点盯 A 类客户。", "同意，继续保持。", "原因分析实在，下月按计划推进。"}
	demoReturn  = "改进措施请落到具体客户和日期上，再提交一次。"
	demoComment = "走访数量偏少，注意 B 类客户的覆盖。"
)

// SeedDemo gives every demo account manager an annual quota, targets for
// the last six months and the current one (set around what their records
// show, so some lines are reached and some missed), and reviews of the
// past months in every state with reasons and improvements. It does
// nothing when targets exist. It returns the targets and reviews made.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, int, error) {
	var n int64
	if err := db.Conn(ctx, s.db).Model(&Target{}).Count(&n).Error; err != nil || n > 0 {
		return 0, 0, err
	}
	people, err := s.dir.AccountManagers(ctx, 0, 0)
	if err != nil || len(people) == 0 {
		return 0, 0, err
	}
	r := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x7f4a7c15))
	now := s.now()
	cur := MonthOf(now, s.opts.Location)
	targets, reviews := 0, 0
	err = db.WithTx(ctx, s.db, func(ctx context.Context) error {
		teamQuota := map[uint]*Quota{}
		quotas := map[uint]*Quota{} // by manager id × 10000 + year
		for i, p := range people {
			sub := authz.Subject{ID: p.ID, Role: authz.RoleAccountManager, TeamID: p.TeamID, BranchID: p.BranchID}
			leader := p.LeaderID
			setter := leader
			if setter == 0 {
				setter = p.ID
			}
			for _, year := range []int{cur.Add(-6).Year(), cur.Year()} {
				if _, err := s.store.QuotaFor(ctx, p.ID, p.TeamID, year); err == nil {
					continue
				}
				q := &Quota{Year: year, OwnerID: &p.ID, TeamID: p.TeamID, BranchID: p.BranchID,
					Visits: int64(120 + r.IntN(8)*10), Signings: int64(12 + r.IntN(13)), MRCFen: money.Fen(int64(60+r.IntN(90)) * 10_000_00),
					CreatedBy: &setter, UpdatedBy: &setter, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
				if err := s.store.CreateQuota(ctx, q); err != nil {
					return fmt.Errorf("demo quota: %w", err)
				}
				quotas[p.ID*10000+uint(year)] = q
				key := uint(year)*100000 + p.TeamID
				tq := teamQuota[key]
				if tq == nil {
					tq = &Quota{Year: year, TeamID: p.TeamID, BranchID: p.BranchID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
					teamQuota[key] = tq
				}
				tq.Visits += q.Visits
				tq.Signings += q.Signings
				tq.MRCFen += q.MRCFen
			}
			for k := 6; k >= 0; k-- {
				m := cur.Add(-k)
				act, err := s.Actuals(ctx, sub, []uint{p.ID}, m)
				if err != nil {
					return err
				}
				a := act[p.ID]
				t := &Target{Month: m.String(), OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID,
					CreatedBy: &setter, UpdatedBy: &setter, CreatedAt: m.Start().AddDate(0, 0, -5).UTC(), UpdatedAt: m.Start().AddDate(0, 0, -5).UTC()}
				// Around what the records show (some lines reached, some
				// missed); where the records are thin, the quota's share.
				v := Values{}
				factors := []int64{80, 90, 100, 110, 120, 130, 150}
				quota := quotas[p.ID*10000+uint(m.Year())]
				for _, l := range Lines {
					f := factors[r.IntN(len(factors))]
					if k == 0 {
						f += 40 // the current month is still under way
					}
					base := a[l.Key]
					if base == 0 && quota != nil && l.Quota {
						v[l.Key] = ProposeFromQuota(quota.Value(l.Key), s.uplift, l.Money)
						continue
					}
					if l.Money {
						v[l.Key] = max(ceilDiv(base*f, 100*100_00)*100_00, 10_000_00)
					} else {
						v[l.Key] = max(ceilDiv(base*f, 100), int64(1+r.IntN(3)))
					}
				}
				t.SetValues(v)
				if err := s.store.CreateTarget(ctx, t); err != nil {
					return fmt.Errorf("demo target: %w", err)
				}
				targets++
				if k == 0 {
					continue
				}
				status := demoStatus(i, k)
				if status == "" {
					continue
				}
				if err := s.demoReview(ctx, r, p, leader, m, t, a, status); err != nil {
					return err
				}
				reviews++
			}
		}
		for _, tq := range teamQuota {
			if err := s.store.CreateQuota(ctx, tq); err != nil {
				return fmt.Errorf("demo team quota: %w", err)
			}
		}
		return nil
	})
	return targets, reviews, err
}

// demoStatus spreads the states: old months signed off, last month in
// every state (one manager in five has not written it yet).
func demoStatus(i, monthsAgo int) string {
	if monthsAgo >= 3 {
		return StatusSignedOff
	}
	if monthsAgo == 2 {
		if i%7 == 3 {
			return StatusReturned
		}
		return StatusSignedOff
	}
	switch i % 5 {
	case 0:
		return StatusSignedOff
	case 1:
		return StatusSubmitted
	case 2:
		return StatusReturned
	case 3:
		return StatusDraft
	}
	return ""
}

func (s *Service) demoReview(ctx context.Context, r *rand.Rand, p Person, leader uint, m Month, t *Target, a Values, status string) error {
	days := s.opts.Calendar.LastWorkingDays(m, ReviewWindowDays)
	submitted := m.End().Add(-7 * time.Hour)
	if len(days) > 0 {
		submitted = days[len(days)-1].Add(17 * time.Hour)
	}
	rv := &Review{Month: m.String(), OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID, Status: status,
		Summary: demoSummaries[r.IntN(len(demoSummaries))], CreatedBy: &p.ID, UpdatedBy: &p.ID,
		CreatedAt: submitted.Add(-2 * time.Hour).UTC(), UpdatedAt: submitted.UTC()}
	tv := t.Values()
	for _, l := range Lines {
		line := ReviewLine{Line: l.Key, Target: tv[l.Key], Actual: a[l.Key]}
		if line.Missed() && !(status == StatusDraft && r.IntN(2) == 0) {
			line.Reason = demoReasonWeights[r.IntN(len(demoReasonWeights))]
			notes := demoNotes[line.Reason]
			line.Note = notes[r.IntN(len(notes))]
		}
		rv.Lines = append(rv.Lines, line)
	}
	if status != StatusDraft {
		at := submitted.UTC()
		rv.SubmittedAt = &at
	}
	if status == StatusSignedOff && leader != 0 {
		at := submitted.AddDate(0, 0, 2+r.IntN(3)).UTC()
		rv.SignedOffAt, rv.SignedOffBy, rv.UpdatedAt = &at, &leader, at
	}
	if err := s.store.CreateReview(ctx, rv); err != nil {
		return fmt.Errorf("demo review: %w", err)
	}
	var events []ReviewEvent
	if rv.SubmittedAt != nil {
		events = append(events, ReviewEvent{ActorID: p.ID, Action: ActSubmit, At: *rv.SubmittedAt})
	}
	if leader != 0 {
		switch status {
		case StatusSignedOff:
			if r.IntN(3) == 0 {
				events = append(events, ReviewEvent{ActorID: leader, Action: ActComment, Body: demoComment, At: rv.SubmittedAt.Add(20 * time.Hour)})
			}
			events = append(events, ReviewEvent{ActorID: leader, Action: ActSignOff, Body: demoSignOff[r.IntN(len(demoSignOff))], At: *rv.SignedOffAt})
		case StatusReturned:
			events = append(events, ReviewEvent{ActorID: leader, Action: ActReturn, Body: demoReturn, At: rv.SubmittedAt.Add(26 * time.Hour)})
		}
	}
	for i := range events {
		events[i].ReviewID = rv.ID
		if err := s.store.AddEvent(ctx, &events[i]); err != nil {
			return err
		}
	}
	return nil
}
