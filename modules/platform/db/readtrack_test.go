package db_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestTrackReads: a page may be kept whole only when everything it read
// came through kept values, and then under exactly the versions they were
// served at. A statement of its own (GORM's or QueryRow's), a write, or a
// version that moved while it was built each make it unkeepable; the
// statements of a kept value's load and of the versions' read do not.
func TestTrackReads(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		g := d.Gorm
		teams := teamFixture(t, g)
		visits := db.NewVersionCache[int](db.VersionVisits, 10)
		people := db.NewVersionsCache[int]([]string{db.VersionOrg, db.VersionCustomers}, 10)
		count := func(ctx context.Context) (int, error) {
			var n int
			err := db.Conn(ctx, g).Raw("SELECT COUNT(*) FROM teams").Scan(&n).Error
			return n, err
		}
		page := func(t *testing.T, build func(ctx context.Context)) ([]string, []int64, bool) {
			t.Helper()
			ctx, done := db.TrackReads(db.WithVersionMemo(context.Background()))
			build(ctx)
			return done()
		}
		version := func(name string) int64 {
			v, err := db.DataVersion(context.Background(), g, name)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		bumpVisits := func() {
			if err := g.Exec("UPDATE teams SET name = name || '改' WHERE id = ?", teams[0]).Error; err != nil {
				t.Fatal(err)
			}
		}
		bumpVisits() // a version above zero, so a wrong value shows

		t.Run("kept values only", func(t *testing.T) {
			names, vals, ok := page(t, func(ctx context.Context) {
				for range 2 { // a load, then the value kept
					if _, err := visits.Get(ctx, g, "k", count); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := people.GetMany(ctx, g, []string{"a"}, func(ctx context.Context, keys []string) (map[string]int, error) {
					n, err := count(ctx)
					return map[string]int{"a": n}, err
				}); err != nil {
					t.Fatal(err)
				}
			})
			want := []string{db.VersionCustomers, db.VersionOrg, db.VersionVisits}
			if !ok || !slices.Equal(names, want) {
				t.Fatalf("names %v ok %v, want %v and keepable", names, ok, want)
			}
			wantVals := []int64{version(db.VersionCustomers), version(db.VersionOrg), version(db.VersionVisits)}
			if !slices.Equal(vals, wantVals) {
				t.Fatalf("versions %v, want the database's %v", vals, wantVals)
			}
		})
		t.Run("a statement of its own", func(t *testing.T) {
			_, _, ok := page(t, func(ctx context.Context) {
				if _, err := visits.Get(ctx, g, "k", count); err != nil {
					t.Fatal(err)
				}
				if _, err := count(ctx); err != nil {
					t.Fatal(err)
				}
			})
			if ok {
				t.Fatal("a page that read outside its kept values was keepable")
			}
		})
		t.Run("QueryRow of its own", func(t *testing.T) {
			_, _, ok := page(t, func(ctx context.Context) {
				var n int64
				if _, err := db.QueryRow(ctx, g, "SELECT COUNT(*) FROM teams", nil, &n); err != nil {
					t.Fatal(err)
				}
			})
			if ok {
				t.Fatal("a page that ran QueryRow was keepable")
			}
		})
		t.Run("a kept value with no key reads live", func(t *testing.T) {
			_, _, ok := page(t, func(ctx context.Context) {
				if _, err := visits.Get(ctx, g, "", count); err != nil {
					t.Fatal(err)
				}
			})
			if ok {
				t.Fatal("a value never kept made the page keepable")
			}
		})
		t.Run("a write", func(t *testing.T) {
			_, _, ok := page(t, func(ctx context.Context) {
				if err := db.Conn(ctx, g).Exec("UPDATE teams SET updated_at = ? WHERE id = ?", time.Now().UTC(), teams[1]).Error; err != nil {
					t.Fatal(err)
				}
			})
			if ok {
				t.Fatal("a page that wrote was keepable")
			}
		})
		t.Run("a version moved while it was built", func(t *testing.T) {
			_, _, ok := page(t, func(ctx context.Context) {
				if _, err := visits.Get(ctx, g, "k", count); err != nil {
					t.Fatal(err)
				}
				bumpVisits() // another request's write, outside this context
				// The memo is read again after it was emptied.
				if _, err := db.DataVersions(db.WithVersionMemo(ctx), g, []string{db.VersionVisits}); err != nil {
					t.Fatal(err)
				}
			})
			if ok {
				t.Fatal("a page that saw visits at two versions was keepable")
			}
		})
		t.Run("no memo: not a page", func(t *testing.T) {
			ctx, done := db.TrackReads(context.Background())
			if _, err := visits.Get(ctx, g, "k", count); err != nil {
				t.Fatal(err)
			}
			if _, _, ok := done(); ok {
				t.Fatal("a context without a memo was keepable")
			}
		})
		t.Run("reads after the end are not the page's", func(t *testing.T) {
			ctx, done := db.TrackReads(db.WithVersionMemo(context.Background()))
			if _, err := visits.Get(ctx, g, "k", count); err != nil {
				t.Fatal(err)
			}
			_, _, ok := done()
			if _, err := count(ctx); err != nil { // the layout's, say
				t.Fatal(err)
			}
			if !ok {
				t.Fatal("a page of kept values was not keepable")
			}
		})
	})
}
