package prospects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// world is the demo organisation with the prospects service on top.
type world struct {
	svc   *Service
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
	w := &world{svc: NewService(NewStore(d.Gorm), orgSvc.Store(), enf, &Timeline{}), d: d, users: map[string]authz.Subject{}}
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

// codeSeq numbers the credit codes code makes; the subtests of EachDB
// run in parallel, so it is atomic.
var codeSeq atomic.Int64

// code makes a fresh valid credit code.
func code(t *testing.T) string {
	t.Helper()
	return MakeCreditCode("91230103" + pad9(int(codeSeq.Add(1))))
}

func pad9(n int) string { return fmt.Sprintf("MA1%06d", n) }

func (w *world) customer(t *testing.T, owner, name string, mods ...func(*CustomerInput)) *Customer {
	t.Helper()
	in := CustomerInput{Name: name, CreditCode: code(t), Industry: "gov", Grade: "B", Status: "prospect", Headcount: "120", AnnualSpend: "36000.50"}
	for _, m := range mods {
		m(&in)
	}
	c, err := w.svc.CreateCustomer(context.Background(), w.as(owner), in, false)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return c
}

// isField reports whether err is a field error msg on field.
func isField(err error, field, msg string) bool {
	f, ok := apperr.AsFields(err)
	return ok && f[field] == msg
}

func ids(list []Customer) map[uint]bool {
	out := map[uint]bool{}
	for _, c := range list {
		out[c.ID] = true
	}
	return out
}

func TestCreateValidationAndDuplicates(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		a := w.customer(t, "liwei", "哈尔滨市第一医院（南岗院区）")
		if a.AnnualSpendFen != 3600050 || a.Headcount != 120 || a.TeamID == 0 || a.BranchID == 0 {
			t.Fatalf("values: %+v", a)
		}
		// Bad input: clear field errors and nothing saved.
		_, err := w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "x", CreditCode: "91230103MA1A00001X", Industry: "space", Grade: "Z", AnnualSpend: "1.234", Headcount: "-3"}, false)
		f, ok := apperr.AsFields(err)
		if !ok {
			t.Fatalf("want field errors, got %v", err)
		}
		for field, msg := range map[string]string{"name": "v.customer_name", "industry": "v.choose", "grade": "v.choose", "annual_spend": "v.money", "headcount": "v.whole_number"} {
			if f[field] != msg {
				t.Errorf("%s: got %q want %q", field, f[field], msg)
			}
		}
		if f["credit_code"] == "" {
			t.Error("bad check character not caught")
		}
		// Same credit code: a hard stop. zhangjing may not open liwei's
		// customer: she learns only that it exists and whom to ask.
		_, err = w.svc.CreateCustomer(ctx, w.as("zhangjing"), CustomerInput{Name: "完全不同的名字公司", CreditCode: a.CreditCode, Industry: "gov", Grade: "C"}, true)
		var dup *DuplicateError
		if !errors.As(err, &dup) || !dup.Exact() || len(dup.Found) != 1 {
			t.Fatalf("same code: %v", err)
		}
		if got := dup.Found[0]; got.Visible || got.ID != 0 || got.Name != "" || got.Owner != "李伟" || got.Branch != "" {
			t.Fatalf("zhangjing may not open liwei's customer, so no link, no name: %+v", got)
		}
		// liwei himself gets the link.
		_, err = w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "完全不同的名字公司", CreditCode: a.CreditCode, Industry: "gov", Grade: "C"}, true)
		if !errors.As(err, &dup) || !dup.Exact() || dup.Found[0].ID != a.ID || !dup.Found[0].Visible || dup.Found[0].Name != a.Name {
			t.Fatalf("same code, own customer: %v %+v", err, dup)
		}
		// Similar name: a warning unless confirmed.
		_, err = w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "哈尔滨市第一医院", CreditCode: code(t), Industry: "healthcare", Grade: "A"}, false)
		if !errors.As(err, &dup) || dup.Exact() || !dup.Found[0].Visible {
			t.Fatalf("similar name: %v", err)
		}
		if _, err := w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "哈尔滨市第一医院", CreditCode: code(t), Industry: "healthcare", Grade: "A"}, true); err != nil {
			t.Fatalf("confirmed similar name: %v", err)
		}
		// Lower case and full-width input is normalised.
		c := MakeCreditCode("91230103MA1BBBBB9")
		fw := ""
		for _, r := range c {
			if r >= '0' && r <= '9' {
				fw += string(r - '0' + '０')
			} else {
				fw += string(r + 32)
			}
		}
		got, err := w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "黑龙江某某科技有限公司", CreditCode: " " + fw + " ", Industry: "internet", Grade: "D"}, false)
		if err != nil || got.CreditCode != c {
			t.Fatalf("normalisation: %v %v", err, got)
		}
		// An account manager cannot give a customer to someone else.
		_, err = w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "另一家公司", CreditCode: code(t), Industry: "trade", Grade: "C", OwnerID: w.as("zhangjing").ID}, false)
		if f, ok := apperr.AsFields(err); !ok || f["owner_id"] != "v.owner" {
			t.Fatalf("owner: %v", err)
		}
		// The admin reads everything but sells nothing.
		if _, err := w.svc.CreateCustomer(ctx, w.as("admin"), CustomerInput{Name: "管理员的客户", CreditCode: code(t), Industry: "trade", Grade: "C"}, false); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin create: %v", err)
		}
	})
}

