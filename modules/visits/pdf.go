package visits

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/pdf"
)

// BriefPDF renders the pre-visit brief with platform/pdf (CJK font
// embedded, wrapping that keeps every character). fonts is loaded once per
// process and shared; loc is the zone times are shown in.
func BriefPDF(fonts *pdf.Fonts, loc *time.Location) BriefRenderer {
	return func(_ context.Context, b *Brief, t func(id string, args ...any) string) ([]byte, error) {
		p := b.Plan
		d := pdf.New(fonts, pdf.Options{
			Title:   t("brief.title") + " · " + b.Customer.Name,
			Author:  t("app.name"),
			Subject: p.Objective,
			Header:  t("app.name") + " · " + t("brief.title"),
			Footer: func(page, total int) string {
				return t("brief.page", "Page", page, "Total", total)
			},
		})
		names := []string{b.Owner.Name}
		for _, u := range b.Participants {
			names = append(names, u.Name)
		}
		d.Heading(1, t("brief.title")+" · "+b.Customer.Name)
		d.KeyValue([][2]string{
			{t("visits.when"), p.StartsAt.In(loc).Format("2006-01-02 15:04") + fmt.Sprintf("（%d %s）", p.DurationMin, t("visits.minutes"))},
			{t("visits.kind"), t("visit_kind." + p.Kind)},
			{t("visits.objective"), p.Objective},
			{t("visits.location"), orDash(p.Location)},
			{t("visits.participants"), strings.Join(names, "、")},
		})
		c := b.Customer
		var comps []string
		for _, x := range c.CompetitorList() {
			comps = append(comps, t("competitor."+x))
		}
		d.Heading(2, t("brief.customer"))
		d.KeyValue([][2]string{
			{t("customers.name"), c.Name},
			{t("customers.credit_code"), c.CreditCode},
			{t("customers.grade"), t("grade." + c.Grade)},
			{t("customers.industry"), t("industry." + c.Industry)},
			{t("customers.status"), t("status." + c.Status)},
			{t("customers.headcount"), fmt.Sprint(c.Headcount)},
			{t("customers.annual_spend"), c.AnnualSpendFen.Yuan()},
			{t("customers.address"), orDash(strings.TrimSpace(c.Region + " " + c.Address))},
			{t("customers.competitors"), orDash(strings.Join(comps, "、"))},
			{t("customers.qualification"), fmt.Sprintf("%d / 100", c.QualScore)},
		})
		d.Heading(2, t("brief.people"))
		if len(b.Contacts) == 0 {
			d.Paragraph(t("brief.none"))
		} else {
			rows := make([][]string, 0, len(b.Contacts))
			for _, ct := range b.Contacts {
				rows = append(rows, []string{ct.Name, ct.Title, t("contact_role." + ct.Role), t("attitude." + ct.Attitude), ct.Preferences})
			}
			d.Table([]string{t("contacts.name"), t("contacts.title"), t("contacts.role"), t("contacts.attitude"), t("contacts.preferences")},
				[]float64{2, 2, 2, 1.5, 3}, rows, pdf.TableOptions{RepeatHeader: true})
		}
		d.Heading(2, t("brief.opportunities"))
		if len(b.OpenOpportunities) == 0 {
			d.Paragraph(t("brief.none"))
		} else {
			rows := make([][]string, 0, len(b.OpenOpportunities))
			for _, o := range b.OpenOpportunities {
				rows = append(rows, []string{o.Title, t("stage." + o.Stage), o.MonthlyFen.String()})
			}
			d.Table([]string{t("opportunities.name"), t("opportunities.stage"), t("opportunities.monthly")},
				[]float64{4, 2, 2}, rows, pdf.TableOptions{RepeatHeader: true, AlignRight: []bool{false, false, true}})
		}
		for _, sec := range b.Sections {
			d.Heading(2, t(sec.Title))
			if len(sec.Lines) == 0 {
				d.Paragraph(t("brief.none"))
			}
			for _, l := range sec.Lines {
				d.Paragraph("· " + l.In(TFunc(t)))
			}
		}
		d.Heading(2, t("brief.last_visits"))
		if len(b.LastVisits) == 0 {
			d.Paragraph(t("brief.none"))
		}
		for _, v := range b.LastVisits {
			head := v.Plan.StartsAt.In(loc).Format("2006-01-02") + " " + t("visit_kind."+v.Plan.Kind) + " · " + t("visit_attitude."+v.Record.Attitude)
			d.Paragraph(head + "\n" + v.Record.Discussed)
			if v.Record.NextStep != "" {
				d.Paragraph(t("visits.next_step") + "：" + v.Record.NextStep)
			}
		}
		return d.Bytes()
	}
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
