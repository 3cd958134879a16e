package api

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/usage"
)

// MIMEXLSX is the media type of an .xlsx workbook.
const MIMEXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// UsageImport is what an import (or its dry run) found: the month and
// source, the rows and revenue, the keys that matched nothing and whether
// the month of that source is replaced.
type UsageImport struct {
	Source           string   `json:"source" enum:"billing,settlement,manual"`
	Month            string   `json:"month" doc:"YYYY-MM"`
	Rows             int      `json:"rows"`
	RevenueFen       int64    `json:"revenue_fen"`
	RevenueYuan      string   `json:"revenue_yuan"`
	UnknownCustomers []string `json:"unknown_customers"`
	UnknownProducts  []string `json:"unknown_products"`
	Replaces         bool     `json:"replaces" doc:"The source already has this month: a commit replaces it (re-importing never duplicates)."`
	DryRun           bool     `json:"dry_run"`
	Committed        bool     `json:"committed"`
	ImportID         *uint    `json:"import_id" doc:"Set when committed."`
	ReplacedRows     int64    `json:"replaced_rows" doc:"Rows of the earlier import of the month deleted by the commit."`
}

func (a *API) routesUsage() {
	a.add(fiber.MethodPost, "/usage/imports", web.Allow("usage", "import"), Op{ID: "importUsage", Tag: "usage",
		Summary: "Import a month of usage and revenue from billing (the portal's import: all or nothing, one month per source, re-import replaces)",
		Upload:  true, Status: 201, Also: []int{200}, Result: UsageImport{}, Errors: []int{400, 413, 415, 422, 503},
		Query: []Param{{Name: "dry_run", Type: "boolean", Doc: "true: check only; 200 with what a commit would do, or 422 with the row errors"},
			{Name: "source", Type: "string", Enum: usage.Sources, Doc: "Default: billing"},
			{Name: "file_name", Type: "string", Doc: "The file's name (.csv or .xlsx) when the body is the file itself and its type is not given"}}},
		a.importUsage)
}

// upload is the file of an import: the body itself (text/csv or the
// xlsx type), or the "file" part of a multipart form as the portal sends.
func upload(c *fiber.Ctx) (name string, data []byte, err error) {
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	name = filepath.Base(strings.TrimSpace(c.Query("file_name")))
	switch {
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		fh, err := c.FormFile("file")
		if err != nil {
			return "", nil, fieldErr("file", "usage.err.no_file")
		}
		f, err := fh.Open()
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		return filepath.Base(fh.Filename), data, err
	case strings.HasPrefix(ct, "text/csv"):
		if !strings.EqualFold(filepath.Ext(name), ".csv") {
			name = "upload.csv"
		}
	case strings.HasPrefix(ct, MIMEXLSX):
		if !strings.EqualFold(filepath.Ext(name), ".xlsx") {
			name = "upload.xlsx"
		}
	case strings.HasPrefix(ct, fiber.MIMEOctetStream) && name != "." && name != "":
		// The file name says the type (tabular refuses others).
	default:
		return "", nil, errProblem(fiber.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	if len(c.Body()) == 0 {
		return "", nil, fieldErr("file", "usage.err.no_file")
	}
	return name, c.Body(), nil
}

// importUsage runs the portal's import (usage.Service.Import: the same
// checks, transaction, replacement of the month and audit) on the body.
func (a *API) importUsage(c *fiber.Ctx) error {
	q := newQuery(c)
	dry := q.boolean("dry_run")
	source := q.enum("source", usage.Sources)
	if err := q.err(); err != nil {
		return err
	}
	name, data, err := upload(c)
	if err != nil {
		return err
	}
	release, err := a.deps.Usage.Gate().Enter(ctxOf(c), 3*time.Second)
	if errors.Is(err, tabular.ErrBusy) {
		c.Set(fiber.HeaderRetryAfter, "5")
		return errProblem(fiber.StatusServiceUnavailable, "unavailable")
	}
	if err != nil {
		return err
	}
	defer release()
	rep, err := a.deps.Usage.Import(ctxOf(c), subject(c), usage.ImportRequest{Source: source, FileName: name,
		Src: bytes.NewReader(data), Size: int64(len(data)), MaxBytes: a.srv.MaxUploadBytes(), Commit: !dry})
	var fe *usage.FileError
	if errors.As(err, &fe) {
		if fe.MsgID == "usage.err.too_large" {
			return errProblem(fiber.StatusRequestEntityTooLarge, "too_large")
		}
		return &rowErrors{errs: []FieldError{{Field: "file", Code: fe.MsgID, Message: a.srv.I18n.T(langOf(c), fe.MsgID, fe.Args...)}}}
	}
	if err != nil {
		return err
	}
	if rep.ErrorCount > 0 || !rep.OK() {
		re := &rowErrors{total: rep.ErrorCount}
		for _, e := range rep.Errors {
			row := e.Row
			re.errs = append(re.errs, FieldError{Field: "row", Row: &row, Code: e.MsgID, Message: a.srv.I18n.T(langOf(c), e.MsgID, e.Args...)})
		}
		return re
	}
	out := UsageImport{Source: rep.Source, Month: rep.Month(), Rows: rep.Rows, RevenueFen: int64(rep.RevenueFen), RevenueYuan: yuan(rep.RevenueFen),
		UnknownCustomers: append([]string{}, rep.UnknownCustomers...), UnknownProducts: append([]string{}, rep.UnknownProducts...),
		Replaces: rep.Replaces, DryRun: dry, Committed: rep.Committed, ReplacedRows: rep.Deleted}
	if !rep.Committed {
		return send(c, fiber.StatusOK, out)
	}
	id := rep.ImportID
	out.ImportID = &id
	return send(c, fiber.StatusCreated, out)
}

// rowErrors is a 422 of an import: the file's problem, or its rows'
// (each with its row number as the spreadsheet shows it; the first 200,
// with the total in the detail).
type rowErrors struct {
	errs  []FieldError
	total int
}

func (e *rowErrors) Error() string { return "usage import: invalid rows" }
