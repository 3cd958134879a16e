package db

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver; sql.Open does not connect
)

// TestPoolSettings: the configured sizes reach database/sql, zero fields
// take the defaults, and the idle count never exceeds the open count.
func TestPoolSettings(t *testing.T) {
	cases := []struct {
		in         Pool
		open, idle int
	}{
		{Pool{}, 20, 20},
		{Pool{MaxOpen: 16, MaxIdle: 8}, 16, 8},
		{Pool{MaxOpen: 16, MaxIdle: 16, MaxLifetime: 30 * time.Minute}, 16, 16},
		{Pool{MaxOpen: 4}, 4, 4},
	}
	for _, tc := range cases {
		got := tc.in.withDefaults()
		if got.MaxOpen != tc.open || got.MaxIdle != tc.idle || got.MaxLifetime != tc.in.MaxLifetime {
			t.Errorf("%+v: defaults give %+v, want open %d idle %d", tc.in, got, tc.open, tc.idle)
		}
		sqlDB, err := sql.Open("pgx", "postgres://jike@127.0.0.1:1/none")
		if err != nil {
			t.Fatal(err)
		}
		tc.in.apply(sqlDB)
		if n := sqlDB.Stats().MaxOpenConnections; n != tc.open {
			t.Errorf("%+v: pool open %d, want %d", tc.in, n, tc.open)
		}
		sqlDB.Close()
	}
}
