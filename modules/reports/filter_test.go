package reports

import (
	"net/url"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
)

func TestParseFilter(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 5, 31, 17, 0, 0, 0, time.UTC) // 1 June 01:00 in Shanghai
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, sh) }
	for _, tc := range []struct {
		q                    string
		from, to, pfrom, pto time.Time
		anchor               string
		months               int
	}{
		{"", day(2026, 6, 1), day(2026, 7, 1), day(2026, 5, 1), day(2026, 6, 1), "2026-06", 1},
		{"period=quarter", day(2026, 4, 1), day(2026, 7, 1), day(2026, 1, 1), day(2026, 4, 1), "2026-Q2", 3},
		{"period=quarter&at=2026-Q1", day(2026, 1, 1), day(2026, 4, 1), day(2025, 10, 1), day(2026, 1, 1), "2026-Q1", 3},
		{"period=year&at=2025", day(2025, 1, 1), day(2026, 1, 1), day(2024, 1, 1), day(2025, 1, 1), "2025", 12},
		{"period=custom&from=2026-03-10&to=2026-03-19", day(2026, 3, 10), day(2026, 3, 20), day(2026, 2, 28), day(2026, 3, 10), "", 1},
	} {
		f, err := ParseFilter(url.Values(mustQuery(t, tc.q)), now, sh, []string{"finance"})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if !f.From.Equal(tc.from) || !f.To.Equal(tc.to) || !f.PrevFrom.Equal(tc.pfrom) || !f.PrevTo.Equal(tc.pto) || f.Anchor != tc.anchor || len(f.Months()) != tc.months {
			t.Errorf("%q: %s–%s prev %s–%s anchor %q months %v", tc.q, f.From, f.To, f.PrevFrom, f.PrevTo, f.Anchor, f.Months())
		}
		// The filter survives its own URL.
		g, err := ParseFilter(f.Query(), now, sh, []string{"finance"})
		if err != nil || !g.From.Equal(f.From) || !g.To.Equal(f.To) {
			t.Errorf("%q: round trip %v %s–%s", tc.q, err, g.From, g.To)
		}
	}
	for q, field := range map[string]string{
		"at=2026-13": "at", "period=quarter&at=2026-Q5": "at", "period=year&at=26": "at", "period=week": "period",
		"period=custom&from=2026-03-10&to=2026-03-01": "to", "period=custom&from=x&to=2026-03-01": "from",
		"grade=E": "grade", "industry=mining": "industry", "team=abc": "team", "am=-1": "am",
		"period=custom&from=2020-01-01&to=2026-01-01": "to",
		// The class the review found silently ignored: unknown keys,
		// repeated keys with other values, a compare flag, owner (am's
		// other name) not a number or disagreeing with am.
		"owner=abc": "owner", "manager=1": "manager", "team=1&team=2": "team", "compare=yes": "compare",
		"owner=1&am=2": "owner", "period=2026-13": "period",
		// The grouping is top_group or nothing.
		"by=owner": "by", "by=top_group&by=team": "by",
	} {
		_, err := ParseFilter(url.Values(mustQuery(t, q)), now, sh, []string{"finance"})
		fields, ok := apperr.AsFields(err)
		if !ok || fields[field] == "" {
			t.Errorf("%q: %v, want an error on %s", q, err, field)
		}
	}
}

// TestParseFilterAliasesAndRepeats: owner is am; a key repeated with the
// same value, and the empty from/to the form sends for a month, are fine.
func TestParseFilterAliasesAndRepeats(t *testing.T) {
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	// page and size are the paging keys every page accepts: ignored.
	for q, am := range map[string]uint{"owner=7": 7, "owner=7&am=7": 7, "am=7&am=7": 7, "team=&team=&from=&to=&at=2026-05&compare=0": 0,
		"am=7&page=99999999999999999999&size=-1": 7} {
		f, err := ParseFilter(mustQuery(t, q), now, time.UTC, nil)
		if err != nil || f.AM != am {
			t.Errorf("%q: %v, am %d", q, err, f.AM)
		}
	}
}

// TestParseFilterGroupBy: by=top_group survives the filter's own URL and
// only the grouped reports offer it.
func TestParseFilterGroupBy(t *testing.T) {
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	f, err := ParseFilter(mustQuery(t, "by=top_group&at=2026-05"), now, time.UTC, nil)
	if err != nil || f.By != GroupTopGroup || f.Query().Get("by") != GroupTopGroup {
		t.Fatalf("by: %v %+v", err, f)
	}
	if g, err := ParseFilter(mustQuery(t, "at=2026-05"), now, time.UTC, nil); err != nil || g.By != "" || g.Query().Has("by") {
		t.Fatalf("no by: %v %+v", err, g)
	}
	for _, k := range Keys {
		if want := k == KeyFunnel || k == KeyForecast || k == KeyExpiring; Groupable(k) != want {
			t.Errorf("%s groupable %v", k, !want)
		}
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseProbabilities(t *testing.T) {
	p, err := ParseProbabilities(" proposal=65, negotiation = 90 ")
	if err != nil || p["proposal"] != 65 || p["negotiation"] != 90 || p["identified"] != 10 {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range []string{"won=100", "proposal=101", "proposal", "proposal=x", "lost=0"} {
		if _, err := ParseProbabilities(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if DefaultProbabilities["proposal"] != 60 {
		t.Error("the defaults changed: update docs/reports.md")
	}
}

func TestCompactAttainment(t *testing.T) {
	tb := &Table{Cols: []Col{{"rank", Int}, {"am", Text}, {"team", Text}, {"visits · actual", Int}, {"visits · target", Int}, {"visits %", Pct}}}
	tb.Rows = [][]Cell{{num(1), txt("李伟"), txt("一部"), num(1), num(2), pctOf(1, 2)}}
	out := compactAttainment(tb)
	if len(out.Cols) != 4 || out.Cols[3].Header != "visits" || out.Rows[0][3].Show() != "1 / 2 (50.0%)" {
		t.Errorf("%+v %q", out.Cols, out.Rows[0][3].Show())
	}
}
