package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/aftersale"
	"github.com/jike-crm/jike/modules/catalog"
	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/needs"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/retention"
	usagemod "github.com/jike-crm/jike/modules/usage"
)

// riskWorld is an app at a fixed clock with two catalogue products and
// helpers that write the rows each churn factor reads, directly (the
// usage import is another module's; the other rows are the shapes their
// modules write).
type riskWorld struct {
	a        *app
	d        *db.DB
	clk      *fakeClock
	products []uint
	imp      uint
	n        int
}

// riskNow is the worlds' clock: 10 December 2026, the latest usage month
// November 2026.
var riskNow = at("2026-12-10 09:00")

func newRiskWorld(t *testing.T, d *db.DB) *riskWorld {
	t.Helper()
	clk := &fakeClock{t: riskNow}
	a := newTestApp(t, d, func(o *appOptions) { o.Now = clk.Now })
	ctx := context.Background()
	admin := subject(t, a, "admin")
	if _, err := a.Catalog.SeedDefaults(ctx, admin.ID); err != nil {
		t.Fatal(err)
	}
	var ps []catalog.Product
	if err := d.Gorm.Order("id").Limit(2).Find(&ps).Error; err != nil || len(ps) < 2 {
		t.Fatalf("products: %v %v", ps, err)
	}
	imp := usagemod.Import{Source: "billing", YM: 202611, FileName: "t.csv", ImportedBy: admin.ID, ImportedAt: riskNow}
	if err := d.Gorm.Create(&imp).Error; err != nil {
		t.Fatal(err)
	}
	return &riskWorld{a: a, d: d, clk: clk, products: []uint{ps[0].ID, ps[1].ID}, imp: imp.ID}
}

// customer makes an active customer of owner's, cared for recently (so
// only what a test adds counts).
func (w *riskWorld) customer(t *testing.T, owner, name string) uint {
	t.Helper()
	w.n++
	c := afterCustomer(t, w.a, owner, name, "91230103MA31"+string(rune('A'+w.n/10))+"000"+string(rune('0'+w.n%10)), "B")
	w.cared(t, c.ID, riskNow.AddDate(0, 0, -10))
	return c.ID
}

func (w *riskWorld) cared(t *testing.T, id uint, on time.Time) {
	t.Helper()
	lc := aftersale.LastContact{CustomerID: id, LastContactOn: time.Date(on.Year(), on.Month(), on.Day(), 0, 0, 0, 0, time.UTC), UpdatedAt: riskNow}
	if err := w.d.Gorm.Save(&lc).Error; err != nil {
		t.Fatal(err)
	}
}

// revenue writes a customer's revenue of a product for consecutive months
// from 202606 (one amount per month, 0 skips the month).
func (w *riskWorld) revenue(t *testing.T, id uint, product int, fen ...int64) {
	t.Helper()
	ym := 202606
	for _, f := range fen {
		if f != 0 {
			m := usagemod.Month{ImportID: w.imp, Source: "billing", YM: ym, CustomerID: id, ProductID: w.products[product], RevenueFen: money.Fen(f), Quantity: 1}
			if err := w.d.Gorm.Create(&m).Error; err != nil {
				t.Fatal(err)
			}
		}
		ym = retention.AddMonths(ym, 1)
	}
}

func (w *riskWorld) competitor(t *testing.T, id uint, days int) {
	t.Helper()
	end := dateOnly(riskNow.AddDate(0, 0, days))
	s := needs.CustomerService{CustomerID: id, Service: "dedicated_line", Supplier: "cmcc", ContractEnd: &end, Version: 1}
	if err := w.d.Gorm.Create(&s).Error; err != nil {
		t.Fatal(err)
	}
}

