package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type rec struct {
	ID        uint
	Name      string
	TeamID    *uint
	Secret    string `audit:"secret"`
	Noise     int    `audit:"-"`
	Custom    string `gorm:"column:other_name"`
	SignedAt  *time.Time
	Version   int
	UpdatedAt time.Time
}

func TestDiff(t *testing.T) {
	one, two := uint(1), uint(2)
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	before := rec{ID: 7, Name: "甲", TeamID: &one, Secret: "a", Noise: 1, Custom: "x", Version: 1}
	after := rec{ID: 7, Name: "乙", TeamID: &two, Secret: "b", Noise: 2, Custom: "y", SignedAt: &at, Version: 2, UpdatedAt: at}
	d := audit.Diff(&before, &after)
	want := map[string]audit.Change{
		"name":       {From: "甲", To: "乙"},
		"team_id":    {From: uint(1), To: uint(2)},
		"secret":     {From: "***", To: "***"},
		"other_name": {From: "x", To: "y"},
		"signed_at":  {From: nil, To: "2026-11-01T08:00:00Z"},
	}
	if len(d) != len(want) {
		t.Fatalf("got %d changes %v, want %d", len(d), d, len(want))
	}
	for k, w := range want {
		if g, ok := d[k]; !ok || g != w {
			t.Errorf("%s: got %+v want %+v", k, g, w)
		}
	}
	if len(audit.Diff(&before, &before)) != 0 {
		t.Fatal("no change must give an empty diff")
	}
	created := audit.Diff(nil, &after)
	if created["name"].To != "乙" || created["name"].From != nil {
		t.Fatalf("creation diff: %+v", created)
	}
	if len(audit.Diff(nil, nil)) != 0 {
		t.Fatal("nil/nil")
	}
}

func TestRecordAndList(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := audit.Record(ctx, d.Gorm, 0, "user", 1, audit.ActionUpdate, nil); err != nil {
			t.Fatal(err)
		}
		if err := audit.Record(ctx, d.Gorm, 0, "user", 1, audit.ActionCreate, map[string]audit.Change{"name": {To: "张三"}}); err != nil {
			t.Fatal(err)
		}
		if err := audit.Record(ctx, d.Gorm, 0, "team", 2, audit.ActionDisable, map[string]audit.Change{"active": {From: true, To: false}}); err != nil {
			t.Fatal(err)
		}
		all, total, err := audit.List(ctx, d.Gorm, audit.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(all) != 2 {
			t.Fatalf("an empty update must not be recorded; got %d entries", total)
		}
		if all[0].Entity != "team" {
			t.Fatalf("newest first, got %s", all[0].Entity)
		}
		users, total, err := audit.List(ctx, d.Gorm, audit.Query{Entity: "user", EntityID: 1})
		if err != nil || total != 1 {
			t.Fatalf("filter: %d %v", total, err)
		}
		f := users[0].Fields()
		if len(f) != 1 || f[0].Field != "name" || f[0].To != "张三" {
			t.Fatalf("fields: %+v", f)
		}
	})
}

// TestRecordRollsBackWithTransaction: the trail is written in the caller's
// transaction, so a failed change leaves no entry behind.
func TestRecordRollsBackWithTransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		tx := d.Gorm.Begin()
		if err := audit.Record(ctx, tx, 0, "user", 9, audit.ActionCreate, nil); err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		_, total, err := audit.List(ctx, d.Gorm, audit.Query{EntityID: 9})
		if err != nil || total != 0 {
			t.Fatalf("rolled back entry persisted: %d %v", total, err)
		}
	})
}

// TestFieldsKeepNumbersExact: integers come back as written (no float
// notation), and *_fen columns are shown in yuan.
func TestFieldsKeepNumbersExact(t *testing.T) {
	e := audit.Entry{Changes: `{"total_fen":{"from":119040000,"to":3516500000},"owner_id":{"from":9007199254740993,"to":4},"rate":{"to":8550}}`}
	got := map[string][2]string{}
	for _, f := range e.Fields() {
		got[f.Field] = [2]string{f.From, f.To}
	}
	want := map[string][2]string{
		"total_fen": {"1,190,400.00", "35,165,000.00"},
		"owner_id":  {"9007199254740993", "4"},
		"rate":      {"", "8550"},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
}
