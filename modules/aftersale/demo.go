package aftersale

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/prospects"
)

// demoRequests are the demo service requests: every status, some breached
// (logged long enough ago that their deadline passed), some near their
// 80 % mark. ago is how long before now each was logged.
var demoRequests = []struct {
	kind, category, severity, channel, status, desc string
	ago                                             time.Duration
}{
	{"complaint", "network", SevUrgent, "hotline", StatusOpen, "总部互联网专线中断，影响全员办公", 30 * time.Hour},
	// 20 days: breached whatever the day the demo is loaded (its clock
	// counts business hours, so four days back from a Monday morning
	// was not enough).
	{"complaint", "billing", SevMajor, "phone", StatusInProgress, "本月账单专线月费多收 2 条", 480 * time.Hour},
	{"request", "installation", SevNormal, "visit", StatusOpen, "新办公楼需加装 20 部固话", 2 * time.Hour},
	{"complaint", "attitude", SevMajor, "wechat", StatusInProgress, "装维人员未按约定时间上门", 18 * time.Hour},
	{"request", "product", SevNormal, "email", StatusResolved, "咨询云主机扩容方案", 120 * time.Hour},
	{"complaint", "network", SevUrgent, "phone", StatusClosed, "视频会议卡顿，丢包严重", 400 * time.Hour},
	{"complaint", "billing", SevNormal, "phone", StatusReopened, "退费未到账", 30 * time.Hour},
	{"request", "other", SevNormal, "phone", StatusOpen, "需要开具年度通信费证明", 1 * time.Hour},
}

