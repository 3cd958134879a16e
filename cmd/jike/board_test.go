package main

// The pipeline board, the opportunity and proposal lists through the real
// router: filters and their scoped choices, column totals of the whole
// filtered scope, the first cards and "更多", the move controls of open,
// lost and won cards, owners on lists that span several people, totals
// and exports with the page's scope and filters.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/proposals"
	"github.com/jike-crm/jike/modules/prospects"
)

// boardWorld is a board fixture: customers and opportunities inserted
// directly, with what each test needs to compute the expected answers.
type boardWorld struct {
	a     *app
	users map[string]org.User // by username
	opps  []prospects.Opportunity
	custs map[uint]prospects.Customer
	seq   int
}

func newBoardWorld(t *testing.T, d *db.DB) *boardWorld {
	t.Helper()
	a := newTestApp(t, d)
	var us []org.User
	if err := a.DB.Gorm.Find(&us).Error; err != nil {
		t.Fatal(err)
	}
	w := &boardWorld{a: a, users: map[string]org.User{}, custs: map[uint]prospects.Customer{}}
	for _, u := range us {
		w.users[u.Username] = u
	}
	return w
}

// customer inserts a customer of owner with a grade and an industry.
func (w *boardWorld) customer(t *testing.T, owner, grade, industry string, score int) prospects.Customer {
	t.Helper()
	u := w.users[owner]
	w.seq++
	now := time.Now().UTC()
	c := prospects.Customer{Name: fmt.Sprintf("看板客户%03d", w.seq), CreditCode: fmt.Sprintf("B%017d", w.seq),
		Industry: industry, Grade: grade, Status: "prospect", OwnerID: u.ID, TeamID: *u.TeamID, BranchID: *u.BranchID,
		QualScore: score, SearchText: fmt.Sprintf("看板客户%03d", w.seq), Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := w.a.DB.Gorm.Create(&c).Error; err != nil {
		t.Fatal(err)
	}
	w.custs[c.ID] = c
	return c
}

// opp inserts an opportunity of c at stage, changed `ago` before now.
func (w *boardWorld) opp(t *testing.T, c prospects.Customer, title, stage string, monthlyYuan int64, close string, ago time.Duration) prospects.Opportunity {
	t.Helper()
	now := time.Now().UTC()
	o := prospects.Opportunity{CustomerID: c.ID, Title: title, MonthlyFen: money.Fen(monthlyYuan * 100), OneTimeFen: money.Fen(monthlyYuan * 10),
		Stage: stage, Probability: prospects.DefaultProbability[stage], OwnerID: c.OwnerID, StageChangedAt: now.Add(-ago),
		Version: 1, CreatedAt: now, UpdatedAt: now}
	if stage == prospects.StageLost {
		o.LostReason = "price"
	}
	if close != "" {
		d, err := time.Parse("2006-01-02", close)
		if err != nil {
			t.Fatal(err)
		}
		o.ExpectedClose = &d
	}
	if err := w.a.DB.Gorm.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	w.opps = append(w.opps, o)
	return o
}

// expect counts and sums the fixture's opportunities that keep says the
// board shows (open ones, won and lost of the last 30 days).
func (w *boardWorld) expect(stage string, keep func(prospects.Opportunity, prospects.Customer) bool) (n int64, monthly money.Fen) {
	for _, o := range w.opps {
		if o.Stage != stage || (o.Closed() && time.Since(o.StageChangedAt) > 30*24*time.Hour) {
			continue
		}
		if keep(o, w.custs[o.CustomerID]) {
			n++
			monthly += o.MonthlyFen
		}
	}
	return n, monthly
}

// column is one board column as the page shows it.
type column struct {
	count   int64
	monthly string
	cards   []string // card ids in order
	html    string
}

var (
	colPattern   = regexp.MustCompile(`(?s)<section class="board-col col-([a-z]+)".*?</section>`)
	countPattern = regexp.MustCompile(`col-count">(\d+)<`)
	totalPattern = regexp.MustCompile(`col-total">[^ ]+ ([0-9,.]+)`)
	cardPattern  = regexp.MustCompile(`id="opp-(\d+)"`)
)

// parseBoard reads the columns of a board page or fragment.
func parseBoard(t *testing.T, body string) map[string]column {
	t.Helper()
	out := map[string]column{}
	for _, m := range colPattern.FindAllStringSubmatch(body, -1) {
		col := column{html: m[0]}
		if c := countPattern.FindStringSubmatch(m[0]); c != nil {
			col.count, _ = strconv.ParseInt(c[1], 10, 64)
		}
		if s := totalPattern.FindStringSubmatch(m[0]); s != nil {
			col.monthly = s[1]
		}
		for _, c := range cardPattern.FindAllStringSubmatch(m[0], -1) {
			col.cards = append(col.cards, c[1])
		}
		out[m[1]] = col
	}
	if len(out) != len(prospects.Stages) {
		t.Fatalf("board has %d columns, want %d:\n%.1500s", len(out), len(prospects.Stages), body)
	}
	return out
}

func htmxGet(c *testkit.Client, path string) *testkit.Response {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("HX-Request", "true")
	return c.Do(req)
}

func htmxPost(c *testkit.Client, path string, form url.Values) *testkit.Response {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "board")
	req.Header.Set("X-CSRF-Token", c.CSRF())
	return c.Do(req)
}

