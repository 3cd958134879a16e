package main

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/ratelimit"
	"github.com/jike-crm/jike/modules/platform/tabular"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/xuri/excelize/v2"
)

// TestBadInputOverHTTP sends what the audit sent — NUL and ESC, RTL
// overrides, zero-width-only names, years 0001 and 9999, full-width
// grades, mobiles and amounts, over-long notes — through the real router
// on both databases: every answer is a page (never a 500) and what is
// stored is clean.
func TestBadInputOverHTTP(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		cu := seedCustomer(t, a, "liwei", "输入测试客户", prospects.MakeCreditCode("91230103MA1000021"))
		o, err := a.Prospects.CreateOpportunity(context.Background(), subject(t, a, "liwei"), prospects.OpportunityInput{CustomerID: cu.ID, Title: "专线"})
		if err != nil {
			t.Fatal(err)
		}
		id := itoa(cu.ID)
		code := prospects.MakeCreditCode("91230103MA1000022")
		runScenarios(t, a, []scenario{
			{name: "NUL, ESC and RTL in a new customer", as: "liwei", method: "POST", path: "/customers",
				form:   url.Values{"name": {"坏\x00输入\x1b公司\u202E"}, "credit_code": {code}, "industry": {"gov"}, "grade": {"Ｃ"}, "annual_spend": {"１,０００"}},
				status: 303, location: "/customers/"},
			{name: "zero-width-only name", as: "liwei", method: "POST", path: "/customers",
				form:   url.Values{"name": {"\u200B\u200C\u2060"}, "credit_code": {prospects.MakeCreditCode("91230103MA1000023")}, "industry": {"gov"}, "grade": {"C"}},
				status: 422, want: []string{"必填"}},
			{name: "NUL in a search", as: "liwei", path: "/customers?q=%00%E8%BE%93%E5%85%A5", status: 200, want: []string{"输入测试客户"}},
			{name: "NUL in the opportunity list search", as: "liwei", path: "/opportunities?q=%00", status: 200},
			{name: "key person: full-width mobile, NUL name", as: "liwei", method: "POST", path: "/customers/" + id + "/contacts",
				form: url.Values{"contact_name": {"王\x00主任"}, "mobile": {"１３９００００１１１１"}, "role": {"decision"}}, status: 303},
			{name: "key person: year 0001", as: "liwei", method: "POST", path: "/customers/" + id + "/contacts",
				form: url.Values{"contact_name": {"李主任"}, "role": {"decision"}, "birthday": {"0001-01-01"}}, status: 422, want: []string{"1900-01-01"}},
			{name: "key person: over-long notes are shown at the field", as: "liwei", method: "POST", path: "/customers/" + id + "/contacts",
				form: url.Values{"contact_name": {"赵主任"}, "role": {"decision"}, "notes": {strings.Repeat("长", 2001)}}, status: 422,
				want: []string{`<p class="field-error" role="alert">内容过长。</p>`}},
			{name: "opportunity closing in 9999", as: "liwei", method: "POST", path: "/opportunities",
				form: url.Values{"customer_id": {id}, "title": {"远期项目"}, "expected_close": {"9999-12-31"}}, status: 422, want: []string{"2100-12-31"}},
			{name: "stage note with NUL", as: "liwei", method: "POST", path: "/opportunities/" + itoa(o.ID) + "/stage",
				form: url.Values{"stage": {"lost"}, "lost_reason": {"price"}, "note": {"太贵\x00了"}}, status: 303},
			{name: "need with NUL", as: "liwei", method: "POST", path: "/customers/" + id + "/needs",
				form: url.Values{"category": {"dedicated_line"}, "description": {"专线\x00需求\u202E"}, "priority": {"high"}}, status: 303},
			{name: "analysis with NUL", as: "liwei", method: "POST", path: "/customers/" + id + "/analysis",
				form: url.Values{"pain_points": {"网络\x00慢"}, "it_budget": {"１００"}}, status: 303},
			{name: "service contract ending in 0001", as: "liwei", method: "POST", path: "/customers/" + id + "/analysis/services",
				form: url.Values{"service": {"broadband"}, "supplier": {"cucc"}, "contract_end": {"0001-01-01"}}, status: 422, want: []string{"1900-01-01"}},
		})
		var names []string
		d.Gorm.Raw("SELECT name FROM customers UNION ALL SELECT name FROM contacts UNION ALL SELECT description FROM needs UNION ALL SELECT note FROM stage_changes UNION ALL SELECT pain_points FROM customer_analyses").Scan(&names)
		for _, n := range names {
			if strings.ContainsAny(n, "\x00\x1b\u202E") {
				t.Errorf("stored %q", n)
			}
		}
		var stored prospects.Customer
		d.Gorm.Where("credit_code = ?", code).First(&stored)
		if stored.Name != "坏输入公司" || stored.Grade != "C" || stored.AnnualSpendFen != 100000 {
			t.Errorf("stored customer %+v", stored)
		}
	})
}

