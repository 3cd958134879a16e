package needs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// fixedNow is the clock of the tests: 20:00 UTC is already the next day
// in Shanghai, which the tests of "today" rely on.
var fixedNow = time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)

// world is the demo organisation with prospects and needs on top.
type world struct {
	svc   *Service
	ps    *prospects.Service
	pst   *prospects.Store
	tl    *prospects.Timeline
	d     *db.DB
	users map[string]authz.Subject
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	if _, err := orgSvc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	tl := &prospects.Timeline{}
	pst := prospects.NewStore(d.Gorm)
	ps := prospects.NewService(pst, orgSvc.Store(), enf, tl)
	svc := NewService(NewStore(d.Gorm), ps, Options{Now: func() time.Time { return fixedNow }, Location: time.UTC})
	tl.Register(svc.TimelineEntries)
	w := &world{svc: svc, ps: ps, pst: pst, tl: tl, d: d, users: map[string]authz.Subject{}}
	for _, name := range []string{"admin", "liwei", "zhangjing", "zhaomin", "sunli", "zhoujie", "wangjianguo", "liuzhiqiang", "gaoyuan", "hexiaodong"} {
		u, err := orgSvc.Store().UserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		w.users[name] = u.Subject()
	}
	return w
}

func (w *world) as(name string) authz.Subject { return w.users[name] }

var codeSeq = 0

func (w *world) customer(t *testing.T, owner, name string) *prospects.Customer {
	t.Helper()
	codeSeq++
	in := prospects.CustomerInput{Name: name, CreditCode: prospects.MakeCreditCode(fmt.Sprintf("91230103MA2%06d", codeSeq)),
		Industry: "finance", Grade: "B", Status: "prospect"}
	c, err := w.ps.CreateCustomer(context.Background(), w.as(owner), in, true)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return c
}

