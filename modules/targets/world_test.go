package targets

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// sh is a wall-clock time in Shanghai.
func sh(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, shanghai)
}

// orgDirectory is the test's Directory on the org store (cmd/jike has the
// real adapter; this one is the same few lines).
type orgDirectory struct{ st *org.Store }

func (d orgDirectory) toPerson(ctx context.Context, u org.User) (Person, error) {
	p := Person{ID: u.ID, Username: u.Username, Name: u.Name}
	if u.BranchID != nil {
		p.BranchID = *u.BranchID
	}
	if u.TeamID != nil {
		p.TeamID = *u.TeamID
		t, err := d.st.TeamByID(ctx, p.TeamID)
		if err != nil {
			return p, err
		}
		p.TeamName = t.Name
		if t.LeaderID != nil {
			p.LeaderID = *t.LeaderID
		}
	}
	return p, nil
}

func (d orgDirectory) AccountManagers(ctx context.Context, branchID, teamID uint) ([]Person, error) {
	users, _, err := d.st.ListUsers(ctx, org.UserFilter{Role: authz.RoleAccountManager, BranchID: branchID, TeamID: teamID, Status: "active", Sort: "name", Limit: 10000})
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, u := range users {
		p, err := d.toPerson(ctx, u)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (d orgDirectory) AccountManager(ctx context.Context, id uint) (*Person, error) {
	u, err := d.st.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role != authz.RoleAccountManager {
		return nil, apperr.ErrNotFound
	}
	p, err := d.toPerson(ctx, *u)
	return &p, err
}

func (d orgDirectory) Names(ctx context.Context, ids []uint) (map[uint]string, error) {
	us, err := d.st.UsersByIDs(ctx, ids)
	out := map[uint]string{}
	for id, u := range us {
		out[id] = u.Name
	}
	return out, err
}

type world struct {
	t     *testing.T
	d     *db.DB
	svc   *Service
	ps    *prospects.Service
	inbox *notify.Service
	now   time.Time
	users map[string]authz.Subject
	// customers by owner username: an A-grade and a C-grade one each
	custA, custC map[string]uint
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	ctx := context.Background()
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	if _, err := orgSvc.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	enf, _ := authz.New()
	w := &world{t: t, d: d, users: map[string]authz.Subject{}, custA: map[string]uint{}, custC: map[string]uint{},
		now: sh(2026, 11, 10, 10, 0)}
	w.ps = prospects.NewService(prospects.NewStore(d.Gorm), orgSvc.Store(), enf, &prospects.Timeline{})
	w.inbox = notify.New(d.Gorm, func() time.Time { return w.now })
	w.svc = NewService(d.Gorm, NewStore(d.Gorm), enf, orgDirectory{orgSvc.Store()}, Options{
		Now: func() time.Time { return w.now }, Location: shanghai, Notify: w.inbox})
	for _, n := range []string{"liwei", "zhangjing", "chenhao", "zhaomin", "sunli", "zhoujie", "wangjianguo", "liuzhiqiang", "gaoyuan", "admin"} {
		u, err := orgSvc.Store().UserByUsername(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		w.users[n] = u.Subject()
	}
	for i, n := range []string{"liwei", "zhangjing", "zhoujie"} {
		for j, grade := range []string{"A", "C"} {
			c, err := w.ps.CreateCustomer(ctx, w.users[n], prospects.CustomerInput{Name: fmt.Sprintf("%s客户%s", n, grade),
				CreditCode: prospects.MakeCreditCode(fmt.Sprintf("91230103MA1%06d", i*10+j)), Industry: "manufacturing", Grade: grade}, false)
			if err != nil {
				t.Fatal(err)
			}
			if grade == "A" {
				w.custA[n] = c.ID
			} else {
				w.custC[n] = c.ID
			}
		}
	}
	return w
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	if err := w.d.Gorm.Exec(sql, args...).Error; err != nil {
		w.t.Fatal(err)
	}
}

// visit inserts a visit plan of owner at customer, starting at at.
func (w *world) visit(owner string, customer uint, at time.Time, status string) {
	w.exec(`INSERT INTO visit_plans (customer_id, owner_id, starts_at, kind, objective, status, created_at, updated_at)
		VALUES (?, ?, ?, 'needs', '了解需求', ?, ?, ?)`, customer, w.users[owner].ID, at.UTC(), status, at.UTC(), at.UTC())
}

// contact inserts a key person created by owner at at.
func (w *world) contact(owner string, customer uint, at time.Time) {
	w.exec(`INSERT INTO contacts (customer_id, name, role, created_by, created_at, updated_at) VALUES (?, '王主任', 'decision', ?, ?, ?)`,
		customer, w.users[owner].ID, at.UTC(), at.UTC())
}

// won inserts an opportunity of owner moved to stage at at, worth mrc fen a month.
func (w *world) opp(owner string, customer uint, stage string, at time.Time, mrc int64) {
	w.exec(`INSERT INTO opportunities (customer_id, title, stage, owner_id, monthly_fen, stage_changed_at, created_at, updated_at)
		VALUES (?, '专线', ?, ?, ?, ?, ?, ?)`, customer, stage, w.users[owner].ID, mrc, at.UTC(), at.UTC(), at.UTC())
}

// proposal inserts a proposal version of owner sent at at (nil: not sent).
func (w *world) proposal(owner string, customer uint, number string, version int, at *time.Time) {
	var sent any
	status := "draft"
	if at != nil {
		sent, status = at.UTC(), "sent"
	}
	w.exec(`INSERT INTO proposals (number, version, customer_id, owner_id, title, status, sent_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, '方案', ?, ?, ?, ?)`, number, version, customer, w.users[owner].ID, status, sent, w.now.UTC(), w.now.UTC())
}

func (w *world) month(s string) Month {
	m, err := ParseMonth(s, shanghai)
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}
