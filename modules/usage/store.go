package usage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"gorm.io/gorm"
)

// Store is the only place the usage module speaks SQL. Besides its own
// two tables it reads customers (name, industry, headcount, scope columns)
// and products (code, names, unit) read-only, as the reports' read model
// does: the import resolves billing's keys and the lists name their rows.
type Store struct {
	db *gorm.DB
}

// NewStore wraps the database.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// DB is the base handle (for transactions and demo seeding).
func (s *Store) DB() *gorm.DB { return s.db }

// scopeCols are the customers' scope columns under the alias c.
var scopeCols = authz.StandardColumns("c")

// ProductRef is a catalogue product as usage pages name it.
type ProductRef struct {
	ID     uint
	Code   string
	NameZh string
	NameEn string
	Unit   string
	Active bool
}

// Name is the product's name in lang (English falls back to Chinese).
func (p ProductRef) Name(lang string) string {
	if lang == "en" && p.NameEn != "" {
		return p.NameEn
	}
	return p.NameZh
}

// Products lists the catalogue (retired products too: billing still
// reports them), in the catalogue's order.
func (s *Store) Products(ctx context.Context) ([]ProductRef, error) {
	var out []ProductRef
	err := db.Conn(ctx, s.db).Table("products").Select("id, code, name_zh, name_en, unit, active").
		Order("sort_order, id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("usage products: %w", err)
	}
	return out, nil
}

// CustomersByCode maps credit codes (upper case) to live customers' ids.
func (s *Store) CustomersByCode(ctx context.Context, codes []string) (map[string]uint, error) {
	out := make(map[string]uint, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	var rows []struct {
		ID         uint
		CreditCode string
	}
	err := db.Conn(ctx, s.db).Table("customers").Select("id, credit_code").
		Where("credit_code IN ? AND deleted_at IS NULL", codes).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("usage customers by code: %w", err)
	}
	for _, r := range rows {
		out[strings.ToUpper(r.CreditCode)] = r.ID
	}
	return out, nil
}

