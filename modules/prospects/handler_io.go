package prospects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/sheet"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

// maxExportRows bounds one export; beyond it the user is asked to filter.
const maxExportRows = 100_000

// EachExportRow streams actor's customer export of f: every customer of
// the list's scope and filters, in the list's order, one batch of rows at a
// time, with the names of owners, chief reps, teams and key persons.
// Batches and names are read in one read snapshot on one connection
// (db.ReadSnapshot): the lookups never wait for a second connection of
// the pool while the snapshot holds one, however many exports run at
// once. More than maxExportRows rows is sheet.ErrTooMany.
func (s *Service) EachExportRow(ctx context.Context, actor authz.Subject, f CustomerFilter, fn func([]ExportRow) error) error {
	teams, err := s.org.Teams(ctx, 0, false)
	if err != nil {
		return err
	}
	teamName := make(map[uint]string, len(teams))
	for _, t := range teams {
		teamName[t.ID] = t.Name
	}
	n := 0
	return db.ReadSnapshot(db.MayLag(ctx), s.store.db, func(ctx context.Context) error {
		return s.EachCustomer(ctx, actor, f, func(batch []Customer) error {
			if n += len(batch); n > maxExportRows {
				return sheet.ErrTooMany
			}
			ids, cids := make([]uint, 0, len(batch)*2), make([]uint, len(batch))
			for i, cu := range batch {
				ids = append(ids, cu.OwnerID)
				if cu.ChiefRepID != nil {
					ids = append(ids, *cu.ChiefRepID)
				}
				cids[i] = cu.ID
			}
			users, err := s.org.UsersByIDs(ctx, ids)
			if err != nil {
				return err
			}
			names, err := s.store.ContactNames(ctx, cids)
			if err != nil {
				return err
			}
			rows := make([]ExportRow, len(batch))
			for i, cu := range batch {
				rows[i] = ExportRow{Customer: cu, Owner: users[cu.OwnerID].Name, Team: teamName[cu.TeamID], KeyPersons: names[cu.ID]}
				if cu.ChiefRepID != nil {
					rows[i].ChiefRep = users[*cu.ChiefRepID].Name
				}
			}
			return fn(rows)
		})
	})
}

func exportName(ext string, now time.Time) string {
	return fmt.Sprintf("customers-%s.%s", now.Format("20060102-1504"), ext)
}

func (h *handler) exportCSV(c *fiber.Ctx) error { return h.export(c, sheet.CSV) }

func (h *handler) exportXLSX(c *fiber.Ctx) error { return h.export(c, sheet.XLSX) }

// export answers /customers/export.csv and .xlsx: every customer of the
// list's scope and filters, written batch by batch into a temporary file
// (sheet.Spool) that is then sent, so memory holds one batch whatever the
// size of the list, and an error still comes before the download starts.
func (h *handler) export(c *fiber.Ctx, format string) error {
	me := web.MustSubject(c)
	f := h.filterFrom(c)
	file, size, err := sheet.Spool(format, exportSheetName, exportColumns, chinaTime(), func(w sheet.Writer) error {
		return h.svc.EachExportRow(c.UserContext(), me, f, func(rows []ExportRow) error { return WriteExportRows(w, rows) })
	})
	if errors.Is(err, sheet.ErrTooMany) {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "too many rows")
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.ContentType(format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Attachment(exportName(format, h.svc.Now().In(h.srv.Location())))
	return c.SendStream(file, int(size))
}

func (h *handler) importTemplate(c *fiber.Ctx) error {
	var buf bytes.Buffer
	if err := WriteImportTemplate(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Attachment("customer-import-template.xlsx")
	return c.Send(buf.Bytes())
}

func (h *handler) importPage(c *fiber.Ctx) error {
	return h.srv.View(c, "prospects/import", &importView{})
}

// importWait is how long an import waits for a free slot of the gate
// before the user is asked to try again.
const importWait = 3 * time.Second

func (h *handler) importUpload(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	lang := web.Lang(c)
	fail := func(status int, msgID string) error {
		return h.srv.ViewStatus(c, status, "prospects/import", &importView{Error: h.srv.I18n.T(lang, msgID)})
	}
	// Each import holds a parsed file and a transaction: a few at a time
	// per instance, the others are asked to try again shortly.
	release, err := h.svc.ImportGate().Enter(c.UserContext(), importWait)
	if errors.Is(err, tabular.ErrBusy) {
		c.Set(fiber.HeaderRetryAfter, "5")
		return fail(fiber.StatusServiceUnavailable, "import.busy")
	}
	if err != nil {
		return err
	}
	defer release()

	var src io.ReaderAt
	var size int64
	var name string
	commit := c.FormValue("action") == "commit"
	if commit {
		ext := c.FormValue("ext")
		f, err := h.staging.Open(me.ID, c.FormValue("token"), ext)
		if errors.Is(err, tabular.ErrStagedToken) {
			return fiber.ErrBadRequest
		}
		if errors.Is(err, tabular.ErrStagedGone) {
			h.srv.Flash(c, "error", "import.expired")
			return web.Redirect(c, "/customers/import")
		}
		if err != nil {
			return err
		}
		defer f.Close()
		src, size, name = f, f.Size, "staged"+ext
	} else {
		fh, err := c.FormFile("file")
		if err != nil {
			return fail(fiber.StatusUnprocessableEntity, "import.no_file")
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		src, size, name = f, fh.Size, fh.Filename
	}
	rows, err := ParseImportFile(name, src, size, h.srv.MaxUploadBytes())
	var fileErr *ImportFileError
	if asImportFileError(err, &fileErr) {
		msg := h.srv.I18n.T(lang, fileErr.MsgID)
		if fileErr.MsgID == "import.unreadable" {
			h.srv.Log.Info("unreadable import", "user", me.Username, "err", fileErr.Detail)
		} else if fileErr.Detail != "" {
			msg += " " + fileErr.Detail
		}
		return h.srv.ViewStatus(c, fiber.StatusUnprocessableEntity, "prospects/import", &importView{Error: msg})
	}
	if err != nil {
		return err
	}
	rep, err := h.svc.Import(c.UserContext(), me, rows, commit)
	if errors.Is(err, ErrTooManyChecks) {
		return fail(fiber.StatusTooManyRequests, "import.too_many_checks")
	}
	if err != nil {
		return err
	}
	if rep.Committed {
		h.svc.ImportGate().Imported("customers", rep.Rows)
		h.srv.Flash(c, "ok", "import.done")
		return web.Redirect(c, "/customers?sort=updated&dir=desc")
	}
	out := &importView{Report: rep, FileName: name}
	if rep.OK() {
		ext := strings.ToLower(filepath.Ext(name))
		token, err := h.staging.Put(me.ID, ext, io.NewSectionReader(src, 0, size), h.srv.MaxUploadBytes())
		if err != nil {
			return err
		}
		out.Token, out.Ext = token, ext
	}
	status := fiber.StatusOK
	if !rep.OK() {
		status = fiber.StatusUnprocessableEntity
	}
	return h.srv.ViewStatus(c, status, "prospects/import", out)
}

func asImportFileError(err error, target **ImportFileError) bool {
	return err != nil && errors.As(err, target)
}
