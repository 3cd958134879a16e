package prospects

import "strings"

// zhLabels are the Chinese names of the coded values, as the handbook and
// Chinese spreadsheets write them. The UI translates codes through the
// i18n catalogue; imports accept either the code or one of these labels.
var zhLabels = map[string]map[string][]string{
	"industry": {
		"gov": {"政府", "党政军", "政府机关"}, "finance": {"金融"}, "education": {"教育"},
		"healthcare": {"医疗", "卫生"}, "manufacturing": {"制造", "制造业"}, "logistics": {"交通物流", "交通", "物流"},
		"energy": {"能源"}, "trade": {"商贸", "商业"}, "internet": {"互联网"}, "other": {"其他"},
	},
	"grade":  {"A": {"A", "A类"}, "B": {"B", "B类"}, "C": {"C", "C类"}, "D": {"D", "D类"}},
	"status": {"prospect": {"潜在", "潜在客户"}, "active": {"在网"}, "dormant": {"沉默"}, "churned": {"离网"}},
	"competitor": {
		"cmcc": {"移动", "中国移动"}, "ctcc": {"电信", "中国电信"}, "cucc": {"联通", "中国联通"},
		"cbn": {"广电", "中国广电"}, "other": {"其他"},
	},
	"contact_role": {"decision": {"决策人"}, "influencer": {"影响者", "影响人"}, "user": {"使用者", "使用人"}, "gatekeeper": {"联系人"}},
	"attitude":     {"supporter": {"支持", "支持者"}, "neutral": {"中立"}, "opponent": {"反对", "反对者"}},
}

var codeLists = map[string][]string{
	"industry": Industries, "grade": Grades, "status": Statuses, "competitor": Competitors,
	"contact_role": ContactRoles, "attitude": Attitudes,
}

// LabelToCode maps a code or a Chinese label of kind ("industry", "grade",
// "status", "competitor", "contact_role", "attitude") to its code.
func LabelToCode(kind, value string) (string, bool) {
	v := strings.TrimSpace(value)
	for _, code := range codeLists[kind] {
		if strings.EqualFold(v, code) {
			return code, true
		}
	}
	for code, labels := range zhLabels[kind] {
		for _, l := range labels {
			if v == l {
				return code, true
			}
		}
	}
	return "", false
}

// CodeLabel returns the main Chinese label of a code (for exports).
func CodeLabel(kind, code string) string {
	if l := zhLabels[kind][code]; len(l) > 0 {
		return l[0]
	}
	return code
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
