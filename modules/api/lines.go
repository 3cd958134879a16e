package api

import (
	"reflect"

	"github.com/jike-crm/jike/modules/platform/money"
)

// Line is a priced product line of a proposal or a contract. Rates are in
// basis points of the list price (10000 = full price).
type Line struct {
	Position       int    `json:"position"`
	ProductID      uint   `json:"product_id"`
	ProductCode    string `json:"product_code"`
	ProductName    string `json:"product_name"`
	ProductNameEn  string `json:"product_name_en"`
	Unit           string `json:"unit"`
	Quantity       int64  `json:"quantity"`
	TermMonths     int    `json:"term_months"`
	MonthlyListFen int64  `json:"monthly_list_fen"`
	OneTimeListFen int64  `json:"one_time_list_fen"`
	RateBP         int    `json:"rate_bp"`
	FloorRateBP    int    `json:"floor_rate_bp"`
	MonthlyNetFen  int64  `json:"monthly_net_fen"`
	MonthlyNetYuan string `json:"monthly_net_yuan"`
	OneTimeNetFen  int64  `json:"one_time_net_fen"`
	OneTimeNetYuan string `json:"one_time_net_yuan"`
	TotalFen       int64  `json:"total_fen"`
	TotalYuan      string `json:"total_yuan"`
}

// lines shows the lines of a proposal or a contract. The two modules'
// line types carry the same priced fields under the same names (a
// contract's lines are copied from the accepted proposal's), so one
// reader by field name serves both instead of two copies of this list.
func lines[L any](in []L) []Line {
	out := make([]Line, 0, len(in))
	for i := range in {
		v := reflect.ValueOf(&in[i]).Elem()
		i64 := func(name string) int64 { return v.FieldByName(name).Int() }
		str := func(name string) string { return v.FieldByName(name).String() }
		fen := func(name string) (int64, string) { f := money.Fen(i64(name)); return int64(f), yuan(f) }
		l := Line{Position: int(i64("Position")), ProductID: uint(v.FieldByName("ProductID").Uint()), ProductCode: str("ProductCode"),
			ProductName: str("ProductName"), ProductNameEn: str("ProductNameEn"), Unit: str("Unit"), Quantity: i64("Quantity"),
			TermMonths: int(i64("TermMonths")), MonthlyListFen: i64("MonthlyListFen"), OneTimeListFen: i64("OneTimeListFen"),
			RateBP: int(i64("Rate")), FloorRateBP: int(i64("FloorRate"))}
		l.MonthlyNetFen, l.MonthlyNetYuan = fen("MonthlyNetFen")
		l.OneTimeNetFen, l.OneTimeNetYuan = fen("OneTimeNetFen")
		l.TotalFen, l.TotalYuan = fen("TotalFen")
		out = append(out, l)
	}
	return out
}
