package targets

import (
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/config"
	"github.com/jike-crm/jike/modules/platform/pdf"
)

// ReviewPDF renders a month-end review: letterhead, the lines as a table
// (target, actual, attainment, reason, improvement), the month's notes,
// the chief rep's comments, the signatures of the manager and the chief
// rep, and page x/y. t translates; names resolves user ids.
func ReviewPDF(fonts *pdf.Fonts, letterhead string, loc *time.Location, lang string, v *ReviewView, names map[uint]string, t func(id string, args ...any) string) ([]byte, error) {
	r := v.Review
	title := t("targets.pdf.title", "Name", v.Person.Name, "Month", v.Month.String())
	if letterhead == "" {
		letterhead = config.DefaultOperatorName
	}
	date := r.UpdatedAt
	if date.IsZero() {
		date = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	d := pdf.New(fonts, pdf.Options{Title: title, Author: v.Person.Name, Subject: t("targets.review.title"),
		CreationDate: date, Header: letterhead, HeaderRight: v.Month.String(), Lang: lang,
		Footer: pdf.PageNumberFooter(lang)})
	d.Heading(1, title)
	when := func(p *time.Time) string {
		if p == nil {
			return "—"
		}
		return p.In(loc).Format("2006-01-02 15:04")
	}
	d.KeyValue([][2]string{
		{t("targets.col.member"), v.Person.Name},
		{t("targets.col.team"), v.Person.TeamName},
		{t("targets.col.review"), t("targets.status." + r.Status)},
		{t("targets.review.submitted_at"), when(r.SubmittedAt)},
		{t("targets.review.signed_off_at"), when(r.SignedOffAt)},
	})
	d.Heading(2, t("targets.review.lines"))
	rows := make([][]string, 0, len(v.Lines))
	for _, l := range v.Lines {
		reason := ""
		if l.Reason != "" {
			reason = l.Reason + " " + t("targets.reason."+l.Reason)
		}
		pct := "—"
		if l.Target > 0 {
			pct = fmt.Sprintf("%d%%", l.Pct())
		}
		rows = append(rows, []string{t("targets.line." + l.Def.Key), l.TargetText(), l.ActualText(), pct, reason, l.Note})
	}
	d.Table([]string{t("targets.col.line"), t("targets.col.target"), t("targets.col.actual"), "%", t("targets.col.reason"), t("targets.col.note")},
		[]float64{2.2, 1.6, 1.6, 0.9, 2, 4}, rows, pdf.TableOptions{RepeatHeader: true, AlignRight: []bool{false, true, true, true}})
	if v.Drift {
		d.Paragraph(t("targets.review.drift"))
	}
	if r.Summary != "" {
		d.Heading(2, t("targets.review.summary"))
		d.Paragraph(r.Summary)
	}
	var comments [][2]string
	for _, e := range r.Events {
		if e.Body == "" {
			continue
		}
		comments = append(comments, [2]string{names[e.ActorID] + " · " + e.At.In(loc).Format("2006-01-02"), t("targets.event."+e.Action) + "：" + e.Body})
	}
	if len(comments) > 0 {
		d.Heading(2, t("targets.review.comments"))
		d.KeyValue(comments)
	}
	chief := ""
	if r.SignedOffBy != nil {
		chief = names[*r.SignedOffBy]
	}
	d.Spacer(6)
	d.SignatureBlock([]pdf.SignatureColumn{
		{Title: t("targets.pdf.sign_am"), Party: v.Person.Name, Fields: []pdf.SignatureField{{Label: t("targets.pdf.signature")}, {Label: t("targets.pdf.date"), Hint: when(r.SubmittedAt)}}},
		{Title: t("targets.pdf.sign_chief"), Party: chief, Fields: []pdf.SignatureField{{Label: t("targets.pdf.signature")}, {Label: t("targets.pdf.date"), Hint: when(r.SignedOffAt)}}},
	})
	return d.Bytes()
}
