package todos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"gorm.io/gorm"
)

// Resolver checks that actor may read the record id of one link type and
// returns its customer and a label naming it (ErrNotFound when they may
// not see it).
type Resolver func(ctx context.Context, actor authz.Subject, id uint) (customerID uint, label string, err error)

// Customers is what the to-dos ask of prospects: the customer scope, to
// show a link's name only to readers who may open it.
type Customers interface {
	Scope(actor authz.Subject, act string) authz.ListScope
}

// Users is what the to-dos ask of the organisation.
type Users interface {
	UsersByIDs(ctx context.Context, ids []uint) (map[uint]org.User, error)
	ListUsers(ctx context.Context, f org.UserFilter) ([]org.User, int64, error)
}

// Notifier sends in-app notices (notify.Service).
type Notifier interface {
	Send(ctx context.Context, notices ...notify.Notice) error
}

// Deps are the services the to-dos use.
type Deps struct {
	Enforcer  *authz.Enforcer
	Customers Customers
	Users     Users
	Notify    Notifier
	// Links resolves each link type (customer, opportunity, contract,
	// request); a type without a resolver is refused.
	Links map[string]Resolver
}

// Options are the clock and zone.
type Options struct {
	Now      func() time.Time
	Location *time.Location
}

// Service holds the to-dos' rules.
type Service struct {
	store *Store
	deps  Deps
	now   func() time.Time
	loc   *time.Location
	db    *gorm.DB
}

// NewService returns the service.
func NewService(g *gorm.DB, deps Deps, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{store: NewStore(g), deps: deps, now: o.Now, loc: o.Location, db: g}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the service clock.
func (s *Service) Now() time.Time { return s.now() }

// Location is the configured zone.
func (s *Service) Location() *time.Location { return s.loc }

// Store exposes the store (demo data, tests).
func (s *Service) Store() *Store { return s.store }

// Entity is the audit entity of a to-do.
const Entity = "todo"

// Notice kinds.
const (
	KindAssigned = "todo.assigned"
	KindOverdue  = "todo.overdue"
)

// URL is a to-do's edit page.
func URL(id uint) string { return "/todos/" + strconv.FormatUint(uint64(id), 10) + "/edit" }

// LinkURL is the page of a linked record.
func LinkURL(typ string, id uint) string {
	n := strconv.FormatUint(uint64(id), 10)
	switch typ {
	case LinkCustomer:
		return "/customers/" + n
	case LinkOpportunity:
		return "/opportunities/" + n
	case LinkContract:
		return "/contracts/" + n
	case LinkRequest:
		return "/aftersale/requests/" + n
	}
	return ""
}

// Input is the to-do form.
type Input struct {
	Title string
	// Date is YYYY-MM-DD and Time HH:MM (empty: all day), in the
	// configured zone.
	Date, Time string
	// Link is "type:id" or empty.
	Link       string
	AssigneeID uint
	Version    int
}

// ParseLink reads "type:id" (empty: no link).
func ParseLink(s string) (typ string, id uint, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, true
	}
	t, n, found := strings.Cut(s, ":")
	v, err := strconv.ParseUint(n, 10, 64)
	if !found || err != nil || v == 0 || !slices.Contains(LinkTypes, t) {
		return "", 0, false
	}
	return t, uint(v), true
}

// FormatLink is ParseLink's inverse.
func FormatLink(typ string, id *uint) string {
	if typ == "" || id == nil {
		return ""
	}
	return typ + ":" + strconv.FormatUint(uint64(*id), 10)
}

