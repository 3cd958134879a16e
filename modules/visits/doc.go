// Package visits owns visit planning (客户走访前准备), the preparation
// checklist, visit records (客户访谈) with their next step, the calendar
// and agenda, the iCalendar feed and the pre-visit brief. A visit hangs
// off a customer and is visible exactly when its customer is; it imports
// prospects for that, and reaches needs (a sibling) only through funcs
// wired in cmd/jike.
package visits
