package todos

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv *web.Server
	svc *Service
}

// listView is the /todos page.
type listView struct {
	web.Page
	Rows   []Row
	Pager  *web.Pager
	View   string
	Status string
	Q      string
	// Views are the tabs the reader has (team only with a wider scope).
	Views    []string
	Statuses []string
	Now      time.Time
	Loc      *time.Location
}

// Overdue reports whether a row is past due (the template's badge).
func (v *listView) Overdue(r Row) bool { return r.Overdue(v.Now) }

// Due is a row's due time as shown.
func (v *listView) Due(r Row) string {
	if r.AllDay {
		return r.DueAt.In(v.Loc).Format("2006-01-02")
	}
	return r.DueAt.In(v.Loc).Format("2006-01-02 15:04")
}

func (h *handler) list(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	p := web.NewPager(c)
	v := &listView{View: c.Query("view", ViewMine), Status: c.Query("status", "open"), Q: strings.TrimSpace(c.Query("q")),
		Views: []string{ViewMine, ViewByMe}, Statuses: Statuses, Now: h.svc.Now(), Loc: h.svc.Location(), Pager: p}
	if lvl := h.svc.deps.Enforcer.ListScope(me, "todo", "read").Level(); lvl != "own" && lvl != "" {
		v.Views = append(v.Views, ViewTeam)
	}
	if v.View != ViewByMe && v.View != ViewTeam || (v.View == ViewTeam && len(v.Views) < 3) {
		v.View = ViewMine
	}
	if v.Status != "" && v.Status != "all" && !contains(Statuses, v.Status) {
		v.Status = "open"
	}
	rows, total, err := h.svc.List(c.UserContext(), me, ListQuery{View: v.View, Status: v.Status, Q: v.Q, Limit: p.Size, Offset: p.Offset()})
	if err != nil {
		return err
	}
	v.Rows, p.Total = rows, total
	v.Title = h.srv.I18n.T(web.Lang(c), "todos.title")
	return h.srv.View(c, "todos/list", v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// formView is the new and edit page.
type formView struct {
	web.Page
	T         *Todo // nil for a new to-do
	In        Input
	LinkLabel string
	Assignees []org.User
	Next      string
	Errors    map[string]string
}

// AssigneeIs reports whether the form has u as the assignee.
func (v *formView) AssigneeIs(id uint) bool {
	if v.In.AssigneeID == 0 {
		return v.Me != nil && v.Me.ID == id
	}
	return v.In.AssigneeID == id
}

func (h *handler) render(c *fiber.Ctx, status int, v *formView) error {
	me := web.MustSubject(c)
	users, err := h.svc.Assignees(c.UserContext(), me)
	if err != nil {
		return err
	}
	v.Assignees = users
	if typ, id, ok := ParseLink(v.In.Link); ok && typ != "" {
		if resolve := h.svc.deps.Links[typ]; resolve != nil {
			if _, label, err := resolve(c.UserContext(), me, id); err == nil {
				v.LinkLabel = h.srv.I18n.T(web.Lang(c), "todos.link."+typ) + ": " + label
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
		}
	}
	key := "todos.new"
	if v.T != nil {
		key = "todos.edit"
	}
	v.Title = h.srv.I18n.T(web.Lang(c), key)
	return h.srv.ViewStatus(c, status, "todos/form", v)
}

func (h *handler) newForm(c *fiber.Ctx) error {
	local := h.svc.Now().In(h.svc.Location())
	in := Input{Date: local.Format("2006-01-02"), Link: c.Query("link")}
	if typ, id, ok := ParseLink(in.Link); !ok {
		in.Link = ""
	} else if typ != "" {
		// A link the reader may not open is a 404, as its page would be.
		if _, _, err := h.svc.deps.Links[typ](c.UserContext(), web.MustSubject(c), id); err != nil {
			return err
		}
	}
	return h.render(c, fiber.StatusOK, &formView{In: in, Next: web.SafeNext(c.Query("next"), "")})
}

func inputOf(c *fiber.Ctx) Input {
	return Input{Title: c.FormValue("title"), Date: c.FormValue("date"), Time: c.FormValue("time"),
		Link: c.FormValue("link"), AssigneeID: web.FormUint(c, "assignee"), Version: web.FormInt(c, "version")}
}

func (h *handler) create(c *fiber.Ctx) error {
	in := inputOf(c)
	next := web.SafeNext(c.FormValue("next"), "")
	t, err := h.svc.Create(c.UserContext(), web.MustSubject(c), in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.render(c, st, &formView{In: in, Next: next, Errors: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "todos.created")
	return web.Redirect(c, web.SafeNext(next, "/todos?view="+viewFor(t, web.MustSubject(c).ID)))
}

func viewFor(t *Todo, me uint) string {
	if t.OwnerID == me {
		return ViewMine
	}
	return ViewByMe
}

func inputFrom(t *Todo, loc *time.Location) Input {
	in := Input{Title: t.Title, Date: t.DueAt.In(loc).Format("2006-01-02"), Link: FormatLink(t.LinkType, t.LinkID),
		AssigneeID: t.OwnerID, Version: t.Version}
	if !t.AllDay {
		in.Time = t.DueAt.In(loc).Format("15:04")
	}
	return in
}

func (h *handler) edit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	t, err := h.svc.Get(c.UserContext(), web.MustSubject(c), id, "write")
	if err != nil {
		return err
	}
	return h.render(c, fiber.StatusOK, &formView{T: t, In: inputFrom(t, h.svc.Location()), Next: web.SafeNext(c.Query("next"), "")})
}

func (h *handler) update(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	cur, err := h.svc.Get(c.UserContext(), me, id, "write")
	if err != nil {
		return err
	}
	in := inputOf(c)
	next := web.SafeNext(c.FormValue("next"), "")
	t, err := h.svc.Update(c.UserContext(), me, id, in)
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.render(c, st, &formView{T: cur, In: in, Next: next, Errors: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, web.SafeNext(next, "/todos?view="+viewFor(t, me.ID)))
}

// state ticks a to-do off or opens it again and goes back where it was
// done (the agenda, the list).
func (h *handler) state(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	done := c.FormValue("done") == "1"
	next := web.SafeNext(c.FormValue("next"), "/todos")
	_, err = h.svc.SetDone(c.UserContext(), web.MustSubject(c), id, done, web.FormInt(c, "version"))
	if errors.Is(err, apperr.ErrConflict) {
		h.srv.Flash(c, "error", "todos.stale")
		return web.Redirect(c, next)
	}
	if err != nil {
		return err
	}
	if done {
		h.srv.Flash(c, "ok", "todos.done")
	} else {
		h.srv.Flash(c, "ok", "todos.reopened")
	}
	return web.Redirect(c, next)
}

func (h *handler) remove(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	t, err := h.svc.Get(c.UserContext(), me, id, "write")
	if err != nil {
		return err
	}
	err = h.svc.Delete(c.UserContext(), me, id, web.FormInt(c, "version"), c.FormValue("confirm") == "1")
	if msgs, st, ok := h.srv.FormErrors(c, err); ok {
		return h.render(c, st, &formView{T: t, In: inputFrom(t, h.svc.Location()), Errors: msgs})
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "todos.deleted")
	return web.Redirect(c, "/todos")
}

// NewLink is the address of the new to-do form linked to a record,
// coming back to back.
func NewLink(typ string, id uint, back string) string {
	q := url.Values{"link": {typ + ":" + itoa(id)}}
	if back != "" {
		q.Set("next", back)
	}
	return "/todos/new?" + q.Encode()
}
