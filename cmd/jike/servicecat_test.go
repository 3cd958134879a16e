package main

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

var (
	selectRe = regexp.MustCompile(`(?s)<select[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>`)
	optionRe = regexp.MustCompile(`(?s)<option value="([^"]*)"[^>]*>(.*?)</option>`)
)

// options returns the values and texts of the select named name in body
// (without the empty "all"/"choose" option).
func options(t *testing.T, body, page, name string) (values, texts []string) {
	t.Helper()
	for _, m := range selectRe.FindAllStringSubmatch(body, -1) {
		if m[1] != name {
			continue
		}
		for _, o := range optionRe.FindAllStringSubmatch(m[2], -1) {
			if o[1] == "" {
				continue
			}
			values = append(values, o[1])
			texts = append(texts, html.UnescapeString(strings.TrimSpace(o[2])))
		}
		return values, texts
	}
	t.Fatalf("%s: no select named %s", page, name)
	return nil, nil
}

// TestServiceCategoriesOneList: the customer analysis (current services),
// the need form and filter, the visit record's needs and the catalogue's
// form and filter offer exactly the one list of service categories, in
// its order and with its labels, in Chinese and English (issue 9: "one
// category list for services shared by customer analysis, needs and the
// catalogue"); and each of those forms refuses a key of the old lists with
// a localized field error and saves nothing.
func TestServiceCategoriesOneList(t *testing.T) {
	t.Parallel()
	d := testkit.SQLite(t)
	a := newTestApp(t, d, func(o *appOptions) { o.Location, _ = time.LoadLocation("Asia/Shanghai") })
	if _, err := a.Catalog.SeedDefaults(context.Background(), subject(t, a, "admin").ID); err != nil {
		t.Fatal(err)
	}
	cu, plan, _ := planVisit(t, a, -time.Hour) // a visit whose time has come: its record form is offered
	my := "/customers/" + itoa(cu.ID)
	pages := []struct{ who, path, sel string }{
		{"liwei", my + "/analysis", "service"},
		{"liwei", my + "/needs", "category"},
		{"liwei", "/needs", "category"},
		{"liwei", "/visits/" + itoa(plan.ID), "need_category_0"},
		{"admin", "/catalog", "category"},
		{"admin", "/catalog/new", "category"},
	}
	keys := servicecat.Keys()
	if len(keys) < 6 {
		t.Fatalf("the list has %d categories", len(keys))
	}
	for _, lang := range []string{"zh-CN", "en"} {
		var labels []string
		for _, k := range keys {
			l := a.Server.I18n.T(lang, servicecat.Label(k))
			if l == servicecat.Label(k) || l == "" {
				t.Fatalf("%s: no label for %s", lang, k)
			}
			labels = append(labels, l)
		}
		clients := map[string]*testkit.Client{}
		for _, p := range pages {
			c := clients[p.who]
			if c == nil {
				c = loggedIn(t, a, p.who)
				if res := c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/"}}); res.Status != 303 {
					t.Fatalf("switch to %s: %d", lang, res.Status)
				}
				clients[p.who] = c
			}
			res := c.Get(p.path)
			if res.Status != 200 {
				t.Fatalf("%s %s: %d", lang, p.path, res.Status)
			}
			values, texts := options(t, res.Body, p.path, p.sel)
			if !slices.Equal(values, keys) {
				t.Errorf("%s %s offers %v, want the one list %v", lang, p.path, values, keys)
			}
			if !slices.Equal(texts, labels) {
				t.Errorf("%s %s labels %v, want %v", lang, p.path, texts, labels)
			}
			if p.sel == "need_category_0" && !strings.Contains(res.Body, `<select id="need_category_0" name="need_category_0"><option value="">`) {
				t.Errorf("%s %s: the need's category starts on a category, not on a choice to make", lang, p.path)
			}
			if strings.Contains(res.Body, servicecat.LabelPrefix) {
				t.Errorf("%s %s shows a raw message id %s…", lang, p.path, servicecat.LabelPrefix)
			}
		}
	}

	// An old key (or any key outside the list) is a field error, and
	// nothing is saved.
	ctx := context.Background()
	am := loggedIn(t, a, "liwei")
	admin := loggedIn(t, a, "admin")
	for _, c := range []*testkit.Client{am, admin} { // the language is the user's setting: back to Chinese
		c.PostForm("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}})
	}
	count := func(table string) int64 {
		var n int64
		if err := d.Gorm.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for old := range servicecat.Legacy() {
		before := [4]int64{count("customer_services"), count("needs"), count("products"), count("visit_records")}
		for _, tc := range []struct {
			c          *testkit.Client
			path, want string
			form       url.Values
		}{
			{am, my + "/analysis/services", "请从列表中选择", url.Values{"service": {old}, "supplier": {"cucc"}, "version": {"0"}}},
			{am, my + "/needs", "请从列表中选择", url.Values{"category": {old}, "description": {"专线需求"}, "priority": {"high"}}},
			{admin, "/catalog", "请从列表中选择", url.Values{"code": {"OLD-" + strings.ToUpper(old)}, "name_zh": {"旧类别产品"}, "name_en": {"Old category"},
				"category": {old}, "unit": {"条"}, "monthly": {"100"}, "floor_rate": {"80"}}},
		} {
			res := tc.c.PostForm(tc.path, tc.form)
			if res.Status != 422 || !strings.Contains(res.Body, tc.want) || !strings.Contains(res.Body, "has-error") {
				t.Errorf("POST %s with the old key %q: %d, want 422 with %q", tc.path, old, res.Status, tc.want)
			}
		}
		// A visit record's need: an old key, or none chosen (the select
		// starts on "需求类别…" so a need is never filed under the first
		// category by accident).
		for _, cat := range []string{old, ""} {
			res := am.PostForm("/visits/"+itoa(plan.ID)+"/record", url.Values{"discussed": {"谈了专线"}, "attitude": {"positive"},
				"need_category_0": {cat}, "need_description_0": {"总部专线扩容"}})
			if res.Status != 422 || !strings.Contains(res.Body, "请从列表中选择") {
				t.Errorf("visit record with the need category %q: %d, want 422", cat, res.Status)
			}
		}
		if after := [4]int64{count("customer_services"), count("needs"), count("products"), count("visit_records")}; after != before {
			t.Errorf("the old key %q saved something: %v → %v", old, before, after)
		}
	}
	// Through the services too (what other modules call).
	if _, err := a.Needs.SaveNeed(ctx, subject(t, a, "liwei"), cu.ID, 0, needs.NeedInput{Category: "data", Description: "专线"}); err == nil {
		t.Error("needs.SaveNeed took the old key data")
	}
	if _, err := a.Catalog.Save(ctx, subject(t, a, "admin").ID, 0, catalog.ProductInput{Code: "OLD-VIDEO", NameZh: "视频", NameEn: "Video",
		Category: "video", Unit: "套", Monthly: "100", FloorPercent: "80"}); err == nil {
		t.Error("catalog.Save took the old key video")
	}
	// The English error reads in English.
	am.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	if res := am.PostForm(my+"/needs", url.Values{"category": {"cloud"}, "description": {"cloud"}}); res.Status != 422 || !strings.Contains(res.Body, "Choose from the list") {
		t.Errorf("English need with an old key: %d", res.Status)
	}
}
