package catalog

// productView is a product prepared for the templates: its name in the
// page's language, and the prices as int64 fen for the `fen` template func
// (which takes int64, not money.Fen), with the derived floor prices.
type productView struct {
	Product
	Title      string
	Monthly    int64
	OneTime    int64
	MinMonthly int64
	MinOneTime int64
}

func viewOf(p Product, lang string) productView {
	return productView{
		Product: p, Title: p.Name(lang),
		Monthly: int64(p.MonthlyFen), OneTime: int64(p.OneTimeFen),
		MinMonthly: int64(p.MinMonthlyFen()), MinOneTime: int64(p.MinOneTimeFen()),
	}
}

func viewsOf(ps []Product, lang string) []productView {
	out := make([]productView, len(ps))
	for i, p := range ps {
		out[i] = viewOf(p, lang)
	}
	return out
}
