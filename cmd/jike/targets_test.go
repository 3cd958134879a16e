package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"github.com/xuri/excelize/v2"
)

var shanghaiLoc, _ = time.LoadLocation("Asia/Shanghai")

// clockApp is a test app in Asia/Shanghai on a clock the test moves.
func clockApp(t *testing.T, d *db.DB, start time.Time) (*app, *time.Time) {
	now := start
	a := newTestApp(t, d, func(o *appOptions) {
		o.Location = shanghaiLoc
		o.Now = func() time.Time { return now }
	})
	return a, &now
}

// TestTargetPages: the grid per role, setting targets with errors and
// locking, the manager's progress on home, out of scope a 404.
func TestTargetPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		a, now := clockApp(t, d, time.Date(2026, 11, 20, 10, 0, 0, 0, shanghaiLoc))
		li := subject(t, a, "liwei")
		zj := subject(t, a, "zhangjing")
		form := func(month string, visits string, extra ...string) url.Values {
			v := url.Values{"month": {month}, "owner": {itoa(li.ID)}, "v_" + itoa(li.ID): {"0"},
				"t_" + itoa(li.ID) + "_visits": {visits}, "t_" + itoa(li.ID) + "_mrc": {"12,000.50"}}
			for i := 0; i+1 < len(extra); i += 2 {
				v.Set(extra[i], extra[i+1])
			}
			return v
		}
		runScenarios(t, a, []scenario{
			{name: "manager's own page", as: "liwei", path: "/targets", status: 200, want: []string{"我的月度目标", "走访", "新增月收入", "写月度总结"}},
			{name: "chief rep's grid", as: "zhaomin", path: "/targets", status: 200, want: []string{"李伟", "张静", "未达成原因分布", "未提交月度总结"}, wantNot: []string{"周杰"}},
			{name: "director's grid", as: "wangjianguo", path: "/targets", status: 200, want: []string{"李伟", "周杰", "政企客户一部"}, wantNot: []string{"高远"}},
			{name: "bad month", as: "zhaomin", path: "/targets?month=2026-13", status: 422},
			{name: "manager cannot set", as: "liwei", path: "/targets/set", status: 403},
			{name: "set form proposes", as: "zhaomin", path: "/targets/set?month=2026-12", status: 200, want: []string{"制定月度目标", `name="t_` + itoa(li.ID) + `_visits"`, "略高于指标"}},
			{name: "absurd value", as: "zhaomin", method: "POST", path: "/targets/set", form: form("2026-12", "10000"), status: 422, want: []string{"走访目标过大"}},
			{name: "negative value", as: "zhaomin", method: "POST", path: "/targets/set", form: form("2026-12", "-2"), status: 422, want: []string{"目标不能为负数"}},
			{name: "another team's manager", as: "sunli", method: "POST", path: "/targets/set", form: form("2026-12", "8"), status: 404},
			{name: "chief rep sets December", as: "zhaomin", method: "POST", path: "/targets/set", form: form("2026-12", "8"), status: 303, location: "/targets?month=2026-12"},
			{name: "November has started", as: "zhaomin", method: "POST", path: "/targets/set", form: form("2026-11", "8"), status: 422, want: []string{"目标已锁定"}},
			{name: "director needs a reason", as: "wangjianguo", method: "POST", path: "/targets/set", form: form("2026-11", "8"), status: 422, want: []string{"须填写原因"}},
			{name: "director overrides", as: "wangjianguo", method: "POST", path: "/targets/set", form: form("2026-11", "8", "reason", "年中调整"), status: 303},
			{name: "colleague's progress is 404", as: "zhangjing", path: "/targets/am/" + itoa(li.ID), status: 404},
			{name: "other team's chief rep: 404", as: "sunli", path: "/targets/am/" + itoa(li.ID), status: 404},
			{name: "chief rep sees a member", as: "zhaomin", path: "/targets/am/" + itoa(zj.ID), status: 200, want: []string{"张静"}},
			{name: "quota page", as: "wangjianguo", path: "/targets/quotas", status: 200, want: []string{"年度任务", "团队：政企客户一部"}},
			{name: "quota saved", as: "zhaomin", method: "POST", path: "/targets/quotas", form: url.Values{"year": {"2027"}, "row": {"q_" + itoa(li.ID)}, "q_" + itoa(li.ID) + "_visits": {"120"}}, status: 303},
			{name: "quota too big", as: "zhaomin", method: "POST", path: "/targets/quotas", form: url.Values{"year": {"2027"}, "row": {"q_" + itoa(li.ID)}, "q_" + itoa(li.ID) + "_visits": {"999999"}}, status: 422, want: []string{"年度任务过大"}},
			{name: "manager's home panel", as: "liwei", path: "/", status: 200, want: []string{"本月目标进度", "12,000.50"}},
			{name: "chief rep's home panel", as: "zhaomin", path: "/", status: 200, want: []string{"待点评的月度总结", `href="/targets/set"`}},
			{name: "nav item", as: "wangjianguo", path: "/", status: 200, want: []string{`href="/targets"`, "月度目标"}},
			{name: "admin has no targets", as: "admin", path: "/targets", status: 403},
		})
		// The December target as saved, in the grid.
		*now = time.Date(2026, 12, 3, 9, 0, 0, 0, shanghaiLoc)
		c := loggedIn(t, a, "zhaomin")
		res := c.Get("/targets?month=2026-12")
		if res.Status != 200 || !strings.Contains(res.Body, "/ 8") {
			t.Fatalf("grid after save: %d %.300s", res.Status, res.Body)
		}
	})
}