func TestScopes(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.customer(t, "liwei", "客户甲医院")
		b := w.customer(t, "zhangjing", "客户乙银行")
		c := w.customer(t, "gaoyuan", "客户丙油田")
		e := w.customer(t, "zhoujie", "客户丁学校")
		// sunli (chief rep of the other Harbin team) is named chief rep on a:
		// the director's decision (zhaomin may name only her own team's).
		if _, err := w.svc.Reassign(ctx, w.as("zhaomin"), a.ID, a.OwnerID, w.as("sunli").ID, a.Version); !isField(err, "chief_rep_id", "v.chief_rep") {
			t.Fatalf("a chief rep naming another team's chief rep: %v", err)
		}
		if _, err := w.svc.Reassign(ctx, w.as("wangjianguo"), a.ID, a.OwnerID, w.as("sunli").ID, a.Version); err != nil {
			t.Fatal(err)
		}
		for _, cu := range []*Customer{a, b, c, e} {
			if _, err := w.svc.CreateOpportunity(ctx, w.as("wangjianguo"), OpportunityInput{CustomerID: cu.ID, Title: "专线 " + cu.Name}); err != nil && cu != c {
				t.Fatal(err)
			}
		}
		if _, err := w.svc.CreateOpportunity(ctx, w.as("liuzhiqiang"), OpportunityInput{CustomerID: c.ID, Title: "油田物联网"}); err != nil {
			t.Fatal(err)
		}
		want := map[string][]*Customer{
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
		all := []*Customer{a, b, c, e}
		for user, visible := range want {
			t.Run(user, func(t *testing.T) {
				actor := w.as(user)
				list, total, err := w.svc.ListCustomers(ctx, actor, CustomerFilter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				got := ids(list)
				if int(total) != len(visible) || len(got) != len(visible) {
					t.Fatalf("list has %d (total %d), want %d", len(got), total, len(visible))
				}
				seen := map[uint]bool{}
				for _, v := range visible {
					seen[v.ID] = true
					if !got[v.ID] {
						t.Errorf("list lacks %s", v.Name)
					}
				}
				var exported []Customer
				if err := w.svc.store.EachCustomer(ctx, w.svc.Scope(actor, "read"), CustomerFilter{}, func(b []Customer) error {
					exported = append(exported, b...)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if len(exported) != len(visible) {
					t.Errorf("export has %d rows, want %d", len(exported), len(visible))
				}
				board, err := w.svc.Board(ctx, actor, OpportunityFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, col := range board.Columns {
					for _, card := range col.Cards {
						if !seen[card.CustomerID] {
							t.Errorf("board shows an opportunity of invisible customer %s", card.CustomerName)
						}
					}
				}
				for _, cu := range all {
					_, err := w.svc.Customer(ctx, actor, cu.ID)
					if seen[cu.ID] && err != nil {
						t.Errorf("detail of visible %s: %v", cu.Name, err)
					}
					if !seen[cu.ID] && !errors.Is(err, apperr.ErrNotFound) {
						t.Errorf("detail of invisible %s must be not found, got %v", cu.Name, err)
					}
				}
			})
		}
		// Seeing is not editing: the admin gets 403 on write.
		if _, err := w.svc.UpdateCustomer(ctx, w.as("admin"), a.ID, CustomerInput{Name: "x"}, false); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("admin update: %v", err)
		}
		// Phones in full for owner, chief reps and the branch director only.
		a, _ = w.svc.store.Customer(ctx, a.ID)
		for user, full := range map[string]bool{"liwei": true, "zhaomin": true, "sunli": true, "wangjianguo": true, "admin": false} {
			if got := w.svc.CanSeePhones(ctx, w.as(user), a); got != full {
				t.Errorf("%s sees phones in full: %v, want %v", user, got, full)
			}
		}
	})
}

func TestSearchChineseSubstrings(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.customer(t, "liwei", "哈尔滨工业大学计算学部")
		w.customer(t, "liwei", "黑龙江省农村信用社")
		if _, err := w.svc.SaveContact(ctx, w.as("liwei"), a.ID, 0, ContactInput{Name: "欧阳明", Role: "决策人", Mobile: "13945678901"}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"工业": 1, "黑龙江": 1, "欧阳": 1, strings.ToLower(a.CreditCode): 1, "信用社": 1, "大学计算": 1, "不存在": 0, "100%": 0, "_": 0} {
			list, _, err := w.svc.ListCustomers(ctx, w.as("liwei"), CustomerFilter{Q: q, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != want {
				t.Errorf("search %q: %d results, want %d", q, len(list), want)
			}
		}
	})
}

func TestStagesHistoryAndLostReason(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		cu := w.customer(t, "liwei", "大庆某能源公司")
		o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: cu.ID, Title: "互联网专线 100M", Monthly: "8,800", OneTime: "2000", ExpectedClose: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if o.Stage != StageIdentified || o.Probability != 10 || o.MonthlyFen != 880000 || o.OneTimeFen != 200000 {
			t.Fatalf("new opportunity: %+v", o)
		}
		if _, err := w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageLost}); err == nil {
			t.Fatal("lost without a reason must be refused")
		} else if f, _ := apperr.AsFields(err); f["lost_reason"] != "v.lost_reason" {
			t.Fatalf("lost reason: %v", err)
		}
		if _, err := w.svc.MoveStage(ctx, am, o.ID, StageMove{To: "launched"}); err == nil {
			t.Fatal("unknown stage accepted")
		}
		for _, st := range []string{StageContacted, StageVisited, StageNegotiation} {
			if o, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: st}); err != nil {
				t.Fatal(err)
			}
		}
		if o.Probability != DefaultProbability[StageNegotiation] {
			t.Fatalf("probability follows the stage: %d", o.Probability)
		}
		if o, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageLost, LostReason: "competitor", Note: "联通报价低 20%"}); err != nil {
			t.Fatal(err)
		}
		if o.LostReason != "competitor" || o.Probability != 0 {
			t.Fatalf("lost: %+v", o)
		}
		// Reopening is allowed and recorded; the lost reason is cleared.
		if o, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageNegotiation, Note: "客户重新询价"}); err != nil {
			t.Fatal(err)
		}
		if o.LostReason != "" {
			t.Fatal("reopened opportunity keeps a lost reason")
		}
		if o, err = w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageWon}); err != nil {
			t.Fatal(err)
		}
		hist, err := w.svc.StageHistory(ctx, am, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantPath := [][2]string{{"", "identified"}, {"identified", "contacted"}, {"contacted", "visited"}, {"visited", "negotiation"}, {"negotiation", "lost"}, {"lost", "negotiation"}, {"negotiation", "won"}}
		if len(hist) != len(wantPath) {
			t.Fatalf("history has %d moves, want %d", len(hist), len(wantPath))
		}
		for i, h := range hist {
			if h.FromStage != wantPath[i][0] || h.ToStage != wantPath[i][1] || h.ByID != am.ID || h.At.IsZero() {
				t.Errorf("move %d: %+v", i, h)
			}
		}
		if hist[4].Note != "联通报价低 20%" {
			t.Errorf("note lost: %q", hist[4].Note)
		}
		got, _ := w.svc.Customer(ctx, am, cu.ID)
		if got.Status != "active" {
			t.Fatalf("winning must make a prospect active, got %s", got.Status)
		}
		// A stale form is refused.
		if _, err := w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageLost, LostReason: "price", Version: 1}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale move: %v", err)
		}
		// Someone outside the scope cannot move it, nor see it.
		if _, err := w.svc.MoveStage(ctx, w.as("zhangjing"), o.ID, StageMove{To: StageLost, LostReason: "price"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other manager: %v", err)
		}
		tl, err := w.svc.timeline.For(ctx, cu.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		moved := 0
		for _, e := range tl {
			if e.MsgID == "timeline.opportunity.moved" {
				moved++
			}
		}
		if moved != 6 {
			t.Fatalf("timeline shows %d moves, want 6", moved)
		}
	})
}

