package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jike-crm/jike/internal/benchseed"
	"github.com/jike-crm/jike/modules/org"
)

// provinceManagers is the account managers of `--scale province`: the
// size issue 13 sets for the reports (100,000 customers, 200,000
// opportunities, 1,000,000 visits, ~600 managers).
const provinceManagers = 600

// parseScale reads --scale: "province" or a number of account managers
// (the province's proportions kept, 100 managers a branch at most).
func parseScale(s string) (benchseed.ProvinceSpec, error) {
	if s == "province" {
		return benchseed.ProvinceScale(provinceManagers), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10*provinceManagers {
		return benchseed.ProvinceSpec{}, fmt.Errorf("seed: --scale must be \"province\" or a number of account managers from 1 to %d, not %q", 10*provinceManagers, s)
	}
	return benchseed.ProvinceScale(n), nil
}

// seedScale loads a generated province into an empty database: the demo
// organisation first (its admin sees the whole province), then
// benchseed.Province. Every generated user's password is the demo password.
// A database with users is refused: generated records never mix with real
// ones.
func seedScale(ctx context.Context, a *app, spec benchseed.ProvinceSpec, w io.Writer) error {
	has, err := a.Org.HasUsers(ctx)
	if err != nil {
		return err
	}
	if has {
		return errors.New("seed: --scale needs an empty database (this one has users); generated records never mix with real ones")
	}
	logins, err := a.Org.SeedDemo(ctx)
	if err != nil {
		return err
	}
	printDemo(w, logins)
	if spec.PasswordHash, err = a.Org.HashPassword(org.DemoPassword); err != nil {
		return err
	}
	exp := spec.Expect()
	fmt.Fprintf(w, "Generating %d branches, %d account managers, %d customers, %d opportunities, %d visits…\n",
		exp.Branches, exp.Users-exp.Teams-exp.Branches, exp.Customers, exp.Opportunities, exp.Visits)
	spec.Progress = func(table string, rows int, took time.Duration) {
		fmt.Fprintf(w, "  %-14s %9d rows  %s\n", table, rows, took.Round(time.Millisecond))
	}
	began := time.Now()
	p, err := benchseed.FillProvince(ctx, a.DB.Gorm, spec)
	if err != nil {
		return err
	}
	c := p.Counts
	fmt.Fprintf(w, "Province loaded in %s: %d branches, %d users, %d customers, %d opportunities, %d stage changes, %d visits, %d key persons, %d proposals.\n",
		time.Since(began).Round(time.Second), c.Branches, c.Users, c.Customers, c.Opportunities, c.StageChanges, c.Visits, c.Contacts, c.Proposals)
	fmt.Fprintf(w, "Log in as %s_director (a branch) or admin (the province) with password %q.\n", "prov1", org.DemoPassword)
	return nil
}
