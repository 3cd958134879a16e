package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// demoUsers names one demo account per role.
var demoUsers = map[string]string{
	"admin":           "admin",
	"director":        "wangjianguo",
	"chief_rep":       "zhaomin",
	"account_manager": "liwei",
}

// newTestApp wires the real app on d with the demo organisation loaded.
func newTestApp(t *testing.T, d *db.DB, tweak ...func(*appOptions)) *app {
	t.Helper()
	o := appOptions{BcryptCost: bcrypt.MinCost, Location: time.UTC, LoginRate: 1000}
	for _, f := range tweak {
		f(&o)
	}
	a, err := buildApp(d, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Org.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// loggedIn returns a client signed in as username (anonymous for "").
func loggedIn(t *testing.T, a *app, username string) *testkit.Client {
	t.Helper()
	c := testkit.NewClient(t, a.Server.App)
	if username != "" {
		c.Login(username, org.DemoPassword)
	}
	return c
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
