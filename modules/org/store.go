package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the only place in this module that talks to the database.
type Store struct {
	db *gorm.DB
	// directory keeps people as pages show them (Directory); nil in a
	// transaction's Store, which reads them live.
	directory *db.VersionCache[User]
	// sessions reads ActiveSession outside a transaction (ReadSessionsFrom);
	// nil: db.
	sessions *gorm.DB
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db, directory: newDirectory()} }

// ReadSessionsFrom makes ActiveSession read through h outside a
// transaction: the database's pool that plans the statement once
// (db.DB.Lookup), since a primary-key read has one best plan. It returns s.
func (s *Store) ReadSessionsFrom(h *gorm.DB) *Store {
	s.sessions = h
	return s
}

// Tx runs fn in a transaction with a Store bound to it; inside db.WithTx
// it joins the caller's transaction, so a change spanning modules commits once.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return db.WithTx(ctx, s.db, func(ctx context.Context) error { return fn(&Store{db: db.Conn(ctx, s.db)}) })
}

// DB exposes the handle for the audit writer inside a transaction.
func (s *Store) DB() *gorm.DB { return s.db }

// --- users

// UserByID loads one user.
func (s *Store) UserByID(ctx context.Context, id uint) (*User, error) {
	var u User
	if err := db.Conn(ctx, s.db).First(&u, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("user %d", id))
	}
	return &u, nil
}

// UserByUsername loads one user by login name (case-insensitive).
func (s *Store) UserByUsername(ctx context.Context, username string) (*User, error) {
	var u User
	err := db.Conn(ctx, s.db).Where("username = ?", strings.ToLower(username)).First(&u).Error
	if err != nil {
		return nil, db.NotFound(err, "user "+username)
	}
	return &u, nil
}

// UsernameTaken reports whether another user has username.
func (s *Store) UsernameTaken(ctx context.Context, username string, exceptID uint) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&User{}).Where("username = ? AND id <> ?", strings.ToLower(username), exceptID).Count(&n).Error
	return n > 0, err
}

// UserFilter selects users for the admin list.
type UserFilter struct {
	Q        string
	Role     string
	TeamID   uint
	BranchID uint
	Status   string // "", "active", "disabled"
	Sort     string
	Desc     bool
	Limit    int
	Offset   int
}

var userSorts = map[string]string{
	"username": "users.username", "name": "users.name", "role": "users.role",
	"created": "users.created_at", "login": "users.last_login_at",
}

// ListUsers returns a page of users and the total count.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	q := db.Conn(ctx, s.db).Model(&User{})
	if f.Q != "" {
		cond, args := db.Contains(f.Q, "LOWER(users.username)", "LOWER(users.name)", "LOWER(users.email)", "LOWER(users.phone)")
		q = q.Where(cond, args...)
	}
	if f.Role != "" {
		q = q.Where("users.role = ?", f.Role)
	}
	if f.TeamID != 0 {
		q = q.Where("users.team_id = ?", f.TeamID)
	}
	if f.BranchID != 0 {
		q = q.Where("users.branch_id = ?", f.BranchID)
	}
	switch f.Status {
	case "active":
		q = q.Where("users.disabled = ?", false)
	case "disabled":
		q = q.Where("users.disabled = ?", true)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	col, ok := userSorts[f.Sort]
	if !ok {
		col = "users.username"
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	var out []User
	err := q.Order(col + dir).Order("users.id").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return out, total, nil
}

// UsersByTeam lists a team's active users by role and name.
func (s *Store) UsersByTeam(ctx context.Context, teamIDs ...uint) ([]User, error) {
	var out []User
	err := db.Conn(ctx, s.db).Where("team_id IN ? AND disabled = ?", teamIDs, false).Order("role DESC, name").Find(&out).Error
	return out, err
}

// UsersByIDs loads users by id (for names in lists, one query).
func (s *Store) UsersByIDs(ctx context.Context, ids []uint) (map[uint]User, error) {
	out := map[uint]User{}
	if len(ids) == 0 {
		return out, nil
	}
	// A page asks for the owner of each row: one id 25 times is one
	// placeholder, and pages with the same people share one statement.
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var us []User
	// Conn: an export looks names up inside its read snapshot, on the
	// connection it already holds (db.EachBatch).
	if err := db.Conn(ctx, s.db).Where("id IN ?", ids).Find(&us).Error; err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// ChiefReps lists active chief reps, optionally of one branch.
func (s *Store) ChiefReps(ctx context.Context, branchID uint) ([]User, error) {
	q := db.Conn(ctx, s.db).Where("role = ? AND disabled = ?", "chief_rep", false)
	if branchID != 0 {
		q = q.Where("branch_id = ?", branchID)
	}
	var out []User
	return out, q.Order("name").Find(&out).Error
}

// CountUsers counts users by role (active only).
func (s *Store) CountUsers(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Role string
		N    int64
	}
	err := db.Conn(ctx, s.db).Model(&User{}).Select("role, COUNT(*) AS n").Where("disabled = ?", false).Group("role").Scan(&rows).Error
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Role] = r.N
	}
	return out, err
}

