package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
)

// contractBody is a contract made by hand through the API for the
// world's customer: two 100M lines at 90 % and ten group-VPN users for
// six months, signed by the owner and the decision maker.
func contractBody(w *contractWorld) map[string]any {
	return map[string]any{"customer_id": w.cu.ID, "opportunity_id": w.opp, "title": "全省网点专线协议",
		"start_on": "2026-03-01", "end_on": "2027-02-28", "payment_terms": "monthly", "payment_due_day": 10,
		"our_signatory_id": w.cu.OwnerID, "customer_signatory_id": w.contact, "notes": "7×24 小时保障",
		"lines": []map[string]any{{"product_id": w.products[0].ID, "quantity": 2, "rate_bp": 9000},
			{"product_id": w.products[1].ID, "quantity": 10, "term_months": 6}}}
}

// contractsOf counts the customer's live contracts (every revision).
func contractsOf(t *testing.T, w *contractWorld, customerID uint) int64 {
	t.Helper()
	return countRows(t, w.d, &contracts.Contract{}, "customer_id = ? AND deleted_at IS NULL", customerID)
}

// apiClientWith is a client of an existing token's secret.
func apiClientWith(t *testing.T, a *app, secret string) *apiClient {
	return &apiClient{t: t, a: a, secret: secret, spec: specFor(t, a)}
}

