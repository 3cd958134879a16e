package catalog

import "strings"

// unitIDs gives the catalogue's usual units (the handbook's 个, 条, 套,
// 成员 …) a message id, so that English pages and PDFs show them
// translated. A unit the admin types that is not here is shown as typed.
var unitIDs = map[string]string{
	"个":  "catalog.units.piece",
	"条":  "catalog.units.line",
	"套":  "catalog.units.set",
	"成员": "catalog.units.member",
	"户":  "catalog.units.account",
	"台":  "catalog.units.device",
	"张":  "catalog.units.card",
	"站点": "catalog.units.site",
	"万条": "catalog.units.ten_thousand_messages",
	"端口": "catalog.units.port",
	"路":  "catalog.units.channel",
	"部":  "catalog.units.handset",
	"年":  "catalog.units.year",
	"月":  "catalog.units.month",
	"次":  "catalog.units.time",
	"人":  "catalog.units.person",
}

// UnitName is unit in lang: t translates a message id (the user's
// language); units the catalogue does not know are returned as given.
func UnitName(t func(id string) string, unit string) string {
	if id, ok := unitIDs[strings.TrimSpace(unit)]; ok && t != nil {
		return t(id)
	}
	return unit
}

// UnitIDs lists the message ids of the known units (for the catalogue
// test, which checks both languages have them).
func UnitIDs() []string {
	out := make([]string, 0, len(unitIDs))
	for _, id := range unitIDs {
		out = append(out, id)
	}
	return out
}