func TestReassignDeleteRestoreAndLocking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		cu := w.customer(t, "liwei", "哈尔滨某区教育局")
		o, _ := w.svc.CreateOpportunity(ctx, w.as("liwei"), OpportunityInput{CustomerID: cu.ID, Title: "教育城域网"})
		if _, err := w.svc.Reassign(ctx, w.as("liwei"), cu.ID, w.as("zhangjing").ID, 0, cu.Version); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("an account manager may not reassign: %v", err)
		}
		if _, err := w.svc.Reassign(ctx, w.as("zhaomin"), cu.ID, w.as("zhoujie").ID, 0, cu.Version); err == nil {
			t.Fatal("a chief rep may not reassign outside the team")
		}
		got, err := w.svc.Reassign(ctx, w.as("zhaomin"), cu.ID, w.as("zhangjing").ID, 0, cu.Version)
		if err != nil {
			t.Fatal(err)
		}
		moved, _ := w.svc.store.Opportunity(ctx, o.ID)
		if moved.OwnerID != w.as("zhangjing").ID {
			t.Fatal("open opportunities follow the new owner")
		}
		got, err = w.svc.Reassign(ctx, w.as("wangjianguo"), cu.ID, w.as("zhoujie").ID, 0, got.Version)
		if err != nil {
			t.Fatalf("a director reassigns across teams: %v", err)
		}
		if got.TeamID != w.as("zhoujie").TeamID {
			t.Fatal("team follows the owner")
		}
		entries, _, _ := audit.List(ctx, d.Gorm, audit.Query{Entity: "customer", EntityID: cu.ID})
		reassigns := 0
		for _, e := range entries {
			if e.Action == "reassign" {
				reassigns++
			}
		}
		if reassigns != 2 {
			t.Fatalf("audit has %d reassignments, want 2", reassigns)
		}
		// Optimistic locking: a second editor with the old version loses.
		in := CustomerInput{Name: got.Name, CreditCode: got.CreditCode, Industry: "education", Grade: "A", Status: "prospect", Version: got.Version}
		if _, err := w.svc.UpdateCustomer(ctx, w.as("zhoujie"), cu.ID, in, false); err != nil {
			t.Fatal(err)
		}
		in.Grade = "D"
		if _, err := w.svc.UpdateCustomer(ctx, w.as("wangjianguo"), cu.ID, in, false); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		// Soft delete, then restore.
		if err := w.svc.DeleteCustomer(ctx, w.as("zhoujie"), cu.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Customer(ctx, w.as("zhoujie"), cu.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatal("a deleted customer is gone from its page")
		}
		trash, _, err := w.svc.ListDeleted(ctx, w.as("zhoujie"), CustomerFilter{Limit: 10})
		if err != nil || len(trash) != 1 {
			t.Fatalf("trash: %v %d", err, len(trash))
		}
		if other, _, _ := w.svc.ListDeleted(ctx, w.as("gaoyuan"), CustomerFilter{Limit: 10}); len(other) != 0 {
			t.Fatal("another branch's trash must not show it")
		}
		// While deleted, its credit code may be used again; then it cannot come back.
		reuse, err := w.svc.CreateCustomer(ctx, w.as("liwei"), CustomerInput{Name: "新的教育客户", CreditCode: cu.CreditCode, Industry: "education", Grade: "C"}, false)
		if err != nil {
			t.Fatalf("code of a deleted customer: %v", err)
		}
		if err := w.svc.RestoreCustomer(ctx, w.as("zhoujie"), cu.ID); err == nil {
			t.Fatal("restore must refuse a credit code taken meanwhile")
		}
		if err := w.svc.DeleteCustomer(ctx, w.as("liwei"), reuse.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RestoreCustomer(ctx, w.as("zhoujie"), cu.ID); err != nil {
			t.Fatalf("restore: %v", err)
		}
		if _, err := w.svc.Customer(ctx, w.as("zhoujie"), cu.ID); err != nil {
			t.Fatal("restored customer is back")
		}
	})
}

