package prospects

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/migrations"
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// user returns any demo user as a subject.
func (w *world) user(t *testing.T, username string) authz.Subject {
	t.Helper()
	if s, ok := w.users[username]; ok {
		return s
	}
	u, err := w.svc.org.(*org.Store).UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	w.users[username] = u.Subject()
	return w.users[username]
}

func dupOf(t *testing.T, err error) []Duplicate {
	t.Helper()
	var dup *DuplicateError
	if !errors.As(err, &dup) {
		t.Fatalf("want a duplicate error, got %v", err)
	}
	return dup.Found
}

// TestDuplicateCheckDoesNotLeak is the audit's case: posting a customer
// named "银行" listed five other people's customers with name, code and
// owner, across branches. Now the check lists only customers the user
// could open; of the others it says at most that one exists and whom to
// ask, and only for the same name (not a fragment) or the same code.
func TestDuplicateCheckDoesNotLeak(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		own := w.customer(t, "liwei", "哈尔滨工商银行南岗支行")
		team := w.customer(t, "zhoujie", "哈尔滨银行股份有限公司")
		far := w.customer(t, "gaoyuan", "大庆银行")
		w.customer(t, "zhangjing", "哈尔滨农商银行")
		w.customer(t, "hexiaodong", "大庆农村商业银行")
		in := func(name, code string) CustomerInput {
			if code == "" {
				code = MakeCreditCode("91230103MA1LEAK0" + string(rune('A'+len(name)%20)))
			}
			return CustomerInput{Name: name, CreditCode: code, Industry: "finance", Grade: "C"}
		}
		secrets := []string{team.Name, team.CreditCode, far.Name, far.CreditCode, "哈尔滨农商银行", "大庆农村商业银行"}
		noSecrets := func(t *testing.T, found []Duplicate) {
			t.Helper()
			for _, d := range found {
				text := strings.Join([]string{d.Name, d.Owner, d.Branch}, "|")
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Fatalf("duplicate check reveals %q: %+v", s, d)
					}
				}
				if !d.Visible && (d.ID != 0 || d.Name != "") {
					t.Fatalf("an invisible customer with id or name: %+v", d)
				}
			}
		}
		// A fragment shows only what liwei may open.
		found := dupOf(t, func() error { _, err := w.svc.CreateCustomer(ctx, w.as("liwei"), in("银行", ""), false); return err }())
		if len(found) != 1 || !found[0].Visible || found[0].ID != own.ID {
			t.Fatalf("fragment: %+v", found)
		}
		noSecrets(t, found)
		// The same name in his branch: "ask 周杰", nothing more.
		found = dupOf(t, func() error {
			_, err := w.svc.CreateCustomer(ctx, w.as("liwei"), in("哈尔滨银行", ""), false)
			return err
		}())
		if len(found) != 1 || found[0].Visible || found[0].Owner != "周杰" || found[0].Exact {
			t.Fatalf("same name, same branch: %+v", found)
		}
		noSecrets(t, found)
		// The same name in another branch: "ask 大庆分公司".
		found = dupOf(t, func() error {
			_, err := w.svc.CreateCustomer(ctx, w.as("liwei"), in("大庆银行有限公司", ""), false)
			return err
		}())
		if len(found) != 1 || found[0].Visible || found[0].Owner != "" || found[0].Branch != "大庆分公司" {
			t.Fatalf("same name, other branch: %+v", found)
		}
		noSecrets(t, found)
		// The same code in another branch: a hard stop, still nameless.
		found = dupOf(t, func() error {
			_, err := w.svc.CreateCustomer(ctx, w.as("liwei"), in("随便", far.CreditCode), true)
			return err
		}())
		if len(found) != 1 || !found[0].Exact || found[0].Branch != "大庆分公司" {
			t.Fatalf("same code, other branch: %+v", found)
		}
		noSecrets(t, found)
		// The director of the branch may open zhoujie's customer: a link.
		found = dupOf(t, func() error {
			dir := in("哈尔滨银行", "")
			dir.OwnerID = w.as("liwei").ID
			_, err := w.svc.CreateCustomer(ctx, w.as("wangjianguo"), dir, false)
			return err
		}())
		if len(found) != 1 || !found[0].Visible || found[0].ID != team.ID {
			t.Fatalf("director: %+v", found)
		}
		// Editing a customer checks the same way.
		c := w.customer(t, "liwei", "某某公司")
		up := in("大庆银行", "")
		up.CreditCode, up.Version = c.CreditCode, c.Version
		found = dupOf(t, func() error { _, err := w.svc.UpdateCustomer(ctx, w.as("liwei"), c.ID, up, false); return err }())
		noSecrets(t, found)
		if len(found) != 1 || found[0].Branch != "大庆分公司" {
			t.Fatalf("update: %+v", found)
		}
	})
}

