package catalog

import (
	"context"
	"errors"
	"testing"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// adminID is the actor of the service tests; the audit trail does not
// require the user to exist.
const adminID = 1

func newSvc(d *db.DB) *Service { return NewService(NewStore(d.Gorm), Options{}) }

// dia100 is a valid product form.
func dia100() ProductInput {
	return ProductInput{
		Code: "dia-100m", NameZh: " 互联网专线 100M ", NameEn: "Dedicated Internet Access 100 Mbps", Category: "dedicated_line",
		Unit: "条", Monthly: "6,800", OneTime: "3000.00", FloorPercent: "80", SortOrder: "20",
		Description: "上下行对称 100M",
	}
}

func count(t *testing.T, svc *Service) int64 {
	t.Helper()
	n, err := svc.store.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func history(t *testing.T, svc *Service, id uint) []audit.Entry {
	t.Helper()
	h, err := svc.History(context.Background(), id, 50)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCreateAndValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != "DIA-100M" || p.NameZh != "互联网专线 100M" || p.MonthlyFen != 680000 || p.OneTimeFen != 300000 ||
			p.FloorRate != 8000 || p.SortOrder != 20 || !p.Active || p.Version != 1 || p.CreatedBy == nil || *p.CreatedBy != adminID {
			t.Fatalf("created %+v", p)
		}
		if p.MinMonthlyFen() != 544000 || p.MinOneTimeFen() != 240000 {
			t.Fatalf("floor prices %d %d", p.MinMonthlyFen(), p.MinOneTimeFen())
		}
		h := history(t, svc, p.ID)
		if len(h) != 1 || h[0].Action != audit.ActionCreate || h[0].ActorID == nil || *h[0].ActorID != adminID {
			t.Fatalf("history %+v", h)
		}

		cases := []struct {
			name  string
			edit  func(in *ProductInput)
			field string
			msg   string
		}{
			{"empty code", func(in *ProductInput) { in.Code = "  " }, "code", "v.required"},
			{"code with a space", func(in *ProductInput) { in.Code = "DIA 20M" }, "code", "v.product_code"},
			{"code too short", func(in *ProductInput) { in.Code = "D" }, "code", "v.product_code"},
			{"code with a double hyphen", func(in *ProductInput) { in.Code = "DIA--20M" }, "code", "v.product_code"},
			{"code with Chinese", func(in *ProductInput) { in.Code = "专线-20M" }, "code", "v.product_code"},
			{"code too long", func(in *ProductInput) { in.Code = "ABCDEFGHIJ-ABCDEFGHIJ-ABCDEFGHIJK" }, "code", "v.product_code"},
			{"duplicate code", func(in *ProductInput) { in.Code = "DIA-100M" }, "code", "v.product_code_taken"},
			{"duplicate code in lower case", func(in *ProductInput) { in.Code = " dia-100m " }, "code", "v.product_code_taken"},
			{"no Chinese name", func(in *ProductInput) { in.NameZh = "" }, "name_zh", "v.required"},
			{"no English name", func(in *ProductInput) { in.NameEn = " " }, "name_en", "v.required"},
			{"unknown category", func(in *ProductInput) { in.Category = "fax" }, "category", "v.choose"},
			{"no unit", func(in *ProductInput) { in.Unit = "" }, "unit", "v.required"},
			{"unit too long", func(in *ProductInput) { in.Unit = "一二三四五六七八九十一" }, "unit", "v.too_long"},
			{"no price", func(in *ProductInput) { in.Monthly, in.OneTime = "", "" }, "monthly", "v.price_required"},
			{"zero prices", func(in *ProductInput) { in.Monthly, in.OneTime = "0", "0.00" }, "monthly", "v.price_required"},
			{"negative monthly", func(in *ProductInput) { in.Monthly = "-5" }, "monthly", "v.money"},
			{"negative one-time", func(in *ProductInput) { in.OneTime = "-0.01" }, "one_time", "v.money"},
			{"three decimals", func(in *ProductInput) { in.Monthly = "12.345" }, "monthly", "v.money"},
			{"price in words", func(in *ProductInput) { in.OneTime = "三千" }, "one_time", "v.money"},
			{"no floor", func(in *ProductInput) { in.FloorPercent = "" }, "floor_rate", "v.required"},
			{"floor above 100", func(in *ProductInput) { in.FloorPercent = "120" }, "floor_rate", "v.rate"},
			{"negative floor", func(in *ProductInput) { in.FloorPercent = "-5" }, "floor_rate", "v.rate"},
			{"floor with three decimals", func(in *ProductInput) { in.FloorPercent = "85.125" }, "floor_rate", "v.rate"},
			{"floor as text", func(in *ProductInput) { in.FloorPercent = "八五折" }, "floor_rate", "v.rate"},
			{"negative sort order", func(in *ProductInput) { in.SortOrder = "-1" }, "sort_order", "v.whole_number"},
			{"fractional sort order", func(in *ProductInput) { in.SortOrder = "1.5" }, "sort_order", "v.whole_number"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := dia100()
				in.Code = "DIA-200M"
				c.edit(&in)
				_, err := svc.Save(ctx, adminID, 0, in)
				f, ok := apperr.AsFields(err)
				if !ok {
					t.Fatalf("want field errors, got %v", err)
				}
				if f[c.field] != c.msg {
					t.Fatalf("want %s: %s, got %v", c.field, c.msg, f)
				}
			})
		}
		if n := count(t, svc); n != 1 {
			t.Fatalf("invalid forms saved something: %d products", n)
		}
		if h := history(t, svc, p.ID); len(h) != 1 {
			t.Fatalf("invalid forms audited: %d entries", len(h))
		}

		// One price is enough; the floor takes "%" and two decimals, and
		// the floor price is rounded up so it never undercuts the floor.
		sms, err := svc.Save(ctx, adminID, 0, ProductInput{Code: "sms-ind", NameZh: "行业短信", NameEn: "Industry SMS",
			Category: "industry_app", Unit: "万条", OneTime: "0.99", FloorPercent: "85%"})
		if err != nil {
			t.Fatal(err)
		}
		if sms.MonthlyFen != 0 || sms.OneTimeFen != 99 || sms.FloorRate != 8500 || sms.MinOneTimeFen() != 85 || sms.MinMonthlyFen() != 0 {
			t.Fatalf("sms %+v min %d", sms, sms.MinOneTimeFen())
		}
		if !sms.AllowsRate(8500) || sms.AllowsRate(8499) || sms.AllowsRate(money.FullRate+1) {
			t.Fatal("AllowsRate")
		}
		free, err := svc.Save(ctx, adminID, 0, ProductInput{Code: "X-1", NameZh: "测试", NameEn: "Test", Category: "other",
			Unit: "项", Monthly: "100", FloorPercent: "87.25"})
		if err != nil || free.FloorRate != 8725 || free.FloorPercent() != "87.25" || free.MinMonthlyFen() != 8725 {
			t.Fatalf("floor 87.25: %+v %v", free, err)
		}
		if _, err := svc.Product(ctx, 999999); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown product: %v", err)
		}
		if _, err := svc.Save(ctx, adminID, 999999, dia100()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("editing an unknown product: %v", err)
		}
	})
}

