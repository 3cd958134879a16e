package retention

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
)

// Factor codes, in the order the explanation lists them.
const (
	FactorRevenueFall   = "revenue_fall"
	FactorProductDrop   = "product_drop"
	FactorCompetitorEnd = "competitor_end"
	FactorContractEnd   = "contract_end"
	FactorComplaints    = "complaints"
	FactorLowCallback   = "low_callback"
	FactorCareOverdue   = "care_overdue"
)

// FactorCodes lists every factor in explanation order.
var FactorCodes = []string{FactorRevenueFall, FactorProductDrop, FactorCompetitorEnd, FactorContractEnd,
	FactorComplaints, FactorLowCallback, FactorCareOverdue}

// Weights are the score's factors, their points and thresholds: the one
// place the score's definition lives (docs/retention.md explains each).
// The points add up to more than 100 on purpose: the score is capped at
// 100, so a customer with most of the factors is at the top whichever
// they are.
type Weights struct {
	// Revenue fall: the average monthly revenue of the last WindowMonths
	// months (up to the latest imported month) against the WindowMonths
	// before. A fall of FallPct percent or more adds FallPoints; of
	// 2×FallPct or more, SteepFallPoints.
	WindowMonths    int
	FallPct         int
	FallPoints      int
	SteepFallPoints int
	// Product dropped: a product with revenue in the earlier months of
	// the two windows and none in the latest month adds DropPoints (once,
	// however many products).
	DropPoints int
	// Competitor contract ending: a competitor's contract of the customer
	// analysis (customer_services, supplier not ours) ending within
	// CompetitorDays adds CompetitorPoints.
	CompetitorDays   int
	CompetitorPoints int
	// Our contract expiring without a renewal draft within ContractDays
	// adds ContractPoints.
	ContractDays   int
	ContractPoints int
	// Complaints: an open complaint adds OpenComplaintPoints; a complaint
	// whose SLA was breached in the last LookbackDays adds
	// BreachedComplaintPoints more.
	OpenComplaintPoints     int
	BreachedComplaintPoints int
	// Call-backs: a call-back done in the last LookbackDays with an
	// answer at or below LowCallbackScore (of 5) adds LowCallbackPoints.
	LowCallbackScore  int
	LowCallbackPoints int
	LookbackDays      int
	// Care: an active or dormant customer whose last care contact is more
	// than CareDays ago, or who was never contacted, adds CarePoints.
	CareDays   int
	CarePoints int
	// Threshold is the score at which a customer gets a retention alert.
	Threshold int
}

// DefaultWeights are the shipped weights (docs/retention.md).
func DefaultWeights() Weights {
	return Weights{
		WindowMonths: 3, FallPct: 20, FallPoints: 20, SteepFallPoints: 35,
		DropPoints:     15,
		CompetitorDays: 90, CompetitorPoints: 10,
		ContractDays: 90, ContractPoints: 20,
		OpenComplaintPoints: 10, BreachedComplaintPoints: 10,
		LowCallbackScore: 2, LowCallbackPoints: 15, LookbackDays: 180,
		CareDays: 90, CarePoints: 10,
		Threshold: 50,
	}
}

// MaxScore is the cap of a score.
const MaxScore = 100

// ym arithmetic: months as yyyymm integers (usage_months.ym).

// AddMonths moves a yyyymm month by n months.
func AddMonths(ym, n int) int {
	y, m := ym/100, ym%100-1+n
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	return y*100 + m + 1
}

// YM is the month of t as yyyymm.
func YM(t time.Time) int { return t.Year()*100 + int(t.Month()) }

// Raw are the facts the store read for one customer; Explain turns them
// into factors. Zero values mean "no such fact".
type Raw struct {
	// RecentFen and PriorFen are the revenue of the recent and the prior
	// window (sums over WindowMonths months each).
	RecentFen, PriorFen money.Fen
	// Dropped are the products dropped in the latest month.
	Dropped []ProductName
	// CompetitorEnd is the soonest competitor contract end in the window,
	// with its supplier code.
	CompetitorEnd      *time.Time
	CompetitorSupplier string
	// ContractEnd is the soonest end of our contract without a renewal
	// draft in the window, with its number.
	ContractEnd    *time.Time
	ContractNumber string
	// OpenComplaints and BreachedComplaints count complaints.
	OpenComplaints, BreachedComplaints int
	// LowCallbacks counts low call-backs; LowestScore is their lowest
	// answer.
	LowCallbacks, LowestScore int
	// CareOverdue: no care contact for CareDays (LastContact nil: never).
	CareOverdue bool
	LastContact *time.Time
}

