package db_test

import (
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

func TestArrayParameters(t *testing.T) {
	if v, _ := (db.Int64s{1, -2, 9007199254740993}).Value(); v != "{1,-2,9007199254740993}" {
		t.Errorf("Int64s: %v", v)
	}
	if v, _ := (db.Int64s{}).Value(); v != "{}" {
		t.Errorf("empty Int64s: %v", v)
	}
	if v, _ := (db.Bools{true, false}).Value(); v != "{t,f}" {
		t.Errorf("Bools: %v", v)
	}
	// On PostgreSQL each is one parameter (GORM does not expand it into a
	// list) and unnests to the same values in order.
	d := testkit.Postgres(t)
	var got []struct {
		N int64
		B bool
	}
	err := d.Gorm.Raw("SELECT u.n, u.b FROM unnest(?::bigint[], ?::boolean[]) AS u(n, b)",
		db.Int64s{7, -1, 9007199254740993}, db.Bools{true, false, true}).Scan(&got).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].N != 7 || got[1].N != -1 || got[2].N != 9007199254740993 || !got[0].B || got[1].B || !got[2].B {
		t.Fatalf("unnested: %+v", got)
	}
}
