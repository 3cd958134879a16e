package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// deal is a record as a module would describe it.
type deal struct {
	ID          uint
	CustomerID  uint
	OwnerID     uint
	Title       string
	Status      string
	MonthlyFen  int64
	FloorRate   int
	Probability int
	ValidUntil  *time.Time
	SentAt      *time.Time
	NeedsChief  bool
	Notes       string
	Secret      string `audit:"secret"`
	RootID      *uint
	Version     int
}

var dealFields = []audit.Field{
	audit.Hidden("id"),
	audit.Ref("customer_id", "history.f.customer", "customer"),
	audit.Ref("owner_id", "customers.owner", "user"),
	audit.Text("title", "proposals.title_field"),
	audit.Enum("status", "proposals.status", "proposals.status.", "draft", "approved", "sent"),
	audit.Money("monthly_fen", "proposals.monthly_total"),
	audit.Rate("floor_rate", "catalog.floor"),
	audit.Percent("probability", "opportunities.probability"),
	audit.Date("valid_until", "proposals.valid_until"),
	audit.DateTime("sent_at", "proposals.sent_at"),
	audit.Bool("needs_chief", "history.f.needs_chief"),
	audit.LongText("notes", "contacts.notes"),
	audit.Secret("secret", "history.f.password"),
	audit.Hidden("root_id"),
}

// calls counts resolver calls and the ids each got.
type calls struct {
	n   map[string]int
	ids map[string][]uint
}

// newHistory describes "deal" and registers resolvers for users (all
// named) and customers (only even ids visible, as a scope would).
func newHistory(t *testing.T, loc *time.Location) (*audit.History, *calls) {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	h := audit.NewHistory(b, loc)
	if err := h.Describe(audit.Entity{Name: "deal", Label: "audit.entity.proposal", Model: &deal{}, Fields: dealFields, Actions: []string{"send"}}); err != nil {
		t.Fatal(err)
	}
	c := &calls{n: map[string]int{}, ids: map[string][]uint{}}
	h.Resolve("user", func(_ context.Context, _ audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		c.n["user"]++
		c.ids["user"] = ids
		out := map[uint]audit.Name{}
		for _, id := range ids {
			out[id] = audit.Name{Text: fmt.Sprintf("用户%d", id)}
		}
		return out, nil
	})
	h.Resolve("customer", func(_ context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		c.n["customer"]++
		c.ids["customer"] = ids
		out := map[uint]audit.Name{}
		for _, id := range ids {
			if id%2 == 0 && r.Subject.ID != 0 {
				out[id] = audit.Name{Text: fmt.Sprintf("客户%d", id), Link: fmt.Sprintf("/customers/%d", id)}
			}
		}
		return out, nil
	})
	h.Resolve("deal", func(_ context.Context, _ audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		c.n["deal"]++
		out := map[uint]audit.Name{}
		for _, id := range ids {
			out[id] = audit.Name{Text: fmt.Sprintf("方案%d", id), Link: fmt.Sprintf("/proposals/%d", id)}
		}
		return out, nil
	})
	return h, c
}

func entry(t *testing.T, id uint, actor *uint, action string, changes map[string]audit.Change) audit.Entry {
	t.Helper()
	b, err := json.Marshal(changes)
	if err != nil {
		t.Fatal(err)
	}
	return audit.Entry{ID: id, At: time.Date(2026, 11, 29, 12, 5, 0, 0, time.UTC), ActorID: actor, Entity: "deal", EntityID: 7, Action: action, Changes: string(b)}
}

func uintp(v uint) *uint { return &v }

// changesOf maps a row's changes by label to "from → to".
func changesOf(r audit.Row) map[string]string {
	out := map[string]string{}
	for _, c := range r.Changes {
		s := c.To.Text
		if !c.From.Empty() {
			s = c.From.Text + " → " + s
		}
		out[c.Label] = s
	}
	return out
}