// CreateUser inserts u.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.Username = strings.ToLower(u.Username)
	u.Version = 1
	if err := db.Conn(ctx, s.db).Create(u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create user %s: %w", u.Username, apperr.ErrConflict)
		}
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// SaveUser writes every column of u if its version is still the one read
// (optimistic locking), bumps the version and stamps updated_at with now.
func (s *Store) SaveUser(ctx context.Context, u *User, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, u, now)
}

// RecordLoginSuccess notes the time of a successful sign-in.
func (s *Store) RecordLoginSuccess(ctx context.Context, id uint, at time.Time) error {
	return db.Conn(ctx, s.db).Model(&User{}).Where("id = ?", id).Update("last_login_at", at).Error
}

// AdminIDs lists the enabled admins (who are told about attacks).
func (s *Store) AdminIDs(ctx context.Context) ([]uint, error) {
	var ids []uint
	err := db.Conn(ctx, s.db).Model(&User{}).Where("role = ? AND disabled = ?", "admin", false).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// --- sign-in throttling

// Throttles returns the rows of account for the given networks, by network.
func (s *Store) Throttles(ctx context.Context, account string, networks ...string) (map[string]*LoginThrottle, error) {
	var rows []LoginThrottle
	if err := db.Conn(ctx, s.db).Where("account = ? AND ip_range IN ?", account, networks).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load sign-in throttles: %w", err)
	}
	out := make(map[string]*LoginThrottle, len(rows))
	for i := range rows {
		out[rows[i].IPRange] = &rows[i]
	}
	return out, nil
}

// AccountThrottles lists every row of account, newest failure first (for
// the admin's user page).
func (s *Store) AccountThrottles(ctx context.Context, account string) ([]LoginThrottle, error) {
	var rows []LoginThrottle
	err := db.Conn(ctx, s.db).Where("account = ?", account).Order("last_failure_at DESC").Find(&rows).Error
	return rows, err
}

// BumpThrottle adds one failure to the row of account and network,
// creating it, and returns the row as it now is. The increment is done by
// the database (INSERT … ON CONFLICT DO UPDATE), so failures counted by
// several app instances at once are all counted; inside a transaction the
// row stays locked until commit.
func (s *Store) BumpThrottle(ctx context.Context, account, network string, now time.Time) (*LoginThrottle, error) {
	row := LoginThrottle{Account: account, IPRange: network, Failures: 1, LastFailureAt: now}
	err := db.Conn(ctx, s.db).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "account"}, {Name: "ip_range"}},
		DoUpdates: clause.Assignments(map[string]any{
			"failures":        gorm.Expr("login_throttles.failures + 1"),
			"last_failure_at": now,
		}),
	}).Create(&row).Error
	if err != nil {
		return nil, fmt.Errorf("count sign-in failure: %w", err)
	}
	var out LoginThrottle
	if err := db.Conn(ctx, s.db).Where("account = ? AND ip_range = ?", account, network).First(&out).Error; err != nil {
		return nil, fmt.Errorf("read sign-in failure count: %w", err)
	}
	return &out, nil
}

// BlockThrottle makes the row's network wait until until.
func (s *Store) BlockThrottle(ctx context.Context, id uint, until time.Time) error {
	return db.Conn(ctx, s.db).Model(&LoginThrottle{}).Where("id = ?", id).Update("blocked_until", until).Error
}

// ClearThrottles forgets account's failures from the given networks, or
// from every network when none is given.
func (s *Store) ClearThrottles(ctx context.Context, account string, networks ...string) error {
	q := db.Conn(ctx, s.db).Where("account = ?", account)
	if len(networks) > 0 {
		q = q.Where("ip_range IN ?", networks)
	}
	return q.Delete(&LoginThrottle{}).Error
}

// --- pre-sessions

// CreatePreSession inserts an anonymous visitor's pre-session.
func (s *Store) CreatePreSession(ctx context.Context, p *PreSession) error {
	return db.Conn(ctx, s.db).Create(p).Error
}

// ActivePreSession returns an unexpired pre-session.
func (s *Store) ActivePreSession(ctx context.Context, id string, now time.Time) (*PreSession, error) {
	var p PreSession
	if err := db.Conn(ctx, s.db).Where("id = ? AND expires_at > ?", id, now).First(&p).Error; err != nil {
		return nil, db.NotFound(err, "pre-session")
	}
	return &p, nil
}

