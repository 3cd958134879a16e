package usage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

var (
	errNotFound  = apperr.ErrNotFound
	errForbidden = apperr.ErrForbidden
	// errRollback undoes a commit that met row errors; the report says why.
	errRollback = errors.New("usage import: rows with errors, nothing saved")
)

// Sources are where a month's figures come from; a re-import replaces the
// month of its own source only.
var Sources = []string{"billing", "settlement", "manual"}

// DefaultSource is the source the import form preselects.
const DefaultSource = "billing"

// MaxRows is the most rows one file may hold (a province's month is about
// 500,000 customer × product rows).
const MaxRows = 1_000_000

// chunk is how many rows are resolved (one customer lookup) and inserted
// at a time: memory holds one chunk, whatever the file's size.
const chunk = 2000

// Report caps: the page lists the first errors and unknown keys.
const (
	maxErrors  = 200
	maxUnknown = 100
)

// Columns of the file, by their canonical names; the header may use any
// of the aliases (case and spaces ignored).
var columnAliases = map[string][]string{
	"customer": {"customer", "客户", "客户编码", "统一社会信用代码", "credit_code", "customer_id", "客户id"},
	"product":  {"product", "产品", "产品编码", "product_code", "业务编码"},
	"month":    {"month", "月份", "账期"},
	"revenue":  {"revenue", "收入", "收入（元）", "收入(元)", "revenue(yuan)", "金额"},
	"quantity": {"quantity", "数量", "用量"},
	"credit":   {"credit", "冲减", "is_credit", "冲销"},
}

// requiredColumns must all be in the header; credit is optional.
var requiredColumns = []string{"customer", "product", "month", "revenue", "quantity"}

// TemplateCSV is the downloadable template: the header and two example
// rows (a charge and a credit).
const TemplateCSV = "customer,product,month,revenue,quantity,credit\r\n" +
	"91110000MA01ABCD12,DIA-100M,2026-10,3200.00,2,\r\n" +
	"91110000MA01ABCD12,VPMN-GRP,2026-10,-150.00,0,1\r\n"

// FileError is a problem with the file as a whole: nothing was read into
// the database. MsgID and Args are for the i18n catalogue.
type FileError struct {
	MsgID string
	Args  []any
}

func (e *FileError) Error() string { return "usage import: " + e.MsgID }

// RowError is a problem with one row; Row is the row number as the
// spreadsheet shows it.
type RowError struct {
	Row   int
	MsgID string
	Args  []any
}

// Report is what a dry run or a commit found.
type Report struct {
	Source     string
	YM         int
	Rows       int
	RevenueFen money.Fen
	Errors     []RowError
	ErrorCount int
	// UnknownCustomers and UnknownProducts are the keys the file names
	// that match no live customer or catalogue product (distinct, capped).
	UnknownCustomers []string
	UnknownProducts  []string
	// Replaces: the source already has this month (a commit replaces it).
	Replaces bool
	// Committed: the rows are saved (ImportID; Deleted rows replaced).
	Committed bool
	ImportID  uint
	Deleted   int64
}

// OK reports whether the file may be committed.
func (r *Report) OK() bool { return r.ErrorCount == 0 && r.Rows > 0 }

// Month is the report's month as YYYY-MM.
func (r *Report) Month() string {
	if r.YM == 0 {
		return ""
	}
	return FormatYM(r.YM)
}

func (r *Report) fail(row int, msgID string, args ...any) {
	r.ErrorCount++
	if len(r.Errors) < maxErrors {
		r.Errors = append(r.Errors, RowError{Row: row, MsgID: msgID, Args: args})
	}
}

// ImportRequest is one upload.
type ImportRequest struct {
	Source   string
	FileName string
	Src      io.ReaderAt
	Size     int64
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// Commit saves the rows; otherwise it is a dry run.
	Commit bool
}

// parsed is a row that passed the syntax checks.
type parsed struct {
	row     int
	custKey string // upper-case credit code, or "" when custID is given
	custID  uint
	product uint
	prodKey string
	rev     money.Fen
	credit  bool
	qty     int64
}

