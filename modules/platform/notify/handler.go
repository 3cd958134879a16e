package notify

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Register mounts the inbox pages and installs the bell's counter. Every
// route is for the signed-in user's own notifications only.
func Register(srv *web.Server, svc *Service) {
	h := &handler{srv: srv, svc: svc}
	srv.SetUnreadCounter(svc.Unread)
	r := srv.Router().Group("/notifications")
	r.Get("", web.LoggedIn(), h.list)
	r.Post("/read-all", web.LoggedIn(), h.readAll)
	r.Post("/:id/read", web.LoggedIn(), h.read)
	r.Post("/:id/open", web.LoggedIn(), h.open)
}

type handler struct {
	srv *web.Server
	svc *Service
}

// row is a notification with its text in the reader's language.
type row struct {
	Notification
	Text string
}

// listView is the inbox page.
type listView struct {
	web.Page
	Items      []row
	Pager      *web.Pager
	UnreadOnly bool
	// UnreadTotal is the bell's count (the page may show only part of it).
	UnreadTotal int64
}

func (h *handler) list(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	p := web.NewPager(c)
	v := &listView{Pager: p, UnreadOnly: c.Query("unread") == "1"}
	items, total, err := h.svc.List(c.UserContext(), me.ID, Filter{UnreadOnly: v.UnreadOnly, Limit: p.Size, Offset: p.Offset()})
	if err != nil {
		return err
	}
	p.Total = total
	lang := web.Lang(c)
	for _, n := range items {
		v.Items = append(v.Items, row{Notification: n, Text: h.srv.I18n.T(lang, n.MsgID, n.ArgList()...)})
	}
	if v.UnreadTotal, err = h.svc.Unread(c.UserContext(), me.ID); err != nil {
		return err
	}
	v.Title = h.srv.I18n.T(web.Lang(c), "notify.title")
	return h.srv.View(c, "notify/list", v)
}

func (h *handler) read(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.MarkRead(c.UserContext(), web.MustSubject(c).ID, id); err != nil {
		return err
	}
	return web.Redirect(c, web.SafeNext(c.FormValue("next"), "/notifications"))
}

// open marks the notification read and goes to what it is about.
func (h *handler) open(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	n, err := h.svc.MarkRead(c.UserContext(), web.MustSubject(c).ID, id)
	if err != nil {
		return err
	}
	return web.Redirect(c, web.SafeNext(n.Link, "/notifications"))
}

func (h *handler) readAll(c *fiber.Ctx) error {
	n, err := h.svc.MarkAllRead(c.UserContext(), web.MustSubject(c).ID)
	if err != nil {
		return err
	}
	if n > 0 {
		h.srv.Flash(c, "ok", "notify.all_read")
	}
	return web.Redirect(c, "/notifications")
}