func TestQualificationScore(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		cu := w.customer(t, "liwei", "哈尔滨某制造企业")
		got, err := w.svc.SaveQualification(ctx, w.as("liwei"), cu.ID, QualInput{Pay: "yes", PayNote: "年营收 5 亿", Need: "partly", Authority: "yes", Acceptance: "no", Version: cu.Version})
		if err != nil {
			t.Fatal(err)
		}
		if got.QualScore != 25+12+25 {
			t.Fatalf("score %d", got.QualScore)
		}
		if _, err := w.svc.SaveQualification(ctx, w.as("liwei"), cu.ID, QualInput{Pay: "maybe", Version: got.Version}); err == nil {
			t.Fatal("unknown answer accepted")
		}
		list, _, _ := w.svc.ListCustomers(ctx, w.as("liwei"), CustomerFilter{MinScore: 60, Limit: 10})
		if len(list) != 1 {
			t.Fatalf("score filter: %d", len(list))
		}
		// The pipeline filters on the customer's qualification too.
		if _, err := w.svc.CreateOpportunity(ctx, w.as("liwei"), OpportunityInput{CustomerID: cu.ID, Title: "数据专线"}); err != nil {
			t.Fatal(err)
		}
		for min, want := range map[int]int{60: 1, 90: 0} {
			rows, _, err := w.svc.ListOpportunities(ctx, w.as("liwei"), OpportunityFilter{MinScore: min, Limit: 10})
			if err != nil || len(rows) != want {
				t.Fatalf("opportunities with score >= %d: %d (%v)", min, len(rows), err)
			}
			if want == 1 && rows[0].CustomerScore != 62 {
				t.Fatalf("row carries the score: %d", rows[0].CustomerScore)
			}
		}
		if QualScore("yes", "yes", "yes", "yes") != 100 || QualScore() != 0 {
			t.Fatal("QualScore bounds")
		}
	})
}

