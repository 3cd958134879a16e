package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
)

// UserEntity is the entity type actors are resolved through: the module
// that owns users registers a Resolver for it.
const UserEntity = "user"

// Texts longer than longRunes are cut to their first shortRunes with a
// "show more" control.
const (
	longRunes  = 80
	shortRunes = 60
)

// renderIDs are the message ids View itself uses.
var renderIDs = []string{"history.sep", "history.yes", "history.no", "history.secret_set", "history.secret_changed",
	"history.unavailable", "history.empty_value", "history.record", "history.action_other", "audit.system",
	"history.deleted"} // the last for resolvers that name deleted records

// Name is how a record reads: its name and, if the reader may open it,
// the page it is on.
type Name struct {
	Text string
	Link string
}

// Reader is who reads the history, in which language and time zone.
// Resolvers use it to scope names and to word them.
type Reader struct {
	Subject authz.Subject
	L       i18n.Localizer
	Loc     *time.Location
}

// Resolver names records of one entity type by id, in one query for all
// of them. It returns only the records the reader may see; the others
// read as "not available".
type Resolver func(ctx context.Context, r Reader, ids []uint) (map[uint]Name, error)

// History turns the trail into words: each module describes its entity
// types (field labels, kinds, enums, references) and registers resolvers
// that name its records; View then renders any list of entries the same
// way on every page. It is built once at start-up and read concurrently.
type History struct {
	bundle    *i18n.Bundle
	loc       *time.Location
	entities  map[string]*Entity
	order     []string
	resolvers map[string]Resolver
}

// NewHistory makes an empty registry; times are shown in loc.
func NewHistory(b *i18n.Bundle, loc *time.Location) *History {
	if loc == nil {
		loc = time.UTC
	}
	return &History{bundle: b, loc: loc, entities: map[string]*Entity{}, resolvers: map[string]Resolver{}}
}

// Describe registers an entity type. It fails if the description is
// incomplete (see Entity.Model) or the type is already described.
func (h *History) Describe(e Entity) error {
	if err := e.check(); err != nil {
		return err
	}
	if _, dup := h.entities[e.Name]; dup {
		return fmt.Errorf("audit: %s described twice", e.Name)
	}
	h.entities[e.Name] = &e
	h.order = append(h.order, e.Name)
	return nil
}

// Resolve registers the resolver naming records of an entity type.
func (h *History) Resolve(entity string, r Resolver) { h.resolvers[entity] = r }

// Entities lists the described entity types in registration order.
func (h *History) Entities() []string { return append([]string(nil), h.order...) }

// EntityLabel is the name of an entity type in lang.
func (h *History) EntityLabel(lang, entity string) string {
	if e, ok := h.entities[entity]; ok {
		return h.bundle.T(lang, e.Label)
	}
	return h.bundle.T(lang, "history.record")
}

// FieldLabels lists the labels of changed columns, joined for a sentence
// ("客户等级、地址"): hidden and undescribed columns are left out.
func (h *History) FieldLabels(lang, entity string, cols []string) string {
	e, ok := h.entities[entity]
	if !ok {
		return ""
	}
	var out []string
	for _, f := range e.Fields {
		if !f.Hidden && slices.Contains(cols, f.Column) {
			out = append(out, h.bundle.T(lang, f.Label))
		}
	}
	return strings.Join(out, h.bundle.T(lang, "history.sep"))
}

// Check lists what the catalogues lack for the descriptions: entity,
// field, enum and action labels in every language, and resolvers for
// every referenced type. A test calls it on the wired app.
func (h *History) Check() []string {
	var bad []string
	need := func(where, id string) {
		for _, lang := range i18n.Langs {
			if !h.bundle.Has(lang, id) {
				bad = append(bad, fmt.Sprintf("%s: %s lacks %q", where, lang, id))
			}
		}
	}
	for _, id := range renderIDs {
		need("history", id)
	}
	if h.resolvers[UserEntity] == nil {
		bad = append(bad, "no resolver for users (actors)")
	}
	for _, name := range h.order {
		e := h.entities[name]
		need(name, e.Label)
		if h.resolvers[name] == nil {
			bad = append(bad, name+": no resolver names its records")
		}
		for _, a := range append([]string{ActionCreate, ActionUpdate, ActionDelete}, e.Actions...) {
			need(name, "audit.action."+a)
		}
		for _, f := range e.Fields {
			if f.Hidden {
				continue
			}
			need(name+"."+f.Column, f.Label)
			for _, v := range f.Values {
				need(name+"."+f.Column, f.Prefix+v)
			}
			for _, id := range f.Words {
				need(name+"."+f.Column, id)
			}
			if f.Kind == KindRef && h.resolvers[f.Ref] == nil {
				bad = append(bad, fmt.Sprintf("%s.%s: no resolver for %s", name, f.Column, f.Ref))
			}
		}
	}
	return bad
}

