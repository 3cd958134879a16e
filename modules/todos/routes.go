package todos

import (
	"strconv"

	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// Register mounts the to-do pages. Every route names its permission; the
// service checks each to-do against the todo policy lines. (POST
// /todos/:id/done belongs to visits: it ticks off a visit's next step.)
func Register(srv *web.Server, svc *Service, timeline *prospects.Timeline) {
	h := &handler{srv: srv, svc: svc}
	read, write := web.Allow("todo", "read"), web.Allow("todo", "write")
	r := srv.Router().Group("/todos")
	r.Get("", read, h.list)
	r.Get("/new", write, h.newForm)
	r.Post("", write, h.create)
	r.Get("/:id/edit", write, h.edit)
	r.Post("/:id", write, h.update)
	r.Post("/:id/state", write, h.state)
	r.Post("/:id/delete", write, h.remove)
	if timeline != nil {
		timeline.AddCustomerAction(prospects.CustomerLink{Label: "todos.new", Path: "/todos/new?link=customer:{id}&next=/customers/{id}", Order: 60})
	}
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }
