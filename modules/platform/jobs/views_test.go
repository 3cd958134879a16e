package jobs

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// TestEveryJobsTemplateRendersWithItsView renders templates/jobs with its
// example views, strictly (see web.CheckViews).
func TestEveryJobsTemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	list := func(states ...State) web.Example {
		return func() any {
			v := &listView{Page: web.ExamplePage(b)}
			for _, s := range states {
				v.Jobs = append(v.Jobs, jobRow{State: s, Recent: []Run{{ID: 1, Job: s.Name, Instance: "host-1", StartedAt: at, DurationMs: 12, Error: "boom"}}})
			}
			return v
		}
	}
	running := State{Name: "contracts.renewals", Schedule: "0 8 * * *", NextRunAt: at, LockedBy: "host-1", LastFinishedAt: &at, LastDurationMs: 12, Runs: 3, Failures: 1}
	failed := running
	failed.LockedBy, failed.LastError = "", "boom"
	done := failed
	done.LastError = ""
	never := State{Name: "visits.overdue", Schedule: "*/5 * * * *", NextRunAt: at}
	reg := map[string][]web.Example{
		"jobs/list": {list(running, failed, done, never), list()},
	}
	for _, err := range web.CheckViews(templates.FS, "jobs", reg) {
		t.Error(err)
	}
}