// fillBoard is the common fixture: 40 open "needs" deals in 政企客户一部
// (liwei, zhangjing) with distinct values, close dates in two months and
// some without; 6 in 金融行业客户部 (zhoujie); 5 in Daqing; recent and old
// results.
func fillBoard(t *testing.T, w *boardWorld) {
	t.Helper()
	a1 := w.customer(t, "liwei", "A", "finance", 80)
	c1 := w.customer(t, "zhangjing", "C", "education", 30)
	f1 := w.customer(t, "zhoujie", "B", "finance", 50)
	d1 := w.customer(t, "gaoyuan", "A", "energy", 90)
	for i := range 40 {
		cu, close := a1, "2026-06-15"
		if i%2 == 1 {
			cu = c1
		}
		switch i % 4 {
		case 2:
			close = "2026-07-01"
		case 3:
			close = ""
		}
		w.opp(t, cu, fmt.Sprintf("需求商机%02d", i), prospects.StageNeeds, int64(1000+i*10), close, time.Hour)
	}
	for i := range 6 {
		w.opp(t, f1, fmt.Sprintf("金融商机%d", i), prospects.StageNeeds, 500, "2026-06-20", time.Hour)
	}
	for i := range 5 {
		w.opp(t, d1, fmt.Sprintf("大庆商机%d", i), prospects.StageNeeds, 9000, "2026-06-20", time.Hour)
	}
	w.opp(t, a1, "最近签约", prospects.StageWon, 3000, "", 48*time.Hour)
	w.opp(t, a1, "很久前签约", prospects.StageWon, 7000, "", 60*24*time.Hour)
	w.opp(t, c1, "最近丢单", prospects.StageLost, 2000, "", 24*time.Hour)
}

