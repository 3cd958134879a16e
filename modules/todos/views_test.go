package todos

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// todoViews maps every template under templates/todos to example views.
func todoViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 6, 15, 7, 0, 0, 0, time.UTC)
	link := uint(7)
	row := func(done, allDay bool, label string) Row {
		t := Todo{ID: 3, Title: "发送报价", DueAt: at, AllDay: allDay, LinkType: LinkCustomer, LinkID: &link, CustomerID: &link,
			OwnerID: 2, CreatedBy: 1, Version: 2}
		if done {
			t.DoneAt = &at
		}
		return Row{Todo: t, OwnerName: "陈浩", CreatorName: "赵敏", LinkLabel: label}
	}
	list := func(rows ...Row) web.Example {
		return func() any {
			return &listView{Page: web.ExamplePage(b), Rows: rows, Pager: &web.Pager{Page: 1, Size: 25, Total: int64(len(rows))},
				View: ViewTeam, Status: "open", Q: "报价", Views: []string{ViewMine, ViewByMe, ViewTeam}, Statuses: Statuses,
				Now: at.Add(time.Hour), Loc: time.UTC}
		}
	}
	form := func(t *Todo, in Input) web.Example {
		return func() any {
			return &formView{Page: web.ExamplePage(b), T: t, In: in, LinkLabel: "客户: 哈尔滨示例集团",
				Assignees: []org.User{{ID: 1, Name: "赵敏"}, {ID: 2, Name: "陈浩"}}, Next: "/customers/7",
				Errors: map[string]string{"_form": "错误", "title": "必填", "link": "无权", "confirm": "请确认"}}
		}
	}
	t := row(false, false, "").Todo
	return map[string][]web.Example{
		"todos/list": {list(row(false, false, "哈尔滨示例集团"), row(true, true, ""), row(false, true, "x")), list()},
		"todos/form": {form(nil, Input{Title: "发送报价", Date: "2026-06-15"}), form(&t, Input{Title: "发送报价", Date: "2026-06-15", Time: "15:00",
			Link: "customer:7", AssigneeID: 2, Version: 2})},
	}
}

// TestEveryTodoTemplateRendersWithItsView renders every template under
// templates/todos with its example views, strictly (see web.CheckViews).
func TestEveryTodoTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "todos", todoViews(b)) {
		t.Error(err)
	}
}

// TestParseLink accepts "type:id" of the four link types only.
func TestParseLink(t *testing.T) {
	for in, ok := range map[string]bool{
		"": true, "customer:7": true, "opportunity:1": true, "contract:2": true, "request:3": true,
		"visit:1": false, "customer:0": false, "customer:": false, "customer:-1": false, "customer": false, "customer:1x": false,
	} {
		if _, _, got := ParseLink(in); got != ok {
			t.Errorf("ParseLink(%q) = %v, want %v", in, got, ok)
		}
	}
}
