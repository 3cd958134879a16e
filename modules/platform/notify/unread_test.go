package notify

import (
	"context"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestUnreadFollowsWrites: the bell's count is kept per user, yet a
// notice sent (here or by another instance), one read, all read and one
// deleted in plain SQL show on the next look; a second look with nothing
// written counts nothing; another user's count is their own.
func TestUnreadFollowsWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := demoUsers(t, d)
		svc, other := New(d.Gorm, nil), New(d.Gorm, nil)
		check := func(step string, want ...int64) {
			t.Helper()
			for i, id := range ids {
				for j, s := range []*Service{svc, other} {
					got, err := s.Unread(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if got != want[i] {
						t.Errorf("%s: user %d's bell in instance %d says %d, want %d", step, id, j+1, got, want[i])
					}
				}
			}
		}
		check("start", 0, 0)
		if err := svc.Send(ctx, Notice{UserID: ids[0], MsgID: "m.one"}, Notice{UserID: ids[0], MsgID: "m.two"}, Notice{UserID: ids[1], MsgID: "m.three"}); err != nil {
			t.Fatal(err)
		}
		check("sent", 2, 1)
		counts := 0
		cb := d.Gorm.Callback()
		if err := cb.Query().After("gorm:query").Register("test:unread", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), "notifications") {
				counts++
			}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Unread(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		_ = cb.Query().Remove("test:unread")
		if counts != 0 {
			t.Fatalf("a second look with nothing written counted %d times", counts)
		}
		if err := other.Send(ctx, Notice{UserID: ids[1], MsgID: "m.four"}); err != nil {
			t.Fatal(err)
		}
		check("sent by another instance", 2, 2)
		page, _, err := svc.List(ctx, ids[0], Filter{Limit: 10})
		if err != nil || len(page) != 2 {
			t.Fatalf("inbox: %d, %v", len(page), err)
		}
		if _, err := svc.MarkRead(ctx, ids[0], page[0].ID); err != nil {
			t.Fatal(err)
		}
		check("one read", 1, 2)
		if _, err := other.MarkAllRead(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		check("all read", 1, 0)
		if err := d.Gorm.Exec("DELETE FROM notifications WHERE user_id = ? AND read_at IS NULL", ids[0]).Error; err != nil {
			t.Fatal(err)
		}
		check("deleted in SQL", 0, 0)
	})
}

// demoUsers seeds the demo organisation into d and returns the ids of
// liwei and zhaomin, the two people the notice tests write to.
func demoUsers(t *testing.T, d *db.DB) []uint {
	t.Helper()
	ctx := context.Background()
	people := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	if _, err := people.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []uint
	for _, n := range []string{"liwei", "zhaomin"} {
		u, err := people.Store().UserByUsername(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	return ids
}