// importer carries one file's state through its chunks.
type importer struct {
	s        *Service
	actor    authz.Subject
	req      ImportRequest
	rep      *Report
	products map[string]uint
	cur      int
	seen     map[[2]uint]int
	unknownC map[string]bool
	unknownP map[string]bool
	// commit state: the import's row once the month is known, and its
	// rows staged so far.
	im    *Import
	stage *MonthStage
}

// Import checks a file and, when req.Commit and every row is valid, saves
// it in one transaction: the source's month is replaced (earlier import
// marked replaced, its rows deleted), the new rows are inserted in
// batches, and an audit entry records who loaded what. Any row error rolls
// everything back. A *FileError is a problem with the file as a whole.
func (s *Service) Import(ctx context.Context, actor authz.Subject, req ImportRequest) (*Report, error) {
	if !s.CanImport(actor) {
		return nil, errForbidden
	}
	if req.Source == "" {
		req.Source = DefaultSource
	}
	if !validSource(req.Source) {
		return nil, &FileError{MsgID: "usage.err.source"}
	}
	rd, err := tabular.Open(req.FileName, req.Src, req.Size, tabular.Limits{MaxBytes: req.MaxBytes, MaxRows: MaxRows + 1, MaxColumns: 32, MaxCell: 256})
	if err != nil {
		return nil, fileError(err)
	}
	defer rd.Close()
	products, err := s.store.Products(ctx)
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, actor: actor, req: req, rep: &Report{Source: req.Source}, products: make(map[string]uint, len(products)),
		cur: s.CurrentYM(), seen: map[[2]uint]int{}, unknownC: map[string]bool{}, unknownP: map[string]bool{}}
	for _, p := range products {
		im.products[strings.ToUpper(p.Code)] = p.ID
	}
	if !req.Commit {
		if err := im.run(ctx, rd); err != nil {
			return nil, err
		}
		return im.rep, im.checkReplaces(ctx)
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := im.run(ctx, rd); err != nil {
			return err
		}
		if !im.rep.OK() {
			return errRollback
		}
		if err := im.stage.Commit(ctx, im.im); err != nil {
			return err
		}
		if err := s.store.FinishImport(ctx, im.im.ID, im.rep.Rows, im.rep.RevenueFen); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, "usage_import", im.im.ID, audit.ActionCreate, map[string]audit.Change{
			"source":       {To: req.Source},
			"ym":           {To: FormatYM(im.rep.YM)},
			"file_name":    {To: req.FileName},
			"row_count":    {To: im.rep.Rows},
			"revenue_fen":  {To: int64(im.rep.RevenueFen)},
			"rows_deleted": {To: im.rep.Deleted},
		})
	})
	if errors.Is(err, errRollback) {
		im.rep.Deleted, im.rep.ImportID = 0, 0
		return im.rep, nil
	}
	if err != nil {
		return nil, err
	}
	im.rep.Committed, im.rep.ImportID = true, im.im.ID
	s.gate.Imported("usage", im.rep.Rows)
	s.log.Info("usage import", "source", req.Source, "month", FormatYM(im.rep.YM), "rows", im.rep.Rows, "replaced_rows", im.rep.Deleted, "by", actor.ID)
	if s.after != nil {
		if err := s.after(ctx); err != nil {
			s.log.Error("after the usage import", "err", err, "import", im.im.ID)
		}
	}
	return im.rep, nil
}

func validSource(s string) bool {
	for _, v := range Sources {
		if v == s {
			return true
		}
	}
	return false
}

// checkReplaces tells a dry run whether a commit would replace a month.
func (im *importer) checkReplaces(ctx context.Context) error {
	if im.rep.YM == 0 {
		return nil
	}
	var n int64
	err := db.Conn(ctx, im.s.store.DB()).Model(&Import{}).Where("source = ? AND ym = ? AND replaced_at IS NULL", im.req.Source, im.rep.YM).Count(&n).Error
	im.rep.Replaces = n > 0
	return err
}