func TestEditAndOptimisticLocking(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.Save(ctx, adminID, 0, ProductInput{Code: "DIA-20M", NameZh: "互联网专线 20M", NameEn: "DIA 20 Mbps",
			Category: "dedicated_line", Unit: "条", Monthly: "2000", FloorPercent: "85"})
		if err != nil {
			t.Fatal(err)
		}

		// The edit form as the admin read it (version 1).
		in := inputOf(p)
		if in.Monthly != "6800.00" || in.FloorPercent != "80" || in.Version != 1 {
			t.Fatalf("edit form %+v", in)
		}
		in.Monthly, in.FloorPercent = "6500", "78.5"
		saved, err := svc.Save(ctx, 2, p.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Version != 2 || saved.MonthlyFen != 650000 || saved.FloorRate != 7850 || saved.UpdatedBy == nil || *saved.UpdatedBy != 2 {
			t.Fatalf("saved %+v", saved)
		}
		h := history(t, svc, p.ID)
		if len(h) != 2 || h[0].Action != audit.ActionUpdate {
			t.Fatalf("history %+v", h)
		}
		changed := map[string]bool{}
		for _, fc := range h[0].Fields() {
			changed[fc.Field] = true
		}
		if !changed["monthly_fen"] || !changed["floor_rate"] || len(changed) != 2 {
			t.Fatalf("audited changes %v", h[0].Fields())
		}

		// A second admin still holding version 1: refused, nothing changes.
		stale := inputOf(p)
		stale.NameZh = "旧页面上的修改"
		_, err = svc.Save(ctx, 3, p.ID, stale)
		if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}
		cur, err := svc.Product(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.NameZh != "互联网专线 100M" || cur.Version != 2 || cur.MonthlyFen != 650000 {
			t.Fatalf("stale edit changed the product: %+v", cur)
		}
		if h := history(t, svc, p.ID); len(h) != 2 {
			t.Fatalf("stale edit audited: %d entries", len(h))
		}

		// Field errors come before the version check: the admin fixes the
		// form first, and the form keeps what was typed.
		bad := inputOf(cur)
		bad.Code = other.Code
		if _, err := svc.Save(ctx, adminID, p.ID, bad); !isField(err, "code", "v.product_code_taken") {
			t.Fatalf("taking another product's code: %v", err)
		}
		// Keeping its own code is fine; an edit that changes nothing is
		// not audited.
		same := inputOf(cur)
		if _, err := svc.Save(ctx, adminID, p.ID, same); err != nil {
			t.Fatal(err)
		}
		if h := history(t, svc, p.ID); len(h) != 2 {
			t.Fatalf("no-op edit audited: %d entries", len(h))
		}
	})
}

