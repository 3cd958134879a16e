package main

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/jike-crm/jike/modules/targets"
)

// reportDirectory is the reports' view of the organisation: the branches,
// teams and account managers a viewer's report scope reaches.
type reportDirectory struct {
	st  *org.Store
	dir targetDirectory
	enf *authz.Enforcer
	// kept holds the choices per scope under the org version (nil: read
	// live): every report page and download reads them, and the admin's
	// are the province's ~600 account managers, ~50 teams and 13
	// branches — a few milliseconds of each warm report.
	kept *db.VersionCache[*reports.Org]
}

// newReportDirectory is the reports' directory with its choices kept.
func newReportDirectory(st *org.Store, enf *authz.Enforcer) reportDirectory {
	return reportDirectory{st: st, dir: targetDirectory{st: st}, enf: enf, kept: db.NewVersionCache[*reports.Org](db.VersionOrg, 256)}
}

// Org is what viewer's report scope reaches; callers read it, never
// change it.
func (d reportDirectory) Org(ctx context.Context, viewer authz.Subject) (*reports.Org, error) {
	level := d.enf.Level(viewer, "report", "read")
	key := fmt.Sprintf("%s|%d|%d", level, viewer.BranchID, viewer.TeamID)
	if level == authz.ScopeOwn {
		key = fmt.Sprintf("%s|%d", level, viewer.ID)
	}
	return d.kept.Get(ctx, d.st.DB(), key, func(ctx context.Context) (*reports.Org, error) { return d.org(ctx, viewer) })
}

func (d reportDirectory) org(ctx context.Context, viewer authz.Subject) (*reports.Org, error) {
	out := &reports.Org{}
	var people []targets.Person
	var err error
	switch d.enf.Level(viewer, "report", "read") {
	case authz.ScopeAll:
		bs, berr := d.st.Branches(ctx)
		if berr != nil {
			return nil, berr
		}
		for _, b := range bs {
			out.Branches = append(out.Branches, reports.Named{ID: b.ID, Name: b.Name})
		}
		if err := d.teams(ctx, out, 0, 0); err != nil {
			return nil, err
		}
		people, err = d.dir.AccountManagers(ctx, 0, 0)
	case authz.ScopeBranch:
		if viewer.BranchID == 0 {
			return out, nil
		}
		if err := d.teams(ctx, out, viewer.BranchID, 0); err != nil {
			return nil, err
		}
		people, err = d.dir.AccountManagers(ctx, viewer.BranchID, 0)
	case authz.ScopeTeam:
		if viewer.TeamID == 0 {
			return out, nil
		}
		if err := d.teams(ctx, out, viewer.BranchID, viewer.TeamID); err != nil {
			return nil, err
		}
		people, err = d.dir.AccountManagers(ctx, viewer.BranchID, viewer.TeamID)
	case authz.ScopeOwn:
		p, e := d.dir.AccountManager(ctx, viewer.ID)
		if e == nil {
			people = []targets.Person{*p}
		}
	}
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		out.People = append(out.People, reports.Person{ID: p.ID, Name: p.Name, TeamID: p.TeamID, TeamName: p.TeamName, BranchID: p.BranchID})
	}
	return out, nil
}

func (d reportDirectory) teams(ctx context.Context, out *reports.Org, branchID, teamID uint) error {
	ts, err := d.st.Teams(ctx, branchID, false)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if teamID == 0 || t.ID == teamID {
			out.Teams = append(out.Teams, reports.Named{ID: t.ID, Name: t.Name, BranchID: t.BranchID})
		}
	}
	return nil
}

// reportTargets gives the reports each account manager's months from the
// targets module, as the viewer sees them there. The targets module has
// no province-wide view (the admin reads no targets); for a viewer whose
// report scope is the whole province they are read branch by branch, as
// that branch's director would see them, which is within the admin's
// report scope (every branch). targets.Service.ReportGrids reads every
// month's targets at once and, with actuals, counts each month's actuals
// in one statement over all those managers (as the viewer sees the
// records), not one per branch.
func reportTargets(svc *targets.Service, st *org.Store, enf *authz.Enforcer) reports.TargetSource {
	return func(ctx context.Context, viewer authz.Subject, months []string, actuals bool) (map[string][]reports.TargetRow, error) {
		ms, viewers, err := reportGroups(ctx, svc, st, enf, viewer, months)
		if err != nil {
			return nil, err
		}
		grids, err := svc.ReportGrids(ctx, viewer, viewers, ms, actuals)
		if err != nil {
			return nil, err
		}
		out := make(map[string][]reports.TargetRow, len(months))
		for i, m := range ms {
			out[months[i]] = reportRows(grids[m])
		}
		return out, nil
	}
}

// reportTotals adapts targets.Service.ReportTotals to reports.TargetTotals,
// over the same groups as reportTargets.
func reportTotals(svc *targets.Service, st *org.Store, enf *authz.Enforcer) reports.TargetTotals {
	return func(ctx context.Context, viewer authz.Subject, months []string) ([]reports.TargetRow, error) {
		ms, viewers, err := reportGroups(ctx, svc, st, enf, viewer, months)
		if err != nil {
			return nil, err
		}
		g, err := svc.ReportTotals(ctx, viewer, viewers, ms)
		if err != nil {
			return nil, err
		}
		return reportRows(g), nil
	}
}

// reportGroups are months parsed and the groups whose members a viewer's
// reports show: the viewer's own, or the admin's province as one
// director per branch.
func reportGroups(ctx context.Context, svc *targets.Service, st *org.Store, enf *authz.Enforcer, viewer authz.Subject, months []string) ([]targets.Month, []authz.Subject, error) {
	ms := make([]targets.Month, len(months))
	for i, month := range months {
		m, err := svc.ParseMonth(month)
		if err != nil {
			return nil, nil, err
		}
		ms[i] = m
	}
	viewers := []authz.Subject{viewer}
	if enf.Level(viewer, "report", "read") == authz.ScopeAll {
		bs, err := st.Branches(ctx)
		if err != nil {
			return nil, nil, err
		}
		viewers = viewers[:0]
		for _, b := range bs {
			viewers = append(viewers, authz.Subject{Role: authz.RoleDirector, BranchID: b.ID, Name: viewer.Name})
		}
	}
	return ms, viewers, nil
}

// reportRows are a grid's rows as the reports read them, their lines in
// one slab (the admin's year is 7,200 rows).
func reportRows(g *targets.Grid) []reports.TargetRow {
	conv := make([]reports.TargetRow, len(g.Rows))
	slab := make([]reports.TargetLine, 0, len(g.Rows)*len(targets.Lines))
	for j, r := range g.Rows {
		start := len(slab)
		for _, l := range r.Lines {
			slab = append(slab, reports.TargetLine{Key: l.Def.Key, Money: l.Def.Money, Target: l.Target, Actual: l.Actual})
		}
		conv[j] = reports.TargetRow{Person: reports.Person{ID: r.Person.ID, Name: r.Person.Name, TeamID: r.Person.TeamID,
			TeamName: r.Person.TeamName, BranchID: r.Person.BranchID}, Lines: slab[start:len(slab):len(slab)]}
	}
	return conv
}

// Names names users by id.
func (d reportDirectory) Names(ctx context.Context, ids []uint) (map[uint]string, error) {
	return d.dir.Names(ctx, ids)
}