// View is a history ready for the audit_table partial.
type View struct {
	Rows []Row
	// Targets is true when the rows are about more than one record, so
	// that each row names the record it is about.
	Targets bool
}

// Row is one entry in words.
type Row struct {
	At string
	// Actor is who did it ("系统" for the system itself).
	Actor Value
	// Entity is the type's name; Target the record's name.
	Entity string
	Target Value
	Action string
	// Changes lists the changed fields a user reads, in described order.
	Changes []FieldView
}

// FieldView is one changed field in words.
type FieldView struct {
	Label    string
	From, To Value
}

// Value is a value in words. Short is set when Text is long: the page
// shows Short with a "show more" control that reveals Text.
type Value struct {
	Text  string
	Short string
	Link  string
	// Muted marks a placeholder: the system, "not available", a secret.
	Muted bool
}

// Empty reports whether there is nothing to show.
func (v Value) Empty() bool { return v.Text == "" }

// View renders entries for subject in lang. Every referenced id (and each
// actor and record) is named through the resolvers with one call per
// entity type for the whole list, so a page of history costs a fixed
// number of queries whatever its length.
func (h *History) View(ctx context.Context, subject authz.Subject, lang string, entries []Entry) (*View, error) {
	lang = h.bundle.For(lang).Lang
	r := Reader{Subject: subject, L: h.bundle.For(lang), Loc: h.loc}
	decoded := make([]map[string]rawChange, len(entries))
	want := map[string]map[uint]bool{}
	ask := func(entity string, id uint) {
		if id == 0 {
			return
		}
		if want[entity] == nil {
			want[entity] = map[uint]bool{}
		}
		want[entity][id] = true
	}
	targets := map[string]bool{}
	for i, e := range entries {
		decoded[i] = decode(e.Changes)
		if e.ActorID != nil {
			ask(UserEntity, *e.ActorID)
		}
		ask(e.Entity, e.EntityID)
		targets[e.Entity+"#"+strconv.FormatUint(uint64(e.EntityID), 10)] = true
		desc := h.entities[e.Entity]
		if desc == nil {
			continue
		}
		for col, c := range decoded[i] {
			if f, ok := desc.field(col); ok && f.Kind == KindRef && !f.Hidden {
				ask(f.Ref, idOf(c.From))
				ask(f.Ref, idOf(c.To))
			}
		}
	}
	names, err := h.resolve(ctx, r, want)
	if err != nil {
		return nil, err
	}
	v := &View{Targets: len(targets) > 1, Rows: make([]Row, 0, len(entries))}
	for i, e := range entries {
		v.Rows = append(v.Rows, h.row(r, e, decoded[i], names))
	}
	return v, nil
}

