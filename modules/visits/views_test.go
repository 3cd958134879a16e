package visits

import (
	"fmt"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/templates"
)

func examplePlan(status string) *Plan {
	prev := uint(20)
	return &Plan{ID: 21, CustomerID: 7, OwnerID: 1, StartsAt: time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC), DurationMin: 60,
		Kind: "needs", Objective: "了解扩容需求", Location: "客户总部", Status: status, CancelReason: "客户改期",
		ChkBackground: true, ChkCards: true, PrevVisitID: &prev, Version: 2}
}

// visitsViews maps every template under templates/visits to example
// views.
func visitsViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)
	ct := prospects.Contact{ID: 3, CustomerID: 7, Name: "王经理", Role: "decision"}
	cu := &prospects.Customer{ID: 7, Name: "哈尔滨示例集团", Grade: "A"}
	val := audit.Value{Text: "值"}
	// form: the record form is open (a planned visit whose time has
	// come); otherwise the page shows the record, the next visit and the
	// agreed to-do.
	show := func(form bool) web.Example {
		return func() any {
			status := StatusPlanned
			if !form {
				status = StatusDone
			}
			d := &Detail{Plan: examplePlan(status), Customer: cu, Contacts: []prospects.Contact{ct}, AllContacts: []prospects.Contact{ct},
				Participants: []org.User{{ID: 2, Name: "赵敏"}, {ID: 3, Name: "王总"}}, Owner: org.User{ID: 1, Name: "李伟"},
				Record: &Record{ID: 4, VisitID: 21, Discussed: "扩容", Attitude: "positive", NeedsText: "带宽", NextStep: "报价", NextDate: &at, CreatedAt: at},
				Prev:   examplePlan(StatusDone), CanWrite: true}
			v := &showView{Page: web.ExamplePage(b), D: d, P: d.Plan, C: cu, Items: ChecklistItems, Checks: d.Plan.Checklist(),
				Unprepared: true, Overdue: true, Errors: map[string]string{"_form": "错误", "discussed": "必填", "need_category_0": "请选择"},
				Attitudes: Attitudes, Kinds: Kinds, NeedCategories: servicecat.Keys(), CanRecord: form, Late: true,
				Rec: &RecordInput{Discussed: "扩容", Attitude: "positive", NeedsText: "带宽", NextStep: "报价", NextDate: "2026-06-08",
					NextTime: "09:30", NextKind: NextTodo, Version: 1},
				NeedRows: []NeedLine{{Line: 0, Category: "dedicated_line", Description: "带宽", ContactID: 3}, {Line: 1}, {Line: 2}},
				History: &audit.View{Rows: []audit.Row{{At: "2026-06-01 16:00", Actor: val, Target: val, Entity: "走访", Action: "修改",
					Changes: []audit.FieldView{{Label: "目的", From: val, To: val}}}}}}
			if !form {
				d.Next = examplePlan(StatusPlanned)
				d.Todo = &Todo{ID: 8, CustomerID: 7, OwnerID: 1, Title: "发送报价", DueDate: at}
			}
			return v
		}
	}
	later := func() any {
		v := show(false)().(*showView)
		v.D.Record, v.D.Todo, v.RecordLater = nil, &Todo{ID: 8, Title: "发送报价", DueDate: at, DoneAt: &at}, true
		return v
	}
	row := func(status string) PlanRow {
		return PlanRow{Plan: *examplePlan(status), CustomerName: cu.Name, CustomerGrade: "A", OwnerName: "李伟"}
	}
	// list: scoped shows the owner column; full adds a customer, a
	// drill-down day, the overdue card and a past visit's divider.
	list := func(view string, full bool) web.Example {
		return func() any {
			v := &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20}, View: view, CanScope: true,
				Statuses: Statuses, Status: StatusPlanned, Now: at, Today: at, Loc: shanghai}
			if full {
				later := row(StatusPlanned)
				later.StartsAt = at.AddDate(0, 0, 2)
				day := at
				v.Rows, v.Pager.Total = []PlanRow{later, row(StatusPlanned), row(StatusDone)}, 3
				v.Customer, v.Day, v.Drilled = cu, &day, true
				for range 12 { // ten open, two folded
					v.Overdue = append(v.Overdue, row(StatusPlanned))
				}
			} else {
				v.Rows, v.Drilled = []PlanRow{row(StatusDone)}, true
			}
			return v
		}
	}
	calendar := func(mode, view, by string) web.Example {
		return func() any {
			days := []day{{Date: at, InMonth: true, Today: true, Visits: []PlanRow{row(StatusPlanned), row(StatusDone)}}}
			for i := 1; i < 7; i++ {
				days = append(days, day{Date: at.AddDate(0, 0, i)})
			}
			if by != "" {
				days[0].Visits = nil
				days[0].Counts, days[0].Total = []DayCount{{Day: 0, Key: 1, Name: "一组", N: 3}, {Day: 0, N: 1}}, 4
			}
			return &calendarView{Page: web.ExamplePage(b), Days: days, Mode: mode, Anchor: at, View: view, CanScope: true,
				PrevDate: "2026-05-25", NextDate: "2026-06-08", Query: "mode=" + mode, TodayDate: "2026-06-01", Loc: time.UTC, Now: at, By: by}
		}
	}
	form := func(id uint, full bool) web.Example {
		return func() any {
			v := &formView{Page: web.ExamplePage(b), ID: id, C: &prospects.Customer{ID: 7, Name: cu.Name, Grade: "A", OwnerID: 1},
				Form: PlanInput{CustomerID: 7, Date: "2026-06-01", Time: "10:00", Duration: "60", Kind: "needs", Objective: "了解需求", Location: "总部",
					Contacts: []uint{3}, Participants: []uint{2}, Checklist: map[string]bool{ChecklistItems[0]: true}, Version: 2},
				Errors: map[string]string{"_form": "错误", "kind": "请选择", "objective": "必填", "contacts": "请选择", "participants": "不可选"},
				Kinds:  Kinds, Items: ChecklistItems, Selected: map[uint]bool{3: true}, Going: map[uint]bool{2: true}, MeID: 1,
				Colleagues: []org.User{{ID: 1, Name: "李伟", Role: "sales"}, {ID: 2, Name: "赵敏", Role: "chief"}}}
			if full {
				v.Contacts, v.SuggestChief = []prospects.Contact{ct}, true
			}
			return v
		}
	}
	return map[string][]web.Example{
		"visits/show":      {show(true), show(false), later},
		"visits/checklist": {show(true), func() any { v := show(false)().(*showView); v.D.CanWrite = false; return v }},

		"visits/brief": {func() any {
			return &briefView{Page: web.ExamplePage(b), B: exampleBrief(cu, ct)}
		}, func() any {
			// A brief with nothing found yet: each section says so.
			br := exampleBrief(cu, ct)
			br.Contacts, br.OpenOpportunities, br.LastVisits, br.Sections = nil, nil, nil, []BriefPart{{Title: "brief.needs"}}
			return &briefView{Page: web.ExamplePage(b), B: br}
		}},
		"visits/calendar": {calendar("week", ViewScope, ""), calendar("month", ViewMine, ByTeam)},
		"visits/feed": {func() any {
			return &feedView{Page: web.ExamplePage(b), Has: true, URL: "https://crm.example/ics/tok", WebcalURL: "webcal://crm.example/ics/tok"}
		}, func() any { return &feedView{Page: web.ExamplePage(b)} }},
		"visits/form": {form(21, true), form(0, false)},
		"visits/list": {list(ViewScope, true), list(ViewMine, false)},
		"visits/panel_agenda": {func() any {
			row := func(status string) PlanRow {
				return PlanRow{Plan: *examplePlan(status), CustomerName: cu.Name, CustomerGrade: "A", OwnerName: "李伟"}
			}
			visit := uint(21)
			a := &Agenda{Today: []PlanRow{row(StatusDone), row(StatusPlanned)}, Unprepared: []PlanRow{row(StatusPlanned)}, Overdue: []PlanRow{row(StatusPlanned)},
				Todos: []TodoRow{{Todo: Todo{ID: 8, CustomerID: 7, OwnerID: 1, VisitID: &visit, Title: "发送报价", DueDate: at.AddDate(0, 0, -2)}, CustomerName: cu.Name}}, TodoDay: at,
				Free: []AgendaTodo{{ID: 3, Title: "回访", Due: "2026-06-01 15:00", Overdue: true, Link: "/customers/7", LinkLabel: cu.Name, Version: 1}, {ID: 4, Title: "准备材料", Due: "2026-06-01"}}}
			return &agendaPanel{Page: web.ExamplePage(b), Agenda: a, Now: at, Loc: time.UTC}
		}},
	}
}

