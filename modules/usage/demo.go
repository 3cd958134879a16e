package usage

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
)

// DemoMonths is how many months of usage the demo holds.
const DemoMonths = 24

// demoCustomer is what the demo needs of a customer.
type demoCustomer struct {
	ID        uint
	OwnerID   uint
	Headcount int
	Username  string
}

// SeedDemo writes DemoMonths months of billing usage, ending last month,
// for the demo's active and dormant customers: two to four products each,
// growth that differs per customer, a dip in the months of 春节 (February,
// and January in years where the festival falls early), a product added
// along the way for some, and three customers falling off a cliff in the
// last three months (the first of liwei's among them). One import per
// month is recorded as the admin's. It does nothing when any import
// exists, and returns how many rows it wrote. Deterministic for a seed.
func (s *Service) SeedDemo(ctx context.Context, seed int64, adminID uint) (int, error) {
	g := db.Conn(ctx, s.store.DB())
	var n int64
	if err := g.Model(&Import{}).Count(&n).Error; err != nil || n > 0 {
		return 0, err
	}
	var custs []demoCustomer
	err := g.Table("customers c").Select("c.id, c.owner_id, c.headcount, COALESCE(u.username, '') AS username").
		Joins("LEFT JOIN users u ON u.id = c.owner_id").
		Where("c.deleted_at IS NULL AND c.status IN ?", []string{"active", "dormant"}).Order("c.id").Scan(&custs).Error
	if err != nil {
		return 0, fmt.Errorf("usage demo customers: %w", err)
	}
	products, err := s.store.Products(ctx)
	if err != nil {
		return 0, err
	}
	var active []ProductRef
	for _, p := range products {
		if p.Active {
			active = append(active, p)
		}
	}
	if len(custs) == 0 || len(active) == 0 {
		return 0, nil
	}
	var prices []money.Fen
	if err := g.Table("products").Where("id IN ?", ids(active)).Order("sort_order, id").Pluck("monthly_fen", &prices).Error; err != nil {
		return 0, fmt.Errorf("usage demo prices: %w", err)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 15))
	last := AddMonths(s.CurrentYM(), -1)
	first := AddMonths(last, -(DemoMonths - 1))
	// The cliffs: the first of liwei's customers and two others.
	cliff := map[uint]bool{}
	for _, c := range custs {
		if c.Username == "liwei" {
			cliff[c.ID] = true
			break
		}
	}
	for i := len(custs) / 3; i < len(custs) && len(cliff) < 3; i += max(len(custs)/4, 1) {
		cliff[custs[i].ID] = true
	}
	type line struct {
		product   int
		qty       int64
		startIdx  int // month index the product starts
		unitPrice money.Fen
	}
	byMonth := make(map[int][]Month, DemoMonths)
	for _, c := range custs {
		nProducts := 2 + r.IntN(3)
		growth := int64(r.IntN(25)) // per mille per month
		var lines []line
		for k := 0; k < nProducts; k++ {
			pi := (int(c.ID)*7 + k*5 + r.IntN(3)) % len(active)
			dup := false
			for _, l := range lines {
				dup = dup || l.product == pi
			}
			if dup {
				continue
			}
			qty := int64(1 + r.IntN(4))
			if c.Headcount > 200 {
				qty += int64(c.Headcount / 200)
			}
			start := 0
			if k == nProducts-1 && r.IntN(3) == 0 {
				start = 6 + r.IntN(DemoMonths-8) // added along the way
			}
			price := prices[pi]
			if price <= 0 {
				price = 50_000
			}
			lines = append(lines, line{product: pi, qty: qty, startIdx: start, unitPrice: price})
		}
		for i := 0; i < DemoMonths; i++ {
			ym := AddMonths(first, i)
			for li, l := range lines {
				if i < l.startIdx {
					continue
				}
				qty := l.qty + int64(i)*growth*l.qty/1000
				rev := int64(l.unitPrice) * l.qty * (1000 + growth*int64(i)) / 1000
				if springFestival(ym) {
					rev = rev * 85 / 100
				}
				if cliff[c.ID] && i >= DemoMonths-3 {
					if li == 0 {
						continue // the main product is cancelled
					}
					rev = rev * int64(40-10*(i-(DemoMonths-3))) / 100 // 40 %, 30 %, 20 %
				}
				// A little noise, so no two months look alike.
				rev = rev * int64(97+r.IntN(7)) / 100
				byMonth[ym] = append(byMonth[ym], Month{Source: DefaultSource, YM: ym, CustomerID: c.ID, ProductID: active[l.product].ID,
					RevenueFen: money.Fen(rev - rev%100), Quantity: qty})
			}
		}
	}
	made := 0
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		for i := 0; i < DemoMonths; i++ {
			ym := AddMonths(first, i)
			rows := byMonth[ym]
			var sum money.Fen
			for _, m := range rows {
				sum += m.RevenueFen
			}
			im := &Import{Source: DefaultSource, YM: ym, FileName: fmt.Sprintf("billing-%s.csv", FormatYM(ym)), RowCount: len(rows),
				RevenueFen: sum, ImportedBy: adminID, ImportedAt: s.now()}
			if err := s.store.CreateImport(ctx, im); err != nil {
				return err
			}
			for k := range rows {
				rows[k].ImportID = im.ID
			}
			if err := s.store.InsertMonths(ctx, rows); err != nil {
				return err
			}
			made += len(rows)
		}
		return nil
	})
	return made, err
}

func ids(ps []ProductRef) []uint {
	out := make([]uint, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// springFestival reports whether ym holds most of 春节's holiday: February,
// or January in the years the festival falls in January.
func springFestival(ym int) bool {
	m, y := ym%100, ym/100
	switch y {
	case 2023, 2025, 2028:
		return m == 1
	}
	return m == 2
}
