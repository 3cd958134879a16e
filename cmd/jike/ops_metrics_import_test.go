package main

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// importRows reads jike_import_rows_total for kind from a scrape (0 while
// no import of that kind has been counted yet).
func importRows(t *testing.T, a *app, kind string) float64 {
	t.Helper()
	code, body := scrape(t, a, testMetricsToken)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	v := metricValue(body, `jike_import_rows_total{kind="`+kind+`"}`)
	if v < 0 {
		return 0
	}
	return v
}

// multipartPost builds a form upload of file (as name) with fields.
func multipartPost(t *testing.T, path string, fields map[string]string, name, file string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// TestImportRowsMetricThroughRealImports: jike_import_rows_total counts
// the rows that committed imports saved, through the real pages: a
// customer file (dry run, then commit of the staged file) and an annual
// quota file. A refused file, a dry run and a replayed commit add nothing;
// each commit adds exactly its rows, under its own kind.
func TestImportRowsMetricThroughRealImports(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d, func(o *appOptions) {
			o.MetricsToken = testMetricsToken
			o.Location = shanghaiLoc
			now := time.Date(2026, 11, 20, 10, 0, 0, 0, shanghaiLoc)
			o.Now = func() time.Time { return now }
		})
		if got := importRows(t, a, "customers"); got != 0 {
			t.Fatalf("customers before any import: %v", got)
		}

		c := loggedIn(t, a, "liwei")
		c.Get("/customers/import")
		upload := func(name, content string) *testkit.Response {
			return c.Do(multipartPost(t, "/customers/import", map[string]string{"_csrf": c.CSRF(), "action": "dryrun"}, name, content))
		}
		code := func(s string) string { return prospects.MakeCreditCode(s) }
		bad := "客户名称,统一社会信用代码,行业,客户等级\n指标好公司," + code("91230103MA1000071") + ",商贸,C\n指标坏公司,12345,商贸,C\n"
		if res := upload("bad.csv", bad); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad file: %d", res.Status)
		}
		good := "客户名称,统一社会信用代码,行业,客户等级\n" +
			"指标一号公司," + code("91230103MA1000072") + ",商贸,C\n" +
			"指标二号公司," + code("91230103MA1000073") + ",能源,B\n" +
			"指标三号公司," + code("91230103MA1000074") + ",商贸,C\n"
		res := upload("good.csv", good)
		if res.Status != http.StatusOK {
			t.Fatalf("dry run: %d\n%.2000s", res.Status, res.Body)
		}
		if got := importRows(t, a, "customers"); got != 0 {
			t.Fatalf("after a refused file and a dry run: %v, want 0", got)
		}
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(res.Body)
		if token == nil {
			t.Fatal("no commit token")
		}
		before := countCustomersIn(t, a)
		commit := url.Values{"action": {"commit"}, "token": {token[1]}, "ext": {".csv"}}
		if res := c.PostForm("/customers/import", commit); res.Status != http.StatusSeeOther {
			t.Fatalf("commit: %d\n%.1000s", res.Status, res.Body)
		}
		saved := countCustomersIn(t, a) - before
		if saved != 3 {
			t.Fatalf("the commit saved %d customers, want 3", saved)
		}
		if got := importRows(t, a, "customers"); got != float64(saved) {
			t.Fatalf("customers after committing %d rows: %v", saved, got)
		}
		// A replayed commit is refused and counts nothing.
		c.PostForm("/customers/import", commit)
		if got := importRows(t, a, "customers"); got != 3 {
			t.Fatalf("customers after a replayed commit: %v, want 3", got)
		}

		// Annual quotas, imported by a chief rep, count under their kind.
		z := loggedIn(t, a, "zhaomin")
		z.Get("/targets/quotas/import")
		quotas := "用户名,走访,签约,新增月收入(元)\nliwei,144,24,1200000\nzhangjing,120,12,800000\n"
		if res := z.Do(multipartPost(t, "/targets/quotas/import", map[string]string{"_csrf": z.CSRF(), "year": "2027", "dry_run": "1"}, "q.csv", quotas)); res.Status != http.StatusOK {
			t.Fatalf("quota dry run: %d", res.Status)
		}
		if got := importRows(t, a, "quotas"); got != 0 {
			t.Fatalf("quotas after a dry run: %v", got)
		}
		if res := z.Do(multipartPost(t, "/targets/quotas/import", map[string]string{"_csrf": z.CSRF(), "year": "2027"}, "q.csv", quotas)); res.Status != http.StatusOK || !strings.Contains(res.Body, "保存了 2 条") {
			t.Fatalf("quota import: %d\n%.400s", res.Status, res.Body)
		}
		if got := importRows(t, a, "quotas"); got != 2 {
			t.Fatalf("quotas after importing 2 rows: %v", got)
		}
		if got := importRows(t, a, "customers"); got != 3 {
			t.Fatalf("customers after the quota import: %v, want 3", got)
		}
	})
}
