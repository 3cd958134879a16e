package usage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/prospects"
)

// Customers is what usage needs from prospects: a customer after checking
// the actor's act on it (ErrNotFound out of reach). *prospects.Service
// implements it.
type Customers interface {
	CustomerFor(ctx context.Context, actor authz.Subject, id uint, act string) (*prospects.Customer, error)
}

// Options are the service's settings.
type Options struct {
	Now      func() time.Time
	Location *time.Location
	Logger   *slog.Logger
	// Gate bounds concurrent imports (shared with the other imports);
	// nil: a gate of its own with two slots.
	Gate *tabular.Gate
	// ChunkRows is how many rows are resolved and inserted at a time
	// (0: 2000); tests make it small to cross chunk boundaries.
	ChunkRows int
	// AfterImport runs once an import has committed: the churn-risk
	// score is recomputed from the new month (retention.AfterImport), so
	// a customer whose revenue fell shows up in the retention queue the
	// same day, not after the nightly job. Its error is logged, never the
	// import's: the month is saved, and the nightly job catches up.
	AfterImport func(ctx context.Context) error
}

// Service holds the usage rules: the import, the customer's tab and the
// lists, every read scoped by usage:read on the customer.
type Service struct {
	store     *Store
	enf       *authz.Enforcer
	customers Customers
	now       func() time.Time
	loc       *time.Location
	log       *slog.Logger
	gate      *tabular.Gate
	chunk     int
	after     func(ctx context.Context) error
}

// NewService wires the service.
func NewService(store *Store, enf *authz.Enforcer, customers Customers, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Gate == nil {
		o.Gate = tabular.NewGate(2)
	}
	if o.ChunkRows <= 0 {
		o.ChunkRows = chunk
	}
	return &Service{store: store, enf: enf, customers: customers, now: o.Now, loc: o.Location, log: o.Logger, gate: o.Gate, chunk: o.ChunkRows, after: o.AfterImport}
}

// Store is the service's store (wiring and tests that read rows back).
func (s *Service) Store() *Store { return s.store }

// Gate is the import gate.
func (s *Service) Gate() *tabular.Gate { return s.gate }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// CurrentYM is this month in the configured zone.
func (s *Service) CurrentYM() int { return YMOf(s.now().In(s.loc)) }

// scope is the actor's reach over usage rows (through their customers).
func (s *Service) scope(actor authz.Subject) authz.ListScope {
	return s.enf.ListScope(actor, "usage", "read")
}

// CanImport reports whether actor may import months.
func (s *Service) CanImport(actor authz.Subject) bool {
	return s.enf.CanRoute(actor, "usage", "import")
}

// --- months as yyyymm

// YMOf is t's month as yyyymm.
func YMOf(t time.Time) int { return t.Year()*100 + int(t.Month()) }

// AddMonths moves ym by n months.
func AddMonths(ym, n int) int {
	i := (ym/100)*12 + ym%100 - 1 + n
	return (i/12)*100 + i%12 + 1
}

// FormatYM writes ym as YYYY-MM.
func FormatYM(ym int) string { return fmt.Sprintf("%04d-%02d", ym/100, ym%100) }