// TestAPIContractWrites: a contract made by hand through the API (201,
// Location, ETag, priced on the server to the fen, shown in fen and
// yuan), read back, changed with If-Match (428 without, 200 with, 412
// stale), a retried POST with its Idempotency-Key making one contract,
// bad input a 422 with localized field errors saving nothing, another
// team's customer and contract a 404, a read-only token a 403, and the
// portal's audit trail written for the create and the change.
func TestAPIContractWrites(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newContractWorld(t, d)
		a, ctx := w.a, context.Background()
		c := newAPIClient(t, a, "liwei")
		key := map[string]string{"Idempotency-Key": "oss-contract-0001"}
		r := c.do(http.MethodPost, "/api/v1/contracts", contractBody(w), key)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var k api.Contract
		r.JSON(t, &k)
		path := "/api/v1/contracts/" + itoa(k.ID)
		if r.Header.Get("Location") != path || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("create headers: %v", r.Header)
		}
		// 100M: 5,000.00 × 2 × 90 % a month over 12 months plus 2,000.00 × 2
		// × 90 % once; VPN: 12.50 × 10 a month over 6 months.
		if k.Status != contracts.StatusDraft || k.TermMonths != 12 || len(k.Lines) != 2 ||
			k.Lines[0].MonthlyNetFen != 900000 || k.Lines[0].MonthlyNetYuan != "9000.00" || k.Lines[0].RateBP != 9000 ||
			k.Lines[0].TotalFen != 11160000 || k.Lines[1].TermMonths != 6 || k.Lines[1].TotalFen != 75000 ||
			k.MonthlyFen != 912500 || k.MonthlyYuan != "9125.00" || k.OneTimeFen != 360000 || k.OneTimeYuan != "3600.00" ||
			k.TotalFen != 11235000 || k.TotalYuan != "112350.00" || !k.NeedsChief || k.OwnerID != w.cu.OwnerID ||
			k.OurSignatoryID == nil || *k.OurSignatoryID != w.cu.OwnerID || k.CustomerSignatoryID == nil || *k.CustomerSignatoryID != w.contact {
			t.Fatalf("created: %s", r.Body)
		}
		if !regexp.MustCompile(`^HT-.+-\d{4}-\d{6}$`).MatchString(k.Number) {
			t.Fatalf("number %q", k.Number)
		}
		// The retried POST gets the first answer and makes nothing.
		again := c.do(http.MethodPost, "/api/v1/contracts", contractBody(w), key)
		if again.Status != 201 || string(again.Body) != string(r.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
			again.Header.Get("Location") != path {
			t.Fatalf("retry: %d %s", again.Status, again.Body)
		}
		if n := contractsOf(t, w, w.cu.ID); n != 1 {
			t.Fatalf("%d contracts after a retried POST", n)
		}
		if g := c.get(path); g.Status != 200 || g.Header.Get("ETag") != `"1"` {
			t.Fatalf("get: %d %s", g.Status, g.Header.Get("ETag"))
		}

		// Changes need If-Match; the fields not sent stay.
		change := map[string]any{"title": "全省网点专线协议（修订）", "lines": []map[string]any{{"product_id": w.products[0].ID, "quantity": 3}}}
		if p := c.do(http.MethodPatch, path, change, nil).Problem(t); p.Status != 428 || p.Code != "precondition_required" {
			t.Fatalf("no If-Match: %+v", p)
		}
		r = c.do(http.MethodPatch, path, change, map[string]string{"If-Match": `"1"`})
		if r.Status != 200 || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("update: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &k)
		if k.Title != "全省网点专线协议（修订）" || len(k.Lines) != 1 || k.Lines[0].Quantity != 3 || k.Lines[0].RateBP != 10000 ||
			k.TotalFen != 5000_00*3*12+2000_00*3 || k.PaymentTerms != "monthly" || k.PaymentDueDay != 10 || k.Notes != "7×24 小时保障" ||
			k.OpportunityID == nil || *k.OpportunityID != w.opp || k.CustomerSignatoryID == nil || k.Version != 2 {
			t.Fatalf("updated (only the given fields change): %s", r.Body)
		}
		if p := c.do(http.MethodPatch, path, map[string]any{"notes": "旧版本"}, map[string]string{"If-Match": `"1"`}).Problem(t); p.Status != 412 ||
			p.Code != "precondition_failed" {
			t.Fatalf("stale If-Match: %+v", p)
		}
		// The portal's audit trail: the create and one change, by liwei.
		entries, _, err := audit.List(ctx, d.Gorm, audit.Query{Entity: "contract", EntityID: k.ID, Limit: 10})
		must(t, err)
		actions := map[string]int{}
		for _, e := range entries {
			if e.ActorID == nil || *e.ActorID != w.cu.OwnerID {
				t.Fatalf("audit entry by %v", e.ActorID)
			}
			actions[e.Action]++
		}
		if len(entries) != 2 || actions[audit.ActionCreate] != 1 || actions[audit.ActionUpdate] != 1 {
			t.Fatalf("audit entries: %v", actions)
		}

		// Bad input: a 422 naming each field, in the request's language,
		// and nothing saved.
		for lang, title := range map[string]string{"en": "Invalid fields", "zh-CN": "数据校验未通过"} {
			c.Lang = lang
			bad := contractBody(w)
			bad["title"], bad["end_on"], bad["payment_terms"], bad["payment_due_day"] = "", "2027-02-15", "weekly", 31
			bad["lines"] = []map[string]any{{"product_id": 0, "quantity": 1}, {"product_id": w.products[1].ID, "quantity": 0},
				{"product_id": w.products[1].ID, "quantity": 1, "rate_bp": 12000}}
			p := c.do(http.MethodPost, "/api/v1/contracts", bad, nil).Problem(t)
			got := map[string]string{}
			for _, e := range p.Errors {
				got[e.Field] = e.Code
				if hasHan(e.Message) != (lang == "zh-CN") || e.Message == e.Code {
					t.Fatalf("%s: %s message %q", lang, e.Field, e.Message)
				}
			}
			want := map[string]string{"title": "v.required", "end_on": "contracts.v.term_whole_months", "payment_terms": "v.choose",
				"payment_due_day": "contracts.v.due_day", "lines[0]": "contracts.v.product", "lines[1]": "contracts.v.quantity",
				"lines[2]": "contracts.v.rate"}
			if p.Status != 422 || p.Code != "validation_failed" || p.Title != title || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("422 in %s: %+v", lang, p)
			}
			if p := c.do(http.MethodPatch, path, map[string]any{"payment_due_day": 0, "title": " "},
				map[string]string{"If-Match": `"2"`}).Problem(t); p.Status != 422 || len(p.Errors) != 2 {
				t.Fatalf("bad change in %s: %+v", lang, p)
			}
		}
		c.Lang = ""
		if p := c.do(http.MethodPost, "/api/v1/contracts", map[string]any{"title": "x"}, nil).Problem(t); p.Status != 422 || p.Errors[0].Field != "customer_id" {
			t.Fatalf("no customer: %+v", p)
		}
		if n := contractsOf(t, w, w.cu.ID); n != 1 {
			t.Fatalf("%d contracts after refused creates", n)
		}
		if g := c.get(path); g.Header.Get("ETag") != `"2"` {
			t.Fatalf("a refused change changed the contract: %s", g.Header.Get("ETag"))
		}

		// Another team: its customer and its contract are not found, both
		// ways.
		other := newAPIClient(t, a, "zhoujie")
		if p := other.do(http.MethodPost, "/api/v1/contracts", contractBody(w), nil).Problem(t); p.Status != 404 {
			t.Fatalf("another team's customer: %+v", p)
		}
		if p := other.do(http.MethodPatch, path, map[string]any{"title": "x"}, map[string]string{"If-Match": `"2"`}).Problem(t); p.Status != 404 {
			t.Fatalf("another team's contract: %+v", p)
		}
		theirs, theirContact, _ := w.customer(t, "zhoujie", "道里物流集团", "91230103MA1000302")
		body := contractBody(w)
		body["customer_id"], body["customer_signatory_id"] = theirs.ID, theirContact
		delete(body, "opportunity_id")
		if p := c.do(http.MethodPost, "/api/v1/contracts", body, nil).Problem(t); p.Status != 404 {
			t.Fatalf("liwei on another team's customer: %+v", p)
		}
		if n := contractsOf(t, w, theirs.ID); n != 0 {
			t.Fatalf("%d contracts made on another team's customer", n)
		}

		// A read-only token reads but does not write.
		_, secret := newToken(t, a, "liwei", tokens.Input{ReadOnly: true})
		ro := apiClientWith(t, a, secret)
		if g := ro.get(path); g.Status != 200 {
			t.Fatalf("read-only read: %d", g.Status)
		}
		if p := ro.do(http.MethodPost, "/api/v1/contracts", contractBody(w), nil).Problem(t); p.Status != 403 || p.Code != "read_only_token" {
			t.Fatalf("read-only create: %+v", p)
		}
		if p := ro.do(http.MethodPatch, path, map[string]any{"title": "x"}, map[string]string{"If-Match": `"2"`}).Problem(t); p.Status != 403 ||
			p.Code != "read_only_token" {
			t.Fatalf("read-only change: %+v", p)
		}
		if n := contractsOf(t, w, w.cu.ID); n != 1 {
			t.Fatalf("%d contracts after the read-only token", n)
		}
	})
}