// LiveCustomers returns which of ids are live customers.
func (s *Store) LiveCustomers(ctx context.Context, ids []uint) (map[uint]bool, error) {
	out := make(map[uint]bool, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var found []uint
	err := db.Conn(ctx, s.db).Table("customers").Where("id IN ? AND deleted_at IS NULL", ids).Pluck("id", &found).Error
	if err != nil {
		return nil, fmt.Errorf("usage customers by id: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// ReplaceMonth marks the source's earlier imports of ym replaced and
// deletes their rows; it runs inside the import's transaction. It returns
// how many rows were deleted.
func (s *Store) ReplaceMonth(ctx context.Context, source string, ym int, now time.Time) (int64, error) {
	g := db.Conn(ctx, s.db)
	if err := g.Model(&Import{}).Where("source = ? AND ym = ? AND replaced_at IS NULL", source, ym).
		Update("replaced_at", now).Error; err != nil {
		return 0, fmt.Errorf("usage replace imports: %w", err)
	}
	res := g.Where("source = ? AND ym = ?", source, ym).Delete(&Month{})
	if res.Error != nil {
		return 0, fmt.Errorf("usage delete month: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// CreateImport inserts the import's row.
func (s *Store) CreateImport(ctx context.Context, im *Import) error {
	if err := db.Conn(ctx, s.db).Create(im).Error; err != nil {
		return fmt.Errorf("usage create import: %w", err)
	}
	return nil
}

// FinishImport stores the import's totals.
func (s *Store) FinishImport(ctx context.Context, id uint, rows int, revenue money.Fen) error {
	err := db.Conn(ctx, s.db).Model(&Import{}).Where("id = ?", id).
		Updates(map[string]any{"row_count": rows, "revenue_fen": revenue}).Error
	if err != nil {
		return fmt.Errorf("usage finish import: %w", err)
	}
	return nil
}

// monthColumns are the inserted columns, in the order of monthArgs.
const monthColumns = "(import_id, source, ym, customer_id, product_id, revenue_fen, is_credit, quantity)"

// InsertMonths writes rows with multi-row INSERT statements of
// insertBatch rows (8 parameters each, well under both databases' limits),
// inside the caller's transaction.
func (s *Store) InsertMonths(ctx context.Context, rows []Month) error {
	g := db.Conn(ctx, s.db)
	for len(rows) > 0 {
		n := min(len(rows), insertBatch)
		var b strings.Builder
		b.WriteString("INSERT INTO usage_months " + monthColumns + " VALUES ")
		args := make([]any, 0, n*8)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?)")
			args = append(args, r.ImportID, r.Source, r.YM, r.CustomerID, r.ProductID, int64(r.RevenueFen), r.IsCredit, r.Quantity)
		}
		if err := g.Exec(b.String(), args...).Error; err != nil {
			return fmt.Errorf("usage insert months: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// insertBatch is the rows per INSERT statement.
const insertBatch = 1000

// MonthStage collects an import's rows inside its transaction and writes
// them to usage_months at the end. On PostgreSQL the chunks go to a
// temporary table (no indexes, no foreign keys; dropped at commit or
// rollback) as one unnest statement each, and Commit moves them with one
// INSERT … SELECT ordered by customer and product: the foreign-key checks
// and index inserts of 200,000 rows in one statement cost a third of the
// same work spread over a hundred chunk statements (docs/usage.md). On
// SQLite the chunks are written straight away (InsertMonths).
type MonthStage struct {
	s       *Store
	created bool
}

// NewMonthStage starts an import's stage.
func (s *Store) NewMonthStage() *MonthStage { return &MonthStage{s: s} }

// Add stages a chunk of rows, all of one import, source and month.
func (st *MonthStage) Add(ctx context.Context, rows []Month) error {
	g := db.Conn(ctx, st.s.db)
	if g.Dialector.Name() != "postgres" {
		return st.s.InsertMonths(ctx, rows)
	}
	if len(rows) == 0 {
		return nil
	}
	if !st.created {
		if err := g.Exec("CREATE TEMPORARY TABLE usage_months_stage (customer_id BIGINT, product_id BIGINT, revenue_fen BIGINT, is_credit BOOLEAN, quantity BIGINT) ON COMMIT DROP").Error; err != nil {
			return fmt.Errorf("usage stage: %w", err)
		}
		st.created = true
	}
	n := len(rows)
	cust, prod, rev, qty := make(db.Int64s, n), make(db.Int64s, n), make(db.Int64s, n), make(db.Int64s, n)
	credit := make(db.Bools, n)
	for i, r := range rows {
		cust[i], prod[i], rev[i], qty[i], credit[i] = int64(r.CustomerID), int64(r.ProductID), int64(r.RevenueFen), r.Quantity, r.IsCredit
	}
	err := g.Exec("INSERT INTO usage_months_stage SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::boolean[], ?::bigint[])",
		cust, prod, rev, credit, qty).Error
	if err != nil {
		return fmt.Errorf("usage stage rows: %w", err)
	}
	return nil
}

// Commit writes the staged rows to usage_months as import im's rows.
func (st *MonthStage) Commit(ctx context.Context, im *Import) error {
	if !st.created {
		return nil
	}
	err := db.Conn(ctx, st.s.db).Exec("INSERT INTO usage_months "+monthColumns+
		" SELECT ?, ?, ?, customer_id, product_id, revenue_fen, is_credit, quantity FROM usage_months_stage ORDER BY customer_id, product_id",
		im.ID, im.Source, im.YM).Error
	if err != nil {
		return fmt.Errorf("usage insert months: %w", err)
	}
	return nil
}

// ImportRow is an import as the import page lists it.
type ImportRow struct {
	Import
	ByName string
}

// Imports lists the latest imports, newest first.
func (s *Store) Imports(ctx context.Context, limit int) ([]ImportRow, error) {
	var out []ImportRow
	err := db.Conn(ctx, s.db).Table("usage_imports i").
		Select("i.*, COALESCE(u.name, '') AS by_name").
		Joins("LEFT JOIN users u ON u.id = i.imported_by").
		Order("i.imported_at DESC, i.id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("usage imports: %w", err)
	}
	return out, nil
}

// ImportsByID loads imports (the history names them).
func (s *Store) ImportsByID(ctx context.Context, ids []uint) ([]Import, error) {
	var rows []Import
	if err := db.Conn(ctx, s.db).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("usage imports by id: %w", err)
	}
	return rows, nil
}

// Cell is one customer's usage of one product in one month, all sources
// together.
type Cell struct {
	YM         int `gorm:"column:ym"`
	ProductID  uint
	RevenueFen money.Fen `gorm:"column:revenue_fen"`
	Quantity   int64
}

// CustomerCells sums a customer's usage per month and product for months
// from..to (yyyymm, inclusive).
func (s *Store) CustomerCells(ctx context.Context, customerID uint, from, to int) ([]Cell, error) {
	var out []Cell
	err := db.Conn(ctx, s.db).Table("usage_months").
		Select("ym, product_id, SUM(revenue_fen) AS revenue_fen, SUM(quantity) AS quantity").
		Where("customer_id = ? AND ym BETWEEN ? AND ?", customerID, from, to).
		Group("ym, product_id").Order("ym, product_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("usage customer cells: %w", err)
	}
	return out, nil
}

// LatestMonth is the newest month with usage of the customer (0: none).
func (s *Store) LatestMonth(ctx context.Context, customerID uint) (int, error) {
	var ym *int
	err := db.Conn(ctx, s.db).Table("usage_months").Select("MAX(ym)").Where("customer_id = ?", customerID).Scan(&ym).Error
	if err != nil {
		return 0, fmt.Errorf("usage latest month: %w", err)
	}
	if ym == nil {
		return 0, nil
	}
	return *ym, nil
}

// LatestMonthIn is the newest month with usage among the customers the
// scope reaches (0: none).
func (s *Store) LatestMonthIn(ctx context.Context, scope authz.ListScope) (int, error) {
	var ym *int
	q := db.Conn(ctx, s.db).Table("usage_months m").Select("MAX(m.ym)").
		Joins("JOIN customers c ON c.id = m.customer_id AND c.deleted_at IS NULL")
	q = scope.Apply(q, scopeCols)
	if err := q.Scan(&ym).Error; err != nil {
		return 0, fmt.Errorf("usage latest month: %w", err)
	}
	if ym == nil {
		return 0, nil
	}
	return *ym, nil
}

// Peer is who a customer is compared with for the upsell hint.
type Peer struct {
	CustomerID uint
	Industry   string
	// MinHead and MaxHead bound the size band by headcount (MaxHead 0: no
	// upper bound).
	MinHead, MaxHead int
	// From and To are the months looked at (yyyymm).
	From, To int
}

// Upsell is a product that peers use and the customer does not.
type Upsell struct {
	ProductID uint
	Users     int
	Peers     int
}

// UpsellHints counts, in SQL, how many of the customer's peers (same
// industry and size band, with any usage in the window, the customer
// itself excluded) used each product the customer did not use in the
// window. Only counts leave the database: never which peers. Rows with
// fewer than minPeers peers or under pct % are dropped.
func (s *Store) UpsellHints(ctx context.Context, p Peer, pct, minPeers int) ([]Upsell, error) {
	g := db.Conn(ctx, s.db)
	peers := g.Table("customers c").Select("c.id").
		Where("c.deleted_at IS NULL AND c.id <> ? AND c.industry = ? AND c.headcount >= ?", p.CustomerID, p.Industry, p.MinHead)
	if p.MaxHead > 0 {
		peers = peers.Where("c.headcount < ?", p.MaxHead)
	}
	peers = peers.Where("EXISTS (SELECT 1 FROM usage_months pm WHERE pm.customer_id = c.id AND pm.ym BETWEEN ? AND ?)", p.From, p.To)
	var total int64
	if err := g.Table("(?) AS peers", peers).Count(&total).Error; err != nil {
		return nil, fmt.Errorf("usage upsell peers: %w", err)
	}
	if total < int64(minPeers) {
		return nil, nil
	}
	var rows []Upsell
	err := g.Table("usage_months m").
		Select("m.product_id, COUNT(DISTINCT m.customer_id) AS users").
		Where("m.customer_id IN (?) AND m.ym BETWEEN ? AND ?", peers, p.From, p.To).
		Where("m.product_id NOT IN (SELECT own.product_id FROM usage_months own WHERE own.customer_id = ? AND own.ym BETWEEN ? AND ?)", p.CustomerID, p.From, p.To).
		Group("m.product_id").
		Having("COUNT(DISTINCT m.customer_id) * 100 >= ?", int64(pct)*total).
		Order("users DESC, m.product_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("usage upsell: %w", err)
	}
	for i := range rows {
		rows[i].Peers = int(total)
	}
	return rows, nil
}

// ListFilter narrows the usage lists. It holds no scope: the store takes
// the scope as its own argument.
type ListFilter struct {
	// YM is the month looked at; Window the months compared (1: this
	// month against the previous one; 3: the last three against the three
	// before).
	YM, Window int
	Industry   string
	ProductID  uint
	// Sort is delta, cur, prev or name; Desc its direction.
	Sort string
	Desc bool
	// Fallers lists revenue falls (negative delta) instead of rises.
	Fallers       bool
	Limit, Offset int
}

// months returns the window's current and previous month ranges.
func (f ListFilter) months() (curFrom, curTo, prevFrom, prevTo int) {
	w := max(f.Window, 1)
	curTo = f.YM
	curFrom = AddMonths(f.YM, -(w - 1))
	prevTo = AddMonths(f.YM, -w)
	prevFrom = AddMonths(f.YM, -(2*w - 1))
	return
}

// Mover is one customer's revenue in the window against the one before.
type Mover struct {
	CustomerID uint
	Name       string
	Industry   string
	OwnerID    uint
	OwnerName  string
	CurFen     money.Fen
	PrevFen    money.Fen
}

// DeltaFen is the change.
func (m Mover) DeltaFen() money.Fen { return m.CurFen - m.PrevFen }

// moversQuery is the grouped query behind the risers and fallers.
func (s *Store) moversQuery(ctx context.Context, scope authz.ListScope, f ListFilter) *gorm.DB {
	cf, ct, pf, pt := f.months()
	cur := "SUM(CASE WHEN m.ym BETWEEN ? AND ? THEN m.revenue_fen ELSE 0 END)"
	prev := "SUM(CASE WHEN m.ym BETWEEN ? AND ? THEN m.revenue_fen ELSE 0 END)"
	q := db.Conn(ctx, s.db).Table("usage_months m").
		Select("c.id AS customer_id, c.name, c.industry, c.owner_id, COALESCE(u.name, '') AS owner_name, "+
			cur+" AS cur_fen, "+prev+" AS prev_fen", cf, ct, pf, pt).
		Joins("JOIN customers c ON c.id = m.customer_id AND c.deleted_at IS NULL").
		Joins("LEFT JOIN users u ON u.id = c.owner_id").
		Where("m.ym BETWEEN ? AND ?", pf, ct)
	q = scope.Apply(q, scopeCols)
	if f.Industry != "" {
		q = q.Where("c.industry = ?", f.Industry)
	}
	if f.ProductID != 0 {
		q = q.Where("m.product_id = ?", f.ProductID)
	}
	q = q.Group("c.id, c.name, c.industry, c.owner_id, u.name")
	if f.Fallers {
		q = q.Having(cur+" < "+prev, cf, ct, pf, pt)
	} else {
		q = q.Having(cur+" > "+prev, cf, ct, pf, pt)
	}
	return q
}

// Movers lists the customers whose revenue rose (or fell) most, one page,
// and how many there are.
func (s *Store) Movers(ctx context.Context, scope authz.ListScope, f ListFilter) ([]Mover, int64, error) {
	q := s.moversQuery(ctx, scope, f)
	if q.Error != nil {
		return nil, 0, q.Error
	}
	var total int64
	if err := db.Conn(ctx, s.db).Table("(?) AS mv", q).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("usage movers count: %w", err)
	}
	var rows []Mover
	order := moverOrder(f)
	inner := s.moversQuery(ctx, scope, f)
	page := db.Conn(ctx, s.db).Table("(?) AS mv", inner).Order(order)
	if f.Limit > 0 {
		page = page.Limit(f.Limit).Offset(f.Offset)
	}
	if err := page.Scan(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("usage movers: %w", err)
	}
	return rows, total, nil
}

func moverOrder(f ListFilter) string {
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	switch f.Sort {
	case "cur":
		return "mv.cur_fen" + dir + ", mv.customer_id"
	case "prev":
		return "mv.prev_fen" + dir + ", mv.customer_id"
	case "name":
		return "mv.name" + dir + ", mv.customer_id"
	}
	return "(mv.cur_fen - mv.prev_fen)" + dir + ", mv.customer_id"
}

// Group is revenue summed by an industry or a product.
type Group struct {
	Key       string `gorm:"column:grp_key"`
	Customers int
	Quantity  int64
	CurFen    money.Fen
	PrevFen   money.Fen
}

// ByIndustry sums revenue per industry for the window and the one before,
// over the customers the scope reaches.
func (s *Store) ByIndustry(ctx context.Context, scope authz.ListScope, f ListFilter) ([]Group, error) {
	return s.groups(ctx, scope, f, "c.industry")
}

// ByProduct sums revenue and quantity per product (Key: the product id).
func (s *Store) ByProduct(ctx context.Context, scope authz.ListScope, f ListFilter) ([]Group, error) {
	return s.groups(ctx, scope, f, "m.product_id")
}

func (s *Store) groups(ctx context.Context, scope authz.ListScope, f ListFilter, key string) ([]Group, error) {
	cf, ct, pf, pt := f.months()
	q := db.Conn(ctx, s.db).Table("usage_months m").
		Select("CAST("+key+" AS VARCHAR(32)) AS grp_key, "+
			"COUNT(DISTINCT CASE WHEN m.ym BETWEEN ? AND ? THEN m.customer_id END) AS customers, "+
			"SUM(CASE WHEN m.ym = ? THEN m.quantity ELSE 0 END) AS quantity, "+
			"SUM(CASE WHEN m.ym BETWEEN ? AND ? THEN m.revenue_fen ELSE 0 END) AS cur_fen, "+
			"SUM(CASE WHEN m.ym BETWEEN ? AND ? THEN m.revenue_fen ELSE 0 END) AS prev_fen", cf, ct, ct, cf, ct, pf, pt).
		Joins("JOIN customers c ON c.id = m.customer_id AND c.deleted_at IS NULL").
		Where("m.ym BETWEEN ? AND ?", pf, ct)
	q = scope.Apply(q, scopeCols)
	if f.Industry != "" {
		q = q.Where("c.industry = ?", f.Industry)
	}
	if f.ProductID != 0 {
		q = q.Where("m.product_id = ?", f.ProductID)
	}
	var out []Group
	if err := q.Group(key).Order("cur_fen DESC").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("usage groups: %w", err)
	}
	return out, nil
}

// CountMonths counts the stored rows of a source's month (tests, reports).
func (s *Store) CountMonths(ctx context.Context, source string, ym int) (int64, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Month{}).Where("source = ? AND ym = ?", source, ym).Count(&n).Error
	return n, err
}