// DeletePreSession removes a pre-session.
func (s *Store) DeletePreSession(ctx context.Context, id string) error {
	return db.Conn(ctx, s.db).Where("id = ?", id).Delete(&PreSession{}).Error
}

// SetLang stores a user's UI language.
func (s *Store) SetLang(ctx context.Context, id uint, lang string) error {
	return db.Conn(ctx, s.db).Model(&User{}).Where("id = ?", id).Update("lang", lang).Error
}

// --- sessions

// CreateSession inserts a session.
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	return db.Conn(ctx, s.db).Create(sess).Error
}

// sessionColumns are what ActiveSession reads, in the order it scans
// them: the user's columns, then the session's.
const sessionColumns = "users.id, users.username, users.name, users.email, users.phone, users.role, " +
	"users.branch_id, users.team_id, users.lang, users.password_hash, users.disabled, users.last_login_at, " +
	"users.password_changed_at, users.version, users.created_by, users.updated_by, users.created_at, " +
	"users.updated_at, sessions.id, sessions.csrf_token, sessions.ip, sessions.user_agent, " +
	"sessions.created_at, sessions.last_seen_at, sessions.expires_at"

// ActiveSession returns a live session and its enabled user in one query:
// it runs before every signed-in request, so it is one statement, not a
// session lookup and then a user lookup. On a page (a context with an
// empty version memo) the same statement reads the data versions too.
func (s *Store) ActiveSession(ctx context.Context, id string, now time.Time) (*Session, *User, error) {
	conn := db.Conn(ctx, s.db)
	if s.sessions != nil && !db.InTx(ctx) {
		conn = s.sessions
	}
	dialect := conn.Dialector.Name()
	q := "SELECT " + sessionColumns
	versions := db.MemoVersionsColumn(ctx, s.db, "s_versions")
	if versions != "" {
		q += ", " + versions
	}
	q += " FROM users JOIN sessions ON sessions.user_id = users.id WHERE sessions.id = " + db.Param(dialect, 1) +
		" AND sessions.expires_at > " + db.Param(dialect, 2) + " AND users.disabled = " + db.Param(dialect, 3) + " LIMIT 1"
	var (
		u                         User
		sess                      Session
		lastLogin, pwChanged      db.ScanTime
		uCreated, uUpdated        db.ScanTime
		sCreated, sSeen, sExpires db.ScanTime
		packed                    sql.NullString
	)
	dest := []any{&u.ID, &u.Username, &u.Name, &u.Email, &u.Phone, &u.Role, &u.BranchID, &u.TeamID, &u.Lang,
		&u.PasswordHash, &u.Disabled, &lastLogin, &pwChanged, &u.Version, &u.CreatedBy, &u.UpdatedBy,
		&uCreated, &uUpdated, &sess.ID, &sess.CSRFToken, &sess.IP, &sess.UserAgent, &sCreated, &sSeen, &sExpires}
	if versions != "" {
		dest = append(dest, &packed)
	}
	// Not GORM's Raw and Find: this runs before every signed-in request,
	// and GORM built the statement, ran its callbacks and scanned through
	// reflection (db.QueryRow).
	found, err := db.QueryRow(ctx, conn, q, []any{id, now, false}, dest...)
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	if !found {
		return nil, nil, db.NotFound(gorm.ErrRecordNotFound, "session")
	}
	if versions != "" {
		db.FillMemo(ctx, packed)
	}
	u.LastLoginAt, u.PasswordChangedAt = lastLogin.Ptr(), pwChanged.Ptr()
	u.CreatedAt, u.UpdatedAt = uCreated.Time, uUpdated.Time
	sess.UserID = u.ID
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sCreated.Time, sSeen.Time, sExpires.Time
	return &sess, &u, nil
}

// TouchSession slides a session's expiry.
func (s *Store) TouchSession(ctx context.Context, id string, now, expires time.Time) error {
	return db.Conn(ctx, s.db).Model(&Session{}).Where("id = ?", id).
		Updates(map[string]any{"last_seen_at": now, "expires_at": expires}).Error
}

// DeleteSession removes one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return db.Conn(ctx, s.db).Where("id = ?", id).Delete(&Session{}).Error
}

// DeleteUserSessions removes a user's sessions except keepID.
func (s *Store) DeleteUserSessions(ctx context.Context, userID uint, keepID string) error {
	return db.Conn(ctx, s.db).Where("user_id = ? AND id <> ?", userID, keepID).Delete(&Session{}).Error
}

