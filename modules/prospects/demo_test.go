package prospects

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

// demoSeeded seeds the demo organisation and the demo customers into d and
// returns the service and what SeedDemo reported.
func demoSeeded(t *testing.T, d *db.DB) (*Service, DemoStats) {
	t.Helper()
	ctx := context.Background()
	orgStore := org.NewStore(d.Gorm)
	if _, err := org.NewService(orgStore, org.Options{BcryptCost: bcrypt.MinCost}).SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(NewStore(d.Gorm), orgStore, enf, &Timeline{})
	start := time.Now()
	stats, err := svc.SeedDemo(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("%s: seeded %+v in %v", d.Dialect, stats, took)
	return svc, stats
}

func demoFirstNames(t *testing.T, d *db.DB) []string {
	t.Helper()
	var names []string
	if err := d.Gorm.Model(&Customer{}).Order("id").Limit(5).Pluck("name", &names).Error; err != nil {
		t.Fatal(err)
	}
	return names
}

func TestSeedDemo(t *testing.T) {
	// The same seed on another fresh database gives the same customers: a
	// third database here, and the two of EachDB, which run in parallel
	// after this function returns, so they are compared in a cleanup.
	var mu sync.Mutex
	d := testkit.SQLite(t)
	demoSeeded(t, d)
	first := [][]string{demoFirstNames(t, d)}
	t.Cleanup(func() {
		for _, names := range first[1:] {
			if !slices.Equal(names, first[0]) {
				t.Errorf("same seed, different customers: %v vs %v", names, first[0])
			}
		}
		t.Logf("first customers: %v", first[0])
	})
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc, stats := demoSeeded(t, d)
		g := d.Gorm

		var customers []Customer
		var contacts []Contact
		var opps []Opportunity
		var moves []StageChange
		var users []org.User
		for _, q := range []struct {
			dest  any
			order string
		}{{&customers, "id"}, {&contacts, "id"}, {&opps, "id"}, {&moves, "opportunity_id, at, id"}, {&users, "id"}} {
			if err := g.Order(q.order).Find(q.dest).Error; err != nil {
				t.Fatal(err)
			}
		}
		if stats.Customers != len(customers) || stats.Contacts != len(contacts) || stats.Opportunities != len(opps) {
			t.Errorf("stats %+v, rows %d/%d/%d", stats, len(customers), len(contacts), len(opps))
		}
		if n := len(customers); n < 180 || n > 220 {
			t.Fatalf("%d customers, want 180–220", n)
		}
		if r := float64(len(opps)) / float64(len(customers)); r < 1.2 || r > 1.8 {
			t.Errorf("%.2f opportunities per customer, want about 1.5", r)
		}
		userByID := map[uint]org.User{}
		for _, u := range users {
			userByID[u.ID] = u
		}
		contactsOf := map[uint][]Contact{}
		for _, ct := range contacts {
			contactsOf[ct.CustomerID] = append(contactsOf[ct.CustomerID], ct)
		}

		now := time.Now().UTC()
		codes, names := map[string]bool{}, map[string]bool{}
		grades, industries, statuses := map[string]int{}, map[string]bool{}, map[string]int{}
		owners := map[uint]bool{}
		customerByID := map[uint]*Customer{}
		for i := range customers {
			c := &customers[i]
			customerByID[c.ID] = c
			if err := ValidateCreditCode(c.CreditCode); err != nil {
				t.Errorf("%s: credit code %s: %v", c.Name, c.CreditCode, err)
			}
			if codes[c.CreditCode] {
				t.Errorf("credit code %s twice", c.CreditCode)
			}
			if names[c.Name] {
				t.Errorf("name %s twice", c.Name)
			}
			codes[c.CreditCode], names[c.Name] = true, true
			grades[c.Grade]++
			industries[c.Industry] = true
			statuses[c.Status]++
			owners[c.OwnerID] = true
			owner, ok := userByID[c.OwnerID]
			if !ok || (owner.Role != authz.RoleAccountManager && owner.Role != authz.RoleChiefRep) {
				t.Errorf("%s: owner %d is not an account manager or chief rep", c.Name, c.OwnerID)
				continue
			}
			if owner.TeamID == nil || *owner.TeamID != c.TeamID || owner.BranchID == nil || *owner.BranchID != c.BranchID {
				t.Errorf("%s: team/branch %d/%d differ from owner %s's", c.Name, c.TeamID, c.BranchID, owner.Username)
			}
			if c.Grade == "A" {
				if c.ChiefRepID == nil {
					t.Errorf("A-grade %s has no chief rep", c.Name)
				} else if chief := userByID[*c.ChiefRepID]; chief.Role != authz.RoleChiefRep || chief.TeamID == nil || *chief.TeamID != c.TeamID {
					t.Errorf("A-grade %s: chief rep %s is not the chief of the owner's team", c.Name, chief.Username)
				}
			}
			if !slices.Contains(Industries, c.Industry) || !slices.Contains(Grades, c.Grade) || !slices.Contains(Statuses, c.Status) {
				t.Errorf("%s: bad code %s/%s/%s", c.Name, c.Industry, c.Grade, c.Status)
			}
			for _, comp := range c.CompetitorList() {
				if !slices.Contains(Competitors, comp) {
					t.Errorf("%s: bad competitor %q", c.Name, comp)
				}
			}
			if c.QualScore != QualScore(c.QualPay, c.QualNeed, c.QualAuthority, c.QualAcceptance) {
				t.Errorf("%s: qualification score %d", c.Name, c.QualScore)
			}
			if c.Headcount <= 0 || c.AnnualSpendFen < 5_000_000 || c.AnnualSpendFen > 500_000_000 {
				t.Errorf("%s: headcount %d, spend %v", c.Name, c.Headcount, c.AnnualSpendFen)
			}
			if c.Region == "" || !strings.Contains(c.Address, c.Region) {
				t.Errorf("%s: region %q, address %q", c.Name, c.Region, c.Address)
			}
			if c.Version != 1 || c.CreatedBy == nil || *c.CreatedBy != c.OwnerID || c.UpdatedBy == nil || *c.UpdatedBy != c.OwnerID {
				t.Errorf("%s: version %d, created/updated by %v/%v", c.Name, c.Version, c.CreatedBy, c.UpdatedBy)
			}
			if c.CreatedAt.Before(now.AddDate(0, 0, -121)) || c.CreatedAt.After(now) || c.UpdatedAt.Before(c.CreatedAt) {
				t.Errorf("%s: created %v, updated %v", c.Name, c.CreatedAt, c.UpdatedAt)
			}
			var cnames []string
			decision := false
			for _, ct := range contactsOf[c.ID] {
				cnames = append(cnames, ct.Name)
				decision = decision || ct.Role == "decision"
			}
			if n := len(cnames); n < 1 || n > 4 {
				t.Errorf("%s: %d key persons", c.Name, n)
			}
			if len(cnames) >= 2 && !decision {
				t.Errorf("%s: %d key persons, no decision maker", c.Name, len(cnames))
			}
			if !strings.Contains(c.SearchText, strings.ToLower(c.Name)) || c.SearchText != searchText(c, cnames) {
				t.Errorf("%s: search text %q", c.Name, c.SearchText)
			}
		}
		for _, ind := range Industries {
			if !industries[ind] {
				t.Errorf("no customer in industry %s", ind)
			}
		}
		n := float64(len(customers))
		for grade, want := range map[string]float64{"A": 0.10, "B": 0.25, "C": 0.40, "D": 0.25} {
			if got := float64(grades[grade]) / n; got < want-0.05 || got > want+0.05 {
				t.Errorf("grade %s: %.0f%%, want about %.0f%%", grade, got*100, want*100)
			}
		}
		if statuses["prospect"]+statuses["active"] < len(customers)*2/3 || statuses["dormant"] == 0 || statuses["churned"] == 0 {
			t.Errorf("statuses %v", statuses)
		}
		members, err := svc.org.UsersByTeam(ctx, demoTeamIDs(t, svc)...)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range members {
			if u.Role == authz.RoleAccountManager && !owners[u.ID] {
				t.Errorf("account manager %s owns no customer", u.Username)
			}
		}

		for _, ct := range contacts {
			if ct.Mobile != "" && !ValidMobile(ct.Mobile) {
				t.Errorf("%s: mobile %q", ct.Name, ct.Mobile)
			}
			if ct.Phone != "" && !ValidLandline(ct.Phone) {
				t.Errorf("%s: landline %q", ct.Name, ct.Phone)
			}
			if ct.Mobile == "" && ct.Phone == "" {
				t.Errorf("%s: no phone at all", ct.Name)
			}
			if ct.Email != "" {
				if a, err := mail.ParseAddress(ct.Email); err != nil || a.Address != ct.Email {
					t.Errorf("%s: email %q", ct.Name, ct.Email)
				}
			}
			if ct.Birthday != nil && (ct.Birthday.Year() < 1960 || ct.Birthday.Year() > 1990) {
				t.Errorf("%s: birthday %v", ct.Name, ct.Birthday)
			}
			if !slices.Contains(ContactRoles, ct.Role) || !slices.Contains(Attitudes, ct.Attitude) || ct.Title == "" {
				t.Errorf("%s: role %q, attitude %q, title %q", ct.Name, ct.Role, ct.Attitude, ct.Title)
			}
		}

		movesOf := map[uint][]StageChange{}
		for _, m := range moves {
			movesOf[m.OpportunityID] = append(movesOf[m.OpportunityID], m)
		}
		stages := map[string]int{}
		for _, o := range opps {
			stages[o.Stage]++
			c := customerByID[o.CustomerID]
			if c == nil {
				t.Fatalf("opportunity %d: no customer %d", o.ID, o.CustomerID)
			}
			if o.OwnerID != c.OwnerID || o.Probability != DefaultProbability[o.Stage] || o.Title == "" || o.MonthlyFen <= 0 {
				t.Errorf("opportunity %q: owner %d (customer's %d), probability %d, monthly %v", o.Title, o.OwnerID, c.OwnerID, o.Probability, o.MonthlyFen)
			}
			if o.Stage == StageLost && (!slices.Contains(LostReasons, o.LostReason) || o.LostNote == "") {
				t.Errorf("lost opportunity %q: reason %q, note %q", o.Title, o.LostReason, o.LostNote)
			}
			if o.Stage != StageLost && o.LostReason != "" {
				t.Errorf("%s opportunity %q has a lost reason", o.Stage, o.Title)
			}
			if o.Stage == StageWon && c.Status != "active" {
				t.Errorf("won opportunity %q of a %s customer", o.Title, c.Status)
			}
			if o.ExpectedClose == nil {
				t.Errorf("opportunity %q: no expected close", o.Title)
			} else if o.Closed() == o.ExpectedClose.After(now) {
				t.Errorf("%s opportunity %q closes %v", o.Stage, o.Title, o.ExpectedClose)
			}
			h := movesOf[o.ID]
			if len(h) == 0 {
				t.Errorf("opportunity %q has no stage history", o.Title)
				continue
			}
			if h[0].FromStage != "" || h[0].ToStage != StageIdentified || !h[0].At.Equal(o.CreatedAt) {
				t.Errorf("opportunity %q: history starts %+v", o.Title, h[0])
			}
			for k, m := range h {
				if m.ByID != o.OwnerID {
					t.Errorf("opportunity %q: moved by %d", o.Title, m.ByID)
				}
				if k > 0 && (m.FromStage != h[k-1].ToStage || !m.At.After(h[k-1].At)) {
					t.Errorf("opportunity %q: move %d %+v after %+v", o.Title, k, m, h[k-1])
				}
				if m.At.Before(now.AddDate(0, 0, -91)) || m.At.After(now.Add(time.Hour)) {
					t.Errorf("opportunity %q: move at %v", o.Title, m.At)
				}
			}
			last := h[len(h)-1]
			if last.ToStage != o.Stage || !last.At.Equal(o.StageChangedAt) {
				t.Errorf("opportunity %q (%s, changed %v): history ends %+v", o.Title, o.Stage, o.StageChangedAt, last)
			}
		}
		for _, st := range Stages {
			if stages[st] == 0 {
				t.Errorf("no opportunity in stage %s", st)
			}
		}
		t.Logf("stages %v, statuses %v, grades %v", stages, statuses, grades)

		var entries int64
		if err := g.Model(&audit.Entry{}).Where("entity = ? AND action = ?", "customer", audit.ActionCreate).Count(&entries).Error; err != nil {
			t.Fatal(err)
		}
		if entries != int64(len(customers)) {
			t.Errorf("%d customer create entries, want %d", entries, len(customers))
		}
		tl, err := svc.Timeline().For(ctx, customers[0].ID, 0)
		if err != nil || len(tl) == 0 {
			t.Errorf("timeline of %s: %d entries, %v", customers[0].Name, len(tl), err)
		}

		again, err := svc.SeedDemo(ctx, 2026)
		if err != nil || again != (DemoStats{}) {
			t.Errorf("second seed: %+v, %v", again, err)
		}
		var count int64
		if err := g.Model(&Customer{}).Count(&count).Error; err != nil || count != int64(len(customers)) {
			t.Errorf("after the second seed: %d customers, %v", count, err)
		}
		firstNames := demoFirstNames(t, d)
		mu.Lock()
		first = append(first, firstNames)
		mu.Unlock()
	})
}

func demoTeamIDs(t *testing.T, svc *Service) []uint {
	t.Helper()
	teams, err := svc.org.Teams(context.Background(), 0, true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint
	for _, tm := range teams {
		ids = append(ids, tm.ID)
	}
	return ids
}
