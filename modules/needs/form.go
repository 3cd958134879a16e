package needs

import (
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// Length limits, in characters.
const (
	maxLongText    = 2000
	maxServiceDesc = 200
)

// AnalysisInput is the analysis form. Amounts are the yuan a person typed.
type AnalysisInput struct {
	PainPoints       string
	ITBudget         string // yuan per year
	DecisionCalendar string
	Notes            string
	Version          int
}

// Validate checks and trims the analysis form and parses the budget.
func (in *AnalysisInput) Validate() (money.Fen, apperr.Fields) {
	f := apperr.Fields{}
	in.PainPoints = textnorm.Clean(in.PainPoints)
	in.DecisionCalendar = textnorm.Clean(in.DecisionCalendar)
	in.Notes = textnorm.Clean(in.Notes)
	for field, v := range map[string]string{"pain_points": in.PainPoints, "decision_calendar": in.DecisionCalendar, "notes": in.Notes} {
		if utf8.RuneCountInString(v) > maxLongText {
			f.Add(field, "v.too_long")
		}
	}
	budget := parseAmount(in.ITBudget, "it_budget", f)
	return budget, f
}

// ServiceInput is one row of the current services table.
type ServiceInput struct {
	Service      string
	Supplier     string
	Description  string // quantity and description, e.g. "300 部手机，集团V网"
	MonthlySpend string // yuan
	ContractEnd  string // YYYY-MM-DD, may be empty
	Version      int
}

type serviceValues struct {
	spend money.Fen
	end   *time.Time
}

// Validate checks a service row.
func (in *ServiceInput) Validate() (serviceValues, apperr.Fields) {
	f := apperr.Fields{}
	var v serviceValues
	in.Service = textnorm.Fold(in.Service)
	in.Supplier = textnorm.Fold(in.Supplier)
	in.Description = textnorm.Line(in.Description)
	if in.Service == "" {
		f.Add("service", "v.required")
	} else if !servicecat.Valid(in.Service) {
		f.Add("service", "v.choose")
	}
	if in.Supplier == "" {
		f.Add("supplier", "v.required")
	} else if !slices.Contains(Suppliers, in.Supplier) {
		f.Add("supplier", "v.choose")
	}
	if utf8.RuneCountInString(in.Description) > maxServiceDesc {
		f.Add("description", "v.too_long")
	}
	v.spend = parseAmount(in.MonthlySpend, "monthly_spend", f)
	if s := textnorm.Fold(in.ContractEnd); s != "" {
		t, err := ParseDate(s)
		switch {
		case err != nil:
			f.Add("contract_end", textnorm.DateMessage(err))
		case t.Year() < 2000:
			f.Add("contract_end", "v.date")
		default:
			v.end = &t
		}
	}
	return v, f
}

// NeedInput is the need form.
type NeedInput struct {
	Category      string
	Description   string
	Priority      string
	ContactID     uint
	OpportunityID uint
	Version       int
}

// Validate checks the need's own fields; the service checks that the key
// person and the opportunity belong to the customer.
func (in *NeedInput) Validate() apperr.Fields {
	f := apperr.Fields{}
	in.Description = textnorm.Clean(in.Description)
	in.Category = textnorm.Fold(in.Category)
	if in.Priority = textnorm.Fold(in.Priority); in.Priority == "" {
		in.Priority = "medium"
	}
	if in.Category == "" {
		f.Add("category", "v.required")
	} else if !servicecat.Valid(in.Category) {
		f.Add("category", "v.choose")
	}
	if n := utf8.RuneCountInString(in.Description); n == 0 {
		f.Add("description", "v.required")
	} else if n > maxLongText {
		f.Add("description", "v.too_long")
	}
	if !slices.Contains(Priorities, in.Priority) {
		f.Add("priority", "v.choose")
	}
	return f
}

// parseAmount reads an optional non-negative yuan amount into fen, adding
// a field error for anything else.
func parseAmount(s, field string, f apperr.Fields) money.Fen {
	if s = textnorm.Fold(s); s == "" {
		return 0
	}
	a, err := money.Parse(s)
	if err != nil || a < 0 {
		f.Add(field, "v.money")
		return 0
	}
	return a
}

// ParseDate reads 2026-11-25, 2026/11/25 or 2026年11月25日 as a calendar
// date (midnight UTC), within the range every date must lie in
// (textnorm.ParseDate).
func ParseDate(s string) (time.Time, error) { return textnorm.ParseDate(s) }