func (w *world) contact(t *testing.T, owner string, customerID uint, name string) *prospects.Contact {
	t.Helper()
	ct, err := w.ps.SaveContact(context.Background(), w.as(owner), customerID, 0, prospects.ContactInput{Name: name, Role: "decision"})
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

func (w *world) opportunity(t *testing.T, owner string, customerID uint, title string) *prospects.Opportunity {
	t.Helper()
	o, err := w.ps.CreateOpportunity(context.Background(), w.as(owner), prospects.OpportunityInput{CustomerID: customerID, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (w *world) need(t *testing.T, owner string, customerID uint, desc string) *Need {
	t.Helper()
	n, err := w.svc.SaveNeed(context.Background(), w.as(owner), customerID, 0, NeedInput{Category: "dedicated_line", Description: desc, Priority: "high"})
	if err != nil {
		t.Fatalf("need %s: %v", desc, err)
	}
	return n
}

func wantFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	f, ok := apperr.AsFields(err)
	if !ok {
		t.Fatalf("want field errors %v, got %v", want, err)
	}
	for field, msg := range want {
		if f[field] != msg {
			t.Errorf("%s: got %q want %q (all: %v)", field, f[field], msg, f)
		}
	}
}

func count(t *testing.T, d *db.DB, model any) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func auditActions(t *testing.T, d *db.DB, entity string, id uint) []string {
	t.Helper()
	entries, _, err := audit.List(context.Background(), d.Gorm, audit.Query{Entity: entity, EntityID: id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- { // oldest first
		out = append(out, entries[i].Action)
	}
	return out
}

func TestToday(t *testing.T) {
	shanghai := NewService(nil, nil, Options{Now: func() time.Time { return fixedNow }})
	if got := shanghai.Today(); !got.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("today in Shanghai at 20:00 UTC: %v", got)
	}
	utc := NewService(nil, nil, Options{Now: func() time.Time { return fixedNow }, Location: time.UTC})
	if got := utc.DaysUntil(time.Date(2026, 3, 12, 15, 0, 0, 0, time.UTC)); got != 2 {
		t.Fatalf("days until: %d", got)
	}
}

func TestAnalysisAndServices(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "哈尔滨某银行")

		// Viewing before the first save gives an empty analysis and writes nothing.
		a, services, err := w.svc.Analysis(ctx, w.as("admin"), cu.ID)
		if err != nil || a.ID != 0 || a.Version != 0 || a.CustomerID != cu.ID || len(services) != 0 {
			t.Fatalf("empty analysis: %+v %v %v", a, services, err)
		}
		if n := count(t, d, &CustomerAnalysis{}); n != 0 {
			t.Fatal("viewing created an analysis")
		}

		// Bad input: field errors, nothing saved.
		_, err = w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: strings.Repeat("慢", 2001), ITBudget: "12.345"})
		wantFields(t, err, map[string]string{"pain_points": "v.too_long", "it_budget": "v.money"})
		if _, err := w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{ITBudget: "-5"}); err == nil {
			t.Fatal("negative budget accepted")
		}
		if n := count(t, d, &CustomerAnalysis{}); n != 0 {
			t.Fatal("bad input saved an analysis")
		}

		a, err = w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: " 专线经常中断 ", ITBudget: "1,200,000.50", DecisionCalendar: "每年 10 月做预算"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ITBudgetFen != 120000050 || a.PainPoints != "专线经常中断" || a.Version != 1 {
			t.Fatalf("saved analysis: %+v", a)
		}
		// A second "first save" (the form was read before the first) is stale.
		if _, err := w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: "x"}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale first save: %v", err)
		}
		a, err = w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: "专线经常中断；费用高", ITBudget: "1200000.50", Version: 1})
		if err != nil || a.Version != 2 {
			t.Fatalf("update: %+v %v", a, err)
		}
		if _, err := w.svc.SaveAnalysis(ctx, am, cu.ID, AnalysisInput{PainPoints: "旧表单", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		if got := auditActions(t, d, EntityAnalysis, a.ID); strings.Join(got, ",") != "create,update" {
			t.Fatalf("analysis audit: %v", got)
		}

		// Service rows.
		_, err = w.svc.SaveService(ctx, am, cu.ID, 0, ServiceInput{Service: "fax", Supplier: "mars", MonthlySpend: "abc", ContractEnd: "2026-13-40", Description: strings.Repeat("x", 201)})
		wantFields(t, err, map[string]string{"service": "v.choose", "supplier": "v.choose", "monthly_spend": "v.money", "contract_end": "v.date", "description": "v.too_long"})
		_, err = w.svc.SaveService(ctx, am, cu.ID, 0, ServiceInput{})
		wantFields(t, err, map[string]string{"service": "v.required", "supplier": "v.required"})
		if n := count(t, d, &CustomerService{}); n != 0 {
			t.Fatal("bad service saved")
		}
		cs, err := w.svc.SaveService(ctx, am, cu.ID, 0, ServiceInput{Service: "dedicated_line", Supplier: "cucc", Description: "互联网专线 200M", MonthlySpend: "8800", ContractEnd: "2026/9/30"})
		if err != nil {
			t.Fatal(err)
		}
		if cs.MonthlySpendFen != 880000 || cs.ContractEnd == nil || cs.ContractEnd.Format("2006-01-02") != "2026-09-30" {
			t.Fatalf("service: %+v", cs)
		}
		cs, err = w.svc.SaveService(ctx, am, cu.ID, cs.ID, ServiceInput{Service: "dedicated_line", Supplier: "cucc", MonthlySpend: "9000", Version: cs.Version})
		if err != nil || cs.ContractEnd != nil || cs.Version != 2 {
			t.Fatalf("update service: %+v %v", cs, err)
		}
		if _, err := w.svc.SaveService(ctx, am, cu.ID, cs.ID, ServiceInput{Service: "voice", Supplier: "self", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale service: %v", err)
		}
		other := w.customer(t, "liwei", "另一家客户")
		if _, err := w.svc.SaveService(ctx, am, other.ID, cs.ID, ServiceInput{Service: "voice", Supplier: "self", Version: cs.Version}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("row of another customer: %v", err)
		}
		if err := w.svc.DeleteService(ctx, w.as("zhangjing"), cu.ID, cs.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager deleting: %v", err)
		}
		if err := w.svc.DeleteService(ctx, w.as("admin"), cu.ID, cs.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin deleting: %v", err)
		}
		if err := w.svc.DeleteService(ctx, am, cu.ID, cs.ID); err != nil {
			t.Fatal(err)
		}
		if _, services, _ := w.svc.Analysis(ctx, am, cu.ID); len(services) != 0 {
			t.Fatal("deleted row still listed")
		}
		if err := w.svc.DeleteService(ctx, am, cu.ID, cs.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
		if got := auditActions(t, d, EntityService, cs.ID); strings.Join(got, ",") != "create,update,delete" {
			t.Fatalf("service audit: %v", got)
		}

		// Scope: another manager sees nothing; the admin reads but cannot write.
		if _, _, err := w.svc.Analysis(ctx, w.as("zhangjing"), cu.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager reading: %v", err)
		}
		if _, err := w.svc.SaveAnalysis(ctx, w.as("zhangjing"), cu.ID, AnalysisInput{Version: 2}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager writing: %v", err)
		}
		if _, err := w.svc.SaveAnalysis(ctx, w.as("admin"), cu.ID, AnalysisInput{Version: 2}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin writing: %v", err)
		}
		if _, err := w.svc.SaveAnalysis(ctx, w.as("zhaomin"), cu.ID, AnalysisInput{PainPoints: "首席补充", Version: 2}); err != nil {
			t.Fatalf("chief rep of the team writing: %v", err)
		}
	})
}

func TestNeedValidationAndLinks(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "某市人民医院")
		other := w.customer(t, "liwei", "某区教育局")
		ct := w.contact(t, "liwei", cu.ID, "王院长")
		foreignCt := w.contact(t, "liwei", other.ID, "李局长")
		opp := w.opportunity(t, "liwei", cu.ID, "远程会诊专线")
		foreignOpp := w.opportunity(t, "liwei", other.ID, "教育城域网")

		_, err := w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "space", Priority: "urgent"})
		wantFields(t, err, map[string]string{"category": "v.choose", "description": "v.required", "priority": "v.choose"})
		_, err = w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Description: strings.Repeat("需", 2001)})
		wantFields(t, err, map[string]string{"category": "v.required", "description": "v.too_long"})
		_, err = w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: foreignCt.ID, OpportunityID: foreignOpp.ID})
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact", "opportunity_id": "needs.v.opportunity"})
		_, err = w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: 999999, OpportunityID: 999999})
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact", "opportunity_id": "needs.v.opportunity"})
		// A deleted key person may not be named.
		gone := w.contact(t, "liwei", cu.ID, "已离职主任")
		if err := w.ps.DeleteContact(ctx, am, cu.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "专线", ContactID: gone.ID})
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact"})
		if n := count(t, d, &Need{}); n != 0 {
			t.Fatal("bad input saved a need")
		}

		n, err := w.svc.SaveNeed(ctx, am, cu.ID, 0, NeedInput{Category: "dedicated_line", Description: "  远程会诊需要 100M 专线  ", ContactID: ct.ID, OpportunityID: opp.ID})
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != StatusOpen || n.Priority != "medium" || n.OwnerID != cu.OwnerID || n.Description != "远程会诊需要 100M 专线" ||
			derefID(n.ContactID) != ct.ID || derefID(n.OpportunityID) != opp.ID || n.SourceVisitID != nil || n.Version != 1 {
			t.Fatalf("new need: %+v", n)
		}

		// Editing: the customer must match, links are checked again, versions too.
		in := NeedInput{Category: "idc_cloud", Description: "影像上云", Priority: "high", Version: n.Version}
		if _, err := w.svc.SaveNeed(ctx, am, other.ID, n.ID, in); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("need under another customer: %v", err)
		}
		bad := in
		bad.ContactID = foreignCt.ID
		_, err = w.svc.SaveNeed(ctx, am, 0, n.ID, bad)
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact"})
		n, err = w.svc.SaveNeed(ctx, am, 0, n.ID, in)
		if err != nil || n.Category != "idc_cloud" || n.ContactID != nil || n.OpportunityID != nil || n.Version != 2 || n.Status != StatusOpen {
			t.Fatalf("edit: %+v %v", n, err)
		}
		if _, err := w.svc.SaveNeed(ctx, am, 0, n.ID, in); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}

		// Scope: another manager's need is not found, the admin may not write.
		in.Version = n.Version
		for _, user := range []string{"zhangjing", "gaoyuan", "liuzhiqiang"} {
			if _, _, err := w.svc.Need(ctx, w.as(user), n.ID, "read"); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s reading: %v", user, err)
			}
			if _, err := w.svc.SaveNeed(ctx, w.as(user), 0, n.ID, in); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s editing: %v", user, err)
			}
			if _, err := w.svc.SetNeedStatus(ctx, w.as(user), n.ID, StatusClosed, 0); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s closing: %v", user, err)
			}
			if _, err := w.svc.SaveNeed(ctx, w.as(user), cu.ID, 0, NeedInput{Category: "iot", Description: "偷偷登记"}); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s adding: %v", user, err)
			}
		}
		if _, _, err := w.svc.Need(ctx, w.as("admin"), n.ID, "read"); err != nil {
			t.Fatalf("admin reading: %v", err)
		}
		if _, err := w.svc.SaveNeed(ctx, w.as("admin"), 0, n.ID, in); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin editing: %v", err)
		}
		in.Priority = "low"
		if _, err := w.svc.SaveNeed(ctx, w.as("wangjianguo"), 0, n.ID, in); err != nil {
			t.Fatalf("branch director editing: %v", err)
		}
		if got := auditActions(t, d, EntityNeed, n.ID); strings.Join(got, ",") != "create,update,update" {
			t.Fatalf("need audit: %v", got)
		}
	})
}

