package pool

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// poolViews maps every template under templates/pool to example views.
func poolViews(b *i18n.Bundle) map[string][]web.Example {
	at := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	rule := Rule{ID: 1, BranchID: 1, Enabled: true, IdleDays: 90, WarnDays: 7, ClaimLimit: 10, Version: 2}
	rows := []Row{{CustomerID: 7, Name: "哈尔滨示例机械厂", Industry: "manufacturing", Grade: "C", Version: 3, LastContact: &at, PooledAt: at},
		{CustomerID: 8, Name: "松北示例学校", Industry: "education", Grade: "D", Version: 1, PooledAt: at}}
	list := func(claims int64, assignees []org.User, errMsg string, empty bool) web.Example {
		return func() any {
			v := &listView{Page: web.ExamplePage(b), Rule: rule, Rows: rows, Pager: &web.Pager{Page: 1, Size: 25, Total: 2},
				Claims: claims, Industries: []string{"gov", "manufacturing"}, Grades: []string{"A", "B"}, Assignees: assignees,
				CanClaim: true, Error: errMsg, Filter: Filter{Q: "机械", Grade: "C", Industry: "manufacturing"}}
			if empty {
				v.Rows, v.Rule.Enabled = nil, false
			}
			return v
		}
	}
	settings := func(errs map[string]string) web.Example {
		return func() any {
			return &settingsView{Page: web.ExamplePage(b), Rule: rule, BranchID: 1, Errors: errs,
				Form: RuleInput{Enabled: true, IdleDays: "90", WarnDays: "7", ClaimLimit: "10", Version: 2}}
		}
	}
	return map[string][]web.Example{
		"pool/list": {list(2, nil, "", false), list(10, []org.User{{ID: 1, Name: "李伟"}}, "已被认领", false), list(0, nil, "", true)},
		"pool/settings": {settings(nil), settings(map[string]string{"_form": "过期", "idle_days": "范围"}), func() any {
			return &settingsView{Page: web.ExamplePage(b), Branches: []org.Branch{{ID: 1, Name: "哈尔滨分公司"}}}
		}},
	}
}

func TestEveryPoolTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range web.CheckViews(templates.FS, "pool", poolViews(b)) {
		t.Error(err)
	}
}