// TestEveryVisitsTemplateRendersWithItsView renders every template under
// templates/visits with its example views, strictly.
func TestEveryVisitsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "visits", visitsViews(b)) {
		t.Error(err)
	}
}

// TestVisitPageRejectsTheWrongView: the visit page executed with a view
// that lacks a field it reads fails, naming the field.
func TestVisitPageRejectsTheWrongView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	set, err := web.StrictTemplates(templates.FS, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	type misspelt struct {
		web.Page
		Plan *Plan // the page reads .P
	}
	err = web.RenderExample(set, "visits/show", &misspelt{Page: web.ExamplePage(b), Plan: examplePlan(StatusPlanned)})
	if err == nil || !strings.Contains(err.Error(), "can't evaluate field") {
		t.Fatalf("the visit page rendered a view without .P: %v", err)
	}
}

func exampleBrief(cu *prospects.Customer, ct prospects.Contact) *Brief {
	at := time.Date(2026, 5, 20, 2, 0, 0, 0, time.UTC)
	full := *cu
	full.Industry, full.Status, full.CreditCode, full.Headcount, full.AnnualSpendFen = "manufacturing", "active", "91230100MA1234567X", 800, 12000000
	full.Region, full.Address, full.Competitors, full.QualScore = "哈尔滨", "中央大街 1 号", "cmcc,ctcc", 80
	ct.Title, ct.Attitude, ct.Preferences = "信息部经理", "supporter", "喜欢数据"
	return &Brief{
		Detail: Detail{Plan: examplePlan(StatusPlanned), Customer: &full, Contacts: []prospects.Contact{ct},
			Participants: []org.User{{ID: 2, Name: "赵敏"}}, Owner: org.User{ID: 1, Name: "李伟"}},
		OpenOpportunities: []prospects.Opportunity{{ID: 5, Title: "专线扩容", Stage: prospects.StageProposal, MonthlyFen: 800000}},
		LastVisits: []BriefVisit{{Plan: PlanRow{Plan: *examplePlan(StatusDone), CustomerName: cu.Name},
			Record: Record{ID: 4, VisitID: 20, Discussed: "扩容", Attitude: "positive", NextStep: "报价", CreatedAt: at}}},
		Sections: []BriefPart{{Title: "brief.needs", Lines: []BriefLine{Line("brief.needs")}}},
	}
}

