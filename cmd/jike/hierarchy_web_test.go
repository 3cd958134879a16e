package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/prospects"
)

// groupWorld is the app with the demo group tree (华东能源集团 → 3
// subsidiaries → 5 plants) and its units by name.
type groupWorld struct {
	a     *app
	units map[string]prospects.Customer
}

func newGroupWorld(t *testing.T, d *db.DB) *groupWorld {
	t.Helper()
	a := newTestApp(t, d)
	if n, err := a.Prospects.SeedGroupDemo(context.Background()); err != nil || n != 10 {
		t.Fatalf("seed group: %d %v", n, err)
	}
	var list []prospects.Customer
	if err := d.Gorm.Where("name LIKE ?", "华东能源%").Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	w := &groupWorld{a: a, units: map[string]prospects.Customer{}}
	for _, c := range list {
		w.units[c.Name] = c
	}
	return w
}

func (w *groupWorld) id(name string) string { return itoa(w.units[name].ID) }

const (
	gRoot     = "华东能源集团有限公司"
	gSales    = "华东能源集团黑龙江销售有限公司"
	gPower    = "华东能源集团黑龙江电力有限公司"
	gChem     = "华东能源集团化工有限公司"
	gStation  = "华东能源销售哈尔滨第一加油站"
	gDepot    = "华东能源销售哈尔滨油库"
	gPlant    = "华东能源电力呼兰发电厂"
	gSubst    = "华东能源电力阿城变电站"
	gChemWork = "华东能源化工平房分厂"
	gOffice   = "华东能源电力松北营业部" // liwei's, below zhoujie's plant
)

// TestHierarchyGroupPagePerRole: the group's page shows the first level
// of members and the roll-ups as each role may see them; members the
// reader may not see are a count, never a name or an amount.
func TestHierarchyGroupPagePerRole(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newGroupWorld(t, d)
		for _, tc := range []struct {
			user          string
			show, hide    []string
			pipeline      string
			hiddenMembers string
		}{
			{"wangjianguo", []string{gSales, gPower, gChem}, nil, "¥287,500.00", ""},
			{"zhaomin", []string{gSales, gChem}, []string{gPower}, "¥205,500.00", "另有 3 个其他成员"},
			{"liwei", []string{gSales}, []string{gPower, gChem}, "¥168,500.00", "另有 6 个其他成员"},
		} {
			c := loggedIn(t, w.a, tc.user)
			r := c.Get("/customers/" + w.id(gRoot))
			if r.Status != 200 {
				t.Fatalf("%s: %d", tc.user, r.Status)
			}
			for _, n := range tc.show {
				if !strings.Contains(r.Body, n) {
					t.Errorf("%s: %s missing", tc.user, n)
				}
			}
			for _, n := range tc.hide {
				if strings.Contains(r.Body, n) {
					t.Errorf("%s sees hidden %s", tc.user, n)
				}
			}
			if !strings.Contains(r.Body, `id="rollup-pipeline">`+tc.pipeline) {
				t.Errorf("%s: pipeline is not %s", tc.user, tc.pipeline)
			}
			if tc.hiddenMembers == "" && strings.Contains(r.Body, "个其他成员") || tc.hiddenMembers != "" && !strings.Contains(r.Body, tc.hiddenMembers) {
				t.Errorf("%s: want %q about hidden members", tc.user, tc.hiddenMembers)
			}
		}
		// A member one may see below units one may not (liwei's office
		// under zhoujie's power company and plant) hangs from the group,
		// marked; nothing of the units between is on the page: no name, no
		// id, no link, no figure.
		for _, who := range []string{"liwei", "zhaomin"} {
			r := loggedIn(t, w.a, who).Get("/customers/" + w.id(gRoot) + "/members")
			i := strings.Index(r.Body, `data-customer="`+w.id(gOffice)+`"`)
			if r.Status != 200 || i < 0 || !strings.Contains(r.Body[i:], "经由无权查看的单位") {
				t.Fatalf("%s: the office below hidden units is not reachable: %d %s", who, r.Status, r.Body)
			}
			for _, hidden := range []string{gPower, gPlant} {
				id := w.id(hidden)
				for _, leak := range []string{hidden, `data-customer="` + id + `"`, `/customers/` + id + `"`, `/customers/` + id + `/`, `members-` + id + `"`} {
					if strings.Contains(r.Body, leak) {
						t.Errorf("%s: the tree leaks %s of a hidden unit", who, leak)
					}
				}
			}
		}
		// A member page names its group; a level loads on expand.
		liwei := loggedIn(t, w.a, "liwei")
		r := liwei.Get("/customers/" + w.id(gStation))
		if r.Status != 200 || !strings.Contains(r.Body, `id="parents"`) || !strings.Contains(r.Body, gRoot) {
			t.Fatalf("station page: %d", r.Status)
		}
		r = liwei.Get("/customers/" + w.id(gSales) + "/members")
		if r.Status != 200 || !strings.Contains(r.Body, gStation) || strings.Contains(r.Body, gDepot) || !strings.Contains(r.Body, "1 个其他成员") {
			t.Fatalf("sales level for liwei: %d %s", r.Status, r.Body)
		}
		// zhoujie may not see the group: its page and its levels are 404.
		zhoujie := loggedIn(t, w.a, "zhoujie")
		for _, p := range []string{"/customers/" + w.id(gRoot), "/customers/" + w.id(gRoot) + "/members", "/customers?group=" + w.id(gRoot)} {
			if r := zhoujie.Get(p); r.Status != 404 {
				t.Errorf("zhoujie %s: %d", p, r.Status)
			}
		}
		// He sees his own plant under the power company as a member of
		// a group he may not open.
		r = zhoujie.Get("/customers/" + w.id(gPlant))
		if r.Status != 200 || strings.Contains(r.Body, gRoot) || !strings.Contains(r.Body, gPower) {
			t.Errorf("zhoujie's plant page: %d", r.Status)
		}
	})
}

