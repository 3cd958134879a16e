package main

import (
	"context"
	"net/url"
	"testing"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
)

// TestSearchFoldsWidthOnEveryList types the search the way a Chinese
// input method does — full-width letters and digits, a full-width dash —
// into the search box of every list that has one (customers, the trash,
// the customer picker, opportunities, needs, proposals, contracts, the
// catalogue, users), on both databases: it finds the records stored in
// ASCII, as "abc" does, and a title stored with full-width letters is
// still found by itself. A search for something else finds none of them,
// so the lists do filter. (The visit list has no search box.)
func TestSearchFoldsWidthOnEveryList(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newContractWorld(t, d)
		a := w.a
		am := subject(t, a, "liwei")
		seedProduct(t, a, catalog.ProductInput{Code: "SDWAN-9", NameZh: "SD-WAN 组网", NameEn: "SD-WAN", Category: "dedicated_line", Unit: "套", Monthly: "800", FloorPercent: "80"})
		cu, contact, opp := w.customer(t, "liwei", "ABC9数据科技", "91230103MA1000381")
		if _, err := a.Prospects.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: cu.ID, Title: "QX7专线扩容"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Prospects.CreateOpportunity(ctx, am, prospects.OpportunityInput{CustomerID: w.cu.ID, Title: "ＷＹＺ项目"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Needs.SaveNeed(ctx, am, cu.ID, 0, needs.NeedInput{Category: "idc_cloud", Description: "IDC8机柜扩容", Priority: "high"}); err != nil {
			t.Fatal(err)
		}
		p := w.accepted(t, "liwei", cu, opp, []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1", TermMonths: "12"}})
		if _, err := a.Proposals.Create(ctx, am, proposals.Input{CustomerID: cu.ID, OpportunityID: opp, Title: "VPN5组网方案",
			Lines: []proposals.LineInput{{ProductID: w.products[0].ID, Quantity: "1", TermMonths: "12"}}}); err != nil {
			t.Fatal(err)
		}
		in := w.input(t, cu, contact, p.ID, 12)
		in.Title = "MPLS6业务协议"
		ct, err := a.Contracts.Create(ctx, am, in)
		if err != nil {
			t.Fatal(err)
		}
		deleted := seedCustomer(t, a, "liwei", "XYZ4物流", prospects.MakeCreditCode("91230103MA1000382"))
		if err := a.Prospects.DeleteCustomer(ctx, subject(t, a, "wangjianguo"), deleted.ID); err != nil {
			t.Fatal(err)
		}

		q := url.QueryEscape
		cases := []scenario{
			{name: "customers", as: "liwei", path: "/customers?q=" + q("ａｂｃ９"), status: 200, want: []string{"ABC9数据科技"}},
			{name: "customers upper case", as: "liwei", path: "/customers?q=" + q("ＡＢＣ９数据"), status: 200, want: []string{"ABC9数据科技"}},
			{name: "customer picker", as: "liwei", path: "/customers/pick?q=" + q("ＡＢＣ９"), status: 200, want: []string{"ABC9数据科技"}},
			{name: "trash", as: "wangjianguo", path: "/customers/trash?q=" + q("ＸＹＺ４"), status: 200, want: []string{"XYZ4物流"}},
			{name: "opportunities", as: "liwei", path: "/opportunities?q=" + q("ｑｘ７"), status: 200, want: []string{"QX7专线扩容"}},
			{name: "opportunities by customer", as: "liwei", path: "/opportunities?q=" + q("ＡＢＣ９"), status: 200, want: []string{"QX7专线扩容"}},
			{name: "a full-width title by itself", as: "liwei", path: "/opportunities?q=" + q("ＷＹＺ"), status: 200, want: []string{"ＷＹＺ项目"}},
			{name: "needs", as: "liwei", path: "/needs?q=" + q("ＩＤＣ８"), status: 200, want: []string{"IDC8机柜扩容"}},
			{name: "proposals", as: "liwei", path: "/proposals?q=" + q("ＶＰＮ５"), status: 200, want: []string{"VPN5组网方案"}},
			{name: "contracts by title", as: "liwei", path: "/contracts?q=" + q("ＭＰＬＳ６"), status: 200, want: []string{"MPLS6业务协议"}},
			{name: "contracts by number", as: "liwei", path: "/contracts?q=" + q(fullWidth(ct.Number)), status: 200, want: []string{"MPLS6业务协议"}},
			{name: "catalogue", as: "liwei", path: "/catalog?q=" + q("ＳＤＷＡＮ－９"), status: 200, want: []string{"SDWAN-9"}},
			{name: "catalogue without the dash", as: "liwei", path: "/catalog?q=" + q("ｓｄｗａｎ"), status: 200, want: []string{"SDWAN-9"}},
			{name: "users", as: "admin", path: "/admin/users?q=" + q("ＬＩＷＥＩ"), status: 200, want: []string{"liwei"}},
		}
		for _, path := range []string{"/customers", "/customers/trash", "/opportunities", "/needs", "/proposals", "/contracts", "/catalog"} {
			cases = append(cases, scenario{name: "no match on " + path, as: "wangjianguo", path: path + "?q=" + q("ＱＱＱ"), status: 200,
				wantNot: []string{"ABC9数据科技", "XYZ4物流", "QX7专线扩容", "IDC8机柜扩容", "VPN5组网方案", "MPLS6业务协议", "SDWAN-9"}})
		}
		runScenarios(t, a, cases)
	})
}

// fullWidth writes the ASCII letters, digits and '-' of s full-width, as a
// Chinese input method types them.
func fullWidth(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r > 0x20 && r < 0x7F {
			out[i] = r + 0xFEE0
		}
	}
	return string(out)
}