// ParseYM reads YYYY-MM (also YYYY/MM, YYYY.MM and YYYYMM); ok is false
// for anything else or a month out of range.
func ParseYM(s string) (int, bool) {
	var y, m int
	switch {
	case len(s) == 7 && (s[4] == '-' || s[4] == '/' || s[4] == '.'):
		if !digits(s[:4]) || !digits(s[5:]) {
			return 0, false
		}
		y, m = atoi(s[:4]), atoi(s[5:])
	case len(s) == 6 && digits(s):
		y, m = atoi(s[:4]), atoi(s[4:])
	default:
		return 0, false
	}
	if y < 2000 || y > 9999 || m < 1 || m > 12 {
		return 0, false
	}
	return y*100 + m, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// --- the customer's 业务使用 tab

// Size bands by headcount, for the upsell hint's "similar customers".
var sizeBands = []struct {
	Key      string
	Min, Max int
}{{"s", 0, 50}, {"m", 50, 200}, {"l", 200, 1000}, {"xl", 1000, 0}}

// SizeBand is the band a headcount falls in (key, bounds).
func SizeBand(headcount int) (key string, lo, hi int) {
	for _, b := range sizeBands {
		if headcount >= b.Min && (b.Max == 0 || headcount < b.Max) {
			return b.Key, b.Min, b.Max
		}
	}
	return "s", 0, 50
}

// The upsell hint: products used by at least UpsellPct % of at least
// UpsellMinPeers similar customers over the last 12 months.
const (
	UpsellPct      = 30
	UpsellMinPeers = 3
)

// TabMonths is how many months the tab shows.
const TabMonths = 24

// MonthCell is one product's figures in one month.
type MonthCell struct {
	Revenue  money.Fen
	Quantity int64
	Has      bool
}

// MonthRow is one month of the tab's table.
type MonthRow struct {
	YM    int
	Cells []MonthCell // in Tab.Products order
	Total money.Fen
	// MoM and YoY are the change against the month before and the same
	// month a year before, in tenths of a percent; nil when the earlier
	// month had no revenue.
	MoM, YoY *int64
}

// Label is the month as YYYY-MM.
func (r MonthRow) Label() string { return FormatYM(r.YM) }

// Hint is one upsell hint: a product and how many peers use it.
type Hint struct {
	Product ProductRef
	Users   int
	Peers   int
}

// Pct is the share of peers that use the product, in whole percent.
func (h Hint) Pct() int { return h.Users * 100 / max(h.Peers, 1) }

// Tab is what the customer's 业务使用 tab shows.
type Tab struct {
	Customer *prospects.Customer
	// Latest is the newest month with usage (0: none; the tab is empty).
	Latest int
	// Products are the columns: products with usage in the window.
	Products []ProductRef
	// Months are the window's months, newest first.
	Months []MonthRow
	// ARPU is the average monthly revenue over the last 12 months since
	// the first month of usage; ARPUMonths how many months it averages.
	ARPU       money.Fen
	ARPUMonths int
	Band       string
	Hints      []Hint
}

// Empty reports whether the customer has no usage.
func (t *Tab) Empty() bool { return t.Latest == 0 }

// CustomerTab builds the tab of a customer actor may read (ErrNotFound
// otherwise, like the customer page).
func (s *Service) CustomerTab(ctx context.Context, actor authz.Subject, customerID uint) (*Tab, error) {
	cu, err := s.customers.CustomerFor(ctx, actor, customerID, "read")
	if err != nil {
		return nil, err
	}
	if !s.enf.Can(actor, "usage", "read", cu.Ref()) {
		return nil, fmt.Errorf("usage of customer %d: %w", customerID, errNotFound)
	}
	t := &Tab{Customer: cu}
	t.Band, _, _ = SizeBand(cu.Headcount)
	if t.Latest, err = s.store.LatestMonth(ctx, customerID); err != nil || t.Latest == 0 {
		return t, err
	}
	first := AddMonths(t.Latest, -(TabMonths - 1))
	cells, err := s.store.CustomerCells(ctx, customerID, AddMonths(first, -12), t.Latest)
	if err != nil {
		return nil, err
	}
	products, err := s.store.Products(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[uint]ProductRef, len(products))
	for _, p := range products {
		byID[p.ID] = p
	}
	used := map[uint]bool{}
	totals := map[int]money.Fen{}
	firstUsage := t.Latest
	for _, c := range cells {
		totals[c.YM] += c.RevenueFen
		if c.YM >= first {
			used[c.ProductID] = true
		}
		firstUsage = min(firstUsage, c.YM)
	}
	col := map[uint]int{}
	for _, p := range products {
		if used[p.ID] {
			col[p.ID] = len(t.Products)
			t.Products = append(t.Products, p)
		}
	}
	rows := map[int]*MonthRow{}
	for ym := t.Latest; ym >= first; ym = AddMonths(ym, -1) {
		r := &MonthRow{YM: ym, Cells: make([]MonthCell, len(t.Products)), Total: totals[ym]}
		r.MoM = change(totals[ym], totals[AddMonths(ym, -1)])
		r.YoY = change(totals[ym], totals[AddMonths(ym, -12)])
		rows[ym] = r
		t.Months = append(t.Months, *r)
	}
	for _, c := range cells {
		if c.YM < first {
			continue
		}
		i := slices.IndexFunc(t.Months, func(m MonthRow) bool { return m.YM == c.YM })
		t.Months[i].Cells[col[c.ProductID]] = MonthCell{Revenue: c.RevenueFen, Quantity: c.Quantity, Has: true}
	}
	// ARPU: the last 12 months, counted from the first month of usage.
	from := max(AddMonths(t.Latest, -11), firstUsage)
	var sum money.Fen
	for ym := from; ym <= t.Latest; ym = AddMonths(ym, 1) {
		sum += totals[ym]
		t.ARPUMonths++
	}
	t.ARPU = divRound(sum, int64(t.ARPUMonths))
	// Upsell: peers of the same industry and size band over 12 months.
	_, lo, hi := SizeBand(cu.Headcount)
	ups, err := s.store.UpsellHints(ctx, Peer{CustomerID: cu.ID, Industry: cu.Industry, MinHead: lo, MaxHead: hi,
		From: AddMonths(t.Latest, -11), To: t.Latest}, UpsellPct, UpsellMinPeers)
	if err != nil {
		return nil, err
	}
	for _, u := range ups {
		if p, ok := byID[u.ProductID]; ok && p.Active {
			t.Hints = append(t.Hints, Hint{Product: p, Users: u.Users, Peers: u.Peers})
		}
	}
	return t, nil
}

// change is (cur-prev)/prev in tenths of a percent, rounded half away
// from zero; nil without an earlier revenue to compare with.
func change(cur, prev money.Fen) *int64 {
	if prev <= 0 {
		return nil
	}
	v := divRound(money.Fen((int64(cur)-int64(prev))*1000), int64(prev))
	n := int64(v)
	return &n
}

// divRound divides rounding half away from zero.
func divRound(n money.Fen, d int64) money.Fen {
	if d == 0 {
		return 0
	}
	q, r := int64(n)/d, int64(n)%d
	if r*2 >= d {
		q++
	} else if r*2 <= -d {
		q--
	}
	return money.Fen(q)
}

// --- lists

// Products lists the catalogue for filters and names.
func (s *Service) Products(ctx context.Context) ([]ProductRef, error) { return s.store.Products(ctx) }

// DefaultMonth is the newest month with usage the actor may see, else
// last month.
func (s *Service) DefaultMonth(ctx context.Context, actor authz.Subject) (int, error) {
	ym, err := s.store.LatestMonthIn(ctx, s.scope(actor))
	if err != nil || ym != 0 {
		return ym, err
	}
	return AddMonths(s.CurrentYM(), -1), nil
}

// Movers lists the customers whose revenue rose (or fell, f.Fallers) in
// the actor's scope.
func (s *Service) Movers(ctx context.Context, actor authz.Subject, f ListFilter) ([]Mover, int64, error) {
	return s.store.Movers(ctx, s.scope(actor), f)
}

// ByIndustry sums revenue per industry in the actor's scope.
func (s *Service) ByIndustry(ctx context.Context, actor authz.Subject, f ListFilter) ([]Group, error) {
	return s.store.ByIndustry(ctx, s.scope(actor), f)
}

// ByProduct sums revenue per product in the actor's scope.
func (s *Service) ByProduct(ctx context.Context, actor authz.Subject, f ListFilter) ([]Group, error) {
	return s.store.ByProduct(ctx, s.scope(actor), f)
}

// Imports lists recent imports for the import page.
func (s *Service) Imports(ctx context.Context, actor authz.Subject) ([]ImportRow, error) {
	if !s.CanImport(actor) {
		return nil, errForbidden
	}
	return s.store.Imports(ctx, 24)
}
