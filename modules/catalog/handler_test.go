package catalog

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/static"
	"github.com/jike-crm/jike/templates"
	"golang.org/x/crypto/bcrypt"
)

// portal is a web server with what the catalogue pages need: the real
// templates, the org module's sessions and sign-in, the demo accounts, and
// the catalogue itself — the same wiring order as cmd/jike.
type portal struct {
	srv *web.Server
	svc *Service
	org *org.Service
}

func newPortal(t *testing.T, d *db.DB) *portal {
	t.Helper()
	enf, err := authz.New()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Enforcer: enf, I18n: bundle, Templates: templates.FS, Static: static.FS, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	orgSvc := org.NewService(org.NewStore(d.Gorm), org.Options{BcryptCost: bcrypt.MinCost})
	srv.Use(org.SessionMiddleware(orgSvc, srv), srv.Language(), srv.CSRF())
	org.Register(srv, orgSvc, org.RouteOptions{LoginRate: 1000})
	svc := NewService(NewStore(d.Gorm), Options{Users: orgSvc})
	Register(srv, svc)
	srv.Finish()
	if _, err := orgSvc.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &portal{srv: srv, svc: svc, org: orgSvc}
}

func (p *portal) client(t *testing.T, username string) *testkit.Client {
	t.Helper()
	c := testkit.NewClient(t, p.srv.App)
	c.Login(username, org.DemoPassword)
	return c
}

func (p *portal) userID(t *testing.T, username string) uint {
	t.Helper()
	u, err := p.org.Store().UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// check asserts a response's status and the strings it must and must not
// contain.
func check(t *testing.T, name string, res *testkit.Response, status int, want, wantNot []string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("%s: status %d, want %d\n%.3000s", name, res.Status, status, res.Body)
	}
	for _, w := range want {
		if !strings.Contains(res.Body, w) {
			t.Errorf("%s: body lacks %q", name, w)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(res.Body, w) {
			t.Errorf("%s: body has %q", name, w)
		}
	}
}

func productForm(code string) url.Values {
	return url.Values{
		"code": {code}, "name_zh": {"互联网专线 200M"}, "name_en": {"Dedicated Internet Access 200 Mbps"},
		"category": {"dedicated_line"}, "unit": {"条"}, "monthly": {"12000"}, "one_time": {"3000"},
		"floor_rate": {"80"}, "sort_order": {"25"}, "description": {"上下行对称 200M"}, "version": {"0"},
	}
}

func TestPagesAndPermissions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		p := newPortal(t, d)
		am, admin := p.client(t, "liwei"), p.client(t, "admin")

		// An empty catalogue: the manager is told to ask the admin, the
		// admin is offered the form.
		check(t, "empty list, manager", am.Get("/catalog"), 200,
			[]string{"业务目录中还没有产品", "请联系系统管理员", `href="/catalog"`}, []string{`href="/catalog/new"`})
		check(t, "empty list, admin", admin.Get("/catalog"), 200, []string{"业务目录中还没有产品", `href="/catalog/new"`}, nil)

		// Writes are the admin's.
		check(t, "manager: new form", am.Get("/catalog/new"), http.StatusForbidden, nil, nil)
		check(t, "manager: create", am.PostForm("/catalog", productForm("DIA-200M")), http.StatusForbidden, nil, nil)
		if n := count(t, p.svc); n != 0 {
			t.Fatalf("a manager's post saved %d products", n)
		}

		// A bad form: 422, localized messages, typed values kept, nothing saved.
		bad := productForm("dia 200")
		bad.Set("monthly", "")
		bad.Set("one_time", "-3")
		bad.Set("floor_rate", "120")
		check(t, "admin: bad form", admin.PostForm("/catalog", bad), http.StatusUnprocessableEntity,
			[]string{"产品编码须为 2–32 位大写字母或数字", "请输入金额", "请输入 0–100 的百分比", "has-error", `value="dia 200"`, "互联网专线 200M"}, nil)
		noPrice := productForm("DIA-200M")
		noPrice.Del("monthly")
		noPrice.Del("one_time")
		check(t, "admin: no price", admin.PostForm("/catalog", noPrice), http.StatusUnprocessableEntity,
			[]string{"月费和一次性费用至少填写一项"}, nil)
		if n := count(t, p.svc); n != 0 {
			t.Fatalf("a bad form saved %d products", n)
		}

		// A good one.
		check(t, "admin: new form", admin.Get("/catalog/new"), 200, []string{"新增产品", `name="floor_rate"`, `name="version"`}, nil)
		res := admin.PostForm("/catalog", productForm("dia-200m"))
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location(), "/catalog/") {
			t.Fatalf("create: %d %s\n%.2000s", res.Status, res.Location(), res.Body)
		}
		created, err := p.svc.store.ByCode(ctx, "DIA-200M")
		if err != nil {
			t.Fatal(err)
		}
		path := productPath(created.ID)
		if res.Location() != path {
			t.Fatalf("redirect to %s, want %s", res.Location(), path)
		}
		check(t, "admin: product page", admin.Get(path), 200, []string{
			"产品已添加到业务目录", "DIA-200M", "互联网专线 200M", "¥12,000.00", "¥3,000.00", "80%",
			"¥9,600.00", "¥2,400.00", "变更记录", "创建", "系统管理员", "data-confirm", `action="` + path + `/retire"`,
		}, nil)
		check(t, "duplicate code", admin.PostForm("/catalog", productForm("DIA-200M")), http.StatusUnprocessableEntity,
			[]string{"该产品编码已被使用"}, nil)

		// The manager reads the list and the page, without admin buttons.
		check(t, "manager: list", am.Get("/catalog"), 200,
			[]string{"DIA-200M", "互联网专线 200M", "12,000.00", "9,600.00", "在售", `href="/catalog"`, "业务目录"},
			[]string{`href="/catalog/new"`})
		check(t, "manager: product page", am.Get(path), 200, []string{"互联网专线 200M", "¥9,600.00"},
			[]string{`/retire"`, `/edit"`})
		check(t, "manager: edit form", am.Get(path+"/edit"), http.StatusForbidden, nil, nil)
		check(t, "manager: edit", am.PostForm(path, productForm("DIA-200M")), http.StatusForbidden, nil, nil)
		check(t, "manager: retire", am.PostForm(path+"/retire", url.Values{"version": {"1"}}), http.StatusForbidden, nil, nil)
		check(t, "unknown product", am.Get("/catalog/999999"), http.StatusNotFound, nil, nil)
		check(t, "malformed id", am.Get("/catalog/abc"), http.StatusNotFound, nil, nil)

		// Edit with the version read, then a stale page.
		check(t, "admin: edit form", admin.Get(path+"/edit"), 200, []string{`value="12000.00"`, `name="version" value="1"`}, nil)
		edit := productForm("DIA-200M")
		edit.Set("version", "1")
		edit.Set("monthly", "11500")
		res = admin.PostForm(path, edit)
		if res.Status != http.StatusSeeOther || res.Location() != path {
			t.Fatalf("edit: %d %s\n%.2000s", res.Status, res.Location(), res.Body)
		}
		stale := productForm("DIA-200M")
		stale.Set("version", "1")
		stale.Set("name_zh", "过期页面的改动")
		check(t, "admin: stale edit", admin.PostForm(path, stale), http.StatusConflict,
			[]string{"该记录已被他人修改", "过期页面的改动"}, nil)
		cur, _ := p.svc.Product(ctx, created.ID)
		if cur.NameZh != "互联网专线 200M" || cur.MonthlyFen != 1_150_000 || cur.Version != 2 {
			t.Fatalf("after the stale edit: %+v", cur)
		}

		// Retire: a stale page is refused, the current one works.
		check(t, "admin: stale retire", admin.PostForm(path+"/retire", url.Values{"version": {"1"}}), http.StatusConflict,
			[]string{"该记录已被他人修改"}, nil)
		if cur, _ := p.svc.Product(ctx, created.ID); !cur.Active {
			t.Fatal("a stale retire retired the product")
		}
		res = admin.PostForm(path+"/retire", url.Values{"version": {"2"}})
		if res.Status != http.StatusSeeOther || res.Location() != path {
			t.Fatalf("retire: %d %s", res.Status, res.Location())
		}
		check(t, "retired product page", admin.Get(path), 200,
			[]string{"产品已下架", "已下架", "不能加入新的方案", `action="` + path + `/activate"`, "下架"}, []string{`action="` + path + `/retire"`})
		check(t, "retired filter", am.Get("/catalog?status=retired"), 200, []string{"DIA-200M", "已下架"}, nil)
		check(t, "on-sale filter", am.Get("/catalog?status=active"), 200, []string{"没有符合条件的产品", "清除筛选"}, []string{"DIA-200M"})
		res = admin.PostForm(path+"/activate", url.Values{"version": {"3"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("activate: %d", res.Status)
		}
		if cur, _ := p.svc.Product(ctx, created.ID); !cur.Active || cur.UpdatedBy == nil || *cur.UpdatedBy != p.userID(t, "admin") {
			t.Fatalf("after activate: %+v", cur)
		}
	})
}

