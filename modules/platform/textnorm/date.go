package textnorm

import (
	"errors"
	"strings"
	"time"
)

// The range every date typed into Jike must fall in. Year 1 and year 9999
// are what a slipped finger or a spreadsheet default produces, and the
// databases and the calendar feed handle them badly; no birthday, contract
// or deadline lies outside these.
var (
	MinDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Date errors; DateMessage maps them to message ids.
var (
	// ErrDate: the text is not a date Jike reads.
	ErrDate = errors.New("not a date")
	// ErrDateRange: a date before MinDate or after MaxDate.
	ErrDateRange = errors.New("date out of range")
)

// dateSeparators turns the ways people write dates into 2006-1-2.
var dateSeparators = strings.NewReplacer("/", "-", "年", "-", "月", "-", "日", "", ".", "-", "－", "-")

// ParseDate reads a calendar date as midnight UTC: 2026-11-25,
// 2026/11/25, 2026.11.25 or 2026年11月25日, full-width digits included.
// A date outside MinDate…MaxDate is ErrDateRange. It is the one date
// parser of every form and import.
func ParseDate(s string) (time.Time, error) {
	s = dateSeparators.Replace(Fold(s))
	s = strings.ReplaceAll(s, " ", "")
	t, err := time.Parse("2006-1-2", s)
	if err != nil {
		return time.Time{}, ErrDate
	}
	if t.Before(MinDate) || t.After(MaxDate) {
		return time.Time{}, ErrDateRange
	}
	return t, nil
}

// DateMessage is the validation message id for a ParseDate error:
// "v.date_range" for a date out of range, else "v.date".
func DateMessage(err error) string {
	if errors.Is(err, ErrDateRange) {
		return "v.date_range"
	}
	return "v.date"
}