func TestContactsValidationAndMasking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		cu := w.customer(t, "liwei", "某市人民医院")
		_, err := w.svc.SaveContact(ctx, w.as("liwei"), cu.ID, 0, ContactInput{Name: "", Mobile: "1381234", Phone: "86001234", Email: "x@", Role: "boss", Birthday: "2099-01-01"})
		f, ok := apperr.AsFields(err)
		if !ok {
			t.Fatalf("want field errors, got %v", err)
		}
		for field, msg := range map[string]string{"contact_name": "v.required", "mobile": "v.mobile", "phone": "v.landline", "email": "v.email", "role": "v.choose", "birthday": "v.date"} {
			if f[field] != msg {
				t.Errorf("%s: got %q want %q", field, f[field], msg)
			}
		}
		ct, err := w.svc.SaveContact(ctx, w.as("liwei"), cu.ID, 0, ContactInput{Name: "王院长", Title: "院长", Mobile: "138 1234 5678", Phone: "0451-86001234", Role: "决策人", Attitude: "支持", Birthday: "1970年5月6日"})
		if err != nil {
			t.Fatal(err)
		}
		if ct.Mobile != "13812345678" || ct.Role != "decision" || ct.Attitude != "supporter" || ct.Birthday == nil || ct.Birthday.Month() != 5 {
			t.Fatalf("normalised contact: %+v", ct)
		}
		if MaskPhone(ct.Mobile) != "138****5678" || MaskPhone("0451-86001234") != "045******1234" {
			t.Fatalf("masking: %s %s", MaskPhone(ct.Mobile), MaskPhone("0451-86001234"))
		}
		if _, err := w.svc.SaveContact(ctx, w.as("zhangjing"), cu.ID, 0, ContactInput{Name: "x", Role: "user"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("another manager adding a key person: %v", err)
		}
	})
}