// validate checks the form and fills t's title, due time and link. It
// checks the link is readable by actor (and later by the assignee).
func (s *Service) validate(ctx context.Context, actor authz.Subject, in Input, t *Todo) (apperr.Fields, error) {
	f := apperr.Fields{}
	title := textnorm.Clean(in.Title)
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		f.Add("title", "v.required")
	case n > 200:
		f.Add("title", "v.too_long")
	}
	t.Title = title
	date := strings.TrimSpace(in.Date)
	clock := strings.TrimSpace(in.Time)
	var due time.Time
	var err error
	switch {
	case date == "":
		f.Add("date", "v.required")
	case clock == "":
		due, err = time.ParseInLocation("2006-01-02", date, s.loc)
	default:
		due, err = time.ParseInLocation("2006-01-02 15:04", date+" "+clock, s.loc)
	}
	if date != "" && err != nil {
		if clock != "" {
			if _, derr := time.ParseInLocation("2006-01-02", date, s.loc); derr == nil {
				f.Add("time", "todos.v.time")
			} else {
				f.Add("date", "v.date")
			}
		} else {
			f.Add("date", "v.date")
		}
	}
	if err == nil && date != "" {
		if y := due.Year(); y < 2000 || y > 2100 {
			f.Add("date", "v.date")
		}
		t.DueAt, t.AllDay = due.UTC(), clock == ""
	}
	typ, id, ok := ParseLink(in.Link)
	if !ok {
		f.Add("link", "todos.v.link")
		return f, nil
	}
	t.LinkType, t.LinkID, t.CustomerID = typ, nil, nil
	if typ != "" {
		resolve := s.deps.Links[typ]
		if resolve == nil {
			f.Add("link", "todos.v.link")
			return f, nil
		}
		cust, _, err := resolve(ctx, actor, id)
		if errors.Is(err, apperr.ErrNotFound) {
			f.Add("link", "todos.v.link")
			return f, nil
		}
		if err != nil {
			return nil, err
		}
		t.LinkID, t.CustomerID = ptr(id), ptr(cust)
	}
	return f, nil
}

// assign checks actor may give a to-do to assigneeID (0: themselves) and
// that the assignee may read the link; it sets t's owner and scope
// columns.
func (s *Service) assign(ctx context.Context, actor authz.Subject, assigneeID uint, t *Todo, f apperr.Fields) error {
	if assigneeID == 0 {
		assigneeID = actor.ID
	}
	users, err := s.deps.Users.UsersByIDs(ctx, []uint{assigneeID})
	if err != nil {
		return err
	}
	u, found := users[assigneeID]
	if !found || u.Disabled || u.Role == "admin" {
		f.Add("assignee", "todos.v.assignee")
		return nil
	}
	sub := u.Subject()
	if !s.deps.Enforcer.Can(actor, "todo", "assign", refOf(sub)) {
		f.Add("assignee", "todos.v.assignee")
		return nil
	}
	if t.LinkType != "" && t.LinkID != nil && assigneeID != actor.ID {
		if _, _, err := s.deps.Links[t.LinkType](ctx, sub, *t.LinkID); errors.Is(err, apperr.ErrNotFound) {
			f.Add("link", "todos.v.link_assignee")
			return nil
		} else if err != nil {
			return err
		}
	}
	t.OwnerID = u.ID
	t.TeamID, t.BranchID = u.TeamID, u.BranchID
	return nil
}

// refOf is where a user sits, as a to-do assigned to them would.
func refOf(u authz.Subject) authz.Ref {
	return authz.Ref{OwnerID: u.ID, TeamID: u.TeamID, BranchID: u.BranchID}
}

