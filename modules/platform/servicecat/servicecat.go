// Package servicecat is the one list of service categories (业务类别) the
// product speaks in: the customer analysis files the customer's current
// services under it, a need is filed under it, and the catalogue files its
// products under it. A single list lets the needs of a customer be matched
// with what the customer already has and with what the catalogue sells;
// before migration 00015 the three kept their own lists with different
// keys ("data" in one, "dedicated_line" in another).
//
// The package is a leaf of the platform so that every module (catalog,
// needs, visits) can import it without importing one another.
package servicecat

import "slices"

// The categories, after the handbook's lines of business and the product
// brief (docs/domain.md): the customer's lines, mobiles, broadband,
// dedicated lines, data centre and cloud, IoT, and industry applications.
const (
	Voice         = "voice"          // 固话/语音: fixed lines, 400 numbers
	Mobile        = "mobile"         // 移动通信: mobiles, group VPMN
	Broadband     = "broadband"      // 宽带
	DedicatedLine = "dedicated_line" // 数据/专线: internet and data private lines, SD-WAN
	IDCCloud      = "idc_cloud"      // 云/IDC: cloud servers, racks, storage
	IoT           = "iot"            // 物联网
	IndustryApp   = "industry_app"   // 行业应用: industry SMS, video meetings, security …
	Other         = "other"          // 其他
)

// keys is the list in the order forms, filters and lists show it.
var keys = []string{Voice, Mobile, Broadband, DedicatedLine, IDCCloud, IoT, IndustryApp, Other}

// legacy maps each key the three old lists used that is not a key now to
// its key now; migration 00015 applies the same mapping to stored rows.
// The audit trail keeps the old values as recorded, so they keep a label
// (LabelPrefix+old) to be read by.
var legacy = map[string]string{
	"data":      DedicatedLine, // needs, catalogue
	"cloud":     IDCCloud,      // needs, catalogue
	"messaging": IndustryApp,   // catalogue
	"video":     IndustryApp,   // catalogue
}

// LabelPrefix is the message-id prefix of a category's label: the label of
// key k is LabelPrefix+k ("servicecat.dedicated_line" = "数据/专线").
const LabelPrefix = "servicecat."

// Keys returns the categories in display order (a copy: callers may not
// change the one list).
func Keys() []string { return slices.Clone(keys) }

// Valid reports whether k is a category now. Legacy keys are not: a form
// that sends one gets a field error.
func Valid(k string) bool { return slices.Contains(keys, k) }

// Label is the message id of k's label.
func Label(k string) string { return LabelPrefix + k }

// Canonical returns the key now for k, mapping a legacy key, and whether k
// was known at all.
func Canonical(k string) (string, bool) {
	if Valid(k) {
		return k, true
	}
	v, ok := legacy[k]
	return v, ok
}

// Legacy returns the old keys and what they map to (a copy), for the
// migration's test.
func Legacy() map[string]string {
	out := make(map[string]string, len(legacy))
	for k, v := range legacy {
		out[k] = v
	}
	return out
}

// Recorded lists every value the audit trail may hold: the keys now and
// the legacy ones, each with a label, for the history's enum fields.
func Recorded() []string {
	out := Keys()
	for k := range legacy {
		out = append(out, k)
	}
	slices.Sort(out[len(keys):])
	return out
}