// TestDuplicateCheckRateLimited: past the limit a check is refused with
// ErrTooManyChecks and nothing is saved; the count lives in the database,
// so a second service (another instance) sees it; other users are not
// affected.
func TestDuplicateCheckRateLimited(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		other := NewService(NewStore(d.Gorm), w.svc.org, w.svc.enf, &Timeline{})
		// A stopped clock just before an hour ends: on the wall clock the
		// hour could end mid-test and reset the counts.
		now := time.Now().UTC().Truncate(time.Hour).Add(time.Hour - 100*time.Millisecond)
		for _, s := range []*Service{w.svc, other} {
			s.SetCheckLimits(ratelimit.Rule{Limit: 3, Window: time.Hour}, ratelimit.Rule{Limit: 2, Window: time.Hour})
			s.SetLimiterClock(func() time.Time { return now })
		}
		w.customer(t, "liwei", "限流测试一")
		w.customer(t, "liwei", "限流测试二")
		before, _ := countCustomers(t, d)
		if _, err := other.CreateCustomer(ctx, w.as("liwei"), CustomerInput{Name: "银行", CreditCode: code(t), Industry: "gov", Grade: "C"}, true); err != nil {
			t.Fatalf("third check: %v", err)
		}
		_, err := other.CreateCustomer(ctx, w.as("liwei"), CustomerInput{Name: "限流测试四", CreditCode: code(t), Industry: "gov", Grade: "C"}, true)
		if !errors.Is(err, ErrTooManyChecks) {
			t.Fatalf("fourth check: %v", err)
		}
		if _, err := w.svc.UpdateCustomer(ctx, w.as("liwei"), 1, CustomerInput{Name: "改个名字", CreditCode: code(t), Industry: "gov", Grade: "C", Version: 1}, true); !errors.Is(err, ErrTooManyChecks) {
			t.Fatalf("update past the limit: %v", err)
		}
		if n, _ := countCustomers(t, d); n != before+1 {
			t.Fatalf("%d customers, want %d", n, before+1)
		}
		if _, err := w.svc.CreateCustomer(ctx, w.as("zhangjing"), CustomerInput{Name: "张静的客户", CreditCode: code(t), Industry: "gov", Grade: "C"}, false); err != nil {
			t.Fatalf("another user: %v", err)
		}
		// Imports have their own limit.
		file := []byte("客户名称,统一社会信用代码,行业,客户等级\n限流导入," + code(t) + ",商贸,C\n")
		for i := 0; i < 2; i++ {
			if rep := w.importFile(t, "liwei", "a.csv", file, false); !rep.OK() {
				t.Fatalf("import %d: %+v", i, rep.Problems)
			}
		}
		rows, _ := ParseImport("a.csv", bytes.NewReader(file))
		if _, err := w.svc.Import(ctx, w.as("liwei"), rows, false); !errors.Is(err, ErrTooManyChecks) {
			t.Fatalf("third import: %v", err)
		}
	})
}

// TestFullWidthNamesAreDuplicates: ABC and ＡＢＣ are the same company; the
// name is stored with ASCII letters, Chinese punctuation kept.
func TestFullWidthNamesAreDuplicates(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		a := w.customer(t, "liwei", "ABC科技有限公司")
		found := dupOf(t, func() error {
			_, err := w.svc.CreateCustomer(ctx, w.as("liwei"), CustomerInput{Name: "ＡＢＣ科技", CreditCode: code(t), Industry: "internet", Grade: "C"}, false)
			return err
		}())
		if len(found) != 1 || found[0].ID != a.ID {
			t.Fatalf("ＡＢＣ科技 vs ABC科技有限公司: %+v", found)
		}
		c, err := w.svc.CreateCustomer(ctx, w.as("liwei"), CustomerInput{Name: "ＸＹＺ\u3000科技（南岗）\u200B", CreditCode: code(t), Industry: "internet", Grade: "Ｂ"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "XYZ 科技（南岗）" || c.Grade != "B" {
			t.Fatalf("stored %q grade %q", c.Name, c.Grade)
		}
		if list, _, _ := w.svc.ListCustomers(ctx, w.as("liwei"), CustomerFilter{Q: "xyz", Limit: 5}); len(list) != 1 {
			t.Fatal("folded name not searchable")
		}
	})
}