// Create makes a to-do; assigning it to someone else tells them.
func (s *Service) Create(ctx context.Context, actor authz.Subject, in Input) (*Todo, error) {
	t := &Todo{CreatedBy: actor.ID, Version: 1}
	f, err := s.validate(ctx, actor, in, t)
	if err != nil {
		return nil, err
	}
	if err := s.assign(ctx, actor, in.AssigneeID, t, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = db.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.store.Create(ctx, t, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, db.Conn(ctx, s.db), actor.ID, Entity, t.ID, audit.ActionCreate, audit.Diff(nil, t)); err != nil {
			return err
		}
		return s.tellAssignee(ctx, actor, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// tellAssignee notifies the assignee of a to-do someone else gave them.
func (s *Service) tellAssignee(ctx context.Context, actor authz.Subject, t *Todo) error {
	if t.OwnerID == actor.ID || s.deps.Notify == nil {
		return nil
	}
	return s.deps.Notify.Send(ctx, notify.Notice{UserID: t.OwnerID, Kind: KindAssigned, MsgID: "notice." + KindAssigned,
		Args: map[string]string{"By": actor.Name, "Title": t.Title, "Due": s.DueText(t)}, Link: URL(t.ID),
		Key: fmt.Sprintf("%s:%d:%d", KindAssigned, t.ID, t.OwnerID)})
}

// DueText is the due time as shown ("2026-11-30 15:00", or the day).
func (s *Service) DueText(t *Todo) string {
	if t.AllDay {
		return t.DueAt.In(s.loc).Format("2006-01-02")
	}
	return t.DueAt.In(s.loc).Format("2006-01-02 15:04")
}

// Get loads a to-do the actor may do act on (read, write): ErrNotFound
// when they may not see it, ErrForbidden when they see it but may not act.
func (s *Service) Get(ctx context.Context, actor authz.Subject, id uint, act string) (*Todo, error) {
	t, err := s.store.Todo(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.deps.Enforcer.Can(actor, "todo", "read", t.Ref()) {
		return nil, fmt.Errorf("to-do %d: %w", id, apperr.ErrNotFound)
	}
	if act != "read" && !s.deps.Enforcer.Can(actor, "todo", act, t.Ref()) {
		return nil, fmt.Errorf("to-do %d %s: %w", id, act, apperr.ErrForbidden)
	}
	return t, nil
}

// Update edits a to-do under optimistic locking; a new assignee is told.
func (s *Service) Update(ctx context.Context, actor authz.Subject, id uint, in Input) (*Todo, error) {
	t, err := s.Get(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	before := *t
	f, err := s.validate(ctx, actor, in, t)
	if err != nil {
		return nil, err
	}
	if in.AssigneeID != t.OwnerID || t.LinkType != before.LinkType || !samePtr(t.LinkID, before.LinkID) {
		assignee := in.AssigneeID
		if assignee == 0 {
			assignee = before.OwnerID
		}
		if err := s.assign(ctx, actor, assignee, t, f); err != nil {
			return nil, err
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if !t.DueAt.Equal(before.DueAt) || t.AllDay != before.AllDay || t.OwnerID != before.OwnerID {
		t.OverdueNotifiedAt = nil // a new due time or assignee is told again when it passes
	}
	t.Version = in.Version
	now := s.now()
	err = db.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.store.Save(ctx, t, now); err != nil {
			return err
		}
		if err := audit.Record(ctx, db.Conn(ctx, s.db), actor.ID, Entity, t.ID, audit.ActionUpdate, audit.Diff(&before, t)); err != nil {
			return err
		}
		if t.OwnerID != before.OwnerID {
			return s.tellAssignee(ctx, actor, t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func samePtr(a, b *uint) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// SetDone ticks a to-do off (done) or opens it again, under optimistic
// locking: a stale version is apperr.ErrConflict.
func (s *Service) SetDone(ctx context.Context, actor authz.Subject, id uint, done bool, version int) (*Todo, error) {
	t, err := s.Get(ctx, actor, id, "write")
	if err != nil {
		return nil, err
	}
	if t.Version != version {
		return nil, fmt.Errorf("to-do %d (stale version %d): %w", id, version, apperr.ErrConflict)
	}
	if t.IsDone() == done {
		return t, nil
	}
	now := s.now()
	action, change := "done", audit.Change{From: nil, To: now.UTC()}
	if done {
		t.DoneAt, t.DoneBy = ptr(now.UTC()), ptr(actor.ID)
	} else {
		action, change = "undone", audit.Change{From: *t.DoneAt, To: nil}
		t.DoneAt, t.DoneBy = nil, nil
	}
	err = db.WithTx(ctx, s.db, func(ctx context.Context) error {
		if err := s.store.Save(ctx, t, now); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.db), actor.ID, Entity, t.ID, action, map[string]audit.Change{"done_at": change})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Delete soft-deletes a to-do (confirmed on its page), audited.
func (s *Service) Delete(ctx context.Context, actor authz.Subject, id uint, version int, confirmed bool) error {
	t, err := s.Get(ctx, actor, id, "write")
	if err != nil {
		return err
	}
	if !confirmed {
		f := apperr.Fields{}
		f.Add("confirm", "todos.v.confirm")
		return f.Err()
	}
	now := s.now()
	return db.WithTx(ctx, s.db, func(ctx context.Context) error {
		ok, err := s.store.SoftDelete(ctx, t.ID, version, now)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("delete to-do %d (stale version %d): %w", id, version, apperr.ErrConflict)
		}
		return audit.Record(ctx, db.Conn(ctx, s.db), actor.ID, Entity, t.ID, audit.ActionDelete, audit.Diff(t, nil))
	})
}

// Views of the list.
const (
	ViewMine = "mine"
	ViewByMe = "by_me"
	ViewTeam = "team"
)

// ListQuery is the list page's filter.
type ListQuery struct {
	View, Status, Q string
	Limit, Offset   int
}

// List returns a page of to-dos the actor may see. Links to records the
// actor may not open lose their label.
func (s *Service) List(ctx context.Context, actor authz.Subject, q ListQuery) ([]Row, int64, error) {
	f := Filter{Q: q.Q, Now: s.now(), Limit: q.Limit, Offset: q.Offset}
	if slices.Contains(Statuses, q.Status) {
		f.Status = q.Status
	}
	switch q.View {
	case ViewByMe:
		f.By = actor.ID
	case ViewTeam:
	default:
		f.Mine = actor.ID
	}
	rows, total, err := s.store.List(ctx, s.deps.Enforcer.ListScope(actor, "todo", "read"), f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.hideLinks(ctx, actor, rows); err != nil {
		return nil, 0, err
	}
	return rows, total, nil
}

// hideLinks blanks the labels of links whose customer actor may not read.
func (s *Service) hideLinks(ctx context.Context, actor authz.Subject, rows []Row) error {
	var ids []uint
	for _, r := range rows {
		if r.CustomerID != nil {
			ids = append(ids, *r.CustomerID)
		}
	}
	visible, err := s.store.VisibleCustomers(ctx, s.deps.Customers.Scope(actor, "read"), ids)
	if err != nil {
		return err
	}
	for i := range rows {
		if c := rows[i].CustomerID; c == nil || !visible[*c] {
			rows[i].LinkLabel = ""
		}
	}
	return nil
}

// Agenda lists the actor's own open to-dos due before the end of today
// (overdue ones included), by due time.
func (s *Service) Agenda(ctx context.Context, actor authz.Subject) ([]Row, error) {
	local := s.now().In(s.loc)
	end := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, s.loc)
	rows, _, err := s.store.List(ctx, s.deps.Enforcer.ListScope(actor, "todo", "read"),
		Filter{Mine: actor.ID, Until: &end, Now: s.now(), Limit: 50})
	if err != nil {
		return nil, err
	}
	if err := s.hideLinks(ctx, actor, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// Assignees lists whom actor may assign to-dos to: themselves, their
// team's members (chief rep) or their branch's (director), per the
// policy's todo assign lines.
func (s *Service) Assignees(ctx context.Context, actor authz.Subject) ([]org.User, error) {
	var f org.UserFilter
	switch s.deps.Enforcer.ListScope(actor, "todo", "assign").Level() {
	case "team":
		f.TeamID = actor.TeamID
	case "branch":
		f.BranchID = actor.BranchID
	case "all":
	default:
		users, err := s.deps.Users.UsersByIDs(ctx, []uint{actor.ID})
		if err != nil {
			return nil, err
		}
		if u, ok := users[actor.ID]; ok {
			return []org.User{u}, nil
		}
		return nil, nil
	}
	if f.TeamID == 0 && f.BranchID == 0 {
		return s.Assignees(ctx, authz.Subject{ID: actor.ID})
	}
	f.Status, f.Sort, f.Limit = "active", "name", 500
	users, _, err := s.deps.Users.ListUsers(ctx, f)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if u.Role != "admin" && s.deps.Enforcer.Can(actor, "todo", "assign", refOf(u.Subject())) {
			out = append(out, u)
		}
	}
	return out, nil
}

// overdueBatch bounds one run of the overdue job.
const overdueBatch = 1000

// JobOverdue is the overdue job's name.
const JobOverdue = "todos.overdue"

// NotifyOverdue tells each assignee, once, that an open to-do is past
// due at now (the job's clock). Each notice and its mark are written
// together, and the notice's key makes a repeated run harmless.
func (s *Service) NotifyOverdue(ctx context.Context, now time.Time) error {
	due, err := s.store.DueForNotice(ctx, now, overdueBatch)
	if err != nil {
		return err
	}
	for i := range due {
		t := &due[i]
		err := db.WithTx(ctx, s.db, func(ctx context.Context) error {
			if s.deps.Notify != nil {
				if err := s.deps.Notify.Send(ctx, notify.Notice{UserID: t.OwnerID, Kind: KindOverdue, MsgID: "notice." + KindOverdue,
					Args: map[string]string{"Title": t.Title, "Due": s.DueText(t)}, Link: URL(t.ID),
					Key: fmt.Sprintf("%s:%d:%d", KindOverdue, t.ID, t.DueAt.Unix())}); err != nil {
					return err
				}
			}
			return s.store.MarkNotified(ctx, t.ID, now)
		})
		if err != nil {
			return fmt.Errorf("overdue to-do %d: %w", t.ID, err)
		}
	}
	return nil
}

// Feed lists the actor's to-dos for their calendar feed: the open ones
// and those done in the last 30 days.
func (s *Service) Feed(ctx context.Context, actor authz.Subject) ([]Todo, error) {
	return s.store.ForFeed(ctx, actor.ID, s.now().AddDate(0, 0, -30), 500)
}
