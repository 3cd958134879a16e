package main

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/jobs"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/todos"
	"github.com/jike-crm/jike/modules/visits"
	"gorm.io/gorm"
)

// wireTodos builds the to-dos: their links resolve through the modules
// that own the records (so a link follows the record's scope exactly),
// the overdue job runs every 15 minutes on the runner's clock, and the
// visits agenda and calendar feed show them.
func wireTodos(srv *web.Server, g *gorm.DB, o appOptions, runner *jobs.Runner, timeline *prospects.Timeline, visitSvc *visits.Service,
	ps *prospects.Service, orgSvc *org.Service, cs *contracts.Service, as *aftersale.Service, inbox *notify.Service, enf *authz.Enforcer,
) (*todos.Service, error) {
	links := map[string]todos.Resolver{
		todos.LinkCustomer: func(ctx context.Context, actor authz.Subject, id uint) (uint, string, error) {
			c, err := ps.Customer(ctx, actor, id)
			if err != nil {
				return 0, "", err
			}
			return c.ID, c.Name, nil
		},
		todos.LinkOpportunity: func(ctx context.Context, actor authz.Subject, id uint) (uint, string, error) {
			op, c, err := ps.Opportunity(ctx, actor, id)
			if err != nil {
				return 0, "", err
			}
			return c.ID, op.Title + " · " + c.Name, nil
		},
		todos.LinkContract: func(ctx context.Context, actor authz.Subject, id uint) (uint, string, error) {
			d, err := cs.Get(ctx, actor, id)
			if err != nil {
				return 0, "", err
			}
			return d.C.CustomerID, d.C.Number + " " + d.C.Title, nil
		},
		todos.LinkRequest: func(ctx context.Context, actor authz.Subject, id uint) (uint, string, error) {
			d, err := as.Get(ctx, actor, id)
			if err != nil {
				return 0, "", err
			}
			return d.R.CustomerID, fmt.Sprintf("#%d · %s", d.R.ID, d.Customer.Name), nil
		},
	}
	svc := todos.NewService(g, todos.Deps{Enforcer: enf, Customers: ps, Users: orgSvc, Notify: inbox, Links: links},
		todos.Options{Now: o.Now, Location: o.Location})
	todos.Register(srv, svc, timeline)
	if err := todos.DescribeHistory(srv.History, svc); err != nil {
		return nil, err
	}
	runner.MustRegister(jobs.Job{Name: todos.JobOverdue, Schedule: "@every 15m", Run: svc.NotifyOverdue})
	visitSvc.AgendaTodos = func(ctx context.Context, actor authz.Subject) ([]visits.AgendaTodo, error) {
		rows, err := svc.Agenda(ctx, actor)
		if err != nil {
			return nil, err
		}
		now := svc.Now()
		out := make([]visits.AgendaTodo, 0, len(rows))
		for _, r := range rows {
			out = append(out, visits.AgendaTodo{ID: r.ID, Title: r.Title, Due: svc.DueText(&r.Todo), Overdue: r.Overdue(now),
				Link: r.LinkURL(), LinkLabel: r.LinkLabel, Version: r.Version})
		}
		return out, nil
	}
	visitSvc.FeedTodos = func(ctx context.Context, actor authz.Subject) ([]visits.FeedTodo, error) {
		rows, err := svc.Feed(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := make([]visits.FeedTodo, 0, len(rows))
		for _, t := range rows {
			out = append(out, visits.FeedTodo{ID: t.ID, Title: t.Title, Due: t.DueAt, AllDay: t.AllDay,
				Day: t.DueAt.In(svc.Location()).Format("20060102"), DoneAt: t.DoneAt, Version: t.Version, Updated: t.UpdatedAt})
		}
		return out, nil
	}
	return svc, nil
}