// TestCalendarBodyEscapes: the day counts and visits the calendar writes
// in Go escape every text from the database, in both languages.
func TestCalendarBodyEscapes(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	d := day{Date: now, Counts: []DayCount{{Key: 7, Name: `<b>一组</b>"&`, N: 3}, {Key: 0, N: 1}}, Total: 4,
		Visits: []PlanRow{{Plan: Plan{ID: 9, Status: StatusPlanned, Kind: "needs", StartsAt: now.Add(time.Hour), DurationMin: 60},
			CustomerName: `<script>alert(1)</script>`, OwnerName: `O'Neil & Co`}}}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		v := &calendarView{View: ViewScope, By: ByTeam, Loc: time.UTC, Now: now}
		v.L = b.For(lang)
		got := string(v.Body(d))
		for _, want := range []string{
			`&lt;b&gt;一组&lt;/b&gt;&#34;&amp; <strong>3</strong>`,
			`href="/visits?who=scope&amp;day=2026-11-30&amp;team=7"`,
			v.L.T("perf19.calendar.no_team") + ` <strong>1</strong>`,
			`&lt;script&gt;alert(1)&lt;/script&gt;`,
			`O&#39;Neil &amp; Co`,
			`href="/visits/9"`,
			`<time>03:00</time>`,
			v.L.T("visit_kind.needs"),
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: no %q in\n%s", lang, want, got)
			}
		}
		if strings.Contains(got, "<script>") || strings.Contains(got, "<b>") {
			t.Errorf("%s: unescaped text in\n%s", lang, got)
		}
		// The province's counts are per branch: the link narrows the day
		// to the branch, and a count of no branch says so.
		v.By = ByBranch
		got = string(v.Body(d))
		for _, want := range []string{`href="/visits?who=scope&amp;day=2026-11-30&amp;branch=7"`, v.L.T("perf19.calendar.no_branch") + ` <strong>1</strong>`} {
			if !strings.Contains(got, want) {
				t.Errorf("%s, by branch: no %q in\n%s", lang, want, got)
			}
		}
	}
}

