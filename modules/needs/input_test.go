package needs

import (
	"context"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestBadInputIsCleanedOrRefused: NUL (a 500 on PostgreSQL before),
// control characters and bidi overrides never reach the database; dates
// outside 1900–2100 are refused with their own message; full-width
// amounts are read.
func TestBadInputIsCleanedOrRefused(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "输入测试医院")
		a, err := w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: "网络慢\x00\r\n经常断\u202E", ITBudget: "１２０,０００", Notes: "\x1b[1m备注"})
		if err != nil {
			t.Fatal(err)
		}
		if a.PainPoints != "网络慢\n经常断" || a.Notes != "[1m备注" || a.ITBudgetFen != 12_000_000 {
			t.Fatalf("analysis %+v", a)
		}
		n, err := w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "\u200B专线\x00需求\u2066", Priority: "high"})
		if err != nil || n.Description != "专线需求" {
			t.Fatalf("need: %v %+v", err, n)
		}
		_, err = w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "\u200B\u200D\uFEFF"})
		wantFields(t, err, map[string]string{"description": "v.required"})
		for in, msg := range map[string]string{"0001-01-01": "v.date_range", "9999-12-31": "v.date_range", "1999-12-31": "v.date", "2026-02-30": "v.date"} {
			_, err := w.svc.SaveService(ctx, am, cu.ID, 0, ServiceInput{Service: "broadband", Supplier: "cucc", ContractEnd: in})
			wantFields(t, err, map[string]string{"contract_end": msg})
		}
		cs, err := w.svc.SaveService(ctx, am, cu.ID, 0, ServiceInput{Service: "broadband", Supplier: "cucc", MonthlySpend: "３,０００", ContractEnd: "２０２７年６月３０日", Description: "100M\x00 专线"})
		if err != nil || cs.MonthlySpendFen != 300_000 || cs.ContractEnd == nil || cs.Description != "100M 专线" {
			t.Fatalf("service: %v %+v", err, cs)
		}
	})
}

// TestNeedLinksStayWithTheCustomer: the key person and the opportunity a
// need names must be live records of the need's own customer — on create,
// on edit, and when the need is moved to another customer's ids.
func TestNeedLinksStayWithTheCustomer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		mine := w.customer(t, "liwei", "本客户")
		sibling := w.customer(t, "liwei", "同一客户经理的另一客户")
		ct := w.contact(t, "liwei", mine.ID, "王主任")
		otherCt := w.contact(t, "liwei", sibling.ID, "李主任")
		opp, err := w.ps.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: sibling.ID, Title: "别的机会"})
		if err != nil {
			t.Fatal(err)
		}
		// Both customers are the user's own: the ids are readable, yet they
		// belong to the other customer.
		_, err = w.svc.SaveNeed(ctx, am, mine.ID, 0, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: otherCt.ID, OpportunityID: opp.ID})
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact", "opportunity_id": "needs.v.opportunity"})
		n, err := w.svc.SaveNeed(ctx, am, mine.ID, 0, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: ct.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.SaveNeed(ctx, am, 0, n.ID, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: otherCt.ID, Version: n.Version})
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact"})
		// Editing a need through another customer's page is not found.
		if _, err := w.svc.SaveNeed(ctx, am, sibling.ID, n.ID, NeedInput{Category: "dedicated_line", Description: "专线", Version: n.Version}); err == nil {
			t.Fatal("a need edited under another customer")
		}
	})
}
