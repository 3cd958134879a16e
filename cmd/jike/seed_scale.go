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

// parseScale reads --scale: "province" (issue 19's: 13 branches, ~50
// teams, 598 managers, ~100,000 customers), "team" (one team of 12
// managers and its chief rep, ~2,000 customers) or a number of account
// managers (the province's proportions kept, ~46 managers a branch).
func parseScale(s string) (benchseed.ProvinceSpec, error) {
	switch s {
	case "province":
		return benchseed.ProvinceScale(provinceManagers), nil
	case "team":
		return benchseed.TeamScale(), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 10*provinceManagers {
		return benchseed.ProvinceSpec{}, fmt.Errorf("seed: --scale must be \"province\", \"team\" or a number of account managers from 1 to %d, not %q", 10*provinceManagers, s)
	}
	return benchseed.ProvinceScale(n), nil
}

// seedScale loads a generated province into an empty database: the demo
// organisation first (its admin sees the whole province), then
// benchseed.FillProvince. Every user's password, the generated ones' and
// the demo organisation's (the admin), is password, so `jike bench` signs
// in as any of them. A database with users is refused: generated records
// never mix with real ones.
func seedScale(ctx context.Context, a *app, spec benchseed.ProvinceSpec, password string, w io.Writer) error {
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
	if password != org.DemoPassword {
		for _, l := range logins {
			if err := a.Org.ResetPasswordByName(ctx, l.Username, password); err != nil {
				return fmt.Errorf("seed: password of %s: %w", l.Username, err)
			}
		}
	} else {
		printDemo(w, logins)
	}
	if spec.PasswordHash, err = a.Org.HashPassword(password); err != nil {
		return err
	}
	exp := spec.Expect()
	fmt.Fprintf(w, "Generating %d branches, %d account managers, %d customers, %d opportunities, %d visits…\n",
		exp.Branches, exp.Users-exp.Teams-exp.Branches, exp.Customers, exp.Opportunities, exp.Visits)
	spec.Progress = func(table string, rows int, took time.Duration) {
		fmt.Fprintf(w, "  %-16s %9d rows  %s\n", table, rows, took.Round(time.Millisecond))
	}
	began := time.Now()
	p, err := benchseed.FillProvince(ctx, a.DB.Gorm, spec)
	if err != nil {
		return err
	}
	// Each customer's last contact, as recording a visit keeps it: the
	// generator writes the visits directly, and without it the care list
	// called all 100,000 customers 从未联系 (never contacted) despite
	// their 850,000 visit records.
	t := time.Now()
	if err := a.Aftersale.RebuildLastContacts(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var kept int64
	if err := a.DB.Gorm.WithContext(ctx).Table("care_last_contacts").Count(&kept).Error; err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	spec.Progress("care_last_contacts", int(kept), time.Since(t))
	c := p.Counts
	fmt.Fprintf(w, "Province loaded in %s: %d branches, %d teams, %d users, %d customers, %d key persons, %d opportunities, %d stage changes, %d visits, %d visit records, %d needs, %d proposals, %d contracts, %d monthly targets, %d reviews.\n",
		time.Since(began).Round(time.Second), c.Branches, c.Teams, c.Users, c.Customers, c.Contacts, c.Opportunities, c.StageChanges, c.Visits, c.VisitRecords, c.Needs, c.Proposals, c.Contracts, c.Targets, c.Reviews)
	fmt.Fprintf(w, "Log in as prov1_am001 (an account manager), prov1_chief1 (a chief rep), prov1_director (a branch) or admin (the province); the password is the one given with --password (default the demo password).\n")
	return nil
}