// TestOverdueFolds: the overdue card shows the first ten visits and
// folds the rest under "show N more" (in both languages); its badge says
// "200+" at the cap, and no fold is written for ten or fewer.
func TestOverdueFolds(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		n, open, folded int
		badge           string
	}{{3, 3, 0, "3"}, {10, 10, 0, "10"}, {11, 10, 1, "11"}, {OverdueMax, 10, OverdueMax - 10, "200+"}} {
		v := &listView{Page: web.ExamplePage(b), View: ViewScope, Loc: shanghai}
		for i := range c.n {
			v.Overdue = append(v.Overdue, PlanRow{Plan: Plan{ID: uint(i + 1), Kind: "needs", StartsAt: at.Add(-time.Duration(i) * time.Hour)}})
		}
		open, rest := strings.Count(string(v.OverdueItems()), "<li>"), strings.Count(string(v.OverdueRest()), "<li>")
		if open != c.open || rest != c.folded || v.OverdueMore() != c.folded || v.OverdueCount() != c.badge {
			t.Errorf("%d overdue: %d open, %d folded (%d), badge %q; want %d, %d, %q", c.n, open, rest, v.OverdueMore(), v.OverdueCount(),
				c.open, c.folded, c.badge)
		}
		if c.folded > 0 && !strings.Contains(string(v.OverdueRest()), fmt.Sprintf(`<a href="/visits/%d">`, c.n)) {
			t.Errorf("%d overdue: the last one is not among the folded", c.n)
		}
	}
	for lang, want := range map[string]string{"zh-CN": "再显示 190 条", "en": "Show 190 more"} {
		if got := b.T(lang, "visits.overdue_more", "N", 190); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}

// TestOverdueItemsEscape: the visit list's overdue items, written in Go,
// show the start in the configured zone and escape customer and owner.
func TestOverdueItemsEscape(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 1, 30, 0, 0, time.UTC)
	for _, view := range []string{ViewScope, ViewMine} {
		v := &listView{Page: web.ExamplePage(b), View: view, Loc: shanghai,
			Overdue: []PlanRow{{Plan: Plan{ID: 4, Kind: "needs", StartsAt: at}, CustomerName: `<script>x</script>`, OwnerName: `A&B "C"`}}}
		got := string(v.OverdueItems())
		want := `<li><a href="/visits/4">2026-11-30 09:30 · &lt;script&gt;x&lt;/script&gt;</a> <span class="muted">` +
			template.HTMLEscapeString(v.L.T("visit_kind.needs"))
		if view == ViewScope {
			want += ` · A&amp;B &#34;C&#34;`
		}
		if want += "</span></li>"; got != want {
			t.Errorf("%s: %s, want %s", view, got, want)
		}
	}
}