// TestBadInputIsCleanedOrRefused: the audit's list — NUL, control
// characters, RTL overrides, zero-width-only names, years 0001 and 9999,
// full-width grades and mobiles — on both databases (PostgreSQL rejects
// NUL in text, which was a 500).
func TestBadInputIsCleanedOrRefused(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		c, err := w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "坏\x00输入\x1b[31m公司\u202E", CreditCode: code(t), Industry: "gov", Grade: "ｃ",
			Address: "南岗区\x00学府路\r\n88号", Region: "\u200B南岗区", AnnualSpend: "１２,３４５.６７", Headcount: "１２０"}, false)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "坏输入[31m公司" || c.Address != "南岗区学府路 88号" || c.Region != "南岗区" || c.Grade != "C" || c.AnnualSpendFen != 1234567 || c.Headcount != 120 {
			t.Fatalf("stored %+v", c)
		}
		_, err = w.svc.CreateCustomer(ctx, am, CustomerInput{Name: "\u200B\u200C\u2060\uFEFF", CreditCode: code(t), Industry: "gov", Grade: "C"}, false)
		if !isField(err, "name", "v.required") {
			t.Fatalf("zero-width-only name: %v", err)
		}
		ct, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "王\x00总\u202E", Mobile: "１３８ １２３４ ５６７８", Role: "决策人",
			Email: "ｗａｎｇ＠example.com", Notes: "第一行\r\n第二行\x00\x1b", Birthday: "１９７５年３月８日"})
		if err != nil {
			t.Fatal(err)
		}
		if ct.Name != "王总" || ct.Mobile != "13812345678" || ct.Email != "wang@example.com" || ct.Notes != "第一行\n第二行" || ct.Birthday == nil {
			t.Fatalf("stored contact %+v", ct)
		}
		for in, msg := range map[string]string{"0001-01-01": "v.date_range", "9999-12-31": "v.date_range", "2099-01-01": "v.date", "1975-02-30": "v.date"} {
			_, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "李四" + in, Role: "user", Birthday: in})
			if !isField(err, "birthday", msg) {
				t.Errorf("birthday %s: %v", in, err)
			}
			_, err = w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: c.ID, Title: "机会", ExpectedClose: in})
			if in != "2099-01-01" && !isField(err, "expected_close", msg) {
				t.Errorf("expected close %s: %v", in, err)
			}
		}
		_, err = w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "张三", Role: "user", Notes: strings.Repeat("长", 2001)})
		if !isField(err, "notes", "v.too_long") {
			t.Fatalf("long notes: %v", err)
		}
		o, err := w.svc.CreateOpportunity(ctx, am, OpportunityInput{CustomerID: c.ID, Title: "专线\x00\u202E项目", Monthly: "８８００", ExpectedClose: "2026/12/31"})
		if err != nil || o.Title != "专线项目" || o.MonthlyFen != 880000 {
			t.Fatalf("opportunity: %v %+v", err, o)
		}
		if _, err := w.svc.MoveStage(ctx, am, o.ID, StageMove{To: StageLost, LostReason: "price", Note: "太贵\x00\u202E了"}); err != nil {
			t.Fatal(err)
		}
		hist, _ := w.svc.StageHistory(ctx, am, o.ID)
		if note := hist[len(hist)-1].Note; note != "太贵了" {
			t.Fatalf("stage note %q", note)
		}
	})
}

