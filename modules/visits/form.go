package visits

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// PlanInput is the visit plan form.
type PlanInput struct {
	CustomerID   uint
	Date         string // 2006-01-02, in the display zone
	Time         string // 15:04
	Duration     string // minutes
	Kind         string
	Objective    string
	Location     string
	Contacts     []uint
	Participants []uint
	Checklist    map[string]bool
	Version      int
}

type planValues struct {
	starts   time.Time
	duration int
}

// Validate checks the form; loc is the zone the date and time are in.
func (in *PlanInput) Validate(loc *time.Location) (planValues, apperr.Fields) {
	f := apperr.Fields{}
	var v planValues
	in.Objective = strings.TrimSpace(in.Objective)
	in.Location = strings.TrimSpace(in.Location)
	if in.CustomerID == 0 {
		f.Add("customer_id", "v.required")
	}
	if in.Time == "" {
		in.Time = "09:30"
	}
	if t, msg := parseDateTime(in.Date, in.Time, loc); msg != "" {
		f.Add("date", msg)
	} else {
		v.starts = t.UTC()
	}
	v.duration = 60
	if d := strings.TrimSpace(in.Duration); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 5 || n > 720 {
			f.Add("duration", "visits.v.duration")
		} else {
			v.duration = n
		}
	}
	if !slices.Contains(Kinds, in.Kind) {
		f.Add("kind", "v.choose")
	}
	if n := utf8.RuneCountInString(in.Objective); n == 0 {
		f.Add("objective", "visits.v.objective")
	} else if n > 500 {
		f.Add("objective", "v.too_long")
	}
	if utf8.RuneCountInString(in.Location) > maxLocation {
		f.Add("location", "v.too_long")
	}
	return v, f
}

// NeedLine is a need discovered at a visit, to become a need record.
type NeedLine struct {
	// Line is the row of the form (0–2), so errors show next to it.
	Line        int
	Category    string
	Description string
	ContactID   uint
}

// NeedLines is how many need rows the record form offers.
const NeedLines = 3

// needKey is the form field of a need row's part ("category",
// "description", "contact"): need_category_0 and so on.
func needKey(part string, line int) string { return "need_" + part + "_" + strconv.Itoa(line) }

// RecordInput is the visit record form.
type RecordInput struct {
	Discussed string
	Attitude  string
	NeedsText string
	Needs     []NeedLine
	NextStep  string
	NextDate  string // 2006-01-02; creates the next visit plan (or to-do)
	NextTime  string // 15:04, default 09:30
	NextKind  string // a visit kind, or NextTodo for a to-do on that day
	Version   int
}

type recordValues struct {
	next *time.Time // start of the next visit, UTC
	date *time.Time // the agreed date, as a date
	todo bool       // the next step is a to-do, not a visit
}

// Validate checks the record form.
func (in *RecordInput) Validate(loc *time.Location, now time.Time) (recordValues, apperr.Fields) {
	f := apperr.Fields{}
	var v recordValues
	in.Discussed, in.NextStep = strings.TrimSpace(in.Discussed), strings.TrimSpace(in.NextStep)
	if n := utf8.RuneCountInString(in.Discussed); n == 0 {
		f.Add("discussed", "visits.v.discussed")
	} else if n > 5000 {
		f.Add("discussed", "v.too_long")
	}
	if !slices.Contains(Attitudes, in.Attitude) {
		f.Add("attitude", "v.choose")
	}
	if utf8.RuneCountInString(in.NeedsText) > 2000 {
		f.Add("needs_text", "v.too_long")
	}
	if utf8.RuneCountInString(in.NextStep) > 500 {
		f.Add("next_step", "v.too_long")
	}
	var needs []NeedLine
	for _, n := range in.Needs {
		n.Description = strings.TrimSpace(n.Description)
		if n.Description == "" {
			continue
		}
		if n.Line < 0 || n.Line >= NeedLines {
			f.Add("needs", "v.choose")
			continue
		}
		if !servicecat.Valid(n.Category) {
			f.Add(needKey("category", n.Line), "v.choose")
		}
		if utf8.RuneCountInString(n.Description) > 1000 {
			f.Add(needKey("description", n.Line), "v.too_long")
		}
		needs = append(needs, n)
	}
	in.Needs = needs
	if d := strings.TrimSpace(in.NextDate); d != "" {
		if in.NextStep == "" {
			f.Add("next_step", "visits.v.next_step")
		}
		if in.NextKind == "" {
			in.NextKind = "needs"
		}
		v.todo = in.NextKind == NextTodo
		if !v.todo && !slices.Contains(Kinds, in.NextKind) {
			f.Add("next_kind", "v.choose")
		}
		tm := strings.TrimSpace(in.NextTime)
		if tm == "" || v.todo {
			tm = "09:30" // a to-do has a day, not a time
		}
		t, msg := parseDateTime(d, tm, loc)
		local := now.In(loc)
		today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		switch {
		case msg != "":
			f.Add("next_date", msg)
		case v.todo && t.Before(today), !v.todo && t.Before(now):
			f.Add("next_date", "visits.v.next_past")
		default:
			u := t.UTC()
			day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			v.next, v.date = &u, &day
		}
	}
	return v, f
}

// parseDateTime reads a date typed into a form (through
// textnorm.ParseDate, the one date parser, which bounds it to 1900–2100)
// and a time of day (15:04) as that moment in loc. On failure it returns
// the message id for the field: "v.date_range" for a date out of range,
// else "v.datetime".
func parseDateTime(date, clock string, loc *time.Location) (time.Time, string) {
	d, err := textnorm.ParseDate(date)
	if err != nil {
		if msg := textnorm.DateMessage(err); msg != "v.date" {
			return time.Time{}, msg
		}
		return time.Time{}, "v.datetime"
	}
	c, err := time.Parse("15:04", textnorm.Fold(clock))
	if err != nil {
		return time.Time{}, "v.datetime"
	}
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), 0, 0, loc), ""
}

// maxLocation is the longest place a plan takes, in characters.
const maxLocation = 200

// DefaultLocation is where a new visit to c takes place unless changed:
// the customer's address (its district when the address is empty), cut to
// the length the plan takes.
func DefaultLocation(c *prospects.Customer) string {
	loc := strings.TrimSpace(c.Address)
	if loc == "" {
		loc = strings.TrimSpace(c.Region)
	}
	if r := []rune(loc); len(r) > maxLocation {
		loc = string(r[:maxLocation])
	}
	return loc
}
