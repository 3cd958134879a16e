package org

import (
	"context"
	"strconv"

	"github.com/jike-crm/jike/modules/platform/db"
)

// directorySize bounds the people kept: a province has ~700.
const directorySize = 5000

// newDirectory is the cache behind Directory.
func newDirectory() *db.VersionCache[User] {
	return db.NewVersionCache[User](db.VersionOrg, directorySize)
}

// Directory returns the people of ids as a page shows them — name,
// username, role, team, branch, e-mail, phone and whether disabled — kept
// per person under the org version, which every change of those fields
// bumps (migration 00031): a list or a board names the owner of each row,
// and read them with a statement per page. The other fields (language,
// password, sign-in times, lock version) are left zero: Directory is for
// showing people, never for a form, a sign-in or an edit. Unknown ids
// are absent.
func (s *Store) Directory(ctx context.Context, ids []uint) (map[uint]User, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = strconv.FormatUint(uint64(id), 10)
	}
	kept, err := s.directory.GetMany(ctx, s.db, keys, func(ctx context.Context, keys []string) (map[string]User, error) {
		want := make([]uint, len(keys))
		for i, k := range keys {
			n, _ := strconv.ParseUint(k, 10, 64)
			want[i] = uint(n)
		}
		found, err := s.UsersByIDs(ctx, want)
		if err != nil {
			return nil, err
		}
		out := make(map[string]User, len(found))
		for id, u := range found {
			out[strconv.FormatUint(uint64(id), 10)] = User{ID: u.ID, Username: u.Username, Name: u.Name, Email: u.Email, Phone: u.Phone,
				Role: u.Role, BranchID: u.BranchID, TeamID: u.TeamID, Disabled: u.Disabled}
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uint]User, len(kept))
	for _, u := range kept {
		out[u.ID] = u
	}
	return out, nil
}

// Directory is Store.Directory.
func (s *Service) Directory(ctx context.Context, ids []uint) (map[uint]User, error) {
	return s.store.Directory(ctx, ids)
}
