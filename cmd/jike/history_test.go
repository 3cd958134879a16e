package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/jike-crm/jike/modules/visits"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// demoApp wires the app on d and loads the whole demo, as `serve --demo`.
func demoApp(t *testing.T, d *db.DB) *app {
	t.Helper()
	a, err := buildApp(d, appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(context.Background(), a, io.Discard); err != nil {
		t.Fatal(err)
	}
	return a
}

// historyEdits makes the kinds of change the demo lacks, through the real
// services, so that the trail holds updates of every kind of field:
// references (a reassigned owner), enums and long texts (the
// qualification), money and dates (an opportunity), rates and long texts
// (a product), secrets and enums (a user).
func historyEdits(t *testing.T, a *app) edited {
	t.Helper()
	ctx := context.Background()
	liwei, zhaomin, admin := subject(t, a, "liwei"), subject(t, a, "zhaomin"), subject(t, a, "admin")
	mine, _, err := a.Prospects.ListCustomers(ctx, liwei, prospects.CustomerFilter{Limit: 10, Sort: "name"})
	if err != nil || len(mine) < 3 {
		t.Fatalf("liwei's demo customers: %d %v", len(mine), err)
	}
	long := strings.Repeat("客户去年更换了核心网络供应商，对价格敏感，但对服务质量要求很高。", 4)
	c := mine[0]
	// The answer must change to show in the timeline, whatever the demo
	// gave this customer.
	pay := "yes"
	if c.QualPay == "yes" {
		pay = "partly"
	}
	if _, err := a.Prospects.SaveQualification(ctx, liwei, c.ID, prospects.QualInput{Pay: pay, PayNote: long, Need: "partly", Authority: "no",
		Acceptance: "yes", AcceptanceNote: "多次拜访，关系良好", Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	zhangjing, err := a.Org.Store().UserByUsername(ctx, "zhangjing")
	if err != nil {
		t.Fatal(err)
	}
	c2 := mine[1]
	moved, err := a.Prospects.Reassign(ctx, zhaomin, c2.ID, zhangjing.ID, 0, c2.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Prospects.Reassign(ctx, zhaomin, c2.ID, liwei.ID, zhaomin.ID, moved.Version); err != nil {
		t.Fatal(err)
	}
	opps, err := a.Prospects.Opportunities(ctx, liwei, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(opps) == 0 {
		o, err := a.Prospects.CreateOpportunity(ctx, liwei, prospects.OpportunityInput{CustomerID: c.ID, Title: "全省网点互联网专线", Monthly: "12000", Stage: prospects.StageIdentified})
		if err != nil {
			t.Fatal(err)
		}
		opps = append(opps, *o)
	}
	o := opps[0]
	if _, err := a.Prospects.UpdateOpportunity(ctx, liwei, o.ID, prospects.OpportunityInput{CustomerID: c.ID, Title: o.Title + "（扩容）",
		Products: "互联网专线、云主机", Monthly: "119040.5", OneTime: "3000", ExpectedClose: "2027-01-29", Stage: o.Stage, Version: o.Version}); err != nil {
		t.Fatal(err)
	}
	products, _, err := a.Catalog.List(ctx, catalog.Filter{Limit: 1})
	if err != nil || len(products) == 0 {
		t.Fatalf("demo products: %v", err)
	}
	p := products[0]
	if _, err := a.Catalog.Save(ctx, admin.ID, p.ID, catalog.ProductInput{Code: p.Code, NameZh: p.NameZh, NameEn: p.NameEn, Category: p.Category,
		Unit: p.Unit, Monthly: "1999.90", OneTime: p.OneTimeFen.Plain(), FloorPercent: "82.5", SortOrder: "3",
		Description: long, Version: p.Version}); err != nil {
		t.Fatal(err)
	}
	u, err := a.Org.Store().UserByUsername(ctx, "chenhao")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Org.UpdateUser(ctx, admin.ID, u.ID, org.UserInput{Username: u.Username, Name: u.Name, Email: "chenhao@example.cn", Phone: u.Phone,
		Role: u.Role, TeamID: derefID(u.TeamID), Lang: "en", Version: u.Version}); err != nil {
		t.Fatal(err)
	}
	if err := a.Org.ResetPassword(ctx, admin.ID, u.ID, "Another-pass-2026"); err != nil {
		t.Fatal(err)
	}
	var plan visits.Plan
	if err := a.DB.Gorm.Where("owner_id = ? AND status = ?", liwei.ID, visits.StatusPlanned).Order("id").First(&plan).Error; err != nil {
		t.Fatalf("a planned demo visit of liwei's: %v", err)
	}
	if err := a.Visits.Cancel(ctx, liwei, plan.ID, long); err != nil {
		t.Fatal(err)
	}
	// A customer without members (a group with members cannot be deleted).
	del := mine[2]
	for _, m := range mine[2:] {
		var n int64
		if err := a.DB.Gorm.Table("customers").Where("parent_id = ? AND deleted_at IS NULL", m.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			del = m
			break
		}
	}
	if err := a.Prospects.DeleteCustomer(ctx, liwei, del.ID); err != nil {
		t.Fatal(err)
	}
	return edited{qualified: c.ID, reassigned: c2.ID, opportunity: o.ID, product: p.ID, user: u.ID, cancelled: plan.CustomerID,
		deleted: del.ID, deletedName: del.Name}
}

// edited names the records historyEdits changed (cancelled: the customer
// whose visit was cancelled with a long reason).
type edited struct {
	qualified, reassigned, opportunity, product, user, cancelled, deleted uint
	deletedName                                                           string
}

func derefID(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

// historyLeaks are what raw records look like; none may reach a reader.
var historyLeaks = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a snake_case column name", regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)},
	{"an RFC 3339 timestamp", regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)},
	{"a raw boolean", regexp.MustCompile(`\b(?:true|false)\b`)},
	{"a raw record id", regexp.MustCompile(`#\d+`)},
	{"an untranslated message id", regexp.MustCompile(`\b(?:history|audit)\.[a-z_.]+`)},
}

// pageLeaks apply to a whole page's visible text: no column that names an
// id, an amount or a time.
var pageLeaks = regexp.MustCompile(`\b[a-z][a-z0-9_]*_(?:id|fen|at)\b`)

var (
	scriptOrStyle = regexp.MustCompile(`(?is)<(script|style)\b.*?</(?:script|style)>`)
	anyTag        = regexp.MustCompile(`(?s)<[^>]*>`)
	historyStart  = regexp.MustCompile(`<([a-z]+)\b[^>]*\bdata-history\b[^>]*>`)
)

// visibleText is what a reader sees of some HTML: no tags, no attributes,
// entities decoded, runs of white space as one space.
func visibleText(h string) string {
	h = scriptOrStyle.ReplaceAllString(h, " ")
	return strings.Join(strings.Fields(html.UnescapeString(anyTag.ReplaceAllString(h, " "))), " ")
}

// historyBlocks cuts out every element marked data-history (the history
// tables and timelines), up to its matching end tag.
func historyBlocks(page string) []string {
	var out []string
	for _, m := range historyStart.FindAllStringSubmatchIndex(page, -1) {
		tag := page[m[2]:m[3]]
		open, closing := regexp.MustCompile(`<`+tag+`\b`), "</"+tag+">"
		depth, i := 1, m[1]
		for depth > 0 {
			end := strings.Index(page[i:], closing)
			if end < 0 {
				i = len(page)
				break
			}
			depth += len(open.FindAllStringIndex(page[i:i+end], -1)) - 1
			i += end + len(closing)
		}
		out = append(out, page[m[0]:i])
	}
	return out
}

// checkHistoryPage fails on any raw value in the page's history blocks or
// any id/amount/time column in its visible text, and returns the blocks.
func checkHistoryPage(t *testing.T, who, path, page string) []string {
	t.Helper()
	if m := pageLeaks.FindString(visibleText(page)); m != "" {
		t.Errorf("%s %s: the page shows the column %q", who, path, m)
	}
	blocks := historyBlocks(page)
	for _, b := range blocks {
		text := visibleText(b)
		for _, l := range historyLeaks {
			if m := l.re.FindString(text); m != "" {
				i := strings.Index(text, m)
				t.Errorf("%s %s: the history shows %s %q in …%s…", who, path, l.what, m, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
	return blocks
}

// historyPages lists, for a reader, the pages with a history or timeline
// about the records with the longest trails the reader may see: customer,
// opportunity, visit, needs, analysis and proposal pages hang off
// customers in the reader's scope, products are read by all, user pages
// and the audit log by the admin.
func historyPages(t *testing.T, a *app, s authz.Subject) map[string][]string {
	t.Helper()
	g := a.DB.Gorm
	scope := a.Prospects.Scope(s, "read")
	visible := g.Table("customers").Scopes(scope.Func(authz.StandardColumns("customers"))).Where("customers.deleted_at IS NULL").Select("customers.id")
	top := func(entity, join, page string) []string {
		q := g.Table("audit_log").Where("audit_log.entity = ?", entity)
		sel := "audit_log.entity_id"
		if join != "" {
			q = q.Joins(join).Where("x.customer_id IN (?)", visible)
			if strings.Contains(page, "customers/%d/") {
				sel = "x.customer_id"
			}
		} else if entity == "customer" {
			q = q.Where("audit_log.entity_id IN (?)", visible)
		}
		var ids []uint
		if err := q.Select(sel+" AS id").Group(sel).Order("COUNT(*) DESC, "+sel).Limit(2).Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range ids {
			out = append(out, fmt.Sprintf(page, id))
		}
		return out
	}
	pages := map[string][]string{
		"customer":    top("customer", "", "/customers/%d"),
		"opportunity": top("opportunity", "JOIN opportunities x ON x.id = audit_log.entity_id", "/opportunities/%d"),
		"visit":       top("visit", "JOIN visit_plans x ON x.id = audit_log.entity_id", "/visits/%d"),
		"needs":       top("need", "JOIN needs x ON x.id = audit_log.entity_id", "/customers/%d/needs"),
		"analysis":    top("customer_service", "JOIN customer_services x ON x.id = audit_log.entity_id", "/customers/%d/analysis"),
		"proposal":    top("proposal", "JOIN proposals x ON x.id = audit_log.entity_id", "/proposals/%d"),
		"contract":    top("contract", "JOIN contracts x ON x.id = audit_log.entity_id", "/contracts/%d"),
		"product":     top("product", "", "/catalog/%d"),
	}
	if s.Role == authz.RoleAdmin {
		pages["user"] = top("user", "", "/admin/users/%d/edit")
		pages["audit"] = []string{"/admin/audit", "/admin/audit?page=2"}
		for _, e := range a.Server.History.Entities() {
			pages["audit"] = append(pages["audit"], "/admin/audit?entity="+url.QueryEscape(e))
		}
	}
	return pages
}

// TestHistory checks the history in words on the demo data (plus edits of
// every kind of field), on both databases; the demo is loaded once per
// database for all the checks.
func TestHistory(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		ed := historyEdits(t, a)
		historyTargetEdits(t, a)
		t.Run("every recorded entity and action is described", func(t *testing.T) { testHistoryDescribed(t, a) })
		t.Run("the proposal history names the customer", func(t *testing.T) { testHistoryNamesCustomer(t, a) })
		t.Run("the timeline lists changed fields by label", func(t *testing.T) { testHistoryTimeline(t, a, ed) })
		t.Run("names only what the reader may see", func(t *testing.T) { testHistoryScoped(t, a) })
		t.Run("queries do not grow with the entries", func(t *testing.T) { testHistoryQueries(t, a) })
		t.Run("the admin keeps a raw view", func(t *testing.T) { testHistoryRawView(t, a, ed) })
		t.Run("every page reads in words", func(t *testing.T) { testHistoryWalk(t, a) })
		t.Run("the contract page reads in words", func(t *testing.T) { testHistoryContractPage(t, a) })
		t.Run("targets read in words", func(t *testing.T) { testHistoryTargets(t, a) })
	})
}

// testHistoryWalk walks every page that shows a history or a timeline,
// as each role in both languages, and fails on any raw column name, id,
// RFC 3339 time or true/false a reader would see. Each kind of page must
// show history rows, so the walk cannot pass by showing nothing.
func testHistoryWalk(t *testing.T, a *app) {
	for _, role := range []string{authz.RoleAdmin, authz.RoleDirector, authz.RoleChiefRep, authz.RoleAccountManager} {
		username := demoUsers[role]
		pages := historyPages(t, a, subject(t, a, username))
		for _, lang := range []string{"zh-CN", "en"} {
			c := loggedIn(t, a, username)
			if res := c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/"}}); res.Status != 303 {
				t.Fatalf("switch to %s: %d", lang, res.Status)
			}
			who := username + "/" + lang
			for kind, paths := range pages {
				rows := 0
				for _, p := range paths {
					res := c.Get(p)
					if res.Status != 200 {
						t.Errorf("%s %s: %d", who, p, res.Status)
						continue
					}
					for _, b := range checkHistoryPage(t, who, p, res.Body) {
						rows += strings.Count(b, "<tr>") + strings.Count(b, "<li")
					}
				}
				// The needs and analysis pages have no history block of
				// their own: their records' changes are on the customer
				// timeline and in the admin's log.
				if rows == 0 && kind != "needs" && kind != "analysis" {
					t.Errorf("%s: no %s page showed any history (%v)", who, kind, paths)
				}
			}
		}
	}
}

// testHistoryDescribed: the wired registry is complete in both languages,
// and every entity type and action in the trail is described.
func testHistoryDescribed(t *testing.T, a *app) {
	h := a.Server.History
	if bad := h.Check(); len(bad) > 0 {
		t.Fatalf("the history descriptions have gaps:\n%s", strings.Join(bad, "\n"))
	}
	var recorded []struct{ Entity, Action string }
	if err := a.DB.Gorm.Table("audit_log").Distinct("entity", "action").Scan(&recorded).Error; err != nil {
		t.Fatal(err)
	}
	if len(recorded) < 20 {
		t.Fatalf("the demo trail has only %d kinds of entry", len(recorded))
	}
	for _, r := range recorded {
		if !slices.Contains(h.Entities(), r.Entity) {
			t.Errorf("%s is recorded but not described", r.Entity)
		}
		for _, lang := range i18n.Langs {
			if !a.Server.I18n.Has(lang, "audit.action."+r.Action) {
				t.Errorf("%s: action %s has no %s label", r.Entity, r.Action, lang)
			}
		}
	}
}

// testHistoryNamesCustomer: a sent proposal's history reads "客户" with the
// customer's name, linked, and the status change by its labels.
func testHistoryNamesCustomer(t *testing.T, a *app) {
	var p proposals.Proposal
	if err := a.DB.Gorm.Where("status = ? AND owner_id = ?", proposals.StatusSent, subject(t, a, "liwei").ID).Order("id").First(&p).Error; err != nil {
		t.Fatalf("a sent demo proposal of liwei's: %v", err)
	}
	cu, err := a.ProspectStore.Customer(context.Background(), p.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][]string{
		"zh-CN": {`<span class="history-label">客户</span>：<a href="/customers/` + itoa(cu.ID) + `">` + html.EscapeString(cu.Name) + `</a>`,
			`<del>已审批</del> → 已提交客户`, `<span class="history-label">月费合计</span>：¥`},
		"en": {`<span class="history-label">Customer</span>: <a href="/customers/` + itoa(cu.ID) + `">` + html.EscapeString(cu.Name) + `</a>`,
			`<del>Approved</del> → Sent to customer`, `<span class="history-label">Monthly recurring</span>: ¥`},
	} {
		c := loggedIn(t, a, "liwei")
		c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/"}})
		res := c.Get("/proposals/" + itoa(p.ID))
		blocks := historyBlocks(res.Body)
		if res.Status != 200 || len(blocks) != 1 {
			t.Fatalf("%s: %d, %d history blocks", lang, res.Status, len(blocks))
		}
		for _, w := range want {
			if !strings.Contains(blocks[0], w) {
				t.Errorf("%s: the history lacks %s\n%.3000s", lang, w, blocks[0])
			}
		}
		for _, raw := range []string{"customer_id", "monthly_fen", "_fen", "approved →", "T00:00:00Z"} {
			if strings.Contains(res.Body, raw) {
				t.Errorf("%s: the page shows %q", lang, raw)
			}
		}
	}
}

// testHistoryTimeline: the customer timeline says which fields an update
// changed by their labels, not their columns.
func testHistoryTimeline(t *testing.T, a *app, ed edited) {
	for lang, want := range map[string][]string{
		"zh-CN": {"更新客户信息", "付款能力、付款能力依据", "认同客户经理依据"},
		"en":    {"Ability to pay, Ability to pay: grounds", "Accepts the account manager: grounds"},
	} {
		c := loggedIn(t, a, "liwei")
		c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/"}})
		res := c.Get("/customers/" + itoa(ed.qualified))
		blocks := historyBlocks(res.Body)
		if res.Status != 200 || len(blocks) == 0 {
			t.Fatalf("%s: %d, %d history blocks", lang, res.Status, len(blocks))
		}
		text := visibleText(strings.Join(blocks, " "))
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the timeline lacks %q\n%.2000s", lang, w, text)
			}
		}
		if strings.Contains(text, "qual_") {
			t.Errorf("%s: the timeline lists columns: %.2000s", lang, text)
		}
	}
	// A long detail (the reason a visit was cancelled) shows its start
	// and opens in place.
	res := loggedIn(t, a, "liwei").Get("/customers/" + itoa(ed.cancelled))
	timeline := strings.Join(historyBlocks(res.Body), "")
	if !regexp.MustCompile(`<details class="long-text"><summary><span class="long-short">客户去年更换了核心网络供应商[^<]*…</span>.*?<div class="long-full">(客户去年更换了核心网络供应商，对价格敏感，但对服务质量要求很高。){4}</div></details>`).MatchString(timeline) {
		t.Errorf("the cancelled visit's long reason is not cut short with 展开:\n%.3000s", timeline)
	}
}

// testHistoryScoped: every resolver names a record only to readers who may
// see it. Entries about (and referring to) records of a Daqing customer
// read "not available" to a Harbin account manager, by name to the Daqing
// director.
func testHistoryScoped(t *testing.T, a *app) {
	ctx := context.Background()
	g := a.DB.Gorm
	daqing := g.Table("customers").Select("customers.id").Joins("JOIN branches ON branches.id = customers.branch_id").
		Where("branches.name = ? AND customers.deleted_at IS NULL", "大庆分公司")
	pick := func(entity, query string) audit.Entry {
		var id uint
		if err := g.Raw(query+" ORDER BY x.id LIMIT 1", daqing).Scan(&id).Error; err != nil || id == 0 {
			t.Fatalf("a Daqing %s: %v", entity, err)
		}
		return audit.Entry{At: time.Now(), Entity: entity, EntityID: id, Action: audit.ActionUpdate, Changes: "{}"}
	}
	entries := []audit.Entry{
		pick("customer", "SELECT x.id FROM customers x WHERE x.id IN (?)"),
		pick("contact", "SELECT x.id FROM contacts x WHERE x.customer_id IN (?)"),
		pick("opportunity", "SELECT x.id FROM opportunities x WHERE x.customer_id IN (?)"),
		pick("visit", "SELECT x.id FROM visit_plans x WHERE x.customer_id IN (?)"),
		pick("visit_record", "SELECT x.id FROM visit_records x JOIN visit_plans p ON p.id = x.visit_id WHERE p.customer_id IN (?)"),
		pick("visit_todo", "SELECT x.id FROM visit_todos x WHERE x.customer_id IN (?)"),
		pick("customer_analysis", "SELECT x.id FROM customer_analyses x WHERE x.customer_id IN (?)"),
		pick("customer_service", "SELECT x.id FROM customer_services x WHERE x.customer_id IN (?)"),
		pick("need", "SELECT x.id FROM needs x WHERE x.customer_id IN (?)"),
		pick("proposal", "SELECT x.id FROM proposals x WHERE x.customer_id IN (?)"),
		pick("contract", "SELECT x.id FROM contracts x WHERE x.customer_id IN (?)"),
		pick("contract_task", "SELECT x.id FROM contract_tasks x JOIN contracts c ON c.id = x.contract_id WHERE c.customer_id IN (?)"),
		// Targets are the Daqing managers' (those who own Daqing customers).
		pick("target_quota", "SELECT x.id FROM target_quotas x WHERE x.owner_id IN (SELECT owner_id FROM customers WHERE id IN (?))"),
		pick("monthly_target", "SELECT x.id FROM monthly_targets x WHERE x.owner_id IN (SELECT owner_id FROM customers WHERE id IN (?))"),
		pick("monthly_review", "SELECT x.id FROM monthly_reviews x WHERE x.owner_id IN (SELECT owner_id FROM customers WHERE id IN (?))"),
	}
	named := len(entries)
	// The same records as references in a need's and a proposal's fields.
	refs, _ := json.Marshal(map[string]audit.Change{
		"customer_id": {To: entries[0].EntityID}, "contact_id": {To: entries[1].EntityID},
		"opportunity_id": {To: entries[2].EntityID}, "source_visit_id": {To: entries[3].EntityID},
	})
	entries = append(entries, audit.Entry{At: time.Now(), Entity: "need", EntityID: entries[8].EntityID, Action: audit.ActionUpdate, Changes: string(refs)})
	stranger, err := a.Server.History.View(ctx, subject(t, a, "liwei"), i18n.ZH, entries)
	if err != nil {
		t.Fatal(err)
	}
	insider, err := a.Server.History.View(ctx, subject(t, a, "liuzhiqiang"), i18n.ZH, entries)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries[:named] {
		if got := stranger.Rows[i].Target; got.Text != "（无权查看）" || got.Link != "" {
			t.Errorf("%s %d is named to liwei: %+v", e.Entity, e.EntityID, got)
		}
		if got := insider.Rows[i].Target; got.Text == "" || got.Text == "（无权查看）" {
			t.Errorf("%s %d is not named to the Daqing director: %+v", e.Entity, e.EntityID, got)
		}
	}
	last := len(entries) - 1
	if n := len(insider.Rows[last].Changes); n != 4 {
		t.Fatalf("the references read %d changes to the director", n)
	}
	for i, c := range stranger.Rows[last].Changes {
		if c.To.Text != "（无权查看）" || c.To.Link != "" {
			t.Errorf("%s is named to liwei: %+v", c.Label, c.To)
		}
		if insider.Rows[last].Changes[i].To.Text == "（无权查看）" {
			t.Errorf("%s is not named to the Daqing director", c.Label)
		}
	}
}

// testHistoryQueries: a page's history costs the same number of queries
// for five entries as for fifty with references to different records.
func testHistoryQueries(t *testing.T, a *app) {
	ctx := context.Background()
	var p proposals.Proposal
	if err := a.DB.Gorm.Where("owner_id = ? AND opportunity_id IS NOT NULL", subject(t, a, "liwei").ID).Order("id").First(&p).Error; err != nil {
		t.Fatal(err)
	}
	var users, opps []uint
	a.DB.Gorm.Table("users").Order("id").Limit(20).Pluck("id", &users)
	a.DB.Gorm.Table("opportunities").Where("customer_id = ?", p.CustomerID).Pluck("id", &opps)
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := a.DB.Gorm.Callback()
	for name, err := range map[string]error{
		"query": cb.Query().After("gorm:query").Register("history_test:count", count),
		"row":   cb.Row().After("gorm:row").Register("history_test:count", count),
		"raw":   cb.Raw().After("gorm:raw").Register("history_test:count", count),
	} {
		if err != nil {
			t.Fatalf("count %s queries: %v", name, err)
		}
	}
	t.Cleanup(func() {
		_ = cb.Query().Remove("history_test:count")
		_ = cb.Row().Remove("history_test:count")
		_ = cb.Raw().Remove("history_test:count")
	})
	c := loggedIn(t, a, "liwei")
	page := func() (int64, int) {
		n.Store(0)
		res := c.Get("/proposals/" + itoa(p.ID))
		if res.Status != 200 {
			t.Fatalf("proposal page: %d", res.Status)
		}
		return n.Load(), strings.Count(strings.Join(historyBlocks(res.Body), ""), "<tr>")
	}
	before, rowsBefore := page()
	for i := range 45 {
		actor := users[i%len(users)]
		changes := map[string]audit.Change{
			"owner_id":          {From: users[(i+1)%len(users)], To: users[(i+2)%len(users)]},
			"chief_approved_by": {To: users[(i+3)%len(users)]},
			"opportunity_id":    {To: opps[i%len(opps)]},
			"customer_id":       {To: p.CustomerID},
		}
		if err := audit.Record(ctx, a.DB.Gorm, actor, "proposal", p.ID, audit.ActionUpdate, changes); err != nil {
			t.Fatal(err)
		}
	}
	after, rowsAfter := page()
	if rowsAfter <= rowsBefore+40 {
		t.Fatalf("the page shows %d rows, then %d", rowsBefore, rowsAfter)
	}
	if after != before {
		t.Errorf("the proposal page ran %d queries with %d history rows and %d with %d: the history must resolve names in batch",
			before, rowsBefore, after, rowsAfter)
	}
}

// testHistoryRawView: the admin's log reads in words by default, and the
// raw view shows columns and values as stored.
func testHistoryRawView(t *testing.T, a *app, ed edited) {
	c := loggedIn(t, a, "admin")
	q := "?entity=user&entity_id=" + itoa(ed.user)
	res := c.Get("/admin/audit" + q)
	blocks := historyBlocks(res.Body)
	if res.Status != 200 || len(blocks) != 1 {
		t.Fatalf("readable log: %d, %d blocks", res.Status, len(blocks))
	}
	text := visibleText(blocks[0])
	for _, w := range []string{"用户 · 陈浩", "界面语言", "中文 → 英文", "（已更改，不显示）"} {
		if !strings.Contains(text, w) {
			t.Errorf("the readable log lacks %q: %.2000s", w, text)
		}
	}
	// A deleted customer keeps its name, marked, without a link.
	del := c.Get("/admin/audit?entity=customer&entity_id=" + itoa(ed.deleted))
	if text := visibleText(strings.Join(historyBlocks(del.Body), "")); !strings.Contains(text, "客户 · "+ed.deletedName+"（已删除） 删除") {
		t.Errorf("the deleted customer does not read by name: %.1000s", text)
	}
	if strings.Contains(del.Body, `href="/customers/`+itoa(ed.deleted)+`"`) {
		t.Error("the log links a deleted customer")
	}
	raw := c.Get("/admin/audit" + q + "&raw=1")
	if raw.Status != 200 || len(historyBlocks(raw.Body)) != 0 {
		t.Fatalf("raw log: %d", raw.Status)
	}
	for _, w := range []string{"<code>lang</code>", "<code>password_hash</code>", "<code>user #" + itoa(ed.user) + "</code>", "***"} {
		if !strings.Contains(raw.Body, w) {
			t.Errorf("the raw log lacks %s", w)
		}
	}
	if !strings.Contains(raw.Body, `href="/admin/audit?entity=user&amp;entity_id=`+itoa(ed.user)+`"`) {
		t.Error("the raw view does not link back to the readable one with the same filter")
	}
}
