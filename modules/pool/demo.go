package pool

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/prospects"
)

// DemoPeople are the demo accounts the pool's demo data uses.
type DemoPeople struct {
	Director authz.Subject // sets the branch's rule
	FormerAM authz.Subject // owned the customers now in the pool
	WarnedAM authz.Subject // owns the customer about to go to the pool
}

var demoPooled = []struct{ name, industry, grade string }{
	{"哈尔滨市松北区城市管理综合服务中心", "gov", "C"},
	{"黑龙江省北方粮油物流有限公司", "logistics", "B"},
	{"哈尔滨市道里区第七中学", "education", "C"},
	{"哈尔滨新区恒远精密机械有限公司", "manufacturing", "D"},
}

// SeedDemo gives the demo branch a rule, four customers in its pool and
// one of WarnedAM's customers that goes to the pool in seven days (its
// owner has the warning). It seeds nothing when the branch has a rule.
func (s *Service) SeedDemo(ctx context.Context, p DemoPeople) (int, error) {
	branch := p.Director.BranchID
	r, err := s.store.Rule(ctx, branch)
	if err != nil || r.ID != 0 {
		return 0, err
	}
	now := s.now()
	r.Enabled, r.CreatedBy, r.UpdatedBy = true, &p.Director.ID, &p.Director.ID
	if err := s.store.SaveRule(ctx, &r, now); err != nil {
		return 0, err
	}
	holder, err := s.holder(ctx, &r)
	if err != nil {
		return 0, err
	}
	mk := func(actor authz.Subject, i int, name, industry, grade string) (*prospects.Customer, error) {
		code := prospects.MakeCreditCode(fmt.Sprintf("91230109MA1P%05d", 70+i))
		return s.deps.Customers.CreateCustomer(ctx, actor, prospects.CustomerInput{Name: name, CreditCode: code, Industry: industry,
			Grade: grade, Headcount: "120", AnnualSpend: "36000", Address: "哈尔滨市", Region: "松北区", Status: "dormant", OwnerID: actor.ID}, true)
	}
	move, names := map[uint]uint{}, map[uint]string{}
	for i, d := range demoPooled {
		c, err := mk(p.FormerAM, i, d.name, d.industry, d.grade)
		if err != nil {
			return 0, fmt.Errorf("pool demo: %w", err)
		}
		move[c.ID], names[c.ID] = c.OwnerID, c.Name
	}
	warned, err := mk(p.WarnedAM, len(demoPooled), "哈尔滨市呼兰区康宁养老服务中心", "healthcare", "C")
	if err != nil {
		return 0, fmt.Errorf("pool demo: %w", err)
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if _, err := s.putIn(ctx, branch, holder, move, names, now.Add(-72*time.Hour)); err != nil {
			return err
		}
		due := s.dateOf(now).AddDate(0, 0, r.WarnDays)
		if err := s.store.SaveWarnings(ctx, []Warning{{CustomerID: warned.ID, OwnerID: warned.OwnerID, DueOn: due, WarnedAt: now}}); err != nil {
			return err
		}
		if s.deps.Notify == nil {
			return nil
		}
		ds := due.Format("2006-01-02")
		return s.deps.Notify.Send(ctx, notify.Notice{UserID: warned.OwnerID, Kind: "pool.warning", MsgID: "pool.notice.warning",
			Args: map[string]string{"Customer": warned.Name, "Date": ds, "Days": strconv.Itoa(r.IdleDays)},
			Link: "/customers/" + strconv.FormatUint(uint64(warned.ID), 10), Key: "pool.warn:" + strconv.FormatUint(uint64(warned.ID), 10) + ":" + ds})
	})
	if err != nil {
		return 0, err
	}
	return len(move), nil
}