func TestNeedStatusTimelineAndVisit(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "大庆某能源公司")
		n := w.need(t, "liwei", cu.ID, "井场视频回传需要无线专网，覆盖萨尔图、让胡路和红岗三个区的全部 30 个井场，并接入集团监控中心")

		if _, err := w.svc.SetNeedStatus(ctx, am, n.ID, "done", 0); err == nil {
			t.Fatal("unknown status accepted")
		}
		steps := []string{StatusAddressed, StatusClosed, StatusOpen, StatusClosed, StatusOpen}
		for _, st := range steps {
			got, err := w.svc.SetNeedStatus(ctx, am, n.ID, st, 0)
			if err != nil || got.Status != st {
				t.Fatalf("to %s: %v %+v", st, err, got)
			}
		}
		got, _ := w.svc.SetNeedStatus(ctx, am, n.ID, StatusAddressed, 0)
		if _, err := w.svc.SetNeedStatus(ctx, am, n.ID, StatusClosed, got.Version-1); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale status change: %v", err)
		}
		got, _ = w.svc.SetNeedStatus(ctx, am, n.ID, StatusClosed, got.Version)
		// A closed need is reopened, not marked addressed directly.
		_, err := w.svc.SetNeedStatus(ctx, am, n.ID, StatusAddressed, 0)
		wantFields(t, err, map[string]string{"status": "needs.v.transition"})
		// Setting the current status changes nothing.
		if same, err := w.svc.SetNeedStatus(ctx, am, n.ID, StatusClosed, 0); err != nil || same.Version != got.Version {
			t.Fatalf("same status: %v %+v", err, same)
		}
		if _, err := w.svc.SetNeedStatus(ctx, w.as("admin"), n.ID, StatusOpen, 0); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin: %v", err)
		}
		if a := auditActions(t, d, EntityNeed, n.ID); len(a) != 1+len(steps)+2 {
			t.Fatalf("audit has %d entries: %v", len(a), a)
		}

		// The timeline: registered, then each status change.
		tl, err := w.tl.For(ctx, cu.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for i := len(tl) - 1; i >= 0; i-- {
			if tl[i].Kind == "need" {
				msgs = append(msgs, tl[i].MsgID)
				if tl[i].Args[1] != n.Short() || tl[i].ActorID != am.ID || !strings.HasSuffix(tl[i].Link, fmt.Sprintf("/needs#need-%d", n.ID)) {
					t.Errorf("entry: %+v", tl[i])
				}
			}
		}
		want := "needs.timeline.created,needs.timeline.status.addressed,needs.timeline.status.closed,needs.timeline.status.open,needs.timeline.status.closed,needs.timeline.status.open,needs.timeline.status.addressed,needs.timeline.status.closed"
		if strings.Join(msgs, ",") != want {
			t.Fatalf("timeline:\n got %s\nwant %s", strings.Join(msgs, ","), want)
		}
		if !strings.HasSuffix(n.Short(), "…") || len([]rune(n.Short())) != 31 {
			t.Fatalf("short: %q", n.Short())
		}

		// From a visit record.
		ct := w.contact(t, "liwei", cu.ID, "张总工")
		v, err := w.svc.CreateFromVisit(ctx, am, cu.ID, "", "希望井场监控接入集团云平台", ct.ID, 42)
		if err != nil {
			t.Fatal(err)
		}
		if v.Category != "other" || v.Priority != "medium" || v.Status != StatusOpen || derefID(v.SourceVisitID) != 42 || derefID(v.ContactID) != ct.ID {
			t.Fatalf("from visit: %+v", v)
		}
		if _, err := w.svc.CreateFromVisit(ctx, am, cu.ID, "iot", "", 0, 43); err == nil {
			t.Fatal("empty description accepted")
		}
		other := w.customer(t, "liwei", "别的客户")
		_, err = w.svc.CreateFromVisit(ctx, am, other.ID, "iot", "物联网卡", ct.ID, 44)
		wantFields(t, err, map[string]string{"contact_id": "needs.v.contact"})
		if _, err := w.svc.CreateFromVisit(ctx, w.as("zhangjing"), cu.ID, "iot", "物联网卡", 0, 45); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager's customer: %v", err)
		}
	})
}