// DeleteExpiredSessions removes sessions and pre-sessions past their
// expiry, and sign-in failures older than ThrottleMemory whose wait is
// over; it returns how many rows went.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res := db.Conn(ctx, s.db).Where("expires_at <= ?", now).Delete(&Session{})
	if res.Error != nil {
		return 0, res.Error
	}
	n := res.RowsAffected
	res = db.Conn(ctx, s.db).Where("expires_at <= ?", now).Delete(&PreSession{})
	if res.Error != nil {
		return n, res.Error
	}
	n += res.RowsAffected
	res = db.Conn(ctx, s.db).Where("last_failure_at <= ? AND (blocked_until IS NULL OR blocked_until <= ?)", now.Add(-ThrottleMemory), now).
		Delete(&LoginThrottle{})
	return n + res.RowsAffected, res.Error
}

// --- teams and branches

// TeamByID loads a team.
func (s *Store) TeamByID(ctx context.Context, id uint) (*Team, error) {
	var t Team
	if err := db.Conn(ctx, s.db).First(&t, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("team %d", id))
	}
	return &t, nil
}

// Teams lists teams, optionally of one branch, by branch and name, each
// labelled (Team.Label).
func (s *Store) Teams(ctx context.Context, branchID uint, activeOnly bool) ([]Team, error) {
	q := db.Conn(ctx, s.db)
	if branchID != 0 {
		q = q.Where("branch_id = ?", branchID)
	}
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var out []Team
	if err := q.Order("branch_id, name").Find(&out).Error; err != nil {
		return nil, err
	}
	names := map[uint]string{}
	if branchID == 0 && len(out) > 0 {
		bs, err := s.Branches(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			names[b.ID] = b.Name
		}
	}
	for i := range out {
		out[i].Label = out[i].Name
		if b := names[out[i].BranchID]; b != "" {
			out[i].Label = b + " · " + out[i].Name
		}
	}
	return out, nil
}

// TeamNameTaken reports whether the branch has another team called name.
func (s *Store) TeamNameTaken(ctx context.Context, branchID uint, name string, exceptID uint) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Team{}).Where("branch_id = ? AND name = ? AND id <> ?", branchID, name, exceptID).Count(&n).Error
	return n > 0, err
}

// CountActiveMembers counts a team's enabled users.
func (s *Store) CountActiveMembers(ctx context.Context, teamID uint) (int64, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&User{}).Where("team_id = ? AND disabled = ?", teamID, false).Count(&n).Error
	return n, err
}

// MemberCounts returns enabled users per team.
func (s *Store) MemberCounts(ctx context.Context) (map[uint]int64, error) {
	var rows []struct {
		TeamID uint
		N      int64
	}
	err := db.Conn(ctx, s.db).Model(&User{}).Select("team_id, COUNT(*) AS n").
		Where("team_id IS NOT NULL AND disabled = ?", false).Group("team_id").Scan(&rows).Error
	out := map[uint]int64{}
	for _, r := range rows {
		out[r.TeamID] = r.N
	}
	return out, err
}

// CreateTeam inserts t.
func (s *Store) CreateTeam(ctx context.Context, t *Team) error {
	t.Version = 1
	if err := db.Conn(ctx, s.db).Create(t).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create team: %w", apperr.ErrConflict)
		}
		return fmt.Errorf("create team: %w", err)
	}
	return nil
}

// SaveTeam writes every column of t under optimistic locking.
func (s *Store) SaveTeam(ctx context.Context, t *Team, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, t, now)
}

// Branches lists every branch by code.
func (s *Store) Branches(ctx context.Context) ([]Branch, error) {
	var out []Branch
	return out, db.Conn(ctx, s.db).Order("code").Find(&out).Error
}

// BranchByID loads a branch.
func (s *Store) BranchByID(ctx context.Context, id uint) (*Branch, error) {
	var b Branch
	if err := db.Conn(ctx, s.db).First(&b, id).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("branch %d", id))
	}
	return &b, nil
}

// BranchByCode loads a branch by its code.
func (s *Store) BranchByCode(ctx context.Context, code string) (*Branch, error) {
	var b Branch
	if err := db.Conn(ctx, s.db).Where("code = ?", code).First(&b).Error; err != nil {
		return nil, db.NotFound(err, "branch "+code)
	}
	return &b, nil
}

// BranchCodeTaken reports whether another branch has code.
func (s *Store) BranchCodeTaken(ctx context.Context, code string, exceptID uint) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.db).Model(&Branch{}).Where("code = ? AND id <> ?", code, exceptID).Count(&n).Error
	return n > 0, err
}

// CreateBranch inserts b.
func (s *Store) CreateBranch(ctx context.Context, b *Branch) error {
	b.Version = 1
	if err := db.Conn(ctx, s.db).Create(b).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("create branch: %w", apperr.ErrConflict)
		}
		return fmt.Errorf("create branch: %w", err)
	}
	return nil
}

// SaveBranch writes every column of b under optimistic locking.
func (s *Store) SaveBranch(ctx context.Context, b *Branch, now time.Time) error {
	return db.SaveVersioned(ctx, s.db, b, now)
}
