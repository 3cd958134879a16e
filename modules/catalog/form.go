package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/servicecat"
)

// codePattern: upper-case letters and digits in groups joined by single
// hyphens (VPMN-001, DIA-1000, 400-STD), 2–32 characters in all.
var codePattern = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)

// Field limits, in characters.
const (
	maxNameZh      = 100
	maxNameEn      = 200
	maxUnit        = 10
	maxDescription = 2000
	maxSortOrder   = 99999
	minCodeLen     = 2
	maxCodeLen     = 32
)

// ValidCode reports whether s is a well-formed product code.
func ValidCode(s string) bool {
	return len(s) >= minCodeLen && len(s) <= maxCodeLen && codePattern.MatchString(s)
}

// ProductInput is the admin's product form, as typed: prices in yuan
// ("3000", "12.50"), the floor rate as a percentage ("85").
type ProductInput struct {
	Code         string
	NameZh       string
	NameEn       string
	Category     string
	Unit         string
	Monthly      string
	OneTime      string
	FloorPercent string
	SortOrder    string
	Description  string
	Version      int
}

// productValues are the parsed numbers of a valid ProductInput.
type productValues struct {
	monthly, oneTime money.Fen
	floor            money.Rate
	sort             int
}

// Normalize trims the text fields and upper-cases the code.
func (in *ProductInput) Normalize() {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.NameZh = strings.TrimSpace(in.NameZh)
	in.NameEn = strings.TrimSpace(in.NameEn)
	in.Category = strings.TrimSpace(in.Category)
	in.Unit = strings.TrimSpace(in.Unit)
	in.Monthly = strings.TrimSpace(in.Monthly)
	in.OneTime = strings.TrimSpace(in.OneTime)
	in.FloorPercent = strings.TrimSpace(in.FloorPercent)
	in.SortOrder = strings.TrimSpace(in.SortOrder)
	in.Description = strings.TrimSpace(in.Description)
}

// Validate normalizes the input and checks everything that needs no
// database (the code's uniqueness is the service's).
func (in *ProductInput) Validate() (productValues, apperr.Fields) {
	in.Normalize()
	f := apperr.Fields{}
	var v productValues
	if in.Code == "" {
		f.Add("code", "v.required")
	} else if !ValidCode(in.Code) {
		f.Add("code", "v.product_code")
	}
	text := func(field, s string, max int) {
		if n := utf8.RuneCountInString(s); n == 0 {
			f.Add(field, "v.required")
		} else if n > max {
			f.Add(field, "v.too_long")
		}
	}
	text("name_zh", in.NameZh, maxNameZh)
	text("name_en", in.NameEn, maxNameEn)
	text("unit", in.Unit, maxUnit)
	if !servicecat.Valid(in.Category) {
		f.Add("category", "v.choose")
	}
	price := func(field, s string) money.Fen {
		if s == "" {
			return 0
		}
		a, err := money.Parse(s)
		if err != nil || a < 0 {
			f.Add(field, "v.money")
			return 0
		}
		return a
	}
	v.monthly = price("monthly", in.Monthly)
	v.oneTime = price("one_time", in.OneTime)
	_, badMonthly := f["monthly"]
	_, badOneTime := f["one_time"]
	if !badMonthly && !badOneTime && v.monthly == 0 && v.oneTime == 0 {
		f.Add("monthly", "v.price_required")
	}
	if in.FloorPercent == "" {
		f.Add("floor_rate", "v.required")
	} else if r, err := money.ParseRate(in.FloorPercent); err != nil {
		f.Add("floor_rate", "v.rate")
	} else {
		v.floor = r
	}
	if in.SortOrder != "" {
		n, err := strconv.Atoi(in.SortOrder)
		if err != nil || n < 0 || n > maxSortOrder {
			f.Add("sort_order", "v.whole_number")
		} else {
			v.sort = n
		}
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		f.Add("description", "v.too_long")
	}
	return v, f
}

// inputOf fills a form from a stored product, for the edit page.
func inputOf(p *Product) ProductInput {
	in := ProductInput{
		Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn, Category: p.Category, Unit: p.Unit,
		FloorPercent: p.FloorRate.Percent(), SortOrder: strconv.Itoa(p.SortOrder),
		Description: p.Description, Version: p.Version,
	}
	if p.MonthlyFen != 0 {
		in.Monthly = p.MonthlyFen.Plain()
	}
	if p.OneTimeFen != 0 {
		in.OneTime = p.OneTimeFen.Plain()
	}
	return in
}
