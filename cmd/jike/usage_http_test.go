package main

// The usage pages through the real router: the import (dry run, staged
// commit, refusals), the customer's 业务使用 tab and the lists and exports,
// each scoped like the customer.
//
//	go test ./cmd/jike/ -run TestUsageHTTP -count=1 -v

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

var usageToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

// usageUpload checks data as name through the import page and, when the
// check passes and commit is set, commits the staged file.
func usageUpload(t *testing.T, c *testkit.Client, name, data string, commit bool) *testkit.Response {
	t.Helper()
	res := c.Do(multipartPost(t, "/usage/import", map[string]string{"_csrf": c.CSRF(), "action": "dryrun", "source": "billing"}, name, data))
	if !commit || res.Status != http.StatusOK {
		return res
	}
	m := usageToken.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("no token after a clean check: %s", res.Body)
	}
	return c.PostForm("/usage/import", url.Values{"action": {"commit"}, "token": {m[1]}, "ext": {".csv"}, "source": {"billing"}, "file_name": {name}})
}

func TestUsageHTTPImportAndScope(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newUsageWorld(t, d)
		admin := loggedIn(t, w.a, "admin")
		if res := admin.Get("/usage/import"); res.Status != 200 || !strings.Contains(res.Body, `href="/usage/import/template.csv"`) {
			t.Fatalf("import page: %d", res.Status)
		}
		if res := admin.Get("/usage/import/template.csv"); res.Status != 200 || !strings.HasPrefix(res.Body, "customer,product,month,revenue,quantity,credit") {
			t.Fatalf("template: %d %q", res.Status, res.Body)
		}
		// A bad row: 422 with the row number and the message, nothing saved.
		bad := "customer,product,month,revenue,quantity\n" + w.liwei1.CreditCode + ",DIA-100M,2026-10,-5,1\n"
		if res := usageUpload(t, admin, "bad.csv", bad, true); res.Status != 422 || !strings.Contains(res.Body, "第 2 行") ||
			!strings.Contains(res.Body, "收入为负数时必须标记为冲减") {
			t.Fatalf("bad file: %d", res.Status)
		}
		if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("switch to English: %d", r.Status)
		}
		if res := usageUpload(t, admin, "bad.csv", bad, true); res.Status != 422 || !strings.Contains(res.Body, "Row 2:") ||
			!strings.Contains(res.Body, "A negative revenue must be flagged as a credit.") {
			t.Fatalf("bad file in English: %d", res.Status)
		}
		if res := usageUpload(t, admin, "photo.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", false); res.Status != 422 ||
			!strings.Contains(res.Body, "not a text table") {
			t.Fatalf("binary renamed .csv: %d", res.Status)
		}
		if r := admin.PostForm("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("switch to Chinese: %d", r.Status)
		}
		if res := usageUpload(t, admin, "oct.csv", w.goodCSV(""), true); res.Status != http.StatusSeeOther || res.Location() != "/usage/import" {
			t.Fatalf("commit: %d %s", res.Status, res.Location())
		}
		if n := usageCount(t, w.a, "billing", 202610); n != 5 {
			t.Fatalf("rows after the commit: %d", n)
		}
		if res := admin.Get("/usage/import"); !strings.Contains(res.Body, "oct.csv") || !strings.Contains(res.Body, "2026-10") {
			t.Fatal("the import is not listed")
		}
		// Nobody else imports.
		liwei := loggedIn(t, w.a, "liwei")
		if res := liwei.Get("/usage/import"); res.Status != http.StatusForbidden {
			t.Fatalf("liwei on the import page: %d", res.Status)
		}
		if res := liwei.Do(multipartPost(t, "/usage/import", map[string]string{"_csrf": liwei.CSRF(), "action": "dryrun"}, "oct.csv", w.goodCSV(""))); res.Status != http.StatusForbidden {
			t.Fatalf("liwei uploads: %d", res.Status)
		}

		// The customer's tab: the month, the amounts, 404 out of scope.
		tab := "/customers/" + itoa(w.liwei1.ID) + "/usage"
		res := liwei.Get(tab)
		if res.Status != 200 || !strings.Contains(res.Body, `data-month="2026-10"`) || !strings.Contains(res.Body, "3,200.00") || !strings.Contains(res.Body, `id="usage-chart"`) {
			t.Fatalf("liwei's tab: %d", res.Status)
		}
		if res := liwei.Get("/customers/" + itoa(w.liwei1.ID)); !strings.Contains(res.Body, `href="`+tab+`"`) {
			t.Error("the customer page does not link the 业务使用 tab")
		}
		for _, c := range []struct{ user, path string }{
			{"liwei", "/customers/" + itoa(w.zj.ID) + "/usage"},
			{"chenhao", tab},
			{"zhaomin", "/customers/" + itoa(w.zj.ID) + "/usage"},
			{"liuzhiqiang", tab},
		} {
			if res := loggedIn(t, w.a, c.user).Get(c.path); res.Status != http.StatusNotFound {
				t.Errorf("%s on %s: %d, want 404", c.user, c.path, res.Status)
			}
		}
		if res := loggedIn(t, w.a, "zhaomin").Get(tab); res.Status != 200 {
			t.Errorf("the chief rep on the team's customer: %d", res.Status)
		}
		if res := liwei.Get("/customers/" + itoa(w.liwei2.ID) + "/usage"); res.Status != 200 || !strings.Contains(res.Body, "1,280.10") {
			t.Errorf("liwei's second customer: %d", res.Status)
		}
		// The upsell hint for liwei's second customer (DIA-20M only): its
		// three peers (same industry, same size band) use DIA-100M (2 of
		// 3), VPMN-GRP and BB-200M (1 of 3 each, 33 % ≥ 30 %). Counts only:
		// no peer's name on the page.
		res = liwei.Get("/customers/" + itoa(w.liwei2.ID) + "/usage")
		hints := res.Body[strings.Index(res.Body, `id="usage-upsell"`):]
		for _, want := range []string{"DIA-100M", "3 家同类客户中 2 家在用（66%）", "VPMN-GRP", "BB-200M", "3 家同类客户中 1 家在用（33%）"} {
			if !strings.Contains(hints, want) {
				t.Errorf("upsell hints lack %q", want)
			}
		}
		if strings.Contains(hints, "DIA-20M") || strings.Contains(res.Body, w.zj.Name) || strings.Contains(res.Body, w.chen.Name) {
			t.Error("the upsell hint names a product the customer has, or a peer")
		}

		// Lists and exports: each reader sees exactly their scope.
		names := map[string]string{"一": w.liwei1.Name, "二": w.liwei2.Name, "三": w.chen.Name, "四": w.zj.Name}
		for _, c := range []struct {
			user string
			want string
		}{{"liwei", "一二"}, {"chenhao", "三"}, {"zhaomin", "一二三"}, {"zhoujie", "四"}, {"admin", "一二三四"}, {"liuzhiqiang", ""}} {
			cl := loggedIn(t, w.a, c.user)
			list := cl.Get("/usage?tab=risers&month=2026-10")
			csv := cl.Get("/usage/export.csv?tab=risers&month=2026-10")
			xlsx := cl.Get("/usage/export.xlsx?tab=risers&month=2026-10")
			if list.Status != 200 || csv.Status != 200 || xlsx.Status != 200 {
				t.Fatalf("%s: list %d, csv %d, xlsx %d", c.user, list.Status, csv.Status, xlsx.Status)
			}
			for k, name := range names {
				want := strings.Contains(c.want, k)
				if strings.Contains(list.Body, name) != want || strings.Contains(csv.Body, name) != want {
					t.Errorf("%s: %s in list %v, in export %v; want %v", c.user, name, strings.Contains(list.Body, name), strings.Contains(csv.Body, name), want)
				}
			}
			if c.user == "zhoujie" && !strings.Contains(csv.Body, "5,000.01") && !strings.Contains(csv.Body, "5000.01") {
				t.Errorf("zhoujie's export lacks the amount: %s", csv.Body)
			}
		}
		// Nothing fell: the fallers list is empty; by product and by
		// industry sum the viewer's scope only.
		if res := liwei.Get("/usage?tab=fallers&month=2026-10"); !strings.Contains(res.Body, `id="usage-none"`) {
			t.Error("fallers are not empty")
		}
		res = liwei.Get("/usage?tab=product&month=2026-10")
		if res.Status != 200 || !strings.Contains(res.Body, "3,200.00") || strings.Contains(res.Body, "5,000.01") || strings.Contains(res.Body, "8,200.01") {
			t.Errorf("by product for liwei: %d", res.Status)
		}
		res = loggedIn(t, w.a, "admin").Get("/usage?tab=product&month=2026-10&sort=name&dir=asc")
		if !strings.Contains(res.Body, "8,200.01") {
			t.Errorf("by product for the admin lacks DIA-100M's 8,200.01")
		}
		res = liwei.Get("/usage?tab=industry&month=2026-10")
		if !strings.Contains(res.Body, "4,329.60") {
			t.Errorf("by industry for liwei: want 3,200.00 - 150.50 + 1,280.10 = 4,329.60")
		}
		// The filter narrows to a product.
		res = loggedIn(t, w.a, "admin").Get("/usage?tab=risers&month=2026-10&product=" + productID(t, w, "BB-200M"))
		if !strings.Contains(res.Body, w.chen.Name) || strings.Contains(res.Body, w.zj.Name) {
			t.Error("the product filter does not narrow the list")
		}
	})
}

// TestUsageHTTPUploadLimit: a file over the upload limit is refused with
// the limit in the message and nothing is read.
func TestUsageHTTPUploadLimit(t *testing.T) {
	t.Parallel()
	w := newUsageWorld(t, testkit.SQLite(t), func(o *appOptions) { o.MaxUploadBytes = 64 << 10 })
	admin := loggedIn(t, w.a, "admin")
	data := w.goodCSV("") + strings.Repeat(" ", 70<<10)
	res := usageUpload(t, admin, "big.csv", data, false)
	if res.Status != 422 || !strings.Contains(res.Body, "文件太大") {
		t.Fatalf("oversize: %d", res.Status)
	}
	if n := usageCount(t, w.a, "billing", 202610); n != 0 {
		t.Fatalf("rows: %d", n)
	}
	_ = bytes.MinRead
}

func productID(t *testing.T, w *usageWorld, code string) string {
	t.Helper()
	var id uint
	if err := w.a.DB.Gorm.Table("products").Where("code = ?", code).Pluck("id", &id).Error; err != nil || id == 0 {
		t.Fatalf("product %s: %v", code, err)
	}
	return itoa(id)
}
