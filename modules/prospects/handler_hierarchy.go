package prospects

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/web"
)

// treeLevel is one page of one level of a group's member tree
// (prospects/customer_tree_level): the members the reader may see, by
// name — with those reached through a unit the reader may not see (Via)
// attached here, to their nearest visible ancestor; Hidden counts the
// hidden units of the level ("N 个其他成员", first page only), never
// naming them.
type treeLevel struct {
	ParentID uint
	Rows     []Customer
	Via      map[uint]bool
	// Members counts each row's own members (an expand button when > 0).
	Members map[uint]int64
	Hidden  int64
	First   bool
	// Next is the offset "更多" asks for; 0 when the level is complete.
	Next  int
	Rest  int64
	Users map[uint]org.User
}

// treeView is the htmx answer of GET /customers/:id/members.
type treeView struct {
	web.Page
	Level *treeLevel
}

// level loads one page of customer id's members for the tree.
func (h *handler) level(c *fiber.Ctx, id uint, offset int) (*treeLevel, error) {
	ch, err := h.svc.Members(c.UserContext(), web.MustSubject(c), id, offset)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(ch.Rows))
	for i, r := range ch.Rows {
		ids[i] = r.OwnerID
	}
	users, err := h.people(c, ids...)
	if err != nil {
		return nil, err
	}
	lv := &treeLevel{ParentID: id, Rows: ch.Rows, Via: ch.Via, Members: ch.Grandchildren, Hidden: ch.Hidden, First: offset == 0, Users: users}
	shown := int64(offset + len(ch.Rows))
	if visible := ch.Total - ch.Hidden; shown < visible {
		lv.Next, lv.Rest = offset+len(ch.Rows), visible-shown
	}
	return lv, nil
}

// members answers the tree's expand and "更多" buttons (htmx): one page
// of a level. Without JavaScript the expand link opens the member's page.
func (h *handler) members(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	lv, err := h.level(c, id, c.QueryInt("offset"))
	if err != nil {
		return err
	}
	return h.srv.ViewFragment(c, "prospects/customer_tree", &treeView{Level: lv})
}

// hierarchyFor fills the customer page's group parts: the chain above
// the customer and, when it has members, the first level of its tree and
// the roll-ups over its whole subtree.
func (h *handler) hierarchyFor(c *fiber.Ctx, v *customerView) error {
	ctx := c.UserContext()
	me := web.MustSubject(c)
	parents, err := h.svc.Ancestors(ctx, me, v.C)
	if err != nil {
		return err
	}
	v.Parents = parents
	lv, err := h.level(c, v.C.ID, 0)
	if err != nil {
		return err
	}
	if len(lv.Rows) == 0 && lv.Hidden == 0 {
		return nil
	}
	v.Tree = lv
	v.Rollup, err = h.svc.Rollup(ctx, me, v.C.ID, h.srv.Location())
	if err != nil {
		return err
	}
	if m := v.Rollup.RevenueMonth; m > 0 {
		v.RevenueMonth = fmt.Sprintf("%d-%02d", m/100, m%100)
	}
	return nil
}

// parentChoice is the customer form's current parent (prospects/
// customer_form): its name when the reader may see it.
type parentChoice struct {
	ID   uint
	Name string
}

// parentOf names the parent of a form's input for the form.
func (h *handler) parentOf(c *fiber.Ctx, in CustomerInput) *parentChoice {
	if in.ParentID == nil || *in.ParentID == 0 {
		return nil
	}
	p := &parentChoice{ID: *in.ParentID}
	if cu, err := h.svc.Customer(c.UserContext(), web.MustSubject(c), p.ID); err == nil {
		p.Name = cu.Name
	}
	return p
}

