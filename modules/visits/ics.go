package visits

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// RevokeUserFeeds deletes every calendar feed token of userID, so old
// feed URLs answer 404. The organisation calls it (wired in cmd/jike)
// when an admin resets the user's password, the user changes it, or the
// account is disabled or re-enabled: a feed URL is a credential and must
// not outlive the others.
func (s *Service) RevokeUserFeeds(ctx context.Context, userID uint) error {
	if err := s.store.DeleteToken(ctx, userID); err != nil {
		return fmt.Errorf("revoke calendar feeds of user %d: %w", userID, err)
	}
	return nil
}

// WriteICS writes visits as an iCalendar (RFC 5545) feed. Times are UTC
// ("Z"), text is escaped, and lines are folded at 75 octets without
// splitting a UTF-8 character, so phone calendars accept Chinese text.
//
// Free-standing to-dos are written as VTODO components: DUE is a date for
// an all-day to-do and a UTC time otherwise; a done one is COMPLETED.
func WriteICS(w io.Writer, calName, host string, rows []PlanRow, kindLabel func(string) string, now time.Time, todos ...FeedTodo) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)); b.WriteString("\r\n") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Jike CRM//Visits//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(calName))
	line("X-WR-TIMEZONE:Asia/Shanghai")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, r := range rows {
		line("BEGIN:VEVENT")
		line(fmt.Sprintf("UID:visit-%d@%s", r.ID, host))
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + r.StartsAt.UTC().Format("20060102T150405Z"))
		line("DTEND:" + r.EndsAt().UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + escapeText(kindLabel(r.Kind)+" · "+r.CustomerName))
		desc := r.Objective
		line("DESCRIPTION:" + escapeText(desc))
		if r.Location != "" {
			line("LOCATION:" + escapeText(r.Location))
		}
		switch r.Status {
		case StatusCancelled, StatusMissed:
			line("STATUS:CANCELLED")
		default:
			line("STATUS:CONFIRMED")
		}
		line(fmt.Sprintf("SEQUENCE:%d", r.Version))
		line("LAST-MODIFIED:" + r.UpdatedAt.UTC().Format("20060102T150405Z"))
		line("END:VEVENT")
	}
	for _, t := range todos {
		line("BEGIN:VTODO")
		line(fmt.Sprintf("UID:todo-%d@%s", t.ID, host))
		line("DTSTAMP:" + stamp)
		if t.AllDay {
			line("DUE;VALUE=DATE:" + t.Day)
		} else {
			line("DUE:" + t.Due.UTC().Format("20060102T150405Z"))
		}
		line("SUMMARY:" + escapeText(t.Title))
		if t.Description != "" {
			line("DESCRIPTION:" + escapeText(t.Description))
		}
		if t.DoneAt != nil {
			line("STATUS:COMPLETED")
			line("COMPLETED:" + t.DoneAt.UTC().Format("20060102T150405Z"))
		} else {
			line("STATUS:NEEDS-ACTION")
		}
		line(fmt.Sprintf("SEQUENCE:%d", t.Version))
		line("LAST-MODIFIED:" + t.Updated.UTC().Format("20060102T150405Z"))
		line("END:VTODO")
	}
	line("END:VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
}

// FeedTodo is a free-standing to-do in a user's feed (modules/todos).
// Day is the due day (YYYYMMDD, in the configured zone) of an all-day
// to-do; Due the due instant otherwise.
type FeedTodo struct {
	ID          uint
	Title       string
	Description string
	Due         time.Time
	AllDay      bool
	Day         string
	DoneAt      *time.Time
	Version     int
	Updated     time.Time
}

// AgendaTodo is a free-standing to-do on the home agenda: Due as shown,
// Link the linked record's page and LinkLabel its name (empty when the
// reader may not open it).
type AgendaTodo struct {
	ID        uint
	Title     string
	Due       string
	Overdue   bool
	Link      string
	LinkLabel string
	Version   int
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	s = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
	return s
}

// fold splits a content line into 75-octet pieces, continuing with a
// space, never inside a UTF-8 sequence.
func fold(s string) string {
	if len(s) <= 75 {
		return s
	}
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	return b.String()
}