func TestScopedListsAndExpiring(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.customer(t, "liwei", "客户甲医院")
		b := w.customer(t, "zhangjing", "客户乙银行")
		c := w.customer(t, "gaoyuan", "客户丙油田")
		e := w.customer(t, "zhoujie", "客户丁学校")
		// Naming another team's chief rep is the director's decision.
		if _, err := w.ps.Reassign(ctx, w.as("wangjianguo"), a.ID, a.OwnerID, w.as("sunli").ID, a.Version); err != nil {
			t.Fatal(err)
		}
		owners := map[uint]string{a.ID: "liwei", b.ID: "zhangjing", c.ID: "gaoyuan", e.ID: "zhoujie"}
		for _, cu := range []*prospects.Customer{a, b, c, e} {
			n := w.need(t, owners[cu.ID], cu.ID, "需求 "+cu.Name)
			if cu == b {
				if _, err := w.svc.SetNeedStatus(ctx, w.as("zhangjing"), n.ID, StatusAddressed, 0); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.svc.SaveService(ctx, w.as(owners[cu.ID]), cu.ID, 0, ServiceInput{Service: "mobile", Supplier: "ctcc", ContractEnd: w.svc.Today().AddDate(0, 0, 30).Format("2006-01-02")}); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string][]*prospects.Customer{
			"liwei":       {a},
			"zhangjing":   {b},
			"zhaomin":     {a, b},
			"sunli":       {a, e},
			"wangjianguo": {a, b, e},
			"liuzhiqiang": {c},
			"gaoyuan":     {c},
			"hexiaodong":  {c},
			"admin":       {a, b, c, e},
		}
		for user, visible := range want {
			t.Run(user, func(t *testing.T) {
				actor := w.as(user)
				seen := map[uint]bool{}
				for _, v := range visible {
					seen[v.ID] = true
				}
				rows, total, err := w.svc.ListNeeds(ctx, actor, NeedFilter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if int(total) != len(visible) || len(rows) != len(visible) {
					t.Fatalf("needs: %d rows (total %d), want %d", len(rows), total, len(visible))
				}
				for _, r := range rows {
					if !seen[r.CustomerID] || r.CustomerName == "" || r.OwnerName == "" {
						t.Errorf("row %+v", r)
					}
				}
				exp, total, err := w.svc.ExpiringContracts(ctx, actor, ExpiringWithinDays, 10)
				if err != nil || int(total) != len(visible) || len(exp) != len(visible) {
					t.Fatalf("expiring: %d (total %d) %v, want %d", len(exp), total, err, len(visible))
				}
				for _, x := range exp {
					if !seen[x.CustomerID] || x.DaysLeft != 30 || x.CustomerName == "" {
						t.Errorf("expiring row %+v", x)
					}
				}
				open, err := w.svc.CountNeeds(ctx, actor, StatusOpen)
				wantOpen := len(visible)
				if seen[b.ID] {
					wantOpen--
				}
				if err != nil || int(open) != wantOpen {
					t.Errorf("open needs %d, want %d (%v)", open, wantOpen, err)
				}
				for _, cu := range []*prospects.Customer{a, b, c, e} {
					_, _, err := w.svc.ListNeeds(ctx, actor, NeedFilter{CustomerID: cu.ID})
					if seen[cu.ID] != (err == nil) || (!seen[cu.ID] && !errors.Is(err, apperr.ErrNotFound)) {
						t.Errorf("needs of %s: %v", cu.Name, err)
					}
				}
			})
		}
		// Filters.
		dir := w.as("wangjianguo")
		for name, tc := range map[string]struct {
			f    NeedFilter
			want int
		}{
			"owner":     {NeedFilter{OwnerID: w.as("zhangjing").ID}, 1},
			"status":    {NeedFilter{Status: StatusAddressed}, 1},
			"open":      {NeedFilter{Status: StatusOpen}, 2},
			"category":  {NeedFilter{Category: "dedicated_line"}, 3},
			"cloud":     {NeedFilter{Category: "idc_cloud"}, 0},
			"priority":  {NeedFilter{Priority: "high"}, 3},
			"search":    {NeedFilter{Q: "银行"}, 1},
			"like safe": {NeedFilter{Q: "%"}, 0},
			"customer":  {NeedFilter{CustomerID: e.ID}, 1},
			"sorted":    {NeedFilter{Sort: "priority", Desc: true}, 3},
		} {
			rows, _, err := w.svc.ListNeeds(ctx, dir, tc.f)
			if err != nil || len(rows) != tc.want {
				t.Errorf("%s: %d rows, want %d (%v)", name, len(rows), tc.want, err)
			}
		}
		// A deleted customer's needs and contracts leave every list.
		if err := w.ps.DeleteCustomer(ctx, w.as("liwei"), a.ID); err != nil {
			t.Fatal(err)
		}
		if rows, _, _ := w.svc.ListNeeds(ctx, w.as("admin"), NeedFilter{}); len(rows) != 3 {
			t.Fatalf("after delete: %d needs", len(rows))
		}
		if exp, _, _ := w.svc.ExpiringContracts(ctx, w.as("admin"), ExpiringWithinDays, 10); len(exp) != 3 {
			t.Fatalf("after delete: %d contracts", len(exp))
		}
	})
}