// resolve calls each entity type's resolver once with all its ids.
func (h *History) resolve(ctx context.Context, r Reader, want map[string]map[uint]bool) (map[string]map[uint]Name, error) {
	types := make([]string, 0, len(want))
	for t := range want {
		types = append(types, t)
	}
	sort.Strings(types)
	out := make(map[string]map[uint]Name, len(types))
	for _, t := range types {
		res := h.resolvers[t]
		if res == nil {
			continue
		}
		ids := make([]uint, 0, len(want[t]))
		for id := range want[t] {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		m, err := res(ctx, r, ids)
		if err != nil {
			return nil, fmt.Errorf("audit: name %s records: %w", t, err)
		}
		out[t] = m
	}
	return out, nil
}

func (h *History) row(r Reader, e Entry, changes map[string]rawChange, names map[string]map[uint]Name) Row {
	t := r.L.T
	row := Row{At: e.At.In(h.loc).Format("2006-01-02 15:04"), Entity: h.EntityLabel(r.L.Lang, e.Entity)}
	if e.ActorID == nil {
		row.Actor = Value{Text: t("audit.system"), Muted: true}
	} else {
		row.Actor = h.named(r, names, UserEntity, *e.ActorID)
	}
	row.Target = h.named(r, names, e.Entity, e.EntityID)
	row.Action = t("audit.action." + e.Action)
	if row.Action == "audit.action."+e.Action {
		row.Action = t("history.action_other")
	}
	desc := h.entities[e.Entity]
	if desc == nil {
		return row
	}
	creating := e.Action == ActionCreate
	for _, f := range desc.Fields {
		c, ok := changes[f.Column]
		if !ok || f.Hidden {
			continue
		}
		if creating && isZero(c.To) {
			// A new record's blank fields say nothing.
			continue
		}
		fv := FieldView{Label: t(f.Label), From: h.value(r, f, c.From, names), To: h.value(r, f, c.To, names)}
		if f.Kind == KindSecret {
			// Only that it was set or changed, never a before/after.
			fv.From, fv.To = Value{}, Value{Text: t("history.secret_changed"), Muted: true}
			if creating {
				fv.To.Text = t("history.secret_set")
			}
		}
		if fv.From.Empty() && fv.To.Empty() {
			continue
		}
		if fv.To.Empty() && !creating {
			fv.To = Value{Text: t("history.empty_value"), Muted: true}
		}
		row.Changes = append(row.Changes, fv)
	}
	return row
}

// named is a record's name, or "not available" when the reader may not
// see it (or it is gone).
func (h *History) named(r Reader, names map[string]map[uint]Name, entity string, id uint) Value {
	if n, ok := names[entity][id]; ok {
		return Value{Text: n.Text, Link: n.Link}
	}
	return Value{Text: r.L.T("history.unavailable"), Muted: true}
}

// value renders one recorded value of field f.
func (h *History) value(r Reader, f Field, v any, names map[string]map[uint]Name) Value {
	if v == nil {
		return Value{}
	}
	t := r.L.T
	s := fmt.Sprint(v)
	if id, ok := f.Words[s]; ok {
		return Value{Text: t(id)}
	}
	switch f.Kind {
	case KindSecret:
		return Value{Text: t("history.secret_changed"), Muted: true}
	case KindBool:
		if b, ok := v.(bool); ok {
			if b {
				return Value{Text: t("history.yes")}
			}
			return Value{Text: t("history.no")}
		}
	case KindMoney:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Value{Text: money.Fen(n).Yuan()}
		}
	case KindPercent:
		if _, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Value{Text: s + "%"}
		}
	case KindRate:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Value{Text: money.Rate(n).Percent() + "%"}
		}
	case KindDate:
		if at, ok := parseTime(s); ok {
			return Value{Text: at.UTC().Format("2006-01-02")}
		}
	case KindDateTime:
		if at, ok := parseTime(s); ok {
			return Value{Text: at.In(h.loc).Format("2006-01-02 15:04")}
		}
	case KindEnum:
		if s == "" {
			return Value{}
		}
		return Value{Text: label(t, f.Prefix, s)}
	case KindEnumList:
		var parts []string
		for _, code := range strings.Split(s, ",") {
			if code = strings.TrimSpace(code); code != "" {
				parts = append(parts, label(t, f.Prefix, code))
			}
		}
		return Value{Text: strings.Join(parts, t("history.sep"))}
	case KindRef:
		if id := idOf(v); id != 0 {
			return h.named(r, names, f.Ref, id)
		}
		return Value{}
	}
	return Shorten(s)
}

// Shorten makes a text a Value, cut to its beginning when long; the page
// offers the rest behind "show more" (partials/history_value.html).
func Shorten(s string) Value {
	v := Value{Text: s}
	if runes := []rune(s); len(runes) > longRunes {
		v.Short = strings.TrimSpace(string(runes[:shortRunes])) + "…"
	}
	return v
}

// label is the label of an enum code, or the code itself if the
// catalogue lacks it (a test keeps the catalogues complete).
func label(t func(string, ...any) string, prefix, code string) string {
	if s := t(prefix + code); s != prefix+code {
		return s
	}
	return code
}

// rawChange is a recorded change as decoded: numbers stay json.Number so
// that amounts and ids are exact.
type rawChange struct {
	From any `json:"from"`
	To   any `json:"to"`
}

func decode(changes string) map[string]rawChange {
	m := map[string]rawChange{}
	dec := json.NewDecoder(strings.NewReader(changes))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}

// idOf reads a recorded id (a JSON number), or 0.
func idOf(v any) uint {
	n, ok := v.(json.Number)
	if !ok {
		return 0
	}
	id, err := strconv.ParseUint(n.String(), 10, 64)
	if err != nil {
		return 0
	}
	return uint(id)
}

// isZero reports a blank value: nothing, "", 0 or false.
func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		return x.String() == "0"
	}
	return false
}

// parseTime reads a recorded time: Diff writes RFC 3339, ad-hoc changes
// may carry fractional seconds.
func parseTime(s string) (time.Time, bool) {
	at, err := time.Parse(time.RFC3339Nano, s)
	return at, err == nil
}
