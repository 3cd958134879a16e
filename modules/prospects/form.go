package prospects

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/textnorm"
)

var (
	mobilePattern   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlinePattern = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}(-\d{1,6})?$`)
)

// ValidMobile reports whether s is a mainland mobile number.
func ValidMobile(s string) bool { return mobilePattern.MatchString(s) }

// ValidLandline reports whether s is a mainland landline with area code.
func ValidLandline(s string) bool { return landlinePattern.MatchString(s) }

// MaskPhone shows the first three and last four digits: 138****5678.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// CustomerInput is the customer form (and one imported row). Values are
// the raw text a person typed; Validate normalises them.
type CustomerInput struct {
	Name        string
	CreditCode  string
	Industry    string
	Grade       string
	Headcount   string
	AnnualSpend string // yuan
	Address     string
	Region      string
	Status      string
	Competitors []string
	OwnerID     uint
	ChiefRepID  uint
	// ParentID is the group this customer is a member of: nil leaves it
	// as it is (an update that does not touch the hierarchy), 0 makes the
	// customer top-level.
	ParentID *uint
	Version  int
}

// customerValues are the validated values.
type customerValues struct {
	headcount int
	spend     money.Fen
}

// Validate checks and normalises the input, returning field errors (i18n
// ids) and the parsed values.
func (in *CustomerInput) Validate() (customerValues, apperr.Fields) {
	f := apperr.Fields{}
	var v customerValues
	in.Name = textnorm.Name(in.Name)
	in.CreditCode = NormalizeCreditCode(in.CreditCode)
	in.Industry, in.Grade, in.Status = textnorm.Fold(in.Industry), strings.ToUpper(textnorm.Fold(in.Grade)), textnorm.Fold(in.Status)
	in.Headcount, in.AnnualSpend = textnorm.Fold(in.Headcount), textnorm.Fold(in.AnnualSpend)
	in.Address = textnorm.Line(in.Address)
	in.Region = textnorm.Line(in.Region)
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "v.required")
	} else if n < 2 || n > 100 {
		f.Add("name", "v.customer_name")
	}
	if in.CreditCode == "" {
		f.Add("credit_code", "v.required")
	} else if err := ValidateCreditCode(in.CreditCode); err != nil {
		f.Add("credit_code", creditCodeMessage(err))
	}
	if code, ok := LabelToCode("industry", in.Industry); ok {
		in.Industry = code
	} else {
		f.Add("industry", "v.choose")
	}
	if code, ok := LabelToCode("grade", in.Grade); ok {
		in.Grade = code
	} else {
		f.Add("grade", "v.choose")
	}
	if in.Status == "" {
		in.Status = "prospect"
	}
	if code, ok := LabelToCode("status", in.Status); ok {
		in.Status = code
	} else {
		f.Add("status", "v.choose")
	}
	if h := in.Headcount; h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > 10_000_000 {
			f.Add("headcount", "v.whole_number")
		}
		v.headcount = n
	}
	if s := in.AnnualSpend; s != "" {
		amt, err := money.Parse(s)
		if err != nil || amt < 0 {
			f.Add("annual_spend", "v.money")
		}
		v.spend = amt
	}
	if utf8.RuneCountInString(in.Address) > 300 {
		f.Add("address", "v.too_long")
	}
	if utf8.RuneCountInString(in.Region) > 100 {
		f.Add("region", "v.too_long")
	}
	var comps []string
	for _, c := range in.Competitors {
		for _, part := range strings.FieldsFunc(textnorm.Fold(c), func(r rune) bool { return r == ',' || r == '、' || r == '/' || r == ' ' }) {
			code, ok := LabelToCode("competitor", part)
			if !ok {
				f.Add("competitors", "v.choose")
				continue
			}
			if !slices.Contains(comps, code) {
				comps = append(comps, code)
			}
		}
	}
	in.Competitors = comps
	return v, f
}

// ContactInput is the key person form.
type ContactInput struct {
	Name        string
	Title       string
	Mobile      string
	Phone       string
	Email       string
	Role        string
	Attitude    string
	Birthday    string // YYYY-MM-DD
	Preferences string
	Notes       string
	Version     int
	// Confirm saves the key person although another of the customer's
	// has the same name.
	Confirm bool
}

// Validate checks and normalises a key person. Names keep their Chinese
// punctuation; phones, e-mail and dates are read full-width or not.
// Validate checks and normalises a key person; now is the service's clock
// (a birthday may not be after it).
func (in *ContactInput) Validate(now time.Time) (*time.Time, apperr.Fields) {
	f := apperr.Fields{}
	in.Name = textnorm.Name(in.Name)
	in.Title = textnorm.Line(in.Title)
	in.Mobile = textnorm.Compact(in.Mobile, " -")
	in.Phone = textnorm.Compact(in.Phone, " ")
	in.Email = textnorm.Fold(in.Email)
	in.Role, in.Attitude = textnorm.Fold(in.Role), textnorm.Fold(in.Attitude)
	in.Preferences = textnorm.Line(in.Preferences)
	in.Notes = textnorm.Clean(in.Notes)
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("contact_name", "v.required")
	} else if n > 50 {
		f.Add("contact_name", "v.too_long")
	}
	if utf8.RuneCountInString(in.Title) > 50 {
		f.Add("title", "v.too_long")
	}
	if in.Mobile != "" && !ValidMobile(in.Mobile) {
		f.Add("mobile", "v.mobile")
	}
	if in.Phone != "" && !ValidLandline(in.Phone) {
		f.Add("phone", "v.landline")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			f.Add("email", "v.email")
		}
	}
	if code, ok := LabelToCode("contact_role", in.Role); ok {
		in.Role = code
	} else {
		f.Add("role", "v.choose")
	}
	if in.Attitude == "" {
		in.Attitude = "neutral"
	}
	if code, ok := LabelToCode("attitude", in.Attitude); ok {
		in.Attitude = code
	} else {
		f.Add("attitude", "v.choose")
	}
	var bday *time.Time
	if b := textnorm.Fold(in.Birthday); b != "" {
		t, err := parseDate(b)
		switch {
		case err != nil:
			f.Add("birthday", textnorm.DateMessage(err))
		case t.After(now):
			f.Add("birthday", "v.date")
		default:
			bday = &t
		}
	}
	if utf8.RuneCountInString(in.Preferences) > 500 {
		f.Add("preferences", "v.too_long")
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		f.Add("notes", "v.too_long")
	}
	return bday, f
}

// parseDate reads 2026-11-25, 2026/11/25 or 2026年11月25日 within the
// range every date must lie in (textnorm.ParseDate).
func parseDate(s string) (time.Time, error) { return textnorm.ParseDate(s) }

// OpportunityInput is the opportunity form.
type OpportunityInput struct {
	CustomerID    uint
	Title         string
	Products      string
	Monthly       string // yuan per month
	OneTime       string // yuan
	ExpectedClose string // YYYY-MM-DD
	Stage         string
	Probability   string // percent; empty = the stage's default
	Version       int
}

type opportunityValues struct {
	monthly, oneTime money.Fen
	close            *time.Time
	probability      int
}

// Validate checks the opportunity form.
func (in *OpportunityInput) Validate() (opportunityValues, apperr.Fields) {
	f := apperr.Fields{}
	var v opportunityValues
	in.Title = textnorm.Line(in.Title)
	in.Products = textnorm.Line(in.Products)
	in.Monthly, in.OneTime = textnorm.Fold(in.Monthly), textnorm.Fold(in.OneTime)
	in.Probability = textnorm.Fold(in.Probability)
	if in.CustomerID == 0 {
		f.Add("customer_id", "v.required")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 {
		f.Add("title", "v.required")
	} else if n > 100 {
		f.Add("title", "v.too_long")
	}
	if utf8.RuneCountInString(in.Products) > 200 {
		f.Add("products", "v.too_long")
	}
	parseAmt := func(field, s string) money.Fen {
		if strings.TrimSpace(s) == "" {
			return 0
		}
		a, err := money.Parse(s)
		if err != nil || a < 0 {
			f.Add(field, "v.money")
		}
		return a
	}
	v.monthly = parseAmt("monthly", in.Monthly)
	v.oneTime = parseAmt("one_time", in.OneTime)
	if s := textnorm.Fold(in.ExpectedClose); s != "" {
		t, err := parseDate(s)
		if err != nil {
			f.Add("expected_close", textnorm.DateMessage(err))
		} else {
			v.close = &t
		}
	}
	if in.Stage == "" {
		in.Stage = StageIdentified
	}
	if !slices.Contains(OpenStages, in.Stage) {
		f.Add("stage", "v.choose")
	}
	v.probability = DefaultProbability[in.Stage]
	if p := strings.TrimSpace(strings.TrimSuffix(in.Probability, "%")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 100 {
			f.Add("probability", "v.percent")
		} else {
			v.probability = n
		}
	}
	return v, f
}