// TestContactDuplicates: a second key person of the same customer with
// the same name (however typed) needs a confirmation; editing a key
// person does not find itself.
func TestContactDuplicates(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		am := w.as("liwei")
		c := w.customer(t, "liwei", "某医院")
		first, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "王 院长", Mobile: "13812345678", Role: "decision"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []ContactInput{{Name: "王院长\u200B", Role: "user"}, {Name: "王院长", Role: "user"}} {
			_, err := w.svc.SaveContact(ctx, am, c.ID, 0, in)
			var dup *ContactDuplicateError
			if !errors.As(err, &dup) || len(dup.Found) != 1 || dup.Found[0].ID != first.ID {
				t.Fatalf("%q: %v", in.Name, err)
			}
		}
		// A shared mobile (an office or a secretary's) is no duplicate.
		if _, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "刘主任", Mobile: "138-1234-5678", Role: "user"}); err != nil {
			t.Fatalf("shared mobile: %v", err)
		}
		// Another customer's key person of the same name is no duplicate.
		other := w.customer(t, "liwei", "另一家医院")
		if _, err := w.svc.SaveContact(ctx, am, other.ID, 0, ContactInput{Name: "王院长", Role: "user"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.SaveContact(ctx, am, c.ID, 0, ContactInput{Name: "王院长", Role: "user", Confirm: true}); err != nil {
			t.Fatalf("confirmed: %v", err)
		}
		if _, err := w.svc.SaveContact(ctx, am, c.ID, first.ID, ContactInput{Name: "王 院长", Mobile: "13812345678", Role: "decision", Version: first.Version, Confirm: false}); err == nil {
			t.Fatal("the confirmed namesake is a duplicate of the first")
		}
		third := w.customer(t, "liwei", "第三家医院")
		solo, _ := w.svc.SaveContact(ctx, am, third.ID, 0, ContactInput{Name: "赵科长", Role: "user"})
		if _, err := w.svc.SaveContact(ctx, am, third.ID, solo.ID, ContactInput{Name: "赵科长", Title: "科长", Role: "user", Version: solo.Version}); err != nil {
			t.Fatalf("editing finds itself: %v", err)
		}
	})
}

// TestImportDuplicatesFollowTheSameRule: codes the importer may not open
// say whom to ask, never the customer's name; two rows of one key person
// for one customer are a problem.
func TestImportDuplicatesFollowTheSameRule(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mine := w.customer(t, "liwei", "李伟的老客户")
		team := w.customer(t, "zhoujie", "周杰的秘密客户")
		far := w.customer(t, "gaoyuan", "高远的秘密客户")
		file := "客户名称,统一社会信用代码,行业,客户等级,关键人,手机,决策角色\n" +
			"甲公司," + mine.CreditCode + ",商贸,C,,,\n" +
			"乙公司," + team.CreditCode + ",商贸,C,,,\n" +
			"丙公司," + far.CreditCode + ",商贸,C,,,\n" +
			"丁公司," + code(t) + ",商贸,C,王总,13900001111,决策人\n" +
			"丁公司,,,,,,\n"
		c4 := MakeCreditCode("91230103MA1KPDU01")
		file += "戊公司," + c4 + ",商贸,C,王总,13900001111,决策人\n戊公司," + c4 + ",,,王\u3000总,,联系人\n戊公司," + c4 + ",,,李总,139 0000 1111,联系人\n戊公司," + c4 + ",,,ＬＩ总,,联系人\n戊公司," + c4 + ",,,li总,,联系人\n"
		rep := w.importFile(t, "liwei", "d.csv", []byte(file), false)
		byLine := map[int]ImportProblem{}
		for _, p := range rep.Problems {
			if _, ok := byLine[p.Line]; !ok {
				byLine[p.Line] = p
			}
			for _, secret := range []string{team.Name, far.Name} {
				if strings.Contains(p.Arg, secret) {
					t.Fatalf("import reveals %q: %+v", secret, p)
				}
			}
		}
		want := map[int][2]string{
			2: {"import.duplicate_yours", mine.Name}, 3: {"import.duplicate_ask", "周杰"}, 4: {"import.duplicate_other_branch", "大庆分公司"},
			8: {"import.duplicate_contact", "王 总"}, 11: {"import.duplicate_contact", "li总"},
		}
		for line, w := range want {
			if p := byLine[line]; p.MsgID != w[0] || p.Arg != w[1] {
				t.Errorf("line %d: %+v, want %v", line, p, w)
			}
		}
		if _, ok := byLine[9]; ok {
			t.Errorf("a shared mobile is a problem: %+v", byLine[9])
		}
		if rep.Duplicates != 3 {
			t.Errorf("duplicates %d", rep.Duplicates)
		}
	})
}

