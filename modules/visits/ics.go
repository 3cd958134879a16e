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
func WriteICS(w io.Writer, calName, host string, rows []PlanRow, kindLabel func(string) string, now time.Time) error {
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
	line("END:VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
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
