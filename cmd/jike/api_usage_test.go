package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/api"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	usagemod "github.com/jike-crm/jike/modules/usage"
)

// usageRows counts the imported usage rows of a month.
func usageRows(t *testing.T, a *app, month string) int64 {
	t.Helper()
	var n int64
	must(t, a.DB.Gorm.Table("usage_months").Where("ym = ?", strings.ReplaceAll(month, "-", "")).Count(&n).Error)
	return n
}

// usageFile is a CSV of a month for n customers × the first product,
// with one bad row at position bad (0: none).
func usageFile(t *testing.T, a *app, month string, n, bad int) string {
	t.Helper()
	ctx := context.Background()
	custs, _, err := a.Prospects.ListCustomers(ctx, apiSubject(t, a, "admin"), prospects.CustomerFilter{Limit: n, Sort: "name"})
	must(t, err)
	products, _, err := a.Catalog.List(ctx, catalog.Filter{Status: catalog.StatusActive, Limit: 1})
	must(t, err)
	if len(custs) < n || len(products) == 0 {
		t.Fatalf("%d customers, %d products", len(custs), len(products))
	}
	var b strings.Builder
	b.WriteString("customer,product,month,revenue,quantity,credit\r\n")
	for i, c := range custs {
		rev := fmt.Sprintf("%d.%02d", 1000+i, i%100)
		if i+1 == bad {
			rev = "-5.00" // negative without the credit flag
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d,\r\n", c.CreditCode, products[0].Code, month, rev, i+1)
	}
	return b.String()
}

// TestAPIUsageImport is issue 15's import as an API endpoint: the
// portal's service behind it, so a dry run changes nothing, a bad row in
// the middle is a 422 naming its row and imports nothing, a commit is a
// 201, re-importing the month replaces it (never duplicates), a retried
// POST with its Idempotency-Key replays the answer, a multipart upload
// works like the body, a file too large is a 413, a JSON body a 415, and
// only those the policy lets import (the admin) may.
func TestAPIUsageImport(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := apiDemoApp(t, d, func(o *appOptions) { o.MaxUploadBytes = 64 << 10 })
		c := newAPIClient(t, a, "admin")
		month := usagemod.FormatYM(usagemod.AddMonths(a.Usage.CurrentYM(), -1))
		csv := func(hdr map[string]string) map[string]string {
			out := map[string]string{"Content-Type": "text/csv"}
			for k, v := range hdr {
				out[k] = v
			}
			return out
		}
		good := usageFile(t, a, month, 5, 0)

		r := c.do(http.MethodPost, "/api/v1/usage/imports?dry_run=true", good, csv(nil))
		var rep api.UsageImport
		r.JSON(t, &rep)
		if r.Status != 200 || !rep.DryRun || rep.Committed || rep.Rows != 5 || rep.Month != month || rep.ImportID != nil || rep.RevenueYuan == "" {
			t.Fatalf("dry run: %d %s", r.Status, r.Body)
		}
		if n := usageRows(t, a, month); n != 0 {
			t.Fatalf("a dry run saved %d rows", n)
		}

		bad := usageFile(t, a, month, 5, 3)
		for _, path := range []string{"/api/v1/usage/imports?dry_run=true", "/api/v1/usage/imports"} {
			p := c.do(http.MethodPost, path, bad, csv(nil)).Problem(t)
			if p.Status != 422 || p.Code != "validation_failed" || len(p.Errors) != 1 || p.Errors[0].Row == nil || *p.Errors[0].Row != 4 ||
				p.Errors[0].Code != "usage.err.negative" {
				t.Fatalf("%s with a bad third row: %+v", path, p)
			}
			if n := usageRows(t, a, month); n != 0 {
				t.Fatalf("%s with a bad row saved %d rows", path, n)
			}
		}
		c.Lang = "en"
		if p := c.do(http.MethodPost, "/api/v1/usage/imports", bad, csv(nil)).Problem(t); !strings.Contains(p.Errors[0].Message, "credit") {
			t.Fatalf("English row error: %+v", p.Errors)
		}
		c.Lang = ""

		key := map[string]string{"Idempotency-Key": "billing-" + month}
		r = c.do(http.MethodPost, "/api/v1/usage/imports?source=billing", good, csv(key))
		r.JSON(t, &rep)
		if r.Status != 201 || !rep.Committed || rep.ImportID == nil || rep.Rows != 5 || rep.Replaces {
			t.Fatalf("commit: %d %s", r.Status, r.Body)
		}
		if n := usageRows(t, a, month); n != 5 {
			t.Fatalf("committed %d rows, want 5", n)
		}
		entries, _, err := audit.List(context.Background(), a.DB.Gorm, audit.Query{Entity: "usage_import", EntityID: *rep.ImportID, Limit: 5})
		must(t, err)
		if len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != apiSubject(t, a, "admin").ID {
			t.Fatalf("audit of the import: %+v", entries)
		}
		first := *rep.ImportID
		// The retry with the same key: the same answer, nothing new.
		again := c.do(http.MethodPost, "/api/v1/usage/imports?source=billing", good, csv(key))
		if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(r.Body) {
			t.Fatalf("retry: %d %s", again.Status, again.Header)
		}
		// Re-importing the month (without a key) replaces it.
		r = c.do(http.MethodPost, "/api/v1/usage/imports", good, csv(nil))
		r.JSON(t, &rep)
		if r.Status != 201 || rep.ImportID == nil || *rep.ImportID == first || rep.ReplacedRows != 5 {
			t.Fatalf("re-import: %d %s", r.Status, r.Body)
		}
		if n := usageRows(t, a, month); n != 5 {
			t.Fatalf("after the re-import %d rows, want 5", n)
		}

		// The portal's multipart form works too.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("file", "usage.csv")
		must(t, err)
		_, _ = io.WriteString(fw, good)
		must(t, mw.Close())
		r = c.do(http.MethodPost, "/api/v1/usage/imports?dry_run=1", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
		if r.Status != 200 {
			t.Fatalf("multipart: %d %s", r.Status, r.Body)
		}

		big := "customer,product,month,revenue,quantity\r\n" + strings.Repeat("x", 70<<10)
		if p := c.do(http.MethodPost, "/api/v1/usage/imports", big, csv(nil)).Problem(t); p.Status != 413 || p.Code != "too_large" {
			t.Fatalf("too large: %+v", p)
		}
		if p := c.do(http.MethodPost, "/api/v1/usage/imports", map[string]any{"rows": 1}, nil).Problem(t); p.Status != 415 {
			t.Fatalf("json: %+v", p)
		}
		if p := c.do(http.MethodPost, "/api/v1/usage/imports?source=erp", good, csv(nil)).Problem(t); p.Status != 422 || p.Errors[0].Field != "source" {
			t.Fatalf("unknown source: %+v", p)
		}
		if p := c.do(http.MethodPost, "/api/v1/usage/imports", "\x00\x01binary", map[string]string{"Content-Type": "text/csv"}).Problem(t); p.Status != 422 ||
			p.Errors[0].Field != "file" {
			t.Fatalf("binary: %+v", p)
		}
		// Only the admin imports (policy usage:import), as in the portal.
		for _, u := range []string{"wangjianguo", "liwei"} {
			if p := newAPIClient(t, a, u).do(http.MethodPost, "/api/v1/usage/imports", good, csv(nil)).Problem(t); p.Status != 403 {
				t.Fatalf("%s: %+v", u, p)
			}
		}
		// A portal session cannot import through the API.
		req := httptest.NewRequest(http.MethodPost, "/api/v1/usage/imports", strings.NewReader(good))
		req.Header.Set("Content-Type", "text/csv")
		res, err := a.Server.App.Test(req, -1)
		must(t, err)
		if res.StatusCode != 401 {
			t.Fatalf("no token: %d", res.StatusCode)
		}
	})
}
