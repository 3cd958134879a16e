package todos

import (
	"context"
	"errors"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// demoUser is a demo account as the seeding needs it.
type demoUser struct {
	ID       uint
	Username string
	Name     string
	Role     string
	TeamID   *uint
	BranchID *uint
}

func (u demoUser) subject() authz.Subject {
	return authz.Subject{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, TeamID: deref(u.TeamID), BranchID: deref(u.BranchID)}
}

// SeedDemo adds a few to-dos to the demo data, through the service so
// they are validated, audited and notified like real ones: for liwei one
// overdue (linked to a customer), one due today (linked to an
// opportunity) and one done; and one the chief rep zhaomin assigns to
// chenhao, linked to an opportunity of chenhao's. It does nothing when
// there are to-dos already or the demo accounts are missing.
func (s *Service) SeedDemo(ctx context.Context) (int, error) {
	g := db.Conn(ctx, s.db)
	var n int64
	if err := g.Unscoped().Model(&Todo{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	var users []demoUser
	if err := g.Table("users").Where("username IN ?", []string{"liwei", "chenhao", "zhaomin"}).Find(&users).Error; err != nil {
		return 0, err
	}
	by := map[string]authz.Subject{}
	for _, u := range users {
		by[u.Username] = u.subject()
	}
	liwei, chenhao, zhaomin := by["liwei"], by["chenhao"], by["zhaomin"]
	if liwei.ID == 0 || chenhao.ID == 0 || zhaomin.ID == 0 {
		return 0, nil
	}
	// The owners' first live customer and opportunity.
	firstCustomer := func(owner uint) uint {
		var id uint
		g.Table("customers").Where("owner_id = ? AND deleted_at IS NULL", owner).Order("id").Limit(1).Pluck("id", &id)
		return id
	}
	firstOpp := func(owner uint) uint {
		var id uint
		g.Raw(`SELECT o.id FROM opportunities o JOIN customers c ON c.id = o.customer_id
			WHERE c.owner_id = ? AND c.deleted_at IS NULL AND o.deleted_at IS NULL ORDER BY o.id LIMIT 1`, owner).Scan(&id)
		return id
	}
	link := func(typ string, id uint) string {
		if id == 0 {
			return ""
		}
		return fmt.Sprintf("%s:%d", typ, id)
	}
	local := s.now().In(s.loc)
	day := func(offset int) string { return local.AddDate(0, 0, offset).Format("2006-01-02") }
	made := 0
	add := func(actor authz.Subject, in Input) (*Todo, error) {
		t, err := s.Create(ctx, actor, in)
		if err != nil {
			return nil, fmt.Errorf("demo to-do %q: %w", in.Title, err)
		}
		made++
		return t, nil
	}
	_, err1 := add(liwei, Input{Title: "把专线报价单发给客户信息科", Date: day(-2), Time: "17:00", Link: link(LinkCustomer, firstCustomer(liwei.ID))})
	_, err2 := add(liwei, Input{Title: "确认商机的技术方案评审时间", Date: day(0), Link: link(LinkOpportunity, firstOpp(liwei.ID))})
	done, err3 := add(liwei, Input{Title: "提交本周走访小结", Date: day(-1), Time: "18:00"})
	if err3 == nil {
		_, err3 = s.SetDone(ctx, liwei, done.ID, true, done.Version)
	}
	_, err4 := add(zhaomin, Input{Title: "准备商机投标材料并与首席客户代表过一遍", Date: day(1), Time: "10:00",
		Link: link(LinkOpportunity, firstOpp(chenhao.ID)), AssigneeID: chenhao.ID})
	return made, errors.Join(err1, err2, err3, err4)
}