// SeedDemo writes after-sale demo data for the demo customers: light
// touches (so the care list shows customers due, overdue and never
// contacted), service requests in every status including breached ones,
// key dates in the coming week, and call-backs done with scores (one low,
// which opened a request) and open. It does nothing when any request
// exists, and returns how many requests it made.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, error) {
	g := db.Conn(ctx, s.store.DB())
	var n int64
	if err := g.Unscoped().Model(&Request{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	var custs []prospects.Customer
	if err := g.Where("status IN ?", CareStatuses).Order("id").Find(&custs).Error; err != nil {
		return 0, err
	}
	if len(custs) == 0 {
		return 0, nil
	}
	r := rand.New(rand.NewPCG(uint64(seed), 14))
	now := s.now()
	today := s.Today()
	made := 0
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		g := db.Conn(ctx, s.store.DB())
		for i, c := range custs {
			owner := c.OwnerID
			// Every third customer gets a recent touch; every fifth an old
			// one (overdue); the rest keep what their visits say.
			switch {
			case i%3 == 0:
				if err := s.store.AddTouch(ctx, &Touch{CustomerID: c.ID, Kind: TouchKinds[i%len(TouchKinds)], TouchedOn: today.AddDate(0, 0, -(5 + r.IntN(20))),
					UserID: owner, Summary: "电话回访近期业务使用情况，客户反馈良好", CreatedBy: &owner, UpdatedBy: &owner}); err != nil {
					return err
				}
			case i%5 == 0:
				if err := s.store.AddTouch(ctx, &Touch{CustomerID: c.ID, Kind: "wechat", TouchedOn: today.AddDate(0, -7, -r.IntN(20)),
					UserID: owner, Summary: "微信问候", CreatedBy: &owner, UpdatedBy: &owner}); err != nil {
					return err
				}
			}
		}
		// Requests: per demo line, one customer of a different manager.
		for i, d := range demoRequests {
			c := custs[(i*7)%len(custs)]
			st, err := s.store.Settings(ctx, c.BranchID)
			if err != nil {
				return err
			}
			at := now.Add(-d.ago)
			owner := c.OwnerID
			q := &Request{CustomerID: c.ID, Kind: d.kind, Category: d.category, Severity: d.severity, Channel: d.channel,
				Description: d.desc, Status: StatusOpen, FirstResponderID: owner, HandlerID: owner, Cycle: 1, CreatedBy: &owner, UpdatedBy: &owner,
				CreatedAt: at, UpdatedAt: at}
			s.startClock(q, &st, at)
			if err := s.store.CreateRequest(ctx, q); err != nil {
				return err
			}
			ev := func(action, from string, when time.Time, note string) error {
				return s.store.AddEvent(ctx, &Event{RequestID: q.ID, CustomerID: c.ID, Action: action, FromStatus: from, ToStatus: q.Status, ByID: &owner, At: when, Note: note})
			}
			if err := ev("create", "", at, ""); err != nil {
				return err
			}
			step := at.Add(d.ago / 4)
			switch d.status {
			case StatusInProgress:
				q.Status, q.RespondedAt = StatusInProgress, &step
				if err := ev("start", StatusOpen, step, ""); err != nil {
					return err
				}
			case StatusResolved, StatusClosed, StatusReopened:
				q.Status, q.RespondedAt, q.ResolvedAt = StatusResolved, &step, &step
				q.Resolution, q.RootCause, q.Recovery = "已排查处理并与客户确认", "光缆被施工挖断", "减免当月专线月费 10%"
				if err := ev("resolve", StatusOpen, step, q.Resolution); err != nil {
					return err
				}
				if d.status == StatusClosed {
					closed := step.Add(time.Hour)
					q.Status, q.ClosedAt = StatusClosed, &closed
					if err := ev("close", StatusResolved, closed, ""); err != nil {
						return err
					}
				}
				if d.status == StatusReopened {
					q.Status, q.ResolvedAt, q.Cycle = StatusReopened, nil, 2
					re := now.Add(-3 * time.Hour)
					s.startClock(q, &st, re)
					if err := ev("reopen", StatusResolved, re, "客户反馈问题仍未解决"); err != nil {
						return err
					}
				}
			}
			if err := g.Save(q).Error; err != nil {
				return err
			}
			made++
		}
		// Call-backs: done with scores for a dozen customers, one low; and
		// open tasks.
		for i := 0; i < 12 && i < len(custs); i++ {
			c := custs[(i*11+3)%len(custs)]
			owner := c.OwnerID
			done := now.AddDate(0, 0, -(10 + i*9))
			cb := &Callback{CustomerID: c.ID, Reason: []string{ReasonQuarterly, ReasonContract, ReasonComplaint}[i%3], SourceKey: fmt.Sprintf("demo:%d", i),
				DueOn: dateOf(done), Status: "done", QAttitude: 3 + r.IntN(3), QSkill: 3 + r.IntN(3), QSpeed: 3 + r.IntN(3), QResult: 3 + r.IntN(3),
				Recommend: i%4 != 0, Comment: "整体满意，希望故障响应再快一些", AnsweredBy: "办公室主任", DoneBy: &owner, DoneAt: &done, CreatedBy: &owner}
			if i%4 == 1 {
				cb.QSpeed, cb.Comment = 2, "上次故障等了一整天才有人上门"
			}
			if _, err := s.store.CreateCallback(ctx, cb); err != nil {
				return err
			}
			if cb.Low() {
				st, err := s.store.Settings(ctx, c.BranchID)
				if err != nil {
					return err
				}
				q := &Request{CustomerID: c.ID, Kind: "complaint", Category: "other", Severity: SevMajor, Channel: "callback",
					Description: "回访低分：" + cb.Comment, Status: StatusOpen, FirstResponderID: owner, HandlerID: owner, Cycle: 1,
					CallbackID: &cb.ID, CreatedBy: &owner, UpdatedBy: &owner}
				s.startClock(q, &st, now)
				if err := s.store.CreateRequest(ctx, q); err != nil {
					return err
				}
				if err := s.store.AddEvent(ctx, &Event{RequestID: q.ID, CustomerID: c.ID, Action: "create", ToStatus: StatusOpen, ByID: &owner, At: now}); err != nil {
					return err
				}
				if err := g.Model(cb).Update("request_id", q.ID).Error; err != nil {
					return err
				}
				made++
			}
		}
		for i := 0; i < 8 && i < len(custs); i++ {
			c := custs[(i*13+5)%len(custs)]
			if _, err := s.store.CreateCallback(ctx, &Callback{CustomerID: c.ID, Reason: ReasonQuarterly, SourceKey: fmt.Sprintf("demo:open:%d", i),
				DueOn: today.AddDate(0, 0, i*3-6), Status: "open"}); err != nil {
				return err
			}
		}
		// Key dates in the coming week: founding days and birthdays.
		for i := 0; i < 6 && i < len(custs); i++ {
			c := custs[(i*17+1)%len(custs)]
			on := today.AddDate(0, 0, i+1)
			y := 1990 + i*3
			if err := s.store.AddCareDate(ctx, &CareDate{CustomerID: c.ID, Kind: "founding", Month: int(on.Month()), Day: on.Day(), Year: &y,
				Label: c.Name}); err != nil {
				return err
			}
		}
		// The demo writes visits, touches and call-backs directly: the
		// care list's last contacts are computed from them once.
		return s.store.RebuildLastContacts(ctx, s.opts.Location, now)
	})
	return made, err
}