func isField(err error, field, msg string) bool {
	f, ok := apperr.AsFields(err)
	return ok && f[field] == msg
}

func TestRetireAndActivate(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		keep, err := svc.Save(ctx, adminID, 0, ProductInput{Code: "ECS-2C4G", NameZh: "云主机 2核4G", NameEn: "Cloud server",
			Category: "idc_cloud", Unit: "台", Monthly: "280", FloorPercent: "70"})
		if err != nil {
			t.Fatal(err)
		}

		// A stale page cannot retire.
		if err := svc.SetActive(ctx, adminID, p.ID, false, 7); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale retire: %v", err)
		}
		if err := svc.SetActive(ctx, adminID, p.ID, false, 1); err != nil {
			t.Fatal(err)
		}
		cur, _ := svc.Product(ctx, p.ID)
		if cur.Active || cur.Version != 2 {
			t.Fatalf("after retire %+v", cur)
		}
		h := history(t, svc, p.ID)
		if len(h) != 2 || h[0].Action != ActionRetire || len(h[0].Fields()) != 1 || h[0].Fields()[0].Field != "active" {
			t.Fatalf("retire history %+v", h)
		}
		// Retiring again changes and records nothing.
		if err := svc.SetActive(ctx, adminID, p.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		if h := history(t, svc, p.ID); len(h) != 2 {
			t.Fatalf("second retire audited: %d", len(h))
		}

		// Pickers no longer offer it; proposals that have it still load it.
		active, err := svc.ActiveProducts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(active) != 1 || active[0].ID != keep.ID {
			t.Fatalf("active products %+v", active)
		}
		got, err := svc.ByIDs(ctx, []uint{p.ID, keep.ID, 999999})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[p.ID].Active || got[p.ID].Code != "DIA-100M" || !got[keep.ID].Active {
			t.Fatalf("ByIDs %+v", got)
		}
		if none, err := svc.ByIDs(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("ByIDs(nil) %v %v", none, err)
		}
		// A retired product can still be edited (e.g. its description).
		in := inputOf(cur)
		in.Description = "已停止新装"
		if _, err := svc.Save(ctx, adminID, p.ID, in); err != nil {
			t.Fatal(err)
		}

		if err := svc.SetActive(ctx, adminID, p.ID, true, 3); err != nil {
			t.Fatal(err)
		}
		cur, _ = svc.Product(ctx, p.ID)
		if !cur.Active || cur.Version != 4 {
			t.Fatalf("after activate %+v", cur)
		}
		h = history(t, svc, p.ID)
		if len(h) != 4 || h[0].Action != ActionActivate || h[1].Action != audit.ActionUpdate || h[2].Action != ActionRetire || h[3].Action != audit.ActionCreate {
			t.Fatalf("history newest first: %+v", h)
		}
		if err := svc.SetActive(ctx, adminID, 999999, false, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("retire unknown: %v", err)
		}
	})
}