// The list's rows escape every text, show the owner only in a scoped
// list, put the "past" divider once, before the first visit before today,
// and mark an overdue visit and an unprepared one.
func TestVisitRowsEscape(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	rows := []PlanRow{
		{Plan: Plan{ID: 5, CustomerID: 6, Kind: "needs", Status: StatusPlanned, StartsAt: now.Add(48 * time.Hour)}, CustomerName: "甲", CustomerGrade: "A"},
		{Plan: Plan{ID: 1, CustomerID: 7, Kind: "needs", Status: StatusPlanned, StartsAt: now.Add(12 * time.Hour), Objective: `<b>扩容</b> & "专线"`},
			CustomerName: `<script>x</script>`, CustomerGrade: `A"`, OwnerName: `A&B`},
		{Plan: Plan{ID: 2, CustomerID: 8, Kind: "needs", Status: StatusPlanned, StartsAt: now.Add(-72 * time.Hour)}, CustomerName: "乙", CustomerGrade: "B"},
		{Plan: Plan{ID: 3, CustomerID: 9, Kind: "needs", Status: StatusDone, StartsAt: now.Add(-96 * time.Hour)}, CustomerName: "丙", CustomerGrade: "C"},
	}
	for _, view := range []string{ViewScope, ViewMine} {
		v := &listView{Page: web.ExamplePage(b), View: view, Loc: shanghai, Rows: rows, Now: now, Today: today}
		got := string(v.RowsHTML())
		for _, want := range []string{
			`<a href="/visits/1">2026-11-30 22:00</a>`,
			"<td>0/6</td>", // two days ahead: not yet a warning
			`<a href="/customers/7">&lt;script&gt;x&lt;/script&gt;</a> <span class="badge grade-A&#34;">A&#34;</span>`,
			`<td class="wrap">&lt;b&gt;扩容&lt;/b&gt; &amp; &#34;专线&#34;</td>`,
			template.HTMLEscapeString(v.L.T("visits.unprepared")),
			`<span class="badge badge-danger">` + template.HTMLEscapeString(v.L.T("visits.overdue_badge")) + `</span>`,
			`<span class="badge vs-done">` + template.HTMLEscapeString(v.L.T("visit_status.done")) + `</span>`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: rows lack %s:\n%s", view, want, got)
			}
		}
		if n := strings.Count(got, "list-divider"); n != 1 {
			t.Errorf("%s: %d dividers, want 1", view, n)
		}
		if i, j := strings.Index(got, "list-divider"), strings.Index(got, `/visits/2"`); i < 0 || j < i {
			t.Errorf("%s: the divider is not before the first past visit", view)
		}
		cols := `colspan="6"`
		if view == ViewScope {
			cols = `colspan="7"`
		}
		if !strings.Contains(got, cols) {
			t.Errorf("%s: divider lacks %s", view, cols)
		}
		if owner := strings.Contains(got, "<td>A&amp;B</td>"); owner != (view == ViewScope) {
			t.Errorf("%s: owner shown = %v", view, owner)
		}
	}
}

// The calendar's grid has a section per day, marks the days out of the
// month and today, names the weekday in the page's language and holds
// each day's Body.
func TestCalendarGrid(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai)
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		v := &calendarView{View: ViewMine, Loc: shanghai, Now: mon, Days: []day{
			{Date: mon, InMonth: true, Today: true, Visits: []PlanRow{{Plan: Plan{ID: 5, Status: StatusDone, Kind: "needs", StartsAt: mon.Add(9 * time.Hour)}, CustomerName: "甲&乙"}}},
			{Date: mon.AddDate(0, 0, 1), InMonth: false},
		}}
		v.L = b.For(lang)
		got := v.Grid().String()
		for _, want := range []string{
			`<section class="cal-day today" aria-label="2026-11-30">`,
			"<h3>" + template.HTMLEscapeString(v.L.T("weekday.1")) + " <span>11-30</span></h3>",
			`href="/visits/5"`, "甲&amp;乙",
			`<section class="cal-day out" aria-label="2026-12-01">`,
			"<h3>" + template.HTMLEscapeString(v.L.T("weekday.2")) + " <span>12-01</span></h3>",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: grid lacks %s:\n%s", lang, want, got)
			}
		}
		if n := strings.Count(got, "<section "); n != 2 {
			t.Errorf("%s: %d sections, want 2", lang, n)
		}
	}
}
