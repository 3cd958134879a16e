package org

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// TestDirectoryFollowsOrgWrites: the directory names people as the
// database says after a rename, a move or a disable in plain SQL, in two
// instances; a sign-in (not a directory field) reads nothing again; the
// fields it does not follow are left zero; an unknown id is absent.
func TestDirectoryFollowsOrgWrites(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := NewService(NewStore(d.Gorm), Options{BcryptCost: bcrypt.MinCost})
		if _, err := svc.SeedDemo(ctx); err != nil {
			t.Fatal(err)
		}
		other := NewStore(d.Gorm) // a second instance
		liwei, err := svc.Store().UserByUsername(ctx, "liwei")
		if err != nil {
			t.Fatal(err)
		}
		look := func(step string) User {
			t.Helper()
			want, err := svc.Store().UserByID(ctx, liwei.ID)
			if err != nil {
				t.Fatal(err)
			}
			var u User
			for i, s := range []*Store{svc.Store(), other} {
				got, err := s.Directory(ctx, []uint{liwei.ID, 999999})
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := got[999999]; ok || len(got) != 1 {
					t.Fatalf("%s: %d people for one known id and one unknown", step, len(got))
				}
				u = got[liwei.ID]
				if u.Name != want.Name || u.Disabled != want.Disabled || *u.TeamID != *want.TeamID || u.Role != want.Role {
					t.Errorf("%s (instance %d): %+v, the database says %+v", step, i+1, u, want)
				}
			}
			return u
		}
		if u := look("start"); u.PasswordHash != "" || u.Lang != "" || u.Version != 0 || u.LastLoginAt != nil {
			t.Fatalf("the directory carries fields it does not follow: %+v", u)
		}
		reads := 0
		cb := d.Gorm.Callback()
		if err := cb.Query().After("gorm:query").Register("test:users", func(tx *gorm.DB) {
			if strings.Contains(tx.Statement.SQL.String(), `FROM "users"`) || strings.Contains(tx.Statement.SQL.String(), "FROM `users`") {
				reads++
			}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Store().Directory(ctx, []uint{liwei.ID}); err != nil {
			t.Fatal(err)
		}
		if err := d.Gorm.Exec("UPDATE users SET last_login_at = ? WHERE id = ?", time.Now().UTC(), liwei.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Store().Directory(ctx, []uint{liwei.ID}); err != nil {
			t.Fatal(err)
		}
		_ = cb.Query().Remove("test:users")
		if reads != 0 {
			t.Fatalf("a second look and a look after a sign-in read people %d times", reads)
		}
		for _, step := range []struct{ name, sql string }{
			{"renamed in SQL", "UPDATE users SET name = '李伟（新）' WHERE username = 'liwei'"},
			{"moved in SQL", "UPDATE users SET team_id = (SELECT MAX(id) FROM teams) WHERE username = 'liwei'"},
			{"disabled in SQL", "UPDATE users SET disabled = TRUE WHERE username = 'liwei'"},
		} {
			if err := d.Gorm.Exec(step.sql).Error; err != nil {
				t.Fatal(err)
			}
			look(step.name)
		}
	})
}