func TestExpiringBoundaries(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "边界测试客户")
		today := w.svc.Today()
		add := func(supplier string, days int, service string) {
			t.Helper()
			in := ServiceInput{Service: service, Supplier: supplier, Description: fmt.Sprintf("%+d", days)}
			if days != 9999 {
				in.ContractEnd = today.AddDate(0, 0, days).Format("2006-01-02")
			}
			if _, err := w.svc.SaveService(ctx, am, cu.ID, 0, in); err != nil {
				t.Fatal(err)
			}
		}
		add("cucc", 181, "voice")
		add("ctcc", 180, "mobile")
		add("cmcc", 179, "broadband")
		add("cbn", 0, "iot")
		add("other", -1, "idc_cloud")
		add("self", 10, "dedicated_line")
		add("cucc", 9999, "other") // no end date
		add("ctcc", 90, "dedicated_line")
		rows, total, err := w.svc.ExpiringContracts(ctx, am, ExpiringWithinDays, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s:%d", r.Supplier, r.DaysLeft))
			if r.Description != fmt.Sprintf("%+d", r.DaysLeft) {
				t.Errorf("days left %d for the row ending %s", r.DaysLeft, r.Description)
			}
		}
		if strings.Join(got, " ") != "cbn:0 ctcc:90 cmcc:179 ctcc:180" || total != 4 {
			t.Fatalf("expiring: %v (total %d)", got, total)
		}
		rows, total, err = w.svc.ExpiringContracts(ctx, am, ExpiringWithinDays, 2)
		if err != nil || len(rows) != 2 || total != 4 || rows[0].Supplier != "cbn" {
			t.Fatalf("limited: %d rows, total %d, %v", len(rows), total, err)
		}
	})
}