func TestListPageWithDefaults(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		p := newPortal(t, d)
		if _, err := p.svc.SeedDefaults(context.Background(), p.userID(t, "admin")); err != nil {
			t.Fatal(err)
		}
		c := p.client(t, "zhaomin") // a chief rep
		check(t, "catalogue", c.Get("/catalog"), 200,
			[]string{"集团V网", "互联网专线 1000M", "38,000.00", "云主机 2核4G", "IDC 机柜", "物联网卡", "行业短信", "400 号码", "视频会议", "云视讯", "SD-WAN", "已下架", "pagination"}, nil)
		check(t, "search", c.Get("/catalog?q=%E4%B8%93%E7%BA%BF"), 200, []string{"DIA-20M", "MSTP-10M"}, []string{"ECS-2C4G"})
		check(t, "category", c.Get("/catalog?category=idc_cloud&sort=monthly&dir=desc"), 200, []string{"IDC-RACK-42U", "ECS-8C32G"}, []string{"DIA-20M"})
		check(t, "page 2", c.Get("/catalog?size=5&page=2"), 200, []string{"rel=\"prev\""}, nil)
		check(t, "junk filters are ignored", c.Get("/catalog?category=fax&status=x&sort=drop&dir=sideways&page=-1"), 200, []string{"集团V网"}, nil)

		// English, from the user's language setting.
		if res := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/catalog"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("switch language: %d", res.Status)
		}
		check(t, "English list", c.Get("/catalog?sort=name"), 200,
			[]string{"Product catalogue", "Dedicated Internet Access 1000 Mbps", "On sale", "Retired", "Data / dedicated line", "Industry applications", ">Catalogue<"}, nil)
		dia, err := p.svc.store.ByCode(context.Background(), "DIA-100M")
		if err != nil {
			t.Fatal(err)
		}
		check(t, "English product page", c.Get(productPath(dia.ID)), 200,
			[]string{"Dedicated Internet Access 100 Mbps", "¥6,800.00", "¥5,440.00", "80%", "Minimum monthly fee", "Created"}, nil)
	})
}
