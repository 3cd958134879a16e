package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
	"github.com/jike-crm/jike/modules/pool"
	"github.com/jike-crm/jike/modules/prospects"
)

func newPool(d *db.DB, enf *authz.Enforcer, customers *prospects.Service, orgSvc *org.Service, n *notify.Service, o appOptions) *pool.Service {
	return pool.NewService(pool.NewStore(d.Gorm), enf, pool.Deps{Customers: customers, People: orgSvc,
		Holders: poolHolders{orgSvc.Store()}, Notify: n}, pool.Options{Now: o.Now, Location: o.Location, Logger: o.Logger})
}

// poolHolders makes each branch's pool holder: a disabled account that
// cannot sign in (no usable password hash) and belongs to no team, so no
// list of people to hand customers to offers it. Its name is what the
// owner column shows for a pooled customer.
type poolHolders struct{ st *org.Store }

func (h poolHolders) PoolHolder(ctx context.Context, branchID uint) (uint, error) {
	username := fmt.Sprintf("pool.branch%d", branchID)
	u, err := h.st.UserByUsername(ctx, username)
	if err == nil {
		return u.ID, nil
	}
	if !errors.Is(err, apperr.ErrNotFound) {
		return 0, err
	}
	b := branchID
	nu := &org.User{Username: username, Name: "公海 Pool", Role: authz.RoleAccountManager, BranchID: &b, Lang: "zh-CN",
		PasswordHash: "!", Disabled: true, Version: 1}
	if err := h.st.CreateUser(ctx, nu); err != nil {
		// Another instance made it first.
		if u, err2 := h.st.UserByUsername(ctx, username); err2 == nil {
			return u.ID, nil
		}
		return 0, err
	}
	return nu.ID, nil
}

// seedPoolDemo gives the demo branch its pool (wangjianguo's rule, four
// of chenhao's former customers in the pool, one of liwei's warned).
func seedPoolDemo(ctx context.Context, a *app) (int, error) {
	subj := func(name string) (authz.Subject, error) {
		u, err := a.Org.Store().UserByUsername(ctx, name)
		if err != nil {
			return authz.Subject{}, err
		}
		return u.Subject(), nil
	}
	var p pool.DemoPeople
	var err error
	if p.Director, err = subj("wangjianguo"); err != nil {
		return 0, err
	}
	if p.FormerAM, err = subj("chenhao"); err != nil {
		return 0, err
	}
	if p.WarnedAM, err = subj("liwei"); err != nil {
		return 0, err
	}
	return a.Pool.SeedDemo(ctx, p)
}