func TestBoardFiltersTotalsAndMore(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newBoardWorld(t, d)
		fillBoard(t, w)
		director := loggedIn(t, w.a, "wangjianguo")
		harbin := func(_ prospects.Opportunity, c prospects.Customer) bool {
			return c.BranchID == *w.users["wangjianguo"].BranchID
		}
		team1 := *w.users["liwei"].TeamID

		res := director.Get("/pipeline")
		if res.Status != 200 {
			t.Fatalf("board: %d", res.Status)
		}
		cols := parseBoard(t, res.Body)
		n, monthly := w.expect(prospects.StageNeeds, harbin)
		needs := cols[prospects.StageNeeds]
		if needs.count != n || needs.monthly != monthly.String() {
			t.Fatalf("needs header %d %s, want %d %s (the whole scope, not the cards shown)", needs.count, needs.monthly, n, monthly)
		}
		if len(needs.cards) != prospects.BoardColumnSize {
			t.Fatalf("needs shows %d cards, want the first %d", len(needs.cards), prospects.BoardColumnSize)
		}
		if !strings.Contains(needs.html, "card-owner") || !strings.Contains(needs.html, "李伟") {
			t.Error("the director's cards do not name their account manager")
		}
		if strings.Contains(res.Body, "大庆商机") || strings.Contains(res.Body, "很久前签约") {
			t.Error("the board shows another branch's deal or a result older than 30 days")
		}
		if won := cols[prospects.StageWon]; won.count != 1 || strings.Contains(won.html, "<form") || !strings.Contains(won.html, "已签约，阶段不再变更") {
			t.Errorf("won column: %d cards, a form or no explanation:\n%s", won.count, won.html)
		}
		lost := cols[prospects.StageLost]
		if lost.count != 1 || !strings.Contains(lost.html, "reopen-form") || !strings.Contains(lost.html, `name="note" required`) ||
			strings.Contains(lost.html, `value="won"`) || strings.Contains(lost.html, `value="lost`) {
			t.Errorf("lost column: want one card with a reopen form (open stages and a required note):\n%s", lost.html)
		}

		// The first cards by value, then "更多" in pages until the end:
		// every card of the column once, in value order.
		want := []string{}
		for _, o := range w.opps {
			if o.Stage == prospects.StageNeeds && harbin(o, w.custs[o.CustomerID]) {
				want = append(want, itoa(o.ID))
			}
		}
		value := map[string]money.Fen{}
		for _, o := range w.opps {
			value[itoa(o.ID)] = o.MonthlyFen
		}
		sort.SliceStable(want, func(i, j int) bool {
			if value[want[i]] != value[want[j]] {
				return value[want[i]] > value[want[j]]
			}
			a, _ := strconv.Atoi(want[i])
			b, _ := strconv.Atoi(want[j])
			return a > b
		})
		got := slices.Clone(needs.cards)
		more := regexp.MustCompile(`hx-get="([^"]+)"`)
		page := needs.html
		for range 10 {
			m := more.FindStringSubmatch(page)
			if m == nil {
				break
			}
			next := htmxGet(director, strings.ReplaceAll(m[1], "&amp;", "&"))
			if next.Status != 200 || strings.Contains(next.Body, "<html") {
				t.Fatalf("更多: %d\n%.300s", next.Status, next.Body)
			}
			for _, c := range cardPattern.FindAllStringSubmatch(next.Body, -1) {
				got = append(got, c[1])
			}
			page = next.Body
		}
		if !slices.Equal(got, want) {
			t.Fatalf("cards through 更多:\n%v\nwant (value order):\n%v", got, want)
		}

		// Filters: team, owner, grade, industry, close month, each with
		// the header counting exactly what it selects.
		filters := []struct {
			query string
			keep  func(prospects.Opportunity, prospects.Customer) bool
		}{
			{"team=" + itoa(team1), func(o prospects.Opportunity, c prospects.Customer) bool { return c.TeamID == team1 }},
			{"owner=" + itoa(w.users["zhangjing"].ID), func(o prospects.Opportunity, c prospects.Customer) bool { return o.OwnerID == w.users["zhangjing"].ID }},
			{"grade=A", func(o prospects.Opportunity, c prospects.Customer) bool { return harbin(o, c) && c.Grade == "A" }},
			{"industry=finance", func(o prospects.Opportunity, c prospects.Customer) bool {
				return harbin(o, c) && c.Industry == "finance"
			}},
			{"close=2026-07", func(o prospects.Opportunity, c prospects.Customer) bool {
				return harbin(o, c) && o.ExpectedClose != nil && o.ExpectedClose.Format("2006-01") == "2026-07"
			}},
			{"industry=finance&close=2026-06&sort=close", func(o prospects.Opportunity, c prospects.Customer) bool {
				return harbin(o, c) && c.Industry == "finance" && o.ExpectedClose != nil && o.ExpectedClose.Format("2006-01") == "2026-06"
			}},
		}
		for _, f := range filters {
			res := director.Get("/pipeline?" + f.query)
			cols := parseBoard(t, res.Body)
			for _, st := range prospects.Stages {
				n, monthly := w.expect(st, f.keep)
				if cols[st].count != n || cols[st].monthly != monthly.String() {
					t.Errorf("%s, %s: header %d %s, want %d %s", f.query, st, cols[st].count, cols[st].monthly, n, monthly)
				}
			}
		}
		// Sorted by expected close: soonest first, deals without a date last.
		cols = parseBoard(t, director.Get("/pipeline?sort=close").Body)
		closeOf := map[string]string{}
		for _, o := range w.opps {
			closeOf[itoa(o.ID)] = ""
			if o.ExpectedClose != nil {
				closeOf[itoa(o.ID)] = o.ExpectedClose.Format("2006-01-02")
			}
		}
		first := cols[prospects.StageNeeds].cards
		if closeOf[first[0]] != "2026-06-15" {
			t.Errorf("by close date the first card closes %q, want 2026-06-15", closeOf[first[0]])
		}
		// The filters offer only choices within reach.
		if !strings.Contains(res.Body, "政企客户一部") || strings.Contains(res.Body, "能源行业客户部") {
			t.Error("the director's team filter must list the branch's teams only")
		}
		chief := loggedIn(t, w.a, "zhaomin").Get("/pipeline")
		if !strings.Contains(chief.Body, ">李伟</option>") || strings.Contains(chief.Body, ">周杰</option>") || strings.Contains(chief.Body, `name="team"`) {
			t.Error("the chief rep's owner filter must list the team's members only, and offer no team filter")
		}
		admin := loggedIn(t, w.a, "admin").Get("/pipeline?team=" + itoa(team1))
		if !strings.Contains(admin.Body, "大庆分公司 · 能源行业客户部") || !strings.Contains(admin.Body, ">张静</option>") || strings.Contains(admin.Body, ">高远</option>") {
			t.Error("the admin's filters: every branch's teams, and the chosen team's members")
		}
		mine := loggedIn(t, w.a, "liwei").Get("/pipeline")
		if strings.Contains(mine.Body, "card-owner") || strings.Contains(mine.Body, "张静") || strings.Contains(mine.Body, `name="owner"`) {
			t.Error("an account manager's board names no owners and shows no one else's deals")
		}
		// Bad input changes nothing and fails cleanly.
		for _, path := range []string{"/pipeline/more?stage=nope&after=1", "/pipeline/more?stage=needs", "/pipeline?close=2026-13&team=x&owner=-4&sort=evil"} {
			if res := director.Get(path); res.Status >= 500 {
				t.Errorf("%s: %d", path, res.Status)
			}
		}
	})
}

