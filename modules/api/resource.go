package api

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// The handlers of records share one shape: read the id, (decode the body,
// read If-Match,) call the portal's service method, set the ETag from the
// record's version and send the view. The helpers below are that shape
// once, so a resource only says which service method it calls and how
// its record is shown.

// answer is a handler's result: the view, the record's version (the
// ETag; 0: none) and, for a create, where the new record is (201).
type answer struct {
	Body     any
	Version  int
	Location string
}

// reply sends an answer: 201 with Location for a create, else 200, with
// the ETag of the version.
func reply(c *fiber.Ctx, a answer) error {
	if a.Version > 0 {
		setETag(c, a.Version)
	}
	status := fiber.StatusOK
	if a.Location != "" {
		c.Set(fiber.HeaderLocation, a.Location)
		status = fiber.StatusCreated
	}
	return send(c, status, a.Body)
}

// pathID is the route's :id, or 0 on a route without one.
func pathID(c *fiber.Ctx) (uint, error) {
	if c.Params("id") == "" {
		return 0, nil
	}
	return web.ParamID(c, "id")
}

// get serves a read of one record: load gets it through the service
// (which makes a record out of scope a 404).
func get(load func(c *fiber.Ctx, id uint) (answer, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		a, err := load(c, id)
		if err != nil {
			return err
		}
		return reply(c, a)
	}
}

// change is what a write handler gets: the route's id (0 without one),
// the decoded body and, for an update, the version If-Match named.
type change[In any] struct {
	ID      uint
	In      In
	Version int
}

// create serves a POST: decode the body, call run (which returns the
// record with its Location for a 201, or none for a 200).
func create[In any](run func(c *fiber.Ctx, w *change[In]) (answer, error)) fiber.Handler {
	return writeOne(false, run)
}

// update serves a change of a record: If-Match is required (428 without,
// 412 when stale: the service's optimistic lock), then the body.
func update[In any](run func(c *fiber.Ctx, w *change[In]) (answer, error)) fiber.Handler {
	return writeOne(true, run)
}

func writeOne[In any](versioned bool, run func(c *fiber.Ctx, w *change[In]) (answer, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var w change[In]
		var err error
		if w.ID, err = pathID(c); err != nil {
			return err
		}
		if versioned {
			if w.Version, err = ifMatch(c); err != nil {
				return err
			}
		}
		if err := decode(c, &w.In); err != nil {
			return err
		}
		a, err := run(c, &w)
		if err != nil {
			return err
		}
		return reply(c, a)
	}
}

// keyset is a list read in pages by position: its sort, direction and
// the kind of the sort key ("time", "int", "text"; the id follows).
type keyset struct {
	Sort string
	Desc bool
	Kind string
}

// pageQuery is what a list's loader gets: the position to continue after
// (nil: from the start) and how many rows to read (one more than the
// page, which says whether there is a next one).
type pageQuery struct {
	After []any
	Limit int
}

// listed reads one page of a keyset list: ?limit= and ?cursor= (a cursor
// of another sort is a 400), load reads rows after the position, pos is
// a row's position and view its JSON. A total of -1 is left out; above
// CountCap it is capped.
func listed[R, V any](c *fiber.Ctx, ks keyset, load func(q pageQuery) ([]R, int64, error), pos func(*R) []any, view func(*R) V) error {
	want, err := limit(c)
	if err != nil {
		return err
	}
	after, err := decodeCursor(c.Query("cursor"), ks.Sort, ks.Desc, ks.Kind, "int")
	if err != nil {
		return err
	}
	rows, total, err := load(pageQuery{After: after, Limit: want + 1})
	if err != nil {
		return err
	}
	out := listPage[V]{Data: make([]V, 0, min(len(rows), want))}
	for i := range rows {
		if i == want {
			cur := encodeCursor(cursor{Sort: ks.Sort, Desc: ks.Desc, Keys: cursorKeys(pos(&rows[i-1]))})
			out.NextCursor = &cur
			break
		}
		out.Data = append(out.Data, view(&rows[i]))
	}
	if total >= 0 {
		if total > prospects.CountCap {
			total, out.TotalCapped = prospects.CountCap, true
		}
		out.Total = &total
	}
	return send(c, fiber.StatusOK, out)
}

