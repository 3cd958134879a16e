package retention

import (
	"html/template"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// explainer translates factors; every view embedding web.Page gets it.
func explain(p *web.Page, f Factor) string {
	args := f.ArgList()
	for i := 0; i+1 < len(args); i += 2 {
		if args[i] == "Supplier" {
			args[i+1] = p.L.T("competitor." + args[i+1].(string))
		}
	}
	return p.L.T(f.MsgID, args...)
}

// AwaitsAction reports whether the alert is open with no action recorded
// yet (the page then asks for the action, else for the outcome).
func (a Alert) AwaitsAction() bool { return a.Status == StatusOpen }

// riskView is the customer's risk page.
type riskView struct {
	web.Page
	Risk      *Risk
	Open      *Alert
	Weights   Weights
	Now       time.Time
	Errors    map[string]string
	Customer  *prospects.Customer
	ActionOpt []string
	Outcomes  []string
}

// Explain is a factor's explanation in the reader's language.
func (v *riskView) Explain(f Factor) string { return explain(&v.Page, f) }

// alertView is one alert with its forms.
type alertView struct {
	web.Page
	Alert    *Alert
	Customer *prospects.Customer
	CanAct   bool
	Now      time.Time
	Errors   map[string]string
	Actions  []string
	Outcomes []string
	// Form values typed before an error.
	Action, Note, Outcome, Reason string
}

// Explain is a factor's explanation in the reader's language.
func (v *alertView) Explain(f Factor) string { return explain(&v.Page, f) }

// queueView is the retention queue.
type queueView struct {
	web.Page
	Rows     []AlertRow
	Pager    *web.Pager
	F        Filter
	Query    template.URL
	Teams    []org.Team
	Counts   []TeamCount
	Statuses []string
	Now      time.Time
}

// riskListView is the at-risk customers by team.
type riskListView struct {
	web.Page
	Rows      []RiskRow
	Pager     *web.Pager
	Team      uint
	Teams     []org.Team
	Threshold int
	Query     template.URL
}