// parentPick answers the customer form's parent search (htmx): radio
// buttons named parent_id for the customers the reader may see, without
// the customer being edited and its own members (they cannot be its
// parent).
func (h *handler) parentPick(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	var rows []Customer
	if q != "" {
		var err error
		rows, _, err = h.svc.ListCustomers(c.UserContext(), web.MustSubject(c),
			CustomerFilter{Q: q, Limit: PickLimit, NotUnder: web.QueryID(c, "for")})
		if err != nil {
			return err
		}
	}
	return h.srv.ViewFragment(c, "prospects/parent_matches", &parentMatchesView{Rows: rows, Q: q, More: len(rows) == PickLimit})
}

// parentFromForm reads the customer form's parent: present only when the
// form has the parent field (parent_set), so other posts leave it alone.
func parentFromForm(c *fiber.Ctx) *uint {
	if c.FormValue("parent_set") != "1" {
		return nil
	}
	v, _ := strconv.ParseUint(strings.TrimSpace(c.FormValue("parent_id")), 10, 64)
	id := uint(v)
	return &id
}

// cycleMessage words a refused loop: the names the reader may see, "…"
// for the others.
func (h *handler) cycleMessage(c *fiber.Ctx, err error) (string, bool) {
	var cyc *CycleError
	if !errors.As(err, &cyc) {
		return "", false
	}
	lang := web.Lang(c)
	names := make([]string, len(cyc.Loop))
	for i, n := range cyc.Loop {
		if n == "" {
			n = h.srv.I18n.T(lang, "hierarchy.hidden_member")
		}
		names[i] = n
	}
	return h.srv.I18n.T(lang, "hierarchy.v.cycle", "Loop", strings.Join(names, " → ")), true
}

// treeMembersPerRoot bounds the members the list's tree view shows under
// one customer of the page; the rest are a link to the group filter.
const treeMembersPerRoot = 20

// listTree is what the list's tree view adds to its rows: each member's
// depth below its page root, and for a root with more members than shown,
// how many more.
type listTree struct {
	On    bool
	Depth map[uint]int
	More  map[uint]int
}

// treeRows puts the members the filter keeps under each customer of the
// page (depth first, by name), at most treeMembersPerRoot per root.
func (h *handler) treeRows(c *fiber.Ctx, f CustomerFilter, roots []Customer) ([]Customer, *listTree, error) {
	ids := make([]uint, len(roots))
	for i, r := range roots {
		ids[i] = r.ID
	}
	rows, byID, err := h.svc.TreeMembers(c.UserContext(), web.MustSubject(c), f, ids, len(roots)*(treeMembersPerRoot+1)*4)
	if err != nil {
		return nil, nil, err
	}
	kids := map[uint][]Customer{}
	for _, r := range rows {
		if cu, ok := byID[r.ID]; ok {
			kids[r.ParentID] = append(kids[r.ParentID], cu)
		}
	}
	for k := range kids {
		sortByName(kids[k])
	}
	t := &listTree{On: true, Depth: map[uint]int{}, More: map[uint]int{}}
	out := make([]Customer, 0, len(roots)+len(rows))
	for _, root := range roots {
		out = append(out, root)
		shown, total := 0, 0
		var walk func(id uint, depth int)
		walk = func(id uint, depth int) {
			for _, m := range kids[id] {
				total++
				if shown < treeMembersPerRoot {
					shown++
					t.Depth[m.ID] = depth
					out = append(out, m)
				}
				walk(m.ID, depth+1)
			}
		}
		walk(root.ID, 1)
		if total > shown {
			t.More[root.ID] = total - shown
		}
	}
	return out, t, nil
}

// viewURLs are the list's current filter as the tree view, as the flat
// list, and without the group filter (first page each).
func viewURLs(c *fiber.Ctx) (tree, flat, noGroup string) {
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Del("page")
	q.Set("all", "1")
	q.Set("view", "tree")
	tree = "/customers?" + q.Encode()
	q.Del("view")
	flat = "/customers?" + q.Encode()
	if c.Query("view") == "tree" {
		q.Set("view", "tree")
	}
	q.Del("group")
	return tree, flat, "/customers?" + q.Encode()
}
