package notify

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// TestEveryNotifyTemplateRendersWithItsView renders templates/notify with
// its example views, strictly (see web.CheckViews).
func TestEveryNotifyTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	list := func(unreadOnly bool) web.Example {
		return func() any {
			v := &listView{Page: web.ExamplePage(b), Pager: &web.Pager{Page: 1, Size: 20, Total: 30}, UnreadOnly: unreadOnly, UnreadTotal: 2}
			if !unreadOnly {
				v.Items = []row{{Notification: Notification{ID: 1, UserID: 1, Kind: "visit", MsgID: "x", Link: "/visits/1", CreatedAt: at}, Text: "走访逾期"},
					{Notification: Notification{ID: 2, UserID: 1, CreatedAt: at, ReadAt: &at}, Text: "已读"}}
			}
			return v
		}
	}
	reg := map[string][]web.Example{
		"notify/list": {list(false), list(true)},
	}
	for _, err := range web.CheckViews(templates.FS, "notify", reg) {
		t.Error(err)
	}
}