// TestViewReadsInWords: labels from the catalogue, enum labels, money in
// yuan, rates and percentages, dates as dates, times in the zone, yes/no,
// references as linked names, hidden and unknown columns left out.
func TestViewReadsInWords(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	h, _ := newHistory(t, shanghai)
	reader := authz.Subject{ID: 3, Role: authz.RoleAccountManager}
	e := entry(t, 1, uintp(4), "send", map[string]audit.Change{
		"customer_id": {From: 188, To: 190},
		"owner_id":    {From: 4, To: 5},
		"status":      {From: "approved", To: "sent"},
		"monthly_fen": {From: 11904000, To: 351650050},
		"floor_rate":  {From: 8500, To: 8250},
		"probability": {From: 60, To: 80},
		"valid_until": {From: nil, To: "2027-01-29T00:00:00Z"},
		"sent_at":     {From: nil, To: "2026-11-29T16:30:00Z"},
		"needs_chief": {From: false, To: true},
		"root_id":     {From: nil, To: 7},
		"mystery_col": {From: "a", To: "b"},
	})
	v, err := h.View(context.Background(), reader, i18n.ZH, []audit.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	r := v.Rows[0]
	got := changesOf(r)
	want := map[string]string{
		"客户":   "客户188 → 客户190",
		"客户经理": "用户4 → 用户5",
		"状态":   "已审批 → 已提交客户",
		"月费合计": "¥119,040.00 → ¥3,516,500.50",
		"底价比例": "85% → 82.5%",
		"赢单概率": "60% → 80%",
		"有效期至": "2027-01-29",
		// 16:30 UTC is past midnight in Shanghai; a date is not moved.
		"提交客户时间":    "2026-11-30 00:30",
		"需首席客户代表审批": "否 → 是",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("hidden or unknown columns shown: %v", got)
	}
	if r.At != "2026-11-29 20:05" || r.Action != "提交客户" || r.Actor.Text != "用户4" || r.Entity != "方案" || r.Target.Text != "方案7" {
		t.Errorf("row: %+v", r)
	}
	if l := r.Changes[0].To.Link; r.Changes[0].Label != "客户" || l != "/customers/190" {
		t.Errorf("the customer must come first and be linked: %+v", r.Changes[0])
	}
	en, err := h.View(context.Background(), reader, i18n.EN, []audit.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	if got := changesOf(en.Rows[0]); got["Status"] != "Approved → Sent to customer" || got["Customer"] != "客户188 → 客户190" {
		t.Errorf("English: %v", got)
	}
}

// TestViewHidesWhatTheReaderMayNotSee: a referenced record the resolver
// does not return reads "not available", without its name or link.
func TestViewHidesWhatTheReaderMayNotSee(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	e := entry(t, 1, nil, audit.ActionUpdate, map[string]audit.Change{"customer_id": {From: 187, To: 190}})
	v, err := h.View(context.Background(), authz.Subject{ID: 3}, i18n.ZH, []audit.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	c := v.Rows[0].Changes[0]
	if c.From.Text != "（无权查看）" || !c.From.Muted || c.From.Link != "" || strings.Contains(c.From.Text, "187") {
		t.Errorf("an invisible customer: %+v", c.From)
	}
	if c.To.Text != "客户190" {
		t.Errorf("a visible customer: %+v", c.To)
	}
	if a := v.Rows[0].Actor; a.Text != "系统" || !a.Muted {
		t.Errorf("no actor is the system: %+v", a)
	}
}

// TestViewResolvesInBatch: however many entries and references, each
// entity type's resolver is called once, with every id once.
func TestViewResolvesInBatch(t *testing.T) {
	h, c := newHistory(t, time.UTC)
	var entries []audit.Entry
	for i := uint(1); i <= 40; i++ {
		entries = append(entries, entry(t, i, uintp(i%5+1), audit.ActionUpdate, map[string]audit.Change{
			"customer_id": {From: 100 + i, To: 100 + i%3},
			"owner_id":    {From: i % 7, To: 9},
		}))
	}
	v, err := h.View(context.Background(), authz.Subject{ID: 3}, i18n.ZH, entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Rows) != 40 {
		t.Fatalf("%d rows", len(v.Rows))
	}
	for _, typ := range []string{"user", "customer", "deal"} {
		if c.n[typ] != 1 {
			t.Errorf("%s resolved %d times, want once for the whole list", typ, c.n[typ])
		}
	}
	// Customers: 101–140 before, 100–102 after; each asked once.
	var want []uint
	for id := uint(100); id <= 140; id++ {
		want = append(want, id)
	}
	if !slices.Equal(c.ids["customer"], want) {
		t.Errorf("customer ids asked: %v", c.ids["customer"])
	}
	// Users: actors 1–5, owners 0–6 (0 is no one) and 9.
	if want := []uint{1, 2, 3, 4, 5, 6, 9}; !slices.Equal(c.ids["user"], want) {
		t.Errorf("user ids asked: %v, want %v", c.ids["user"], want)
	}
	if v.Targets {
		t.Error("entries about one record need not name it on each row")
	}
}

// TestViewShortensLongTexts: a long text keeps its whole text and gets a
// short start for the page's "show more"; a short one does not.
func TestViewShortensLongTexts(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	long := strings.Repeat("客户对价格敏感，但对服务质量要求很高。", 10)
	e := entry(t, 1, nil, audit.ActionUpdate, map[string]audit.Change{
		"notes": {From: "短备注", To: long},
		"title": {From: "甲", To: strings.Repeat("长", 100)},
	})
	v, err := h.View(context.Background(), authz.Subject{ID: 3}, i18n.ZH, []audit.Entry{e})
	if err != nil {
		t.Fatal(err)
	}
	var notes, title audit.FieldView
	for _, c := range v.Rows[0].Changes {
		switch c.Label {
		case "备注":
			notes = c
		case "方案名称":
			title = c
		}
	}
	if notes.To.Text != long || notes.To.Short == "" || !strings.HasPrefix(long, strings.TrimSuffix(notes.To.Short, "…")) || len([]rune(notes.To.Short)) > 61 {
		t.Errorf("long notes: %+v", notes.To)
	}
	if notes.From.Short != "" || notes.From.Text != "短备注" {
		t.Errorf("short notes must not be cut: %+v", notes.From)
	}
	if title.To.Short == "" {
		t.Errorf("any long text is cut, not only free-text fields: %+v", title.To)
	}
}

// TestViewCreationAndSecrets: a new record lists only the fields it set;
// a secret reads as set or changed, never its value or mask.
func TestViewCreationAndSecrets(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	created := entry(t, 1, uintp(2), audit.ActionCreate, audit.Diff(nil, &deal{ID: 7, Title: "专线方案", Status: "draft", Secret: "pw"}))
	changed := entry(t, 2, uintp(2), audit.ActionUpdate, audit.Diff(&deal{Secret: "a", Notes: "旧"}, &deal{Secret: "b"}))
	v, err := h.View(context.Background(), authz.Subject{ID: 3}, i18n.ZH, []audit.Entry{created, changed})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changesOf(v.Rows[0]), map[string]string{"方案名称": "专线方案", "状态": "草稿", "密码": "（已设置，不显示）"}; !mapsEqual(got, want) {
		t.Errorf("creation: got %v, want %v", got, want)
	}
	got := changesOf(v.Rows[1])
	if got["密码"] != "（已更改，不显示）" || got["备注"] != "旧 → （空）" {
		t.Errorf("update: %v", got)
	}
	for _, c := range append(v.Rows[0].Changes, v.Rows[1].Changes...) {
		if strings.Contains(c.From.Text+c.To.Text, "***") {
			t.Errorf("a secret's mask shows: %+v", c)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFieldLabels: the timeline's "what changed" reads as labels.
func TestFieldLabels(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	got := h.FieldLabels(i18n.ZH, "deal", []string{"status", "root_id", "mystery", "customer_id"})
	if got != "客户、状态" {
		t.Errorf("zh: %q", got)
	}
	if got := h.FieldLabels(i18n.EN, "deal", []string{"status", "customer_id"}); got != "Customer, Status" {
		t.Errorf("en: %q", got)
	}
}

// TestDescribeRejectsGaps: a model column left undescribed, a field
// without label, an enum without values or a second description of the
// same type is refused at start-up.
func TestDescribeRejectsGaps(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	bad := map[string]audit.Entity{
		"column missing":  {Name: "a", Label: "x", Model: &deal{}, Fields: dealFields[1:]},
		"no label":        {Name: "b", Label: "x", Fields: []audit.Field{{Column: "title"}}},
		"enum w/o values": {Name: "c", Label: "x", Fields: []audit.Field{audit.Enum("s", "x", "p.")}},
		"ref w/o type":    {Name: "d", Label: "x", Fields: []audit.Field{audit.Ref("r", "x", "")}},
		"twice":           {Name: "deal", Label: "x"},
	}
	for name, e := range bad {
		if err := h.Describe(e); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := h.Describe(audit.Entity{Name: "e", Label: "x", Model: &deal{}, Fields: dealFields}); err != nil {
		t.Errorf("a complete description: %v", err)
	}
}

// TestCheckFindsCatalogueGaps: labels missing from a catalogue and
// references nobody resolves are reported.
func TestCheckFindsCatalogueGaps(t *testing.T) {
	h, _ := newHistory(t, time.UTC)
	if bad := h.Check(); len(bad) != 0 {
		t.Fatalf("complete registry reported: %v", bad)
	}
	if err := h.Describe(audit.Entity{Name: "gap", Label: "no.such.entity", Fields: []audit.Field{
		audit.Enum("s", "proposals.status", "proposals.status.", "draft", "no_such_status"),
		audit.Ref("r", "history.f.customer", "nobody"),
	}}); err != nil {
		t.Fatal(err)
	}
	report := strings.Join(h.Check(), "\n")
	for _, want := range []string{`"no.such.entity"`, `"proposals.status.no_such_status"`, "no resolver for nobody", "gap: no resolver names its records"} {
		if !strings.Contains(report, want) {
			t.Errorf("Check does not report %s:\n%s", want, report)
		}
	}
}

// TestColumnsAreWhatDiffRecords: the description check compares against
// exactly the columns Diff writes.
func TestColumnsAreWhatDiffRecords(t *testing.T) {
	at := time.Now()
	full := &deal{ID: 1, CustomerID: 2, OwnerID: 3, Title: "t", Status: "s", MonthlyFen: 1, FloorRate: 1, Probability: 1,
		ValidUntil: &at, SentAt: &at, NeedsChief: true, Notes: "n", Secret: "x", RootID: uintp(1), Version: 1}
	var keys []string
	for k := range audit.Diff(nil, full) {
		keys = append(keys, k)
	}
	cols := audit.Columns(full)
	slices.Sort(keys)
	sorted := slices.Clone(cols)
	slices.Sort(sorted)
	if !slices.Equal(keys, sorted) {
		t.Fatalf("Columns %v, Diff records %v", cols, keys)
	}
}

// TestWordedTextReadsInTheReadersLanguage: a text column's usual values
// (a catalogue unit typed as 万条) read in the reader's language; other
// values are shown as typed.
func TestWordedTextReadsInTheReadersLanguage(t *testing.T) {
	type item struct {
		ID   uint
		Unit string
	}
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	h := audit.NewHistory(b, time.UTC)
	words := map[string]string{"万条": "catalog.units.ten_thousand_messages"}
	if err := h.Describe(audit.Entity{Name: "item", Label: "audit.entity.product", Model: &item{},
		Fields: []audit.Field{audit.Hidden("id"), audit.WordedText("unit", "catalog.unit", words)}}); err != nil {
		t.Fatal(err)
	}
	none := func(_ context.Context, _ audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		return map[uint]audit.Name{}, nil
	}
	h.Resolve("item", none)
	h.Resolve("user", none)
	if bad := h.Check(); len(bad) > 0 {
		t.Fatalf("check: %v", bad)
	}
	e := entry(t, 1, nil, audit.ActionUpdate, map[string]audit.Change{"unit": {From: "万条", To: "套餐包"}})
	e.Entity = "item"
	reader := authz.Subject{ID: 1, Role: authz.RoleAdmin}
	for lang, want := range map[string]string{i18n.EN: "×10,000 messages → 套餐包", i18n.ZH: "万条 → 套餐包"} {
		v, err := h.View(context.Background(), reader, lang, []audit.Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range changesOf(v.Rows[0]) {
			if got != want {
				t.Errorf("%s: %q, want %q", lang, got, want)
			}
		}
	}
}
