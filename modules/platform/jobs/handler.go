package jobs

import (
	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Register mounts the admin's job page: every job's schedule, next run,
// last run (duration, error) and recent runs, with "run now".
func Register(srv *web.Server, r *Runner) {
	h := &handler{srv: srv, r: r}
	g := srv.Router().Group("/admin/jobs")
	g.Get("", web.Allow("job", "manage"), h.list)
	g.Post("/:name/run", web.Allow("job", "manage"), h.run)
	srv.AddNav(web.NavItem{Label: "nav.jobs", Href: "/admin/jobs", Perm: web.Allow("job", "manage"), Order: 96})
}

type handler struct {
	srv *web.Server
	r   *Runner
}

// jobRow is one job on the admin page.
type jobRow struct {
	State
	Recent []Run
}

// Running reports whether an instance holds a live claim on the job.
func (j jobRow) Running() bool { return j.LockedBy != "" }

// Failed reports whether the last run ended in an error.
func (j jobRow) Failed() bool { return j.LastError != "" }

// NeverRan reports whether the job has not run yet.
func (j jobRow) NeverRan() bool { return j.LastFinishedAt == nil }

type listView struct {
	web.Page
	Jobs []jobRow
}

func (h *handler) list(c *fiber.Ctx) error {
	states, runs, err := h.r.States(c.UserContext(), 5)
	if err != nil {
		return err
	}
	v := &listView{}
	for _, s := range states {
		v.Jobs = append(v.Jobs, jobRow{State: s, Recent: runs[s.Name]})
	}
	v.Title = h.srv.I18n.T(web.Lang(c), "jobs.title")
	return h.srv.View(c, "jobs/list", v)
}

func (h *handler) run(c *fiber.Ctx) error {
	name := c.Params("name")
	if !h.r.has(name) {
		return fiber.ErrNotFound
	}
	ran, err := h.r.RunNow(c.UserContext(), name)
	if err != nil {
		return err
	}
	if ran {
		h.srv.Flash(c, "ok", "jobs.ran")
	} else {
		h.srv.Flash(c, "error", "jobs.busy")
	}
	return web.Redirect(c, "/admin/jobs")
}
