package authz_test

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type thing struct {
	ID         uint
	OwnerID    uint
	ChiefRepID uint
	TeamID     uint
	BranchID   uint
}

// TestScopeAgreesWithCan is the guarantee behind "a list never shows what
// the detail page would refuse": for every role, subject and action, the
// rows a Scope query returns are exactly the rows Can allows, on both
// databases.
func TestScopeAgreesWithCan(t *testing.T) {
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		if err := d.Gorm.Exec(`CREATE TABLE things (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, chief_rep_id INTEGER NOT NULL, team_id INTEGER NOT NULL, branch_id INTEGER NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		// Users 1..6; teams 10 and 11 in branch 100, team 20 in branch 200.
		var rows []thing
		id := uint(0)
		for _, owner := range []uint{1, 2, 3, 4} {
			for _, chief := range []uint{0, 5, 6} {
				for _, tb := range [][2]uint{{10, 100}, {11, 100}, {20, 200}} {
					id++
					rows = append(rows, thing{ID: id, OwnerID: owner, ChiefRepID: chief, TeamID: tb[0], BranchID: tb[1]})
				}
			}
		}
		if err := d.Gorm.Table("things").Create(&rows).Error; err != nil {
			t.Fatal(err)
		}
		subjects := []authz.Subject{
			{ID: 1, Role: authz.RoleAccountManager, TeamID: 10, BranchID: 100},
			{ID: 5, Role: authz.RoleChiefRep, TeamID: 10, BranchID: 100},
			{ID: 6, Role: authz.RoleChiefRep, TeamID: 20, BranchID: 200},
			{ID: 3, Role: authz.RoleDirector, BranchID: 100},
			{ID: 4, Role: authz.RoleAdmin},
			{ID: 2, Role: "stranger", TeamID: 10, BranchID: 100},
		}
		for _, s := range subjects {
			for _, act := range []string{"read", "write", "reassign", "delete"} {
				t.Run(fmt.Sprintf("%s-%d/%s", s.Role, s.ID, act), func(t *testing.T) {
					var got []uint
					err := d.Gorm.Table("things").Scopes(enf.Scope(s, "customer", act, authz.StandardColumns("things"))).
						Order("id").Pluck("id", &got).Error
					if err != nil {
						t.Fatal(err)
					}
					var want []uint
					for _, r := range rows {
						if enf.Can(s, "customer", act, authz.Ref{OwnerID: r.OwnerID, ChiefRepID: r.ChiefRepID, TeamID: r.TeamID, BranchID: r.BranchID}) {
							want = append(want, r.ID)
						}
					}
					sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("scope returned %v, Can allows %v", got, want)
					}
				})
			}
		}
		// Sanity: the rules are not vacuous.
		am := subjects[0]
		if !enf.Can(am, "customer", "read", authz.Ref{OwnerID: 1, TeamID: 10, BranchID: 100}) {
			t.Fatal("an account manager must read their own customer")
		}
		if enf.Can(am, "customer", "read", authz.Ref{OwnerID: 2, TeamID: 10, BranchID: 100}) {
			t.Fatal("an account manager must not read a teammate's customer")
		}
		chief := subjects[2]
		if !enf.Can(chief, "customer", "read", authz.Ref{OwnerID: 1, ChiefRepID: 6, TeamID: 10, BranchID: 100}) {
			t.Fatal("a chief rep must read a customer where named chief rep, even in another branch")
		}
	})
}

// TestZeroListScopeFails: a store handed a zero ListScope gets an error,
// never every row.
func TestZeroListScopeFails(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		if err := d.Gorm.Exec(`CREATE TABLE things (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, chief_rep_id INTEGER NOT NULL, team_id INTEGER NOT NULL, branch_id INTEGER NOT NULL)`).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Exec(`INSERT INTO things VALUES (1, 1, 0, 10, 100)`).Error; err != nil {
			t.Fatal(err)
		}
		var zero authz.ListScope
		var out []thing
		err := zero.Apply(d.Gorm.Table("things"), authz.StandardColumns("things")).Find(&out).Error
		if !errors.Is(err, authz.ErrNoScope) || len(out) != 0 {
			t.Fatalf("zero scope: err %v, %d rows", err, len(out))
		}
		enf, _ := authz.New()
		admin := enf.ListScope(authz.Subject{ID: 9, Role: authz.RoleAdmin}, "customer", "read")
		if err := admin.Apply(d.Gorm.Table("things"), authz.StandardColumns("things")).Find(&out).Error; err != nil || len(out) != 1 {
			t.Fatalf("admin scope: err %v, %d rows", err, len(out))
		}
	})
}