func TestBoardMoves(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newBoardWorld(t, d)
		fillBoard(t, w)
		small := w.opp(t, w.customer(t, "liwei", "B", "gov", 10), "小额新商机", prospects.StageVisited, 10, "", time.Hour)
		var won, lost prospects.Opportunity
		for _, o := range w.opps {
			switch o.Title {
			case "最近签约":
				won = o
			case "最近丢单":
				lost = o
			}
		}
		c := loggedIn(t, w.a, "zhaomin")
		c.Get("/pipeline")
		query := "grade=B"
		stage := func(id uint) string {
			o, err := w.a.ProspectStore.Opportunity(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			return o.Stage
		}
		// A small deal moved into a long column is pinned first, marked.
		res := htmxPost(c, "/opportunities/"+itoa(small.ID)+"/stage", url.Values{"stage": {"needs"}, "from": {"board"}, "query": {""}})
		cols := parseBoard(t, res.Body)
		if res.Status != 200 || cols["needs"].cards[0] != itoa(small.ID) || !strings.Contains(cols["needs"].html, "just-moved") {
			t.Fatalf("moved card not pinned first in needs: %d %v", res.Status, cols["needs"].cards)
		}
		// Lost with its reason in the same select.
		res = htmxPost(c, "/opportunities/"+itoa(small.ID)+"/stage", url.Values{"stage": {"lost:competitor"}, "from": {"board"}, "query": {query}})
		if res.Status != 200 || stage(small.ID) != prospects.StageLost {
			t.Fatalf("lost:competitor: %d, stage %s", res.Status, stage(small.ID))
		}
		if !strings.Contains(parseBoard(t, res.Body)["lost"].html, "小额新商机") {
			t.Fatal("the board after the move lacks the card in 丢单")
		}
		// Reopening needs a note and an open stage; the board says why.
		res = htmxPost(c, "/opportunities/"+itoa(lost.ID)+"/stage", url.Values{"stage": {"needs"}, "from": {"board"}, "query": {query}})
		if res.Status != 422 || !strings.Contains(res.Body, "请写明原因") || stage(lost.ID) != prospects.StageLost {
			t.Fatalf("reopen without a note: %d, stage %s", res.Status, stage(lost.ID))
		}
		res = htmxPost(c, "/opportunities/"+itoa(lost.ID)+"/stage", url.Values{"stage": {"won"}, "note": {"直接签约"}, "from": {"board"}, "query": {query}})
		if res.Status != 422 || stage(lost.ID) != prospects.StageLost {
			t.Fatalf("lost straight to won: %d, stage %s", res.Status, stage(lost.ID))
		}
		res = htmxPost(c, "/opportunities/"+itoa(lost.ID)+"/stage", url.Values{"stage": {"needs"}, "note": {"客户重新询价"}, "from": {"board"}, "query": {query}})
		if res.Status != 200 || stage(lost.ID) != prospects.StageNeeds {
			t.Fatalf("reopen with a note: %d, stage %s", res.Status, stage(lost.ID))
		}
		// A won deal does not move, from the board or the record.
		res = htmxPost(c, "/opportunities/"+itoa(won.ID)+"/stage", url.Values{"stage": {"needs"}, "note": {"x"}, "from": {"board"}, "query": {query}})
		if res.Status != 422 || !strings.Contains(res.Body, "已签约的商机不能再变更阶段") || stage(won.ID) != prospects.StageWon {
			t.Fatalf("won moved: %d, stage %s", res.Status, stage(won.ID))
		}
		if page := c.Get("/opportunities/" + itoa(won.ID)); strings.Contains(page.Body, `action="/opportunities/`+itoa(won.ID)+`/stage"`) {
			t.Error("the won opportunity's page still offers a stage change")
		}
		// Without JavaScript: a plain form post comes back to the same board.
		res = c.PostForm("/opportunities/"+itoa(lost.ID)+"/stage", url.Values{"stage": {"proposal"}, "from": {"board"}, "query": {"grade=B&industry=finance"}})
		if res.Status != 303 || res.Location() != "/pipeline?grade=B&industry=finance#opp-"+itoa(lost.ID) || stage(lost.ID) != prospects.StageProposal {
			t.Fatalf("plain move: %d %q, stage %s", res.Status, res.Location(), stage(lost.ID))
		}
		res = c.PostForm("/opportunities/"+itoa(won.ID)+"/stage", url.Values{"stage": {"needs"}, "from": {"board"}})
		if res.Status != 303 || res.Location() != "/opportunities/"+itoa(won.ID) {
			t.Fatalf("refused plain move goes to the record: %d %q", res.Status, res.Location())
		}
		// Another team's deal is not found.
		other := w.opps[len(w.opps)-1]
		for _, o := range w.opps {
			if strings.HasPrefix(o.Title, "大庆商机") {
				other = o
			}
		}
		if res := htmxPost(c, "/opportunities/"+itoa(other.ID)+"/stage", url.Values{"stage": {"won"}, "from": {"board"}}); res.Status != 404 {
			t.Fatalf("moving another branch's deal: %d", res.Status)
		}
	})
}

