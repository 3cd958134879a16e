package main

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/targets"
)

// historyTargetEdits makes the targets module's kinds of change through
// its services, which the demo (seeded without a trail) lacks: a director
// changes a started month's target with a reason (override), a chief rep
// sets next month's (create) and changes a quota (update, money), and
// returns a submitted review (return).
func historyTargetEdits(t *testing.T, a *app) {
	t.Helper()
	ctx := context.Background()
	director, chief, liwei := subject(t, a, "wangjianguo"), subject(t, a, "zhaomin"), subject(t, a, "liwei")
	row := func(g *targets.SetGrid) targets.SetRow {
		for _, r := range g.Rows {
			if r.Person.ID == liwei.ID {
				return r
			}
		}
		t.Fatalf("liwei is not in the %s grid", g.Month)
		return targets.SetRow{}
	}
	input := func(r targets.SetRow, bump int64) targets.TargetInput {
		in := targets.TargetInput{OwnerID: r.Person.ID, Values: map[string]string{}}
		if r.Target != nil {
			in.Version = r.Target.Version
		}
		for _, l := range targets.Lines {
			v := r.Values[l.Key] + bump
			if l.Money {
				// Values in fen: the bump in yuan.
				in.Values[l.Key] = money.Fen(r.Values[l.Key] + bump*100).Plain()
			} else {
				in.Values[l.Key] = strconv.FormatInt(v, 10)
			}
		}
		return in
	}
	m := a.Targets.CurrentMonth()
	cur, err := a.Targets.SetForm(ctx, director, m)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Targets.SaveTargets(ctx, director, m, []targets.TargetInput{input(row(cur), 2)}, "客户集中签约，调高本月目标"); err != nil || n != 1 {
		t.Fatalf("override this month's target: %d %v", n, err)
	}
	next, err := a.Targets.SetForm(ctx, chief, m.Add(1))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Targets.SaveTargets(ctx, chief, m.Add(1), []targets.TargetInput{input(row(next), 0)}, ""); err != nil || n != 1 {
		t.Fatalf("set next month's target: %d %v", n, err)
	}
	quotas, err := a.Targets.QuotaForm(ctx, chief, m.Year())
	if err != nil {
		t.Fatal(err)
	}
	saved := false
	for _, q := range quotas {
		if q.OwnerID == liwei.ID && q.Quota != nil {
			in := targets.QuotaInput{OwnerID: q.OwnerID, Version: q.Quota.Version, Field: q.Key(), Values: map[string]string{
				"visits": strconv.FormatInt(q.Quota.Visits+12, 10), "signings": strconv.FormatInt(q.Quota.Signings, 10),
				"mrc": (q.Quota.MRCFen + 120000_00).Plain()}}
			if n, err := a.Targets.SaveQuotas(ctx, chief, m.Year(), []targets.QuotaInput{in}); err != nil || n != 1 {
				t.Fatalf("change liwei's quota: %d %v", n, err)
			}
			saved = true
		}
	}
	if !saved {
		t.Fatal("liwei has no demo quota")
	}
	var rv struct {
		ID, LeaderID uint
		Version      int
	}
	if err := a.DB.Gorm.Table("monthly_reviews").Joins("JOIN teams ON teams.id = monthly_reviews.team_id").
		Where("monthly_reviews.status = ? AND teams.leader_id IS NOT NULL", targets.StatusSubmitted).
		Select("monthly_reviews.id, monthly_reviews.version, teams.leader_id").Order("monthly_reviews.id").Limit(1).Scan(&rv).Error; err != nil || rv.ID == 0 {
		t.Fatalf("a submitted demo review: %v", err)
	}
	leaders, err := a.Org.Store().UsersByIDs(ctx, []uint{rv.LeaderID})
	if err != nil || len(leaders) != 1 {
		t.Fatalf("the review's chief rep: %v", err)
	}
	leader := leaders[rv.LeaderID]
	if _, err := a.Targets.Decide(ctx, leader.Subject(), rv.ID, targets.ActReturn, rv.Version, "请补充签约未达成的改进措施"); err != nil {
		t.Fatal(err)
	}
}

