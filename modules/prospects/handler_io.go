package prospects

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/web"
)

// maxExportRows bounds one export; beyond it the user is asked to filter.
const maxExportRows = 100_000

func (h *handler) exportRows(c *fiber.Ctx) ([]ExportRow, error) {
	me := web.MustSubject(c)
	f := h.filterFrom(c)
	var out []ExportRow
	teams, err := h.svc.org.Teams(c.UserContext(), 0, false)
	if err != nil {
		return nil, err
	}
	teamName := map[uint]string{}
	for _, t := range teams {
		teamName[t.ID] = t.Name
	}
	err = h.svc.EachCustomer(c.UserContext(), me, f, func(batch []Customer) error {
		if len(out)+len(batch) > maxExportRows {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, "too many rows")
		}
		ids, cids := make([]uint, 0, len(batch)*2), make([]uint, len(batch))
		for i, cu := range batch {
			ids = append(ids, cu.OwnerID)
			if cu.ChiefRepID != nil {
				ids = append(ids, *cu.ChiefRepID)
			}
			cids[i] = cu.ID
		}
		users, err := h.people(c, ids...)
		if err != nil {
			return err
		}
		names, err := h.svc.store.ContactNames(c.UserContext(), cids)
		if err != nil {
			return err
		}
		for _, cu := range batch {
			r := ExportRow{Customer: cu, Owner: users[cu.OwnerID].Name, Team: teamName[cu.TeamID], KeyPersons: names[cu.ID]}
			if cu.ChiefRepID != nil {
				r.ChiefRep = users[*cu.ChiefRepID].Name
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func exportName(ext string) string {
	return fmt.Sprintf("customers-%s.%s", time.Now().Format("20060102-1504"), ext)
}

func (h *handler) exportCSV(c *fiber.Ctx) error {
	rows, err := h.exportRows(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteCustomersCSV(&buf, rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Attachment(exportName("csv"))
	return c.Send(buf.Bytes())
}

func (h *handler) exportXLSX(c *fiber.Ctx) error {
	rows, err := h.exportRows(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := WriteCustomersXLSX(&buf, rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Attachment(exportName("xlsx"))
	return c.Send(buf.Bytes())
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
	return h.srv.Render(c, "prospects/import", fiber.Map{})
}

// Uploaded files wait between the dry run and the commit in a private
// temporary folder, named by a random token bound to the uploader, so the
// user does not have to pick the file twice.
var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{20,64}$`)

func importDir() string { return filepath.Join(os.TempDir(), "jike-import") }

func stagedPath(userID uint, token, ext string) string {
	return filepath.Join(importDir(), fmt.Sprintf("%d-%s%s", userID, token, ext))
}

func cleanStaged() {
	entries, _ := os.ReadDir(importDir())
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			_ = os.Remove(filepath.Join(importDir(), e.Name()))
		}
	}
}

// importWait is how long an import waits for a free slot of the gate
// before the user is asked to try again.
const importWait = 3 * time.Second

func (h *handler) importUpload(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	lang := web.Lang(c)
	fail := func(status int, msgID string) error {
		return h.srv.RenderStatus(c, status, "prospects/import", fiber.Map{"Error": h.srv.I18n.T(lang, msgID)})
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
		token, ext := c.FormValue("token"), c.FormValue("ext")
		if !tokenPattern.MatchString(token) || (ext != ".csv" && ext != ".xlsx") {
			return fiber.ErrBadRequest
		}
		path := stagedPath(me.ID, token, ext)
		f, err := os.Open(path)
		if err != nil {
			h.srv.Flash(c, "error", "import.expired")
			return web.Redirect(c, "/customers/import")
		}
		defer os.Remove(path)
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		src, size, name = f, st.Size(), "staged"+ext
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
		return h.srv.RenderStatus(c, fiber.StatusUnprocessableEntity, "prospects/import", fiber.Map{"Error": msg})
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
		h.srv.Flash(c, "ok", "import.done")
		return web.Redirect(c, "/customers?sort=updated&dir=desc")
	}
	out := fiber.Map{"Report": rep, "FileName": name}
	if rep.OK() {
		token := web.RandomToken(24)
		ext := strings.ToLower(filepath.Ext(name))
		if err := stage(stagedPath(me.ID, token, ext), io.NewSectionReader(src, 0, size)); err != nil {
			return err
		}
		out["Token"], out["Ext"] = token, ext
	}
	status := fiber.StatusOK
	if !rep.OK() {
		status = fiber.StatusUnprocessableEntity
	}
	return h.srv.RenderStatus(c, status, "prospects/import", out)
}

// stage copies a checked upload to the private folder for the commit.
func stage(path string, r io.Reader) error {
	cleanStaged()
	if err := os.MkdirAll(importDir(), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("stage import: %w", err)
	}
	return f.Close()
}

func asImportFileError(err error, target **ImportFileError) bool {
	return err != nil && errors.As(err, target)
}