// fileError maps the reader's problems to messages.
func fileError(err error) error {
	var te *tabular.Error
	if !errors.As(err, &te) {
		return err
	}
	switch te.Kind {
	case tabular.KindUnsupported:
		return &FileError{MsgID: "usage.err.file_type"}
	case tabular.KindTooLarge:
		mb, _ := strconv.ParseInt(te.Detail, 10, 64)
		return &FileError{MsgID: "usage.err.too_large", Args: []any{"MB", mb >> 20}}
	case tabular.KindTooManyRows:
		return &FileError{MsgID: "usage.err.too_many_rows", Args: []any{"Max", MaxRows}}
	case tabular.KindNotText:
		return &FileError{MsgID: "usage.err.not_text"}
	case tabular.KindTooManyColumns, tabular.KindCellTooLong:
		return &FileError{MsgID: "usage.err.columns"}
	}
	return &FileError{MsgID: "usage.err.unreadable"}
}

// run reads the header, then the rows chunk by chunk.
func (im *importer) run(ctx context.Context, rd *tabular.Reader) error {
	var cols map[string]int
	for cols == nil {
		_, cells, err := rd.Next()
		if err == io.EOF {
			return &FileError{MsgID: "usage.err.empty"}
		}
		if err != nil {
			return fileError(err)
		}
		if blank(cells) {
			continue
		}
		if cols, err = header(cells); err != nil {
			return err
		}
	}
	buf := make([]parsed, 0, im.s.chunk)
	for {
		line, cells, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileError(err)
		}
		if blank(cells) {
			continue
		}
		if im.rep.Rows+im.rep.ErrorCount >= MaxRows {
			return &FileError{MsgID: "usage.err.too_many_rows", Args: []any{"Max", MaxRows}}
		}
		if p, ok := im.parse(line, cells, cols); ok {
			buf = append(buf, p)
		}
		if len(buf) == im.s.chunk {
			if err := im.flush(ctx, buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if err := im.flush(ctx, buf); err != nil {
		return err
	}
	if im.rep.Rows == 0 && im.rep.ErrorCount == 0 {
		return &FileError{MsgID: "usage.err.empty"}
	}
	// Syntax errors are found as rows are read, unknown customers when
	// their chunk is resolved: the page lists them in row order.
	slices.SortStableFunc(im.rep.Errors, func(a, b RowError) int { return a.Row - b.Row })
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// header maps canonical column names to positions; a missing required
// column or one it does not know is refused, so a file of another kind
// (or shifted columns) never loads.
func header(cells []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, c := range cells {
		k := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(c), " ", ""))
		if k == "" {
			continue
		}
		name := ""
		for canon, aliases := range columnAliases {
			for _, a := range aliases {
				if k == a {
					name = canon
				}
			}
		}
		if name == "" {
			return nil, &FileError{MsgID: "usage.err.unknown_column", Args: []any{"Column", c}}
		}
		if _, dup := cols[name]; dup {
			return nil, &FileError{MsgID: "usage.err.duplicate_column", Args: []any{"Column", c}}
		}
		cols[name] = i
	}
	var missing []string
	for _, r := range requiredColumns {
		if _, ok := cols[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, &FileError{MsgID: "usage.err.missing_columns", Args: []any{"Columns", strings.Join(missing, ", ")}}
	}
	return cols, nil
}

func cell(cells []string, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[i])
}

// parse checks one row's syntax and the rules that need no database.
func (im *importer) parse(line int, cells []string, cols map[string]int) (parsed, bool) {
	rep := im.rep
	p := parsed{row: line}
	bad := false
	fail := func(id string, args ...any) { rep.fail(line, id, args...); bad = true }

	cust := strings.ToUpper(textnorm.Fold(cell(cells, cols, "customer")))
	switch {
	case cust == "":
		fail("usage.err.customer_required")
	case digits(cust) && len(cust) < 18:
		id, err := strconv.ParseUint(cust, 10, 32)
		if err != nil || id == 0 {
			fail("usage.err.customer_unknown", "Key", cust)
		}
		p.custID = uint(id)
	default:
		p.custKey = cust
	}

	prod := strings.ToUpper(textnorm.Fold(cell(cells, cols, "product")))
	if prod == "" {
		fail("usage.err.product_required")
	} else if id, ok := im.products[prod]; ok {
		p.product = id
	} else {
		fail("usage.err.product_unknown", "Code", prod)
		if !im.unknownP[prod] && len(rep.UnknownProducts) < maxUnknown {
			rep.UnknownProducts = append(rep.UnknownProducts, prod)
		}
		im.unknownP[prod] = true
	}

	ym, ok := ParseYM(textnorm.Fold(cell(cells, cols, "month")))
	switch {
	case !ok:
		fail("usage.err.month")
	case ym > im.cur:
		fail("usage.err.month_future", "Month", FormatYM(ym))
	case rep.YM == 0:
		rep.YM = ym
	case ym != rep.YM:
		fail("usage.err.month_mixed", "Month", FormatYM(ym), "First", FormatYM(rep.YM))
	}

	switch strings.ToLower(textnorm.Fold(cell(cells, cols, "credit"))) {
	case "", "0", "n", "no", "false", "否":
	case "1", "y", "yes", "true", "是", "credit", "冲减":
		p.credit = true
	default:
		fail("usage.err.credit")
	}

	rev, err := money.Parse(textnorm.Fold(cell(cells, cols, "revenue")))
	switch {
	case err != nil:
		fail("usage.err.revenue")
	case rev < 0 && !p.credit:
		fail("usage.err.negative")
	default:
		p.rev = rev
	}

	q := textnorm.Fold(cell(cells, cols, "quantity"))
	q = strings.ReplaceAll(q, ",", "")
	if q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 || n > 1e12 {
			fail("usage.err.quantity")
		}
		p.qty = n
	}
	p.prodKey = prod
	return p, !bad
}