// importFile parses content as name and imports it as actor.
func (w *world) importFile(t *testing.T, actor string, name string, content []byte, commit bool) *ImportReport {
	t.Helper()
	rows, err := ParseImport(name, bytes.NewReader(content))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	rep, err := w.svc.Import(context.Background(), w.as(actor), rows, commit)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func countCustomers(t *testing.T, d *db.DB) (customers, contacts int64) {
	t.Helper()
	d.Gorm.Model(&Customer{}).Count(&customers)
	d.Gorm.Model(&Contact{}).Count(&contacts)
	return
}

func TestImportAllOrNothing(t *testing.T) {
	c1, c2, c3 := MakeCreditCode("12230000MB1C00001"), MakeCreditCode("91230602MA1D00002"), MakeCreditCode("91230103MA1E00003")
	good := "客户名称,统一社会信用代码,行业,客户等级,客户经理,关键人,手机,决策角色\n" +
		"哈尔滨市某某中学," + c1 + ",教育,B,zhangjing,刘校长,13900001111,决策人\n" +
		"哈尔滨市某某中学," + c1 + ",,,,赵主任,13900002222,联系人\n" +
		"黑龙江某某物流有限公司," + c2 + ",交通物流,C,,孙经理,,使用者\n"
	bad := good + "坏行公司,91230103MA1E0000X9,航天,Z,nobody,,12345,\n" + "重复的公司," + c3 + ",商贸,C,,,,\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.customer(t, "liwei", "已经存在的商贸公司", func(in *CustomerInput) { in.CreditCode = c3 })
		before, beforeContacts := countCustomers(t, d)

		rep := w.importFile(t, "zhaomin", "bad.csv", []byte(bad), true)
		if rep.OK() || rep.Committed {
			t.Fatal("a file with bad rows must not import")
		}
		lines := map[int]bool{}
		for _, p := range rep.Problems {
			lines[p.Line] = true
		}
		if !lines[5] || !lines[6] || lines[2] || lines[3] || lines[4] {
			t.Fatalf("problems on the wrong lines: %+v", rep.Problems)
		}
		if rep.Duplicates != 1 {
			t.Fatalf("duplicates: %d", rep.Duplicates)
		}
		if n, m := countCustomers(t, d); n != before || m != beforeContacts {
			t.Fatal("a bad file changed the database")
		}

		for name, content := range map[string][]byte{"utf8.csv": []byte(good), "bom.csv": append([]byte("\xef\xbb\xbf"), good...), "gbk.csv": gbk} {
			rep := w.importFile(t, "zhaomin", name, content, false)
			if !rep.OK() || rep.Customers != 2 || rep.Contacts != 3 {
				t.Fatalf("%s dry run: %+v", name, rep)
			}
		}
		if n, _ := countCustomers(t, d); n != before {
			t.Fatal("a dry run changed the database")
		}
		// The same rows as an Excel workbook, with one bad row: rejected whole.
		xlsxRows := func(extra bool) []byte {
			return makeXLSX(t, func(f *excelize.File, sheet string) {
				for i, line := range strings.Split(strings.TrimSpace(good), "\n") {
					var cells []any
					for _, c := range strings.Split(line, ",") {
						cells = append(cells, c)
					}
					setRow(t, f, sheet, i+1, cells...)
				}
				if extra {
					setRow(t, f, sheet, 5, "坏行公司", "123", "航天", "Z")
				}
			})
		}
		if rep := w.importFile(t, "zhaomin", "bad.xlsx", xlsxRows(true), true); rep.Committed || len(rep.Problems) == 0 || rep.Problems[0].Line != 5 {
			t.Fatalf("bad xlsx: %+v", rep)
		}
		if n, _ := countCustomers(t, d); n != before {
			t.Fatal("a bad workbook changed the database")
		}
		if rep := w.importFile(t, "zhaomin", "good.xlsx", xlsxRows(false), false); !rep.OK() || rep.Customers != 2 || rep.Contacts != 3 {
			t.Fatalf("xlsx dry run: %+v", rep)
		}
		rep = w.importFile(t, "zhaomin", "gbk.csv", gbk, true)
		if !rep.Committed {
			t.Fatalf("commit: %+v", rep)
		}
		n, m := countCustomers(t, d)
		if n != before+2 || m != beforeContacts+3 {
			t.Fatalf("after import: %d customers, %d contacts", n, m)
		}
		school, err := w.svc.store.CustomerByCode(context.Background(), c1)
		if err != nil || school.Name != "哈尔滨市某某中学" || school.OwnerID != w.as("zhangjing").ID || school.Industry != "education" {
			t.Fatalf("imported customer: %+v %v", school, err)
		}
		logistics, _ := w.svc.store.CustomerByCode(context.Background(), c2)
		if logistics.OwnerID != w.as("zhaomin").ID {
			t.Fatal("an empty owner column means the importer")
		}
		if list, _, _ := w.svc.ListCustomers(context.Background(), w.as("zhaomin"), CustomerFilter{Q: "刘校长", Limit: 5}); len(list) != 1 {
			t.Fatal("imported key persons are searchable")
		}
		// Importing the same file again: every row is a duplicate.
		again := w.importFile(t, "zhaomin", "utf8.csv", []byte(good), true)
		if again.Committed || again.Duplicates != 2 {
			t.Fatalf("re-import: %+v", again)
		}
		// An account manager may only import customers for themselves.
		rep = w.importFile(t, "liwei", "x.csv", []byte("客户名称,统一社会信用代码,行业,客户等级,客户经理\n某公司,"+MakeCreditCode("91230103MA1F00004")+",商贸,C,zhangjing\n"), false)
		if rep.OK() || rep.Problems[0].MsgID != "import.bad_owner" {
			t.Fatalf("owner outside scope: %+v", rep.Problems)
		}
	})
}
