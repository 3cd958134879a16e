package prospects

import (
	"sort"
	"strconv"
	"strings"
)

// AddCustomerAction registers a button on every customer page that starts
// an action on the customer in another module (计划走访, 记录需求, 新建方案…),
// so the customer page offers them without prospects knowing the modules.
// The page shows the buttons to those who may change the customer; the
// action's own page checks again.
func (t *Timeline) AddCustomerAction(l CustomerLink) {
	t.actions = append(t.actions, l)
	sort.SliceStable(t.actions, func(i, j int) bool { return t.actions[i].Order < t.actions[j].Order })
}

// CustomerActions lists the registered actions, in order.
func (t *Timeline) CustomerActions() []CustomerLink { return t.actions }

// HrefFor is the link's address for one customer: a Path starting with "/"
// is used as it is with "{id}" replaced; any other Path is appended to
// /customers/{id}/.
func (l CustomerLink) HrefFor(customerID uint) string {
	id := strconv.FormatUint(uint64(customerID), 10)
	if strings.HasPrefix(l.Path, "/") {
		return strings.ReplaceAll(l.Path, "{id}", id)
	}
	return "/customers/" + id + "/" + l.Path
}