func TestSeedDefaults(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		n, err := svc.SeedDefaults(ctx, adminID)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(defaultProducts) || n < 16 {
			t.Fatalf("seeded %d of %d", n, len(defaultProducts))
		}
		again, err := svc.SeedDefaults(ctx, adminID)
		if err != nil || again != 0 {
			t.Fatalf("second seed inserted %d (%v)", again, err)
		}
		if c := count(t, svc); c != int64(n) {
			t.Fatalf("%d products after two seeds, want %d", c, n)
		}
		all, total, err := svc.List(ctx, Filter{Limit: 100})
		if err != nil || total != int64(n) {
			t.Fatal(total, err)
		}
		cats := map[string]int{}
		retired := 0
		for _, p := range all {
			cats[p.Category]++
			if !p.Active {
				retired++
				if p.Code != "IOT-GPRS" {
					t.Errorf("unexpected retired product %s", p.Code)
				}
			}
			if !ValidCode(p.Code) || p.MonthlyFen+p.OneTimeFen <= 0 || !p.FloorRate.Valid() || p.NameZh == "" || p.NameEn == "" || p.Unit == "" {
				t.Errorf("bad default product %+v", p)
			}
			if h := history(t, svc, p.ID); len(h) != 1 || h[0].Action != audit.ActionCreate {
				t.Errorf("%s: history %+v", p.Code, h)
			}
		}
		if retired != 1 {
			t.Fatalf("%d retired products", retired)
		}
		for _, c := range servicecat.Keys() {
			if cats[c] == 0 {
				t.Errorf("no default product in %s", c)
			}
		}
		// Catalogue order: the categories in the one list's order (fixed
		// voice first, then mobile), then by sort order.
		if all[0].Code != "400-STD" || all[0].Category != servicecat.Voice || all[1].Code != "VPMN-GRP" || all[1].Category != servicecat.Mobile {
			t.Fatalf("first product %s", all[0].Code)
		}
		dia, err := svc.store.ByCode(ctx, "dia-1000m")
		if err != nil {
			t.Fatal(err)
		}
		if dia.MonthlyFen != 3_800_000 || dia.MinMonthlyFen() != 2_850_000 {
			t.Fatalf("DIA-1000M %+v", dia)
		}
	})
}

func TestSeedDefaultsLeavesAStartedCatalogue(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		p, err := svc.Save(ctx, adminID, 0, dia100())
		if err != nil {
			t.Fatal(err)
		}
		// Even a catalogue whose only product is retired is not empty.
		if err := svc.SetActive(ctx, adminID, p.ID, false, 0); err != nil {
			t.Fatal(err)
		}
		n, err := svc.SeedDefaults(ctx, adminID)
		if err != nil || n != 0 {
			t.Fatalf("seeded %d into a started catalogue (%v)", n, err)
		}
		if c := count(t, svc); c != 1 {
			t.Fatalf("%d products", c)
		}
	})
}