// TestReviewOverHTTP: the manager writes and submits the review in the
// window, the chief rep signs it off, the director downloads the PDF and
// the grid as Excel; a colleague gets 404.
func TestReviewOverHTTP(t *testing.T) {
	t.Parallel()
	a, now := clockApp(t, testkit.SQLite(t), time.Date(2026, 10, 20, 10, 0, 0, 0, shanghaiLoc))
	ctx := context.Background()
	li := subject(t, a, "liwei")
	cu := seedCustomer(t, a, "liwei", "月度测试集团", prospects.MakeCreditCode("91230103MA1999991"))
	zc := loggedIn(t, a, "zhaomin")
	if res := zc.PostForm("/targets/set", url.Values{"month": {"2026-11"}, "owner": {itoa(li.ID)}, "v_" + itoa(li.ID): {"0"},
		"t_" + itoa(li.ID) + "_contacts": {"3"}, "t_" + itoa(li.ID) + "_visits": {"2"}}); res.Status != 303 {
		t.Fatalf("set: %d %s", res.Status, res.Body)
	}
	*now = time.Date(2026, 11, 26, 9, 0, 0, 0, shanghaiLoc)
	if _, err := a.Prospects.SaveContact(ctx, li, cu.ID, 0, prospects.ContactInput{Name: "赵处长", Role: "decision", Mobile: "13900001111"}); err != nil {
		t.Fatal(err)
	}
	lc := loggedIn(t, a, "liwei")
	page := lc.Get("/targets/review?month=2026-11")
	if page.Status != 200 || !strings.Contains(page.Body, "决心不够") || !strings.Contains(page.Body, "提交月度总结") {
		t.Fatalf("review form: %d %.500s", page.Status, page.Body)
	}
	form := url.Values{"month": {"2026-11"}, "version": {"0"}, "submit": {"1"}, "summary": {"下旬集中拜访"}}
	if res := lc.PostForm("/targets/review", form); res.Status != 422 || !strings.Contains(res.Body, "未达成的指标须选择原因") {
		t.Fatalf("missing reasons: %d", res.Status)
	}
	form.Set("reason_visits", "B")
	form.Set("note_visits", "每周一排定走访计划")
	form.Set("reason_contacts", "A")
	form.Set("note_contacts", "每次走访至少结识一位新联系人")
	res := lc.PostForm("/targets/review", form)
	if res.Status != 303 || !strings.HasPrefix(res.Location(), "/targets/reviews/") {
		t.Fatalf("submit: %d %s %.300s", res.Status, res.Location(), res.Body)
	}
	rURL := res.Location()
	var version string
	a.DB.Gorm.Raw("SELECT version FROM monthly_reviews WHERE owner_id = ?", li.ID).Scan(&version)
	runScenarios(t, a, []scenario{
		{name: "colleague: 404", as: "zhangjing", path: rURL, status: 404},
		{name: "other team's chief rep: 404", as: "sunli", path: rURL, status: 404},
		{name: "other team's chief rep PDF: 404", as: "sunli", path: rURL + "/pdf", status: 404},
		{name: "director cannot sign off", as: "wangjianguo", method: "POST", path: rURL + "/signoff", status: 403},
		{name: "chief rep reads", as: "zhaomin", path: rURL, status: 200, want: []string{"计划不周", "每周一排定走访计划", "点评并确认", "已提交"}},
		{name: "chief rep home lists it", as: "zhaomin", path: "/", status: 200, want: []string{rURL}},
		{name: "chief rep signs off", as: "zhaomin", method: "POST", path: rURL + "/signoff", form: url.Values{"version": {version}, "body": {"措施可行"}}, status: 303, location: rURL},
		{name: "director sees it signed off", as: "wangjianguo", path: "/targets/reviews?month=2026-11", status: 200, want: []string{"已点评", "李伟"}},
		{name: "manager sees the comment", as: "liwei", path: rURL, status: 200, want: []string{"措施可行", "已点评"}, wantNot: []string{"submit-review"}},
	})
	dc := loggedIn(t, a, "wangjianguo")
	pdfRes := dc.Get(rURL + "/pdf")
	if pdfRes.Status != 200 || !strings.HasPrefix(pdfRes.Body, "%PDF") {
		t.Fatalf("pdf: %d", pdfRes.Status)
	}
	pdftest.NeedTools(t, "pdftotext")
	path := pdftest.Write(t, []byte(pdfRes.Body))
	text := pdftest.NoSpace(pdftest.Run(t, "pdftotext", "-layout", path, "-"))
	for _, want := range []string{"李伟2026-11月度总结", "计划不周", "每周一排定走访计划", "措施可行", "首席客户代表", "赵敏", "第1页/共1页"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q:\n%s", want, text)
		}
	}
	// The grid as a workbook: numbers are numbers.
	x := dc.Get("/targets/export.xlsx?month=2026-11")
	if x.Status != 200 {
		t.Fatalf("export: %d", x.Status)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("2026-11")
	if err != nil || len(rows) < 2 {
		t.Fatalf("rows: %v %d", err, len(rows))
	}
	found := false
	for _, r := range rows[1:] {
		if r[0] == "李伟" {
			found = true
			// 走访: target 2, actual 0; 新增联系人: target 3, actual 1
			if r[2] != "2" || r[3] != "0" || r[8] != "3" || r[9] != "1" {
				t.Errorf("李伟's row: %v", r)
			}
		}
		if r[0] == "高远" {
			t.Errorf("export shows %s, outside the director's branch? %v", r[0], r)
		}
	}
	if !found {
		t.Fatalf("李伟 missing from export: %v", rows)
	}
	// the notice of the sign-off reached the manager
	res = lc.Get("/notifications")
	if !regexp.MustCompile(`2026-11 的月度总结已确认`).MatchString(res.Body) {
		t.Errorf("no sign-off notice: %.300s", res.Body)
	}
}