// TestListPagesStayLight: with 3,000 open deals of long titles in the
// branch (and as many proposals), the director's and the admin's board,
// opportunity, proposal and customer pages stay under 300 KB: the board
// renders at most BoardColumnSize cards a column, the lists one page.
func TestListPagesStayLight(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newBoardWorld(t, d)
		long := strings.Repeat("超长的商机名称用来测页面大小", 7)
		var custs []prospects.Customer
		for i, owner := range []string{"liwei", "zhangjing", "chenhao", "yangfan", "zhoujie", "wufang"} {
			c := w.customer(t, owner, prospects.Grades[i%4], prospects.Industries[i], 60)
			custs = append(custs, c)
		}
		now := time.Now().UTC()
		opps := make([]prospects.Opportunity, 3000)
		props := make([]proposals.Proposal, 3000)
		for i := range opps {
			c := custs[i%len(custs)]
			opps[i] = prospects.Opportunity{CustomerID: c.ID, Title: fmt.Sprintf("%s%04d", long, i), MonthlyFen: money.Fen(100 * i),
				Stage: prospects.Stages[i%len(prospects.Stages)], Probability: 50, OwnerID: c.OwnerID, LostReason: "price",
				StageChangedAt: now, Version: 1, CreatedAt: now, UpdatedAt: now}
			props[i] = proposals.Proposal{Number: fmt.Sprintf("FA2026-%06d", i+1), Version: 1, CustomerID: c.ID, OwnerID: c.OwnerID,
				Title: long, Status: proposals.StatusDraft, LockVersion: 1, CreatedAt: now, UpdatedAt: now}
		}
		if err := w.a.DB.Gorm.CreateInBatches(opps, 500).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.a.DB.Gorm.CreateInBatches(props, 500).Error; err != nil {
			t.Fatal(err)
		}
		if err := w.a.DB.Gorm.Exec("UPDATE proposals SET root_id = id").Error; err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{"wangjianguo", "admin"} {
			c := loggedIn(t, w.a, user)
			for _, path := range []string{"/pipeline", "/pipeline?sort=close", "/opportunities?size=100", "/proposals?size=100", "/customers?all=1&size=100", "/"} {
				res := c.Get(path)
				if res.Status != 200 {
					t.Fatalf("%s %s: %d", user, path, res.Status)
				}
				if len(res.Body) > 300_000 {
					t.Errorf("%s %s is %d bytes, want at most 300 KB", user, path, len(res.Body))
				}
			}
			board := parseBoard(t, c.Get("/pipeline").Body)
			for _, st := range prospects.Stages {
				if len(board[st].cards) > prospects.BoardColumnSize || board[st].count != 375 {
					t.Errorf("%s: column %s shows %d cards of %d, want %d of 375", user, st, len(board[st].cards), board[st].count, prospects.BoardColumnSize)
				}
			}
		}
	})
}