func TestListFilters(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := newSvc(d)
		seeded, err := svc.SeedDefaults(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		codes := func(f Filter) ([]string, int64) {
			t.Helper()
			rows, total, err := svc.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]string, len(rows))
			for i, p := range rows {
				out[i] = p.Code
			}
			return out, total
		}
		cases := []struct {
			name  string
			f     Filter
			first string
			total int64
		}{
			{"all, catalogue order", Filter{}, "400-STD", int64(seeded)},
			{"search Chinese name", Filter{Q: "互联网专线"}, "DIA-20M", 3},
			{"search English name, any case", Filter{Q: "dedicated INTERNET"}, "DIA-20M", 3},
			{"search code", Filter{Q: "ecs-"}, "ECS-2C4G", 2},
			{"search is literal (no LIKE wildcards)", Filter{Q: "%"}, "", 0},
			{"search underscore", Filter{Q: "_"}, "", 0},
			{"category", Filter{Category: "idc_cloud"}, "ECS-2C4G", 3},
			{"old category key ignored", Filter{Category: "cloud"}, "400-STD", int64(seeded)},
			{"industry applications", Filter{Category: "industry_app"}, "SMS-IND", 3},
			{"unknown category ignored", Filter{Category: "fax"}, "400-STD", int64(seeded)},
			{"retired", Filter{Status: StatusRetired}, "IOT-GPRS", 1},
			{"active", Filter{Status: StatusActive}, "400-STD", int64(seeded - 1)},
			{"retired in a category", Filter{Status: StatusRetired, Category: "iot"}, "IOT-GPRS", 1},
			{"retired elsewhere", Filter{Status: StatusRetired, Category: "dedicated_line"}, "", 0},
			{"search and category", Filter{Q: "云", Category: "industry_app"}, "CVC-25", 1},
			{"monthly, highest first", Filter{Sort: "monthly", Desc: true}, "DIA-1000M", int64(seeded)},
			{"one-time, highest first", Filter{Sort: "one_time", Desc: true}, "VC-HD", int64(seeded)},
			{"floor, lowest first", Filter{Sort: "floor"}, "VPMN-GRP", int64(seeded)},
			{"code", Filter{Sort: "code"}, "400-STD", int64(seeded)},
			{"code descending", Filter{Sort: "code", Desc: true}, "VPMN-GRP", int64(seeded)},
			{"English name", Filter{Sort: "name", Lang: "en"}, "400 number (standard)", int64(seeded)},
			{"category descending", Filter{Sort: "category", Desc: true}, "SEC-DDOS-20G", int64(seeded)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, total := codes(c.f)
				if total != c.total || int64(len(got)) != min(c.total, 25) {
					t.Fatalf("total %d, %d rows, want %d: %v", total, len(got), c.total, got)
				}
				if c.first == "" {
					return
				}
				first := got[0]
				if c.f.Sort == "name" {
					p, _ := svc.store.ByCode(ctx, first)
					first = p.NameEn
				}
				if first != c.first {
					t.Fatalf("first %s, want %s: %v", first, c.first, got)
				}
			})
		}
		// Pages: five at a time, no product twice, none left out.
		seen := map[string]bool{}
		for off := 0; off < seeded; off += 5 {
			page, total := codes(Filter{Limit: 5, Offset: off})
			if total != int64(seeded) || len(page) != min(5, seeded-off) {
				t.Fatalf("page at %d: %d rows of %d", off, len(page), total)
			}
			for _, c := range page {
				if seen[c] {
					t.Fatalf("%s on two pages", c)
				}
				seen[c] = true
			}
		}
		if len(seen) != seeded {
			t.Fatalf("pages cover %d of %d", len(seen), seeded)
		}
	})
}