// TestReviewReminderJob: the daily job tells managers in the last three
// working days, once.
func TestReviewReminderJob(t *testing.T) {
	t.Parallel()
	a, now := clockApp(t, testkit.SQLite(t), time.Date(2026, 11, 25, 9, 0, 0, 0, shanghaiLoc))
	a.Jobs.SetClock(func() time.Time { return *now })
	ctx := context.Background()
	count := func() int64 {
		var n int64
		a.DB.Gorm.Raw("SELECT COUNT(*) FROM notifications WHERE msg_id = 'notice.targets.review_due'").Scan(&n)
		return n
	}
	if _, err := a.Jobs.RunNow(ctx, "targets.review_reminders"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 0 {
		t.Fatalf("before the window: %d", n)
	}
	*now = time.Date(2026, 11, 26, 9, 0, 0, 0, shanghaiLoc)
	for i := 0; i < 2; i++ {
		if _, err := a.Jobs.RunNow(ctx, "targets.review_reminders"); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 14 {
		t.Fatalf("in the window (twice): %d notices, want one per manager (14)", n)
	}
}

// TestQuotaImportOverHTTP uploads a CSV through the page: the dry run
// saves nothing, the real run saves, a bad row saves nothing.
func TestQuotaImportOverHTTP(t *testing.T) {
	t.Parallel()
	a, _ := clockApp(t, testkit.SQLite(t), time.Date(2026, 11, 20, 10, 0, 0, 0, shanghaiLoc))
	c := loggedIn(t, a, "zhaomin")
	if res := c.Get("/targets/quotas/import"); res.Status != 200 || !strings.Contains(res.Body, "导入年度任务") {
		t.Fatalf("form: %d", res.Status)
	}
	upload := func(csvText string, dry bool) *testkit.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("_csrf", c.CSRF())
		_ = mw.WriteField("year", "2027")
		if dry {
			_ = mw.WriteField("dry_run", "1")
		}
		fw, _ := mw.CreateFormFile("file", "quotas.csv")
		_, _ = fw.Write([]byte(csvText))
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/targets/quotas/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return c.Do(req)
	}
	count := func() int64 {
		var n int64
		a.DB.Gorm.Raw("SELECT COUNT(*) FROM target_quotas").Scan(&n)
		return n
	}
	good := "用户名,走访,签约,新增月收入(元)\nliwei,144,24,1200000\nzhangjing,120,12,800000\n"
	if res := upload(good, true); res.Status != 200 || !strings.Contains(res.Body, "检查通过") || count() != 0 {
		t.Fatalf("dry run: %d, %d saved", res.Status, count())
	}
	if res := upload("用户名,走访\nliwei,12\nzhoujie,3\n", false); res.Status != 422 || !strings.Contains(res.Body, "没有保存任何数据") || count() != 0 {
		t.Fatalf("bad row: %d, %d saved", res.Status, count())
	}
	if res := upload(good, false); res.Status != 200 || !strings.Contains(res.Body, "保存了 2 条") || count() != 2 {
		t.Fatalf("import: %d, %d saved\n%.400s", res.Status, count(), res.Body)
	}
}
