package api

import (
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/api/tokens"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/templates"
)

// TestEveryAPITemplateRendersWithItsView renders templates/api with its
// example views, strictly (see web.CheckViews).
func TestEveryAPITemplateRendersWithItsView(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	rows := []tokenRow{
		{Token: tokens.Token{ID: 1, Name: "计费系统", Prefix: "jk-abcdefg", ExpiresAt: at.AddDate(0, 1, 0), CreatedAt: at, LastUsedAt: &at},
			Owner: "李伟", StateKey: "active", Loc: time.UTC},
		{Token: tokens.Token{ID: 2, Name: "数据仓库", Prefix: "jk-hijklmn", ReadOnly: true, ExpiresAt: at, CreatedAt: at, RevokedAt: &at},
			Owner: "李伟", StateKey: "revoked", Loc: time.UTC},
	}
	tokensPage := func(admin, secret, errs bool) web.Example {
		return func() any {
			v := &tokensView{Page: web.ExamplePage(b), Days: tokens.ExpiryDays, Admin: admin, CanAdmin: true,
				In: tokens.Input{Name: "x", ExpiryDays: 90, ReadOnly: true}}
			if !errs {
				v.Tokens = rows
			} else {
				v.Errors = map[string]string{"name": "必填", "expiry_days": "请选择"}
			}
			if secret {
				v.Secret, v.SecretName = "jk-secret", "计费系统"
			}
			return v
		}
	}
	docs := func() any {
		return &docsView{Page: web.ExamplePage(b), Rate: 600,
			Groups: []docGroup{{Tag: "customers", Routes: []docRoute{
				{Method: "GET", Path: "/api/v1/customers", Summary: "list", Perm: "customer:read", Query: []Param{{Name: "q"}, {Name: "limit"}},
					Result: "Customer", List: true, Status: 200},
				{Method: "PATCH", Path: "/api/v1/customers/{id}", Summary: "update", Perm: "customer:write", Body: "CustomerPatch",
					Result: "Customer", Update: true, Versioned: true, Status: 200}}}},
			Schemas: []docSchema{{Name: "Customer", Fields: []docField{{Name: "id", Type: "integer", Required: true}, {Name: "name", Type: "string", Doc: "名称"}}}},
			Codes:   []docCode{{Code: "not_found", Status: 404, Title: "未找到", Detail: "记录不存在"}}}
	}
	reg := map[string][]web.Example{
		"api/tokens": {tokensPage(false, true, false), tokensPage(true, false, false), tokensPage(false, false, true)},
		"api/docs":   {docs},
	}
	for _, err := range web.CheckViews(templates.FS, "api", reg) {
		t.Error(err)
	}
}

// TestSchemaOfGoTypes: the document's schemas come from the Go types, so
// a field added to a response type is in the document at once.
func TestSchemaOfGoTypes(t *testing.T) {
	sc := &schemas{defs: map[string]*Schema{}}
	sc.ref(reflectType(Customer{}))
	sc.ref(reflectType(CustomerPatch{}))
	c := sc.defs["Customer"]
	if c == nil || c.Properties["annual_spend_yuan"] == nil || c.Properties["created_at"].Format != "date-time" {
		t.Fatalf("Customer schema: %+v", c)
	}
	if got := c.Properties["chief_rep_id"].Type; got == nil || len(got.([]string)) != 2 {
		t.Fatalf("a pointer must be nullable: %v", got)
	}
	if !contains(c.Required, "id") || contains(sc.defs["CustomerPatch"].Required, "name") {
		t.Fatal("required fields")
	}
}

// TestCursorRoundTrip: a cursor reads back typed, and a cursor of
// another sort or a forged one is refused.
func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 123456789, time.UTC)
	cur := encodeCursor(cursor{Sort: "updated", Desc: true, Keys: cursorKeys([]any{at, uint(42)})})
	vals, err := decodeCursor(cur, "updated", true, "time", "int")
	if err != nil || !vals[0].(time.Time).Equal(at) || vals[1].(int64) != 42 {
		t.Fatalf("round trip: %v %v", vals, err)
	}
	if _, err := decodeCursor(cur, "name", true, "text", "int"); err == nil {
		t.Fatal("a cursor of another sort must be refused")
	}
	if _, err := decodeCursor("!!!", "updated", true, "time", "int"); err == nil {
		t.Fatal("a forged cursor must be refused")
	}
}