// flush resolves a chunk's customers with one query per key kind, checks
// duplicates, and in a commit inserts the chunk.
func (im *importer) flush(ctx context.Context, buf []parsed) error {
	if len(buf) == 0 {
		return nil
	}
	rep := im.rep
	var codes []string
	var ids []uint
	for _, p := range buf {
		if p.custKey != "" {
			codes = append(codes, p.custKey)
		} else {
			ids = append(ids, p.custID)
		}
	}
	byCode, err := im.s.store.CustomersByCode(ctx, codes)
	if err != nil {
		return err
	}
	live, err := im.s.store.LiveCustomers(ctx, ids)
	if err != nil {
		return err
	}
	rows := make([]Month, 0, len(buf))
	for _, p := range buf {
		key := p.custKey
		if key == "" {
			key = strconv.FormatUint(uint64(p.custID), 10)
			if !live[p.custID] {
				p.custID = 0
			}
		} else {
			p.custID = byCode[p.custKey]
		}
		if p.custID == 0 {
			rep.fail(p.row, "usage.err.customer_unknown", "Key", key)
			if !im.unknownC[key] && len(rep.UnknownCustomers) < maxUnknown {
				rep.UnknownCustomers = append(rep.UnknownCustomers, key)
			}
			im.unknownC[key] = true
			continue
		}
		k := [2]uint{p.custID, p.product}
		if first, dup := im.seen[k]; dup {
			rep.fail(p.row, "usage.err.duplicate", "Row", first)
			continue
		}
		im.seen[k] = p.row
		rep.Rows++
		rep.RevenueFen += p.rev
		rows = append(rows, Month{Source: im.req.Source, YM: rep.YM, CustomerID: p.custID, ProductID: p.product,
			RevenueFen: p.rev, IsCredit: p.credit, Quantity: p.qty})
	}
	if !im.req.Commit || rep.ErrorCount > 0 {
		return nil
	}
	if im.im == nil {
		now := im.s.now()
		if rep.Deleted, err = im.s.store.ReplaceMonth(ctx, im.req.Source, rep.YM, now); err != nil {
			return err
		}
		im.im = &Import{Source: im.req.Source, YM: rep.YM, FileName: truncate(im.req.FileName, 255), ImportedBy: im.actor.ID, ImportedAt: now}
		if err := im.s.store.CreateImport(ctx, im.im); err != nil {
			return err
		}
		im.stage = im.s.store.NewMonthStage()
	}
	for i := range rows {
		rows[i].ImportID = im.im.ID
	}
	if err := im.stage.Add(ctx, rows); err != nil {
		return fmt.Errorf("chunk ending at row %d: %w", buf[len(buf)-1].row, err)
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