func TestSeedDemo(t *testing.T) {
	// The engines run in parallel: the first to get here records its
	// descriptions, the other compares.
	var (
		mu    sync.Mutex
		first []string
	)
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		if a, n, err := w.svc.SeedDemo(ctx, 2026); err != nil || a != 0 || n != 0 {
			t.Fatalf("without customers: %d %d %v", a, n, err)
		}
		if _, err := w.ps.SeedDemo(ctx, 2026); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		analyses, needs, err := w.svc.SeedDemo(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d analyses, %d needs in %v", d.Dialect, analyses, needs, time.Since(start))
		if time.Since(start) > 3*time.Second {
			t.Errorf("SeedDemo took %v", time.Since(start))
		}
		customers := count(t, d, &prospects.Customer{})
		if analyses < int(customers)/2 || needs < int(customers) || int64(analyses) != count(t, d, &CustomerAnalysis{}) || int64(needs) != count(t, d, &Need{}) {
			t.Fatalf("%d customers: %d analyses, %d needs", customers, analyses, needs)
		}
		// Every kind shows up, and the links are consistent.
		var rows []Need
		if err := d.Gorm.Order("id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		linked := 0
		for _, n := range rows {
			kinds[n.Category], kinds[n.Priority], kinds[n.Status] = true, true, true
			if n.ContactID != nil {
				ct, err := w.pst.Contact(ctx, *n.ContactID)
				if err != nil || ct.CustomerID != n.CustomerID {
					t.Fatalf("need %d: contact of another customer", n.ID)
				}
				linked++
			}
			if n.OpportunityID != nil {
				o, err := w.pst.Opportunity(ctx, *n.OpportunityID)
				if err != nil || o.CustomerID != n.CustomerID {
					t.Fatalf("need %d: opportunity of another customer", n.ID)
				}
			}
			cu, err := w.pst.Customer(ctx, n.CustomerID)
			if err != nil || cu.OwnerID != n.OwnerID {
				t.Fatalf("need %d: owner is not the customer's", n.ID)
			}
		}
		for _, k := range append(append(append([]string{}, servicecat.Keys()...), Priorities...), Statuses...) {
			if !kinds[k] {
				t.Errorf("no demo need with %s", k)
			}
		}
		if linked == 0 {
			t.Error("no need names a key person")
		}
		// The demo account manager has competitor contracts ending soon, and
		// his customers' timelines show the needs.
		exp, total, err := w.svc.ExpiringContracts(ctx, w.as("liwei"), ExpiringWithinDays, 8)
		if err != nil || len(exp) == 0 || total < int64(len(exp)) {
			t.Fatalf("liwei's expiring contracts: %d %d %v", len(exp), total, err)
		}
		for _, x := range exp {
			if x.Supplier == SupplierSelf || x.DaysLeft < 0 || x.DaysLeft > ExpiringWithinDays {
				t.Errorf("not an expiring competitor contract: %+v", x)
			}
		}
		tl, err := w.tl.For(ctx, rows[0].CustomerID, 200)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, e := range tl {
			if e.Kind == "need" {
				seen++
			}
		}
		if seen == 0 {
			t.Error("demo needs are not on the timeline")
		}
		// Idempotent.
		if a, n, err := w.svc.SeedDemo(ctx, 2026); err != nil || a != 0 || n != 0 {
			t.Fatalf("second run: %d %d %v", a, n, err)
		}
		// Deterministic: the same descriptions on both databases.
		var descs []string
		for _, n := range rows[:10] {
			descs = append(descs, n.Description)
		}
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = descs
		} else if strings.Join(first, "|") != strings.Join(descs, "|") {
			t.Fatalf("not deterministic:\n%v\n%v", first, descs)
		}
	})
}