// byID pages a short list the service returns whole (a customer's key
// persons or opportunities) in id order, with the same cursor as the
// long lists: a row added meanwhile has a larger id and comes last, so
// pages neither repeat nor skip.
func byID[R, V any](c *fiber.Ctx, rows []R, id func(*R) uint, view func(*R) V) error {
	slices.SortFunc(rows, func(a, b R) int { return cmp.Compare(id(&a), id(&b)) })
	return listed(c, keyset{Sort: "id", Kind: "int"}, func(q pageQuery) ([]R, int64, error) {
		from := 0
		if q.After != nil {
			last, _ := q.After[0].(int64)
			from, _ = slices.BinarySearchFunc(rows, uint(last), func(r R, t uint) int {
				// Strictly after last: an equal id sorts before the target.
				if id(&r) <= t {
					return -1
				}
				return 1
			})
		}
		page := rows[from:]
		return page[:min(len(page), q.Limit)], int64(len(rows)), nil
	}, func(r *R) []any { return []any{id(r), id(r)} }, view)
}

// pageParams are the query parameters of every paged list.
var pageParams = []Param{{Name: "limit", Type: "integer", Doc: "1-200, default 50"},
	{Name: "cursor", Type: "string", Doc: "next_cursor of the previous page"}}

// paged is a list's own parameters followed by pageParams, in a new
// slice (lists share their filters' slice).
func paged(ps ...Param) []Param {
	out := make([]Param, 0, len(ps)+len(pageParams))
	return append(append(out, ps...), pageParams...)
}

// sortParams are ?sort= among sorts and ?order=.
func sortParams(sorts []string, def string) []Param {
	return []Param{{Name: "sort", Type: "string", Enum: sorts, Doc: "Default: " + def},
		{Name: "order", Type: "string", Enum: []string{"asc", "desc"}}}
}

// query reads a list's filters: a value the list does not know is a 422
// naming the parameter (the portal drops it; a client must learn of its
// mistake), collected for all parameters at once.
type query struct {
	c   *fiber.Ctx
	bad apperr.Fields
}

func newQuery(c *fiber.Ctx) *query { return &query{c: c, bad: apperr.Fields{}} }

// str is a trimmed text parameter.
func (q *query) str(name string) string { return strings.TrimSpace(q.c.Query(name)) }

// enum is a parameter among allowed ("" when absent).
func (q *query) enum(name string, allowed []string) string {
	v := q.str(name)
	if v != "" && !slices.Contains(allowed, v) {
		q.bad.Add(name, "v.invalid")
		return ""
	}
	return v
}

// id is an id parameter (0 when absent or 0: no such filter).
func (q *query) id(name string) uint {
	v := q.str(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		q.bad.Add(name, "v.invalid")
	}
	return uint(n)
}

// intIn is an integer parameter within [lo, hi] (def when absent).
func (q *query) intIn(name string, lo, hi, def int) int {
	v := q.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		q.bad.Add(name, "v.invalid")
		return def
	}
	return n
}

// date is a YYYY-MM-DD parameter as midnight in loc (nil when absent).
func (q *query) date(name string, loc *time.Location) *time.Time {
	v := q.str(name)
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		q.bad.Add(name, "v.date")
		return nil
	}
	return &t
}

// boolean is a true/false parameter.
func (q *query) boolean(name string) bool {
	switch q.str(name) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	q.bad.Add(name, "v.invalid")
	return false
}

// sort is ?sort= among sorts (def when absent) and ?order=; without an
// order the sorts in descDefault go newest/highest first.
func (q *query) sort(sorts []string, def string, descDefault ...string) (string, bool) {
	s := q.enum("sort", sorts)
	if s == "" {
		s = def
	}
	switch q.str("order") {
	case "":
		return s, slices.Contains(descDefault, s)
	case "asc":
		return s, false
	case "desc":
		return s, true
	}
	q.bad.Add("order", "v.invalid")
	return s, false
}

func (q *query) err() error { return q.bad.Err() }

// month is a YYYY-MM parameter as the month's first day (UTC midnight,
// as dates are stored; nil when absent).
func (q *query) month(name string) *time.Time {
	v := q.str(name)
	if v == "" {
		return nil
	}
	t, err := textnorm.ParseDate(v + "-01")
	if err != nil || len(v) != 7 {
		q.bad.Add(name, "api.v.month")
		return nil
	}
	return &t
}

// fen is an amount in fen, not negative (nil when absent).
func (q *query) fen(name string) *money.Fen {
	v := q.str(name)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		q.bad.Add(name, "v.invalid")
		return nil
	}
	f := money.Fen(n)
	return &f
}