// TestDuplicateCheckOverHTTP: past the per-user limit the form says so
// (429) and saves nothing; another user is not affected.
func TestDuplicateCheckOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	a.Prospects.SetCheckLimits(ratelimit.Rule{Limit: 1, Window: time.Hour}, ratelimit.Rule{Limit: 1, Window: time.Hour})
	// A stopped clock: on the wall clock the hour could end between the
	// two checks and let the second through.
	stopped := time.Now().UTC().Truncate(time.Hour).Add(time.Hour - 100*time.Millisecond)
	a.Prospects.SetLimiterClock(func() time.Time { return stopped })
	post := func(name, code string) url.Values {
		return url.Values{"name": {name}, "credit_code": {code}, "industry": {"gov"}, "grade": {"C"}}
	}
	runScenarios(t, a, []scenario{
		{name: "first check", as: "liwei", method: "POST", path: "/customers", form: post("限流一号", prospects.MakeCreditCode("91230103MA1000031")), status: 303},
		{name: "second check is refused", as: "liwei", method: "POST", path: "/customers", form: post("限流二号", prospects.MakeCreditCode("91230103MA1000032")), status: 429, want: []string{"查重过于频繁"}},
		{name: "another user", as: "zhangjing", method: "POST", path: "/customers", form: post("限流三号", prospects.MakeCreditCode("91230103MA1000033")), status: 303},
	})
	if n := countCustomersIn(t, a); n != 2 {
		t.Fatalf("%d customers, want 2", n)
	}
}

// TestKeyPersonDuplicateOverHTTP: the same key person twice asks for a
// confirmation, which then saves.
func TestKeyPersonDuplicateOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	cu := seedCustomer(t, a, "liwei", "关键人查重客户", prospects.MakeCreditCode("91230103MA1000041"))
	path := "/customers/" + itoa(cu.ID) + "/contacts"
	form := url.Values{"contact_name": {"王主任"}, "mobile": {"13900002222"}, "role": {"decision"}}
	confirmed := url.Values{"contact_name": {"王 主任"}, "role": {"user"}, "confirm_duplicate": {"1"}}
	runScenarios(t, a, []scenario{
		{name: "first", as: "liwei", method: "POST", path: path, form: form, status: 303},
		{name: "same name again", as: "liwei", method: "POST", path: path, form: url.Values{"contact_name": {"王 主任"}, "role": {"user"}}, status: 409,
			want: []string{"该客户已有同名的关键人", `name="confirm_duplicate"`, "王主任"}},
		{name: "confirmed", as: "liwei", method: "POST", path: path, form: confirmed, status: 303},
	})
}