// TestHierarchyListGroupFilterAndTree: ?group= keeps the group and its
// members in scope, with the other filters; view=tree indents members
// under their parent; paging still works.
func TestHierarchyListGroupFilterAndTree(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newGroupWorld(t, d)
		boss := loggedIn(t, w.a, "wangjianguo")
		r := boss.Get("/customers?all=1&group=" + w.id(gRoot))
		for _, n := range []string{gRoot, gSales, gPower, gChem, gStation, gDepot, gPlant, gSubst, gChemWork} {
			if !strings.Contains(r.Body, n) {
				t.Errorf("director's group list: %s missing", n)
			}
		}
		if !strings.Contains(r.Body, `id="group-filter"`) {
			t.Error("no group filter shown")
		}
		r = boss.Get("/customers?all=1&grade=C&group=" + w.id(gRoot))
		if strings.Contains(r.Body, gSales) || !strings.Contains(r.Body, gStation) {
			t.Error("grade filter with the group filter")
		}
		// Switching to the tree keeps the other filters.
		if !strings.Contains(r.Body, `id="view-tree" href="/customers?all=1&amp;grade=C&amp;group=`+w.id(gRoot)+`&amp;view=tree"`) {
			t.Error("the tree view link drops the filters")
		}
		r = boss.Get("/customers?all=1&view=tree&group=" + w.id(gRoot))
		if !strings.Contains(r.Body, `data-depth="2"`) || strings.Index(r.Body, gSales) > strings.Index(r.Body, gStation) ||
			strings.Index(r.Body, gRoot) > strings.Index(r.Body, gSales) {
			t.Errorf("tree view order/indent wrong")
		}
		// Paging over the tree's roots: size 1 shows the group and its
		// members on page 1, nothing else.
		r = boss.Get("/customers?all=1&view=tree&size=1&group=" + w.id(gRoot))
		if !strings.Contains(r.Body, gChemWork) {
			t.Error("members of the page's root missing")
		}
		liwei := loggedIn(t, w.a, "liwei")
		r = liwei.Get("/customers?all=1&view=tree&group=" + w.id(gRoot))
		for _, n := range []string{gPower, gChem, gDepot, gPlant, gSubst, gChemWork} {
			if strings.Contains(r.Body, n) {
				t.Errorf("liwei's tree shows %s", n)
			}
		}
		if !strings.Contains(r.Body, gStation) {
			t.Error("liwei's tree lacks his station")
		}
	})
}

// TestHierarchyFormParent: the form sets the parent, refuses a loop with
// the loop named, keeps the rest unchanged, and the change is on the
// timeline; a group with members cannot be deleted.
func TestHierarchyFormParent(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newGroupWorld(t, d)
		boss := loggedIn(t, w.a, "wangjianguo")
		root := w.units[gRoot]
		form := func(c prospects.Customer, parent string) url.Values {
			return url.Values{"name": {c.Name}, "credit_code": {c.CreditCode}, "industry": {c.Industry}, "grade": {c.Grade},
				"status": {c.Status}, "version": {itoa(uint(c.Version))}, "parent_set": {"1"}, "parent_id": {parent}}
		}
		r := boss.PostForm("/customers/"+w.id(gRoot), form(root, w.id(gStation)))
		if r.Status != 422 || !strings.Contains(r.Body, gRoot+" → "+gStation+" → "+gSales+" → "+gRoot) {
			t.Fatalf("loop: %d", r.Status)
		}
		var again prospects.Customer
		d.Gorm.First(&again, root.ID)
		if again.Version != root.Version || again.ParentID != nil {
			t.Fatal("a refused loop changed the group")
		}
		// The parent picker offers neither the customer nor its members.
		r = boss.Get("/customers/parent-pick?q=" + url.QueryEscape("华东能源") + "&for=" + w.id(gSales))
		if strings.Contains(r.Body, gStation) || strings.Contains(r.Body, gSales) || !strings.Contains(r.Body, gRoot) {
			t.Errorf("picker: %s", r.Body)
		}
		// Move the depot under the power company.
		r = boss.PostForm("/customers/"+w.id(gDepot), form(w.units[gDepot], w.id(gPower)))
		if r.Status != 303 && r.Status != 302 {
			t.Fatalf("move: %d %s", r.Status, r.Body)
		}
		r = boss.Get("/customers/" + w.id(gDepot))
		if !strings.Contains(r.Body, gPower) || !strings.Contains(r.Body, "上级单位") {
			t.Error("the move is not on the page and its timeline")
		}
		// A stale form is refused.
		r = boss.PostForm("/customers/"+w.id(gDepot), form(w.units[gDepot], "0"))
		if r.Status != 409 {
			t.Errorf("stale form: %d", r.Status)
		}
		// A group with members stays.
		boss.PostForm("/customers/"+w.id(gRoot)+"/delete", url.Values{})
		d.Gorm.First(&again, root.ID)
		if again.DeletedAt.Valid {
			t.Fatal("a group with members was deleted")
		}
	})
}
