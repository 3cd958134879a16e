package retention

import (
	"slices"
	"testing"
	"time"
)

// TestAddMonths: yyyymm arithmetic across year ends, both ways.
func TestAddMonths(t *testing.T) {
	for _, c := range []struct{ ym, n, want int }{
		{202611, 1, 202612}, {202612, 1, 202701}, {202601, -1, 202512}, {202611, -5, 202606},
		{202603, -14, 202501}, {202611, 0, 202611}, {202601, -12, 202501}, {202612, 13, 202801},
	} {
		if got := AddMonths(c.ym, c.n); got != c.want {
			t.Errorf("AddMonths(%d, %d) = %d, want %d", c.ym, c.n, got, c.want)
		}
	}
}

// TestExplainThresholds: each factor at and just below its threshold; a
// factor weighted 0 is switched off and not listed; the explanation lists
// exactly the contributing factors in order and the score is their sum,
// capped at 100.
func TestExplainThresholds(t *testing.T) {
	w := DefaultWeights()
	end := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		raw   Raw
		score int
		codes []string
	}{
		"nothing":            {Raw{}, 0, nil},
		"fall at 20%":        {Raw{PriorFen: 1000, RecentFen: 800}, 20, []string{FactorRevenueFall}},
		"fall just under":    {Raw{PriorFen: 1000, RecentFen: 801}, 0, nil},
		"fall at 40% steep":  {Raw{PriorFen: 1000, RecentFen: 600}, 35, []string{FactorRevenueFall}},
		"fall 39% not steep": {Raw{PriorFen: 1000, RecentFen: 601}, 20, []string{FactorRevenueFall}},
		"no prior revenue":   {Raw{PriorFen: 0, RecentFen: 0}, 0, nil},
		"revenue to zero":    {Raw{PriorFen: 1000, RecentFen: 0}, 35, []string{FactorRevenueFall}},
		"breached only":      {Raw{BreachedComplaints: 2}, 10, []string{FactorComplaints}},
		"open and breached":  {Raw{OpenComplaints: 1, BreachedComplaints: 1}, 20, []string{FactorComplaints}},
		"combination in order": {Raw{CareOverdue: true, ContractEnd: &end, ContractNumber: "HT1", Dropped: []ProductName{{Zh: "b"}, {Zh: "a"}}}, 45,
			[]string{FactorProductDrop, FactorContractEnd, FactorCareOverdue}},
		"all, capped": {Raw{PriorFen: 10, RecentFen: 1, Dropped: []ProductName{{Zh: "x"}}, CompetitorEnd: &end, CompetitorSupplier: "ctcc",
			ContractEnd: &end, OpenComplaints: 1, BreachedComplaints: 1, LowCallbacks: 1, LowestScore: 1, CareOverdue: true}, 100, FactorCodes},
	} {
		score, fs := w.Explain(c.raw)
		var codes []string
		for _, f := range fs {
			codes = append(codes, f.Code)
		}
		if score != c.score || !slices.Equal(codes, c.codes) {
			t.Errorf("%s: %d %v, want %d %v", name, score, codes, c.score, c.codes)
		}
	}
	// A weight of 0 switches the factor off.
	off := w
	off.CarePoints = 0
	if score, fs := off.Explain(Raw{CareOverdue: true}); score != 0 || len(fs) != 0 {
		t.Errorf("care weighted 0: %d %v", score, fs)
	}
	// The explanation's arguments: products sorted, money in yuan.
	_, fs := w.Explain(Raw{PriorFen: 300000, RecentFen: 150000, Dropped: []ProductName{{Zh: "云主机", En: "Cloud host"}, {Zh: "专线"}}})
	if fs[0].Args["From"] != "1,000.00" || fs[0].Args["To"] != "500.00" || fs[0].Args["Pct"] != "50" ||
		fs[1].Args["Products"] != "专线、云主机" || fs[1].Args["ProductsEn"] != "专线, Cloud host" {
		t.Errorf("arguments: %+v", fs)
	}
}

// A dropped product is named in the reader's language; a factor stored
// before English names were kept reads its Chinese names in English too.
func TestDroppedProductsInReadersLanguage(t *testing.T) {
	_, fs := DefaultWeights().Explain(Raw{Dropped: []ProductName{{Zh: "互联网专线", En: "Internet dedicated line"}}})
	stored := encodeFactors(fs)
	got := decodeFactors(stored)
	if len(got) != 1 || got[0].Args["Products"] != "互联网专线" || got[0].Args["ProductsEn"] != "Internet dedicated line" {
		t.Fatalf("round trip: %+v", got)
	}
	old := decodeFactors(`[{"code":"product_drop","points":15,"msg":"retention.factor.product_drop","args":{"N":"1","Products":"互联网专线"}}]`)
	if len(old) != 1 || old[0].Args["ProductsEn"] != "互联网专线" {
		t.Fatalf("old factor: %+v", old)
	}
}