// testHistoryTargets: the targets' entries read in words in the admin's
// log (the only page showing them): whose target of which month, the
// lines by their labels, amounts in yuan, the reason of an override and
// the review's status by label.
func testHistoryTargets(t *testing.T, a *app) {
	c := loggedIn(t, a, "admin")
	c.PostForm("/lang", url.Values{"lang": {"zh-CN"}, "next": {"/"}})
	for entity, want := range map[string][]string{
		"monthly_target": {"月度目标·李伟·", "锁定后调整", "调整原因：客户集中签约，调高本月目标", "走访：", "新增月收入：<del>¥"},
		"target_quota":   {"年度任务·李伟·", "走访：<del>", "新增月收入：<del>¥"},
		"monthly_review": {"月度总结·", "退回修改", "总结状态：<del>已提交</del>→已退回"},
	} {
		res := c.Get("/admin/audit?entity=" + entity)
		blocks := historyBlocks(res.Body)
		if res.Status != 200 || len(blocks) != 1 {
			t.Fatalf("%s: %d, %d history blocks", entity, res.Status, len(blocks))
		}
		// Compare without spaces and with only the <del> tags kept.
		text := strings.ReplaceAll(blocks[0], "<del>", "\x00")
		text = strings.ReplaceAll(strings.ReplaceAll(text, "</del>", "\x01"), " ", "")
		text = strings.ReplaceAll(visibleText(text), " ", "")
		text = strings.ReplaceAll(strings.ReplaceAll(text, "\x00", "<del>"), "\x01", "</del>")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the log lacks %q: %.3000s", entity, w, text)
			}
		}
		// The admin reads the log, not the targets pages: no link to them.
		if strings.Contains(blocks[0], `href="/targets/`) {
			t.Errorf("%s: the admin's log links to a targets page", entity)
		}
		for _, raw := range []string{"mrc_fen", "ab_visits", "signed_off", "override", "submitted"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s: the log shows %q", entity, raw)
			}
		}
	}
}

// testHistoryContractPage: a signed contract's 修改记录 names the status
// change by its labels and the amounts as money, in both languages, and
// shows no column; it holds its implementation tasks' entries too.
func testHistoryContractPage(t *testing.T, a *app) {
	ctx := context.Background()
	director := subject(t, a, "wangjianguo")
	var ids []uint
	if err := a.DB.Gorm.Table("audit_log").Joins("JOIN contracts x ON x.id = audit_log.entity_id").
		Where("audit_log.entity = ? AND audit_log.action = ? AND x.branch_id = ? AND x.revision = 1", "contract", "contract_sign", director.BranchID).
		Where("EXISTS (SELECT 1 FROM contract_tasks WHERE contract_tasks.contract_id = x.id AND contract_tasks.status = ?)", contracts.TaskTodo).
		Order("x.id").Limit(1).Pluck("x.id", &ids).Error; err != nil || len(ids) == 0 {
		t.Fatalf("a signed demo contract with an open task in the director's branch: %v", err)
	}
	id := ids[0]
	d, err := a.Contracts.Get(ctx, director, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range d.Tasks {
		if task.Status == contracts.TaskTodo {
			if _, err := a.Contracts.UpdateTask(ctx, director, id, task.ID, contracts.TaskInput{Title: task.Title, OwnerID: task.OwnerID,
				DueOn: task.DueOn.Format("2006-01-02"), Status: contracts.TaskDoing, Note: task.Note, Version: task.Version}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	for lang, want := range map[string][]string{
		"zh-CN": {`<span class="history-label">状态</span>：<del>待签署</del> → 已签署`, `<span class="history-label">合同总价</span>：¥`,
			`<span class="history-label">签署日期</span>：`, `合同 · <a href="/contracts/` + itoa(id) + `">` + html.EscapeString(d.C.Number),
			"实施任务 · ", `<del>未开始</del> → 进行中`},
		"en": {`<span class="history-label">Status</span>: <del>Ready to sign</del> → Signed`, `<span class="history-label">Contract value</span>: ¥`,
			`Contract · <a href="/contracts/` + itoa(id) + `">`, "Implementation task · ", `<del>To do</del> → In progress`},
	} {
		c := loggedIn(t, a, "wangjianguo")
		c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/"}})
		path := "/contracts/" + itoa(id)
		res := c.Get(path)
		if res.Status != 200 {
			t.Fatalf("%s: %d", lang, res.Status)
		}
		blocks := checkHistoryPage(t, "wangjianguo/"+lang, path, res.Body)
		if len(blocks) != 1 {
			t.Fatalf("%s: %d history blocks", lang, len(blocks))
		}
		for _, w := range want {
			if !strings.Contains(blocks[0], w) {
				t.Errorf("%s: the history lacks %s\n%.4000s", lang, w, blocks[0])
			}
		}
		if !regexp.MustCompile(`¥[\d,]+\.\d\d`).MatchString(blocks[0]) {
			t.Errorf("%s: no amount in yuan in the history", lang)
		}
		text := visibleText(blocks[0])
		for _, raw := range []string{"total_fen", "signed_on", "status", "approved", "T00:00:00Z", "contract_sign", "todo"} {
			if strings.Contains(text, raw) {
				t.Errorf("%s: the history shows %q", lang, raw)
			}
		}
	}
}
