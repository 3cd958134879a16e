package servicecat

import (
	"slices"
	"testing"
)

// TestList: the keys are unique and fit the columns (VARCHAR(16)); every
// legacy key maps to a key of the list and is not one itself; Canonical
// and Recorded agree with them; callers cannot change the list.
func TestList(t *testing.T) {
	keys := Keys()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] || k == "" || len(k) > 16 || !Valid(k) {
			t.Errorf("bad or repeated key %q", k)
		}
		seen[k] = true
		if c, ok := Canonical(k); !ok || c != k {
			t.Errorf("Canonical(%q) = %q %v", k, c, ok)
		}
	}
	for old, now := range Legacy() {
		if Valid(old) || !Valid(now) {
			t.Errorf("legacy %q → %q", old, now)
		}
		if c, ok := Canonical(old); !ok || c != now {
			t.Errorf("Canonical(%q) = %q %v, want %q", old, c, ok, now)
		}
	}
	if _, ok := Canonical("fax"); ok || Valid("fax") || Valid("") {
		t.Error("an unknown key is known")
	}
	rec := Recorded()
	if len(rec) != len(keys)+len(Legacy()) || !slices.Equal(rec[:len(keys)], keys) {
		t.Errorf("Recorded = %v", rec)
	}
	keys[0] = "changed"
	if Keys()[0] == "changed" || !Valid(Voice) {
		t.Error("Keys returned the list itself")
	}
	if Label(DedicatedLine) != "servicecat.dedicated_line" {
		t.Errorf("label id %q", Label(DedicatedLine))
	}
}