// TestNeedsFollowAReassignedCustomer: lists per account manager and the
// owner shown follow the customer's current owner.
func TestNeedsFollowAReassignedCustomer(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		c := w.customer(t, "liwei", "哈尔滨某制药厂")
		n := w.need(t, "liwei", c.ID, "厂区物联网卡 2000 张")
		if _, err := w.ps.Reassign(ctx, w.as("zhaomin"), c.ID, w.as("zhangjing").ID, 0, c.Version); err != nil {
			t.Fatal(err)
		}
		chief := w.as("zhaomin")
		rows, _, err := w.svc.ListNeeds(ctx, chief, NeedFilter{OwnerID: w.as("zhangjing").ID})
		if err != nil || len(rows) != 1 || rows[0].ID != n.ID || rows[0].OwnerName != "张静" {
			t.Fatalf("the new owner's needs: %v %+v", err, rows)
		}
		if rows, _, _ := w.svc.ListNeeds(ctx, chief, NeedFilter{OwnerID: w.as("liwei").ID}); len(rows) != 0 {
			t.Fatalf("the former owner still lists the need: %+v", rows)
		}
		if rows, _, _ := w.svc.ListNeeds(ctx, w.as("liwei"), NeedFilter{}); len(rows) != 0 {
			t.Fatal("the former owner still sees the need")
		}
	})
}
