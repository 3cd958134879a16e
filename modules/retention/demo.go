package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DemoSource is the usage source of the few usage rows this demo writes
// when the usage demo has none for its customers.
const DemoSource = "demo-retention"

// demoFalls are the demo customers whose revenue falls off a cliff: the
// first active customer of each owner, with what happens to its alert
// (opened for the owner's home; escalated to the chief rep; closed with
// an outcome).
var demoFalls = []struct{ owner, fate string }{
	{"liwei", "open"},
	{"zhangjing", "escalated"},
	{"chenhao", "outcome"},
}

// SeedDemo makes the retention demo: for three demo customers (liwei's,
// zhangjing's, chenhao's) it writes six months of usage that fall by
// 60 % with a product dropped in the latest month — only when the usage
// table has no rows for that customer (the usage demo's rows win) — then
// computes every score and opens the alerts. zhangjing's alert is made
// eight days old and escalated to the chief rep by the escalation job;
// chenhao's gets an action and the outcome "partly". It does nothing when
// any alert exists, and returns how many alerts are open.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, error) {
	g := db.Conn(ctx, s.store.DB())
	var n int64
	if err := g.Model(&Alert{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	now := s.Now().Truncate(time.Second)
	latest, err := s.store.LatestMonth(ctx)
	if err != nil {
		return 0, err
	}
	if latest == 0 {
		latest = AddMonths(YM(now.In(s.opts.Location)), -1)
	}
	var products []struct{ ID uint }
	if err := g.Table("products").Select("id").Where("active = ?", true).Order("sort_order, id").Limit(2).Scan(&products).Error; err != nil {
		return 0, err
	}
	var admin org.User
	if err := g.Where("username = ?", "admin").Take(&admin).Error; err != nil {
		return 0, err
	}
	picked := map[string]uint{}
	users := map[string]org.User{}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		g := db.Conn(ctx, s.store.DB())
		var imp *struct{ ID uint }
		for _, f := range demoFalls {
			var u org.User
			if err := g.Where("username = ?", f.owner).Take(&u).Error; err != nil {
				return err
			}
			users[f.owner] = u
			var cust struct{ ID uint }
			// A customer the usage demo left without rows (so the fall
			// below is its whole history), an active one first.
			err := g.Table("customers").Select("id").
				Where("owner_id = ? AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM usage_months um WHERE um.customer_id = customers.id)", u.ID).
				Order(clause.OrderBy{Expression: clause.Expr{SQL: "CASE WHEN status = ? THEN 0 ELSE 1 END, id", Vars: []any{"active"}, WithoutParentheses: true}}).
				Take(&cust).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			picked[f.owner] = cust.ID
			var rows int64
			if err := g.Table("usage_months").Where("customer_id = ?", cust.ID).Count(&rows).Error; err != nil {
				return err
			}
			if rows > 0 || len(products) < 2 {
				continue
			}
			if imp == nil {
				imp = &struct{ ID uint }{}
				row := map[string]any{"source": DemoSource, "ym": latest, "file_name": "demo", "row_count": 0, "revenue_fen": 0,
					"imported_by": admin.ID, "imported_at": now}
				if err := g.Table("usage_imports").Create(row).Error; err != nil {
					return err
				}
				if err := g.Table("usage_imports").Select("id").Where("source = ? AND ym = ?", DemoSource, latest).Order("id DESC").Take(imp).Error; err != nil {
					return err
				}
			}
			base := int64(800_000 + 100_000*int64(len(picked))) // fen a month
			for i := 5; i >= 0; i-- {
				ym := AddMonths(latest, -i)
				main := base
				if i <= 2 {
					main = base * 4 / 10
				}
				lines := []struct {
					product uint
					fen     int64
				}{{products[0].ID, main}}
				if i > 0 {
					lines = append(lines, struct {
						product uint
						fen     int64
					}{products[1].ID, 120_000})
				}
				for _, l := range lines {
					row := map[string]any{"import_id": imp.ID, "source": DemoSource, "ym": ym, "customer_id": cust.ID, "product_id": l.product,
						"revenue_fen": money.Fen(l.fen), "is_credit": false, "quantity": 1}
					if err := g.Table("usage_months").Create(row).Error; err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retention demo usage: %w", err)
	}
	if err := s.Recompute(ctx, now); err != nil {
		return 0, err
	}
	for _, f := range demoFalls {
		id, ok := picked[f.owner]
		if !ok {
			continue
		}
		var a Alert
		if err := g.Where("customer_id = ? AND status <> ?", id, StatusClosed).Take(&a).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue
			}
			return 0, err
		}
		u := users[f.owner]
		switch f.fate {
		case "escalated":
			// Opened eight days ago and never handled: the job escalates it.
			back := -8 * 24 * time.Hour
			if err := g.Model(&Alert{}).Where("id = ?", a.ID).UpdateColumns(map[string]any{
				"opened_at": a.OpenedAt.Add(back), "action_due_at": a.ActionDueAt.Add(back), "outcome_due_at": a.OutcomeDueAt.Add(back),
				"due_at": a.DueAt.Add(back), "warn_at": a.WarnAt.Add(back), "director_at": a.DirectorAt.Add(back)}).Error; err != nil {
				return 0, err
			}
		case "outcome":
			a2, err := s.RecordAction(ctx, u.Subject(), a.ID, ActionOffer, "提出专线续约 8 折方案", a.Version)
			if err != nil {
				return 0, err
			}
			if _, err := s.RecordOutcome(ctx, u.Subject(), a.ID, OutcomePartly, "保住专线，停用了一项云业务", a2.Version); err != nil {
				return 0, err
			}
		}
	}
	if err := s.Escalate(ctx, now); err != nil {
		return 0, err
	}
	if err := g.Model(&Alert{}).Where("status <> ?", StatusClosed).Count(&n).Error; err != nil {
		return 0, err
	}
	_ = seed // the demo is deterministic; the seed is the other modules' signature
	return int(n), nil
}
