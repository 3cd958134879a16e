package db

import "gorm.io/gorm"

// longList is how many ids an IN list may name before OwnedByAny leaves
// it out. The admin's reports count every account manager of the
// province (~600): a list that long filters almost nothing, costs
// PostgreSQL a parse and plan of 600 placeholders per part of a
// statement and the driver their encoding, and led the planner to an
// owner index where the date's index was the cheaper read (issue 19).
const longList = 256

// OwnedByAny narrows q to the rows whose col is one of ids — unless ids
// is longer than longList, when q is returned as it is. A caller using it
// therefore keeps, from what q reads, only the rows of the ids it asked
// for (a set of them, OwnerSet): that is where a long list filters.
func OwnedByAny(q *gorm.DB, col string, ids []uint) *gorm.DB {
	if len(ids) > longList {
		return q
	}
	return q.Where(col+" IN ?", ids)
}

// OwnerSet is ids as a set, for keeping the rows OwnedByAny did not
// filter.
func OwnerSet(ids []uint) map[uint]bool {
	set := make(map[uint]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}