// ProductName is a catalogue product's name in both languages: a factor
// is stored once and read in the reader's language.
type ProductName struct{ Zh, En string }

// English is the English name, or the Chinese one when the catalogue has
// no English name.
func (p ProductName) English() string {
	if p.En != "" {
		return p.En
	}
	return p.Zh
}

// FallPct is the revenue fall in percent of the prior window (0 when
// revenue did not fall or there is no prior revenue).
func (r Raw) FallPct() int {
	if r.PriorFen <= 0 || r.RecentFen >= r.PriorFen {
		return 0
	}
	return int((int64(r.PriorFen) - int64(r.RecentFen)) * 100 / int64(r.PriorFen))
}

const day = "2006-01-02"

// Explain turns a customer's facts into the factors that contributed,
// in FactorCodes order, and the score (their sum, capped at MaxScore).
// A fact below its threshold contributes nothing and is not listed.
func (w Weights) Explain(r Raw) (int, []Factor) {
	var out []Factor
	if pct := r.FallPct(); w.FallPct > 0 && pct >= w.FallPct {
		pts := w.FallPoints
		if pct >= 2*w.FallPct {
			pts = w.SteepFallPoints
		}
		n := int64(max(w.WindowMonths, 1))
		out = append(out, Factor{Code: FactorRevenueFall, Points: pts, MsgID: "retention.factor.revenue_fall",
			Args: map[string]string{"Pct": strconv.Itoa(pct), "Months": strconv.Itoa(int(n)),
				"From": money.Fen(int64(r.PriorFen) / n).String(), "To": money.Fen(int64(r.RecentFen) / n).String()}})
	}
	if len(r.Dropped) > 0 {
		names := append([]ProductName(nil), r.Dropped...)
		sort.Slice(names, func(i, j int) bool { return names[i].Zh < names[j].Zh })
		zh, en := make([]string, len(names)), make([]string, len(names))
		for i, n := range names {
			zh[i], en[i] = n.Zh, n.English()
		}
		out = append(out, Factor{Code: FactorProductDrop, Points: w.DropPoints, MsgID: "retention.factor.product_drop",
			Args: map[string]string{"N": strconv.Itoa(len(names)), "Products": strings.Join(zh, "、"), "ProductsEn": strings.Join(en, ", ")}})
	}
	if r.CompetitorEnd != nil {
		out = append(out, Factor{Code: FactorCompetitorEnd, Points: w.CompetitorPoints, MsgID: "retention.factor.competitor_end",
			Args: map[string]string{"Supplier": r.CompetitorSupplier, "Date": r.CompetitorEnd.Format(day)}})
	}
	if r.ContractEnd != nil {
		out = append(out, Factor{Code: FactorContractEnd, Points: w.ContractPoints, MsgID: "retention.factor.contract_end",
			Args: map[string]string{"Number": r.ContractNumber, "Date": r.ContractEnd.Format(day)}})
	}
	if r.OpenComplaints > 0 || r.BreachedComplaints > 0 {
		pts := 0
		if r.OpenComplaints > 0 {
			pts += w.OpenComplaintPoints
		}
		if r.BreachedComplaints > 0 {
			pts += w.BreachedComplaintPoints
		}
		out = append(out, Factor{Code: FactorComplaints, Points: pts, MsgID: "retention.factor.complaints",
			Args: map[string]string{"Open": strconv.Itoa(r.OpenComplaints), "Breached": strconv.Itoa(r.BreachedComplaints)}})
	}
	if r.LowCallbacks > 0 {
		out = append(out, Factor{Code: FactorLowCallback, Points: w.LowCallbackPoints, MsgID: "retention.factor.low_callback",
			Args: map[string]string{"N": strconv.Itoa(r.LowCallbacks), "Lowest": strconv.Itoa(r.LowestScore)}})
	}
	if r.CareOverdue {
		f := Factor{Code: FactorCareOverdue, Points: w.CarePoints, MsgID: "retention.factor.care_never"}
		if r.LastContact != nil {
			f.MsgID = "retention.factor.care_overdue"
			f.Args = map[string]string{"Date": r.LastContact.Format(day)}
		}
		out = append(out, f)
	}
	total := 0
	kept := out[:0]
	for _, f := range out {
		if f.Points <= 0 { // a factor weighted 0 is switched off
			continue
		}
		total += f.Points
		kept = append(kept, f)
	}
	return min(total, MaxScore), kept
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