// hasHan reports whether s has Chinese characters.
func hasHan(s string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(s) }

// TestAPIContractConcurrentUpdates: two changes sent with the same ETag
// at the same moment: exactly one 200 and one 412 (five rounds).
func TestAPIContractConcurrentUpdates(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newContractWorld(t, d)
		c := newAPIClient(t, w.a, "liwei")
		r := c.do(http.MethodPost, "/api/v1/contracts", contractBody(w), nil)
		var k api.Contract
		r.JSON(t, &k)
		path := "/api/v1/contracts/" + itoa(k.ID)
		for round := 0; round < 5; round++ {
			tag := c.get(path).Header.Get("ETag")
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = c.do(http.MethodPatch, path, map[string]any{"notes": fmt.Sprintf("约定 %d-%d", round, i)},
						map[string]string{"If-Match": tag}).Status
				}()
			}
			wg.Wait()
			if fmt.Sprint(statuses) != "[200 412]" && fmt.Sprint(statuses) != "[412 200]" {
				t.Fatalf("round %d: statuses %v, want one 200 and one 412", round, statuses)
			}
		}
	})
}

// TestAPIContractLifecycle: what the API may change follows the
// contract's state as in the portal: a pending contract goes back to
// draft (its approvals lapse), an approved or signed one is a 422 on
// status (a signed one names the amendment); a contract from an accepted
// proposal takes its lines exactly and refuses lines sent with it.
func TestAPIContractLifecycle(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newContractWorld(t, d)
		a, ctx := w.a, context.Background()
		am := subject(t, a, "liwei")
		c := newAPIClient(t, a, "liwei")
		var k api.Contract
		c.do(http.MethodPost, "/api/v1/contracts", contractBody(w), nil).JSON(t, &k)
		path := "/api/v1/contracts/" + itoa(k.ID)
		// Submitting stays a portal action; above the threshold it waits
		// for the chief rep.
		sub, err := a.Contracts.Submit(ctx, am, k.ID, 0)
		must(t, err)
		if sub.Status != contracts.StatusPending {
			t.Fatalf("submitted: %s", sub.Status)
		}
		r := c.do(http.MethodPatch, path, map[string]any{"payment_terms": "quarterly"}, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, sub.Version)})
		r.JSON(t, &k)
		if r.Status != 200 || k.Status != contracts.StatusDraft || k.PaymentTerms != "quarterly" || k.SubmittedAt != nil {
			t.Fatalf("a pending contract changed: %d %s", r.Status, r.Body)
		}

		// A small one is approved at once; then it is closed to changes.
		small := contractBody(w)
		small["lines"] = []map[string]any{{"product_id": w.products[1].ID, "quantity": 10}}
		var s api.Contract
		c.do(http.MethodPost, "/api/v1/contracts", small, nil).JSON(t, &s)
		ap, err := a.Contracts.Submit(ctx, am, s.ID, 0)
		must(t, err)
		if ap.Status != contracts.StatusApproved {
			t.Fatalf("small contract submitted: %s", ap.Status)
		}
		spath := "/api/v1/contracts/" + itoa(s.ID)
		closed := func(version int, msg string) {
			t.Helper()
			p := c.do(http.MethodPatch, spath, map[string]any{"notes": "改一下"}, map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}).Problem(t)
			if p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "status" || p.Errors[0].Code != msg {
				t.Fatalf("change of a closed contract: %+v", p)
			}
		}
		closed(ap.Version, "contracts.v.edit_closed")
		signed, err := a.Contracts.Sign(ctx, am, s.ID, "", 0)
		must(t, err)
		closed(signed.Version, contracts.MsgEditSigned)
		if g := c.get(spath); g.Header.Get("ETag") != fmt.Sprintf(`"%d"`, signed.Version) {
			t.Fatalf("a refused change changed the contract: %s", g.Header.Get("ETag"))
		}

		// From an accepted proposal: its lines exactly; lines sent with it
		// are refused, on the create and on a change.
		prop := w.accepted(t, "liwei", w.cu, w.opp, []proposals.LineInput{{ProductID: w.products[2].ID, Quantity: "2", TermMonths: "12", Rate: "95.5"}})
		body := contractBody(w)
		body["proposal_id"] = prop.ID
		before := contractsOf(t, w, w.cu.ID)
		if p := c.do(http.MethodPost, "/api/v1/contracts", body, nil).Problem(t); p.Status != 422 || p.Errors[0].Field != "lines" ||
			p.Errors[0].Code != "contracts.v.lines_fixed" {
			t.Fatalf("lines with a proposal: %+v", p)
		}
		if n := contractsOf(t, w, w.cu.ID); n != before {
			t.Fatalf("a refused create made a contract")
		}
		delete(body, "lines")
		r = c.do(http.MethodPost, "/api/v1/contracts", body, nil)
		var fp api.Contract
		r.JSON(t, &fp)
		pd, err := a.Proposals.Get(ctx, am, prop.ID)
		must(t, err)
		if r.Status != 201 || fp.ProposalID == nil || *fp.ProposalID != prop.ID || fp.TotalFen != int64(pd.P.TotalFen) ||
			len(fp.Lines) != 1 || fp.Lines[0].RateBP != 9550 || fp.Lines[0].TotalFen != int64(pd.Lines[0].TotalFen) {
			t.Fatalf("from the proposal: %d %s", r.Status, r.Body)
		}
		fpath := "/api/v1/contracts/" + itoa(fp.ID)
		if p := c.do(http.MethodPatch, fpath, map[string]any{"lines": []map[string]any{{"product_id": w.products[0].ID, "quantity": 1}}},
			map[string]string{"If-Match": `"1"`}).Problem(t); p.Status != 422 || p.Errors[0].Field != "lines" {
			t.Fatalf("lines changed on a proposal's contract: %+v", p)
		}
		if r := c.do(http.MethodPatch, fpath, map[string]any{"title": "按方案签约"}, map[string]string{"If-Match": `"1"`}); r.Status != 200 {
			t.Fatalf("title of a proposal's contract: %d %s", r.Status, r.Body)
		}
	})
}

// contractEditWant is what the route walk expects of a change of a
// contract the user may write: 200 where the contract's state allows
// editing, else the state's 422 — the portal's rule (contracts.Allowed),
// as the contract is at that moment.
func contractEditWant(t *testing.T, a *app, sub authz.Subject, id uint) int {
	t.Helper()
	ctx := context.Background()
	k, err := a.Contracts.Store().Contract(ctx, id)
	must(t, err)
	cu, err := a.Prospects.CustomerFor(ctx, sub, k.CustomerID, "write")
	must(t, err)
	if _, ok := apperr.AsFields(contracts.Allowed(a.Server.Enforcer, sub, contracts.ActEdit, k, cu.Ref())); ok {
		return 422
	}
	return 200
}