// contract writes one of our contracts in force ending in days; renewal
// adds a renewal draft naming it.
func (w *riskWorld) contract(t *testing.T, owner string, id uint, days int, renewal bool) {
	t.Helper()
	u := subject(t, w.a, owner)
	c := contracts.Contract{Number: "HT-" + itoa(id), Revision: 1, IsCurrent: true, CustomerID: id, OwnerID: u.ID, BranchID: u.BranchID,
		Title: "专线", Status: contracts.StatusActive, StartOn: dateOnly(riskNow.AddDate(-1, 0, 0)), EndOn: dateOnly(riskNow.AddDate(0, 0, days)),
		TermMonths: 12, PaymentTerms: "monthly", PaymentDueDay: 1, Version: 1}
	if err := w.d.Gorm.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	if renewal {
		r := c
		r.ID, r.Number, r.Status, r.PredecessorID = 0, "HT-R-"+itoa(id), contracts.StatusDraft, &c.ID
		if err := w.d.Gorm.Create(&r).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func (w *riskWorld) complaint(t *testing.T, owner string, id uint, breached bool) {
	t.Helper()
	r, err := w.a.Aftersale.CreateRequest(context.Background(), subject(t, w.a, owner), aftersale.RequestInput{CustomerID: id, Kind: "complaint",
		Category: "network", Severity: "major", Channel: "phone", Description: "投诉"})
	if err != nil {
		t.Fatal(err)
	}
	if breached {
		if err := w.d.Gorm.Model(&aftersale.Request{}).Where("id = ?", r.ID).Updates(map[string]any{"breached_at": riskNow.AddDate(0, 0, -5), "status": "closed"}).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func (w *riskWorld) callback(t *testing.T, id uint, lowest int, daysAgo int) {
	t.Helper()
	done := riskNow.AddDate(0, 0, -daysAgo)
	c := aftersale.Callback{CustomerID: id, Reason: aftersale.ReasonQuarterly, SourceKey: "q:" + itoa(id) + ":" + itoa(uint(lowest)), DueOn: dateOnly(done), Status: "done",
		QAttitude: 5, QSkill: lowest, QSpeed: 4, QResult: 5, DoneAt: &done, Version: 1}
	if err := w.d.Gorm.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
}

func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func codes(sc retention.Score) []string {
	var out []string
	for _, f := range sc.FactorList() {
		out = append(out, f.Code)
	}
	return out
}

// TestChurnFactors is the table test of the score: each customer has one
// fact (or one just below its threshold), and its explanation lists
// exactly the factors that contributed, with their points; the
// combination adds up and is capped at 100. On both databases.
func TestChurnFactors(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newRiskWorld(t, d)
		type want struct {
			score int
			codes []string
		}
		cases := map[string]struct {
			setup func(id uint)
			want  want
		}{
			// Revenue: the prior window (Jun–Aug) against the recent one (Sep–Nov).
			"fall 30%":         {func(id uint) { w.revenue(t, id, 0, 10000, 10000, 10000, 7000, 7000, 7000) }, want{20, []string{retention.FactorRevenueFall}}},
			"fall 20% exactly": {func(id uint) { w.revenue(t, id, 0, 10000, 10000, 10000, 8000, 8000, 8000) }, want{20, []string{retention.FactorRevenueFall}}},
			"fall 19.99%":      {func(id uint) { w.revenue(t, id, 0, 10000, 10000, 10000, 8001, 8001, 8000) }, want{0, nil}},
			"fall 50% steep":   {func(id uint) { w.revenue(t, id, 0, 10000, 10000, 10000, 5000, 5000, 5000) }, want{35, []string{retention.FactorRevenueFall}}},
			"growth":           {func(id uint) { w.revenue(t, id, 0, 5000, 5000, 5000, 9000, 9000, 9000) }, want{0, nil}},
			// A small product stopped in November; revenue barely moved.
			"product dropped": {func(id uint) {
				w.revenue(t, id, 0, 10000, 10000, 10000, 10000, 10000, 10000)
				w.revenue(t, id, 1, 100, 100, 100, 100, 100, 0)
			}, want{15, []string{retention.FactorProductDrop}}},
			"competitor in 30 days":    {func(id uint) { w.competitor(t, id, 30) }, want{10, []string{retention.FactorCompetitorEnd}}},
			"competitor in 120 days":   {func(id uint) { w.competitor(t, id, 120) }, want{0, nil}},
			"contract in 60 days":      {func(id uint) { w.contract(t, "liwei", id, 60, false) }, want{20, []string{retention.FactorContractEnd}}},
			"contract renewal drafted": {func(id uint) { w.contract(t, "liwei", id, 60, true) }, want{0, nil}},
			"contract in 200 days":     {func(id uint) { w.contract(t, "liwei", id, 200, false) }, want{0, nil}},
			"open complaint":           {func(id uint) { w.complaint(t, "liwei", id, false) }, want{10, []string{retention.FactorComplaints}}},
			"breached complaint":       {func(id uint) { w.complaint(t, "liwei", id, true) }, want{10, []string{retention.FactorComplaints}}},
			"low call-back":            {func(id uint) { w.callback(t, id, 2, 20) }, want{15, []string{retention.FactorLowCallback}}},
			"fair call-back":           {func(id uint) { w.callback(t, id, 3, 20) }, want{0, nil}},
			"old low call-back":        {func(id uint) { w.callback(t, id, 1, 200) }, want{0, nil}},
			"care 100 days ago":        {func(id uint) { w.cared(t, id, riskNow.AddDate(0, 0, -100)) }, want{10, []string{retention.FactorCareOverdue}}},
			"care 80 days ago":         {func(id uint) { w.cared(t, id, riskNow.AddDate(0, 0, -80)) }, want{0, nil}},
			"never cared": {func(id uint) {
				if err := w.d.Gorm.Where("customer_id = ?", id).Delete(&aftersale.LastContact{}).Error; err != nil {
					t.Fatal(err)
				}
			}, want{10, []string{retention.FactorCareOverdue}}},
			"combination": {func(id uint) {
				w.revenue(t, id, 0, 10000, 10000, 10000, 7000, 7000, 7000)
				w.contract(t, "liwei", id, 30, false)
				w.complaint(t, "liwei", id, false)
			}, want{50, []string{retention.FactorRevenueFall, retention.FactorContractEnd, retention.FactorComplaints}}},
			"everything, capped": {func(id uint) {
				w.revenue(t, id, 0, 10000, 10000, 10000, 2000, 2000, 2000)
				w.revenue(t, id, 1, 100, 100, 100, 100, 100, 0)
				w.competitor(t, id, 10)
				w.contract(t, "liwei", id, 30, false)
				w.complaint(t, "liwei", id, true)
				w.complaint(t, "liwei", id, false)
				w.callback(t, id, 1, 5)
				w.cared(t, id, riskNow.AddDate(0, -6, 0))
			}, want{100, retention.FactorCodes}},
		}
		ids := map[string]uint{}
		for name, c := range cases {
			ids[name] = w.customer(t, "liwei", "风险 "+name)
			c.setup(ids[name])
		}
		scores, err := w.a.Retention.Compute(context.Background(), riskNow)
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range cases {
			sc, ok := scores[ids[name]]
			if !ok {
				if c.want.score != 0 {
					t.Errorf("%s: no score, want %d %v", name, c.want.score, c.want.codes)
				}
				continue
			}
			if sc.Score != c.want.score || !slices.Equal(codes(sc), c.want.codes) {
				t.Errorf("%s: %d %v, want %d %v (%s)", name, sc.Score, codes(sc), c.want.score, c.want.codes, sc.Factors)
			}
			sum := 0
			for _, f := range sc.FactorList() {
				if f.Points <= 0 || f.MsgID == "" {
					t.Errorf("%s: factor %+v", name, f)
				}
				sum += f.Points
			}
			if min(sum, 100) != sc.Score {
				t.Errorf("%s: factors add to %d, score %d", name, sum, sc.Score)
			}
		}
		if got := len(scores); got != 13 {
			t.Errorf("%d customers scored, want 13 (no score without a factor)", got)
		}
	})
}

// A dropped product is named in the reader's language on the customer's
// risk page: its catalogue name in Chinese, its English name in English.
func TestRetentionDroppedProductInReadersLanguage(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newRiskWorld(t, d)
		id := w.customer(t, "liwei", "停用业务测试公司")
		w.revenue(t, id, 0, 100000, 100000, 100000, 100000, 100000, 100000)
		w.revenue(t, id, 1, 50000, 50000, 50000, 50000, 50000)
		if err := w.a.Retention.Recompute(context.Background(), riskNow); err != nil {
			t.Fatal(err)
		}
		var p catalog.Product
		if err := d.Gorm.First(&p, w.products[1]).Error; err != nil || p.NameEn == "" || p.NameEn == p.NameZh {
			t.Fatalf("the dropped product needs distinct names: %+v %v", p, err)
		}
		c := loggedIn(t, w.a, "liwei")
		path := "/customers/" + itoa(id) + "/retention"
		zh := c.Get(path)
		if zh.Status != http.StatusOK || !strings.Contains(zh.Body, "停用了 1 项业务："+html.EscapeString(p.NameZh)) {
			t.Fatalf("zh page: %d, want the product %q", zh.Status, p.NameZh)
		}
		c.PostForm("/lang", url.Values{"lang": {"en"}})
		en := c.Get(path)
		if en.Status != http.StatusOK || !strings.Contains(en.Body, "Dropped 1 product: "+html.EscapeString(p.NameEn)) || strings.Contains(en.Body, p.NameZh) {
			t.Fatalf("en page: %d, want %q and not %q", en.Status, p.NameEn, p.NameZh)
		}
	})
}