// TestReassignOverHTTP: a chief rep named on another team's customer can
// neither pull it into her team nor is offered her team's people.
func TestReassignOverHTTP(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a := newTestApp(t, d)
		ctx := context.Background()
		cu := seedCustomer(t, a, "zhoujie", "金融部的客户", prospects.MakeCreditCode("91230103MA1000051"))
		cu, err := a.Prospects.Reassign(ctx, subject(t, a, "wangjianguo"), cu.ID, 0, subject(t, a, "zhaomin").ID, cu.Version)
		if err != nil {
			t.Fatal(err)
		}
		path := "/customers/" + itoa(cu.ID) + "/reassign"
		liwei, wufang, zhaomin := itoa(subject(t, a, "liwei").ID), itoa(subject(t, a, "wufang").ID), itoa(subject(t, a, "zhaomin").ID)
		version := itoa(uint(cu.Version))
		runScenarios(t, a, []scenario{
			{name: "the form offers the customer's team only", as: "zhaomin", path: path, status: 200, want: []string{"吴芳", "周杰"}, wantNot: []string{"李伟", "张静"}},
			{name: "pulling it into her team is refused", as: "zhaomin", method: "POST", path: path, form: url.Values{"owner_id": {liwei}, "chief_rep_id": {zhaomin}, "version": {version}}, status: 422, want: []string{"has-error"}},
			{name: "an account manager cannot name another team's chief rep", as: "liwei", method: "POST", path: "/customers",
				form:   url.Values{"name": {"首席测试"}, "credit_code": {prospects.MakeCreditCode("91230103MA1000052")}, "industry": {"gov"}, "grade": {"A"}, "chief_rep_id": {itoa(subject(t, a, "sunli").ID)}},
				status: 422, want: []string{"客户经理所在团队"}},
			{name: "within the customer's team is allowed", as: "zhaomin", method: "POST", path: path, form: url.Values{"owner_id": {wufang}, "chief_rep_id": {zhaomin}, "version": {version}}, status: 303},
		})
		got, _ := a.ProspectStore.Customer(ctx, cu.ID)
		if got.TeamID != cu.TeamID || got.OwnerID != subject(t, a, "wufang").ID {
			t.Fatalf("customer now %+v", got)
		}
	})
}

// TestImportGuardsOverHTTP: a workbook that would inflate past the cap, a
// binary renamed .csv and an import while the instance is busy each get a
// clear page, fast, and import nothing.
func TestImportGuardsOverHTTP(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	c := loggedIn(t, a, "liwei")
	c.Get("/customers/import")
	upload := func(name string, content []byte) *testkit.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("_csrf", c.CSRF())
		_ = mw.WriteField("action", "dryrun")
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(content)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, "/customers/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.Do(req)
	}
	res := upload("bomb.xlsx", declaredBomb(t))
	if res.Status != 422 || !strings.Contains(res.Body, "工作簿解压后过大") {
		t.Fatalf("bomb: %d\n%.2000s", res.Status, res.Body)
	}
	res = upload("picture.csv", append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...))
	if res.Status != 422 || !strings.Contains(res.Body, "不是文本格式的 CSV") {
		t.Fatalf("binary csv: %d\n%.2000s", res.Status, res.Body)
	}
	gate := tabular.NewGate(1)
	a.Prospects.SetImportGate(gate)
	release, err := gate.Enter(context.Background(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	good := "客户名称,统一社会信用代码,行业,客户等级\n好公司," + prospects.MakeCreditCode("91230103MA1000061") + ",商贸,C\n"
	res = upload("good.csv", []byte(good))
	if res.Status != 503 || !strings.Contains(res.Body, "请稍等几秒后再试") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("busy: %d %v\n%.2000s", res.Status, res.Header, res.Body)
	}
	release()
	if res = upload("good.csv", []byte(good)); res.Status != 200 {
		t.Fatalf("after the other import: %d\n%.2000s", res.Status, res.Body)
	}
	if n := countCustomersIn(t, a); n != 0 {
		t.Fatalf("%d customers imported", n)
	}
}

// declaredBomb is a small workbook whose zip directory declares a 200 MiB
// part (refused from the directory, before anything inflates; the real
// bomb is in the tabular tests).
func declaredBomb(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", "客户名称")
	var wb bytes.Buffer
	if err := f.Write(&wb); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(wb.Bytes()), int64(wb.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.CreateRaw(&zf.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := zf.OpenRaw()
		var b bytes.Buffer
		_, _ = b.ReadFrom(raw)
		_, _ = w.Write(b.Bytes())
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: 200 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