// TestReassignRules covers every (role, relation) case of reassigning:
// the audit found a chief rep named on another team's customer moving it
// into his own team, and account managers naming any chief rep of the
// branch.
func TestReassignRules(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		u := func(name string) uint { return w.user(t, name).ID }
		mine := w.customer(t, "liwei", "一部的客户") // team 政企客户一部 (chief zhaomin)
		w.user(t, "chenhao")
		chens := w.customer(t, "chenhao", "陈浩的客户")
		named := w.customer(t, "zhoujie", "金融部的客户") // team 金融行业客户部 (chief sunli)
		// The director names zhaomin chief rep of the other team's customer.
		named, err := w.svc.Reassign(ctx, w.as("wangjianguo"), named.ID, 0, u("zhaomin"), named.Version)
		if err != nil || named.ChiefRepID == nil || *named.ChiefRepID != u("zhaomin") {
			t.Fatalf("director names a chief rep of another team: %v", err)
		}
		type want int
		const (
			ok want = iota
			badOwner
			badChief
			notFound
			forbidden
		)
		cases := []struct {
			name         string
			actor        string
			customer     **Customer
			owner, chief string
			want         want
		}{
			{"chief rep within her team", "zhaomin", &mine, "zhangjing", "", ok},
			{"chief rep names herself", "zhaomin", &mine, "", "zhaomin", ok},
			{"chief rep moves her team's customer out", "zhaomin", &mine, "zhoujie", "", badOwner},
			{"chief rep names another team's chief rep", "zhaomin", &mine, "", "sunli", badChief},
			{"named chief rep pulls the customer into her team", "zhaomin", &named, "liwei", "", badOwner},
			{"named chief rep hands it to herself", "zhaomin", &named, "zhaomin", "", badOwner},
			{"named chief rep within the customer's team, keeping herself", "zhaomin", &named, "wufang", "zhaomin", ok},
			{"named chief rep names the team's own chief rep", "zhaomin", &named, "", "sunli", ok},
			{"other team's chief rep", "sunli", &mine, "zhoujie", "", notFound},
			{"director across teams", "wangjianguo", &mine, "zhoujie", "sunli", ok},
			{"director names another branch's chief rep", "wangjianguo", &mine, "", "hexiaodong", badChief},
			{"director outside the branch", "liuzhiqiang", &mine, "gaoyuan", "", notFound},
			{"account manager", "chenhao", &chens, "zhangjing", "", forbidden},
			{"admin", "admin", &mine, "zhangjing", "", forbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				cur, err := w.svc.store.Customer(ctx, (*tc.customer).ID)
				if err != nil {
					t.Fatal(err)
				}
				owner, chief := uint(0), uint(0)
				if tc.owner != "" {
					owner = u(tc.owner)
				}
				if tc.chief != "" {
					chief = u(tc.chief)
				} else if cur.ChiefRepID != nil {
					chief = *cur.ChiefRepID
				}
				got, err := w.svc.Reassign(ctx, w.as(tc.actor), cur.ID, owner, chief, cur.Version)
				switch tc.want {
				case ok:
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if tc.owner != "" && got.OwnerID != owner {
						t.Fatal("owner not changed")
					}
				case badOwner:
					if !isField(err, "owner_id", "v.owner") {
						t.Fatalf("want v.owner, got %v", err)
					}
				case badChief:
					if !isField(err, "chief_rep_id", "v.chief_rep") {
						t.Fatalf("want v.chief_rep, got %v", err)
					}
				case notFound:
					if !errors.Is(err, apperr.ErrNotFound) {
						t.Fatalf("want not found, got %v", err)
					}
				case forbidden:
					if !errors.Is(err, apperr.ErrForbidden) {
						t.Fatalf("want forbidden, got %v", err)
					}
				}
				if tc.want != ok {
					after, _ := w.svc.store.Customer(ctx, cur.ID)
					if after.Version != cur.Version || after.TeamID != cur.TeamID {
						t.Fatal("a refused reassignment changed the customer")
					}
				}
			})
		}
		// The named chief rep's team never lost the customer.
		after, _ := w.svc.store.Customer(ctx, named.ID)
		if after.TeamID != w.as("zhoujie").TeamID {
			t.Fatal("the customer left its team")
		}
		// What the reassign form offers matches what is accepted.
		owners, _ := w.svc.ReassignOwners(ctx, w.as("zhaomin"), after)
		for _, o := range owners {
			if o.TeamID == nil || *o.TeamID != after.TeamID {
				t.Fatalf("form offers %s of another team", o.Username)
			}
		}
	})
}

// TestChiefRepOnCreate: the chief rep a new customer may carry is one of
// its owner's team, or any of the branch when the director names them —
// in the form and in the import.
func TestChiefRepOnCreate(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		u := func(name string) uint { return w.user(t, name).ID }
		try := func(actor, owner, chief string) error {
			in := CustomerInput{Name: "首席测试" + actor + owner + chief, CreditCode: code(t), Industry: "gov", Grade: "A"}
			if owner != "" {
				in.OwnerID = u(owner)
			}
			in.ChiefRepID = u(chief)
			_, err := w.svc.CreateCustomer(ctx, w.as(actor), in, true)
			return err
		}
		for _, tc := range []struct {
			actor, owner, chief string
			ok                  bool
		}{
			{"liwei", "", "zhaomin", true},
			{"liwei", "", "sunli", false},
			{"zhaomin", "zhangjing", "zhaomin", true},
			{"zhaomin", "zhangjing", "sunli", false},
			{"wangjianguo", "liwei", "sunli", true},
			{"wangjianguo", "liwei", "hexiaodong", false},
		} {
			err := try(tc.actor, tc.owner, tc.chief)
			if tc.ok && err != nil {
				t.Errorf("%s: owner %s chief %s: %v", tc.actor, tc.owner, tc.chief, err)
			}
			if !tc.ok && !isField(err, "chief_rep_id", "v.chief_rep") {
				t.Errorf("%s: owner %s chief %s accepted: %v", tc.actor, tc.owner, tc.chief, err)
			}
		}
		reps, _ := w.svc.FormChiefReps(ctx, w.as("liwei"))
		if len(reps) != 1 || reps[0].Username != "zhaomin" {
			t.Fatalf("the form offers liwei %v", reps)
		}
		file := "客户名称,统一社会信用代码,行业,客户等级,客户经理,首席客户代表\n甲公司," + code(t) + ",商贸,A,,sunli\n乙公司," + code(t) + ",商贸,A,,zhaomin\n"
		rep := w.importFile(t, "liwei", "c.csv", []byte(file), false)
		if len(rep.Problems) != 1 || rep.Problems[0].Line != 2 || rep.Problems[0].MsgID != "import.bad_chief_rep" {
			t.Fatalf("import: %+v", rep.Problems)
		}
		if rep := w.importFile(t, "wangjianguo", "c.csv", []byte(strings.NewReplacer(",,sunli", ",liwei,sunli", ",,zhaomin", ",liwei,zhaomin").Replace(file)), false); len(rep.Problems) != 0 {
			t.Fatalf("director import: %+v", rep.Problems)
		}
	})
}

// TestExportNeutralisesControls: a name stored before input was cleaned
// (NUL, ESC, an RTL override) leaves the CSV export clean, and the
// formula guard still holds.
func TestExportNeutralisesControls(t *testing.T) {
	rows := []ExportRow{{Customer: Customer{Name: "=HYPERLINK(\"x\")\x00", CreditCode: "91", Address: "\x1b[2J南岗\u202E区"}, Owner: "@李伟"}}
	var buf bytes.Buffer
	if err := WriteCustomersCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"\x00", "\x1b", "\u202E"} {
		if strings.Contains(out, bad) {
			t.Fatalf("export carries %q: %q", bad, out)
		}
	}
	if !strings.Contains(out, `"'=HYPERLINK(""x"")"`) || !strings.Contains(out, "'@李伟") || !strings.Contains(out, "[2J南岗区") {
		t.Fatalf("export: %q", out)
	}
}

// TestMigrationFoldsSearchText runs the search-text fold of migration
// 00009 on a customer written the old way (full-width letters kept), so
// "abc" finds it again.
func TestMigrationFoldsSearchText(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		c := w.customer(t, "liwei", "旧数据")
		if err := d.Gorm.Exec("UPDATE customers SET search_text = ? WHERE id = ?", "ａｂｃ１２３科技\u3000x", c.ID).Error; err != nil {
			t.Fatal(err)
		}
		fsys, err := migrations.For(d.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := fsReadFile(fsys, "00009_rate_limits.sql")
		if err != nil {
			t.Fatal(err)
		}
		up := sql[strings.Index(sql, "UPDATE customers"):]
		up = up[:strings.Index(up, ";")]
		if err := d.Gorm.Exec(up).Error; err != nil {
			t.Fatal(err)
		}
		got, _ := w.svc.store.Customer(ctx, c.ID)
		if got.SearchText != "abc123科技 x" {
			t.Fatalf("search text %q", got.SearchText)
		}
	})
}

func fsReadFile(fsys fs.FS, name string) (string, error) {
	b, err := fs.ReadFile(fsys, name)
	return string(b), err
}
