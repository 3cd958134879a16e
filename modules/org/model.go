package org

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// Branch is a 分公司: the unit a director (集团客户部经理) leads.
type Branch struct {
	ID        uint   `gorm:"primaryKey"`
	Code      string `gorm:"size:32;not null"`
	Name      string `gorm:"size:100;not null"`
	Version   int    `gorm:"not null"`
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Team is a sales team inside a branch, led by a chief customer
// representative (LeaderID).
type Team struct {
	ID        uint   `gorm:"primaryKey"`
	BranchID  uint   `gorm:"not null"`
	Name      string `gorm:"size:100;not null"`
	LeaderID  *uint
	Active    bool `gorm:"not null"`
	Version   int  `gorm:"not null"`
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
	// Label is the name a filter or list shows: with the branch's in
	// front when the teams were listed across branches (Store.Teams with
	// no branch), where every branch has a "政企客户一组"; not stored.
	Label string `gorm:"-" audit:"-" json:"-"`
}

// User is a person who signs in. Each has exactly one role; account
// managers and chief reps belong to a team, directors to a branch.
type User struct {
	ID                uint   `gorm:"primaryKey"`
	Username          string `gorm:"size:64;not null"`
	Name              string `gorm:"size:100;not null"`
	Email             string `gorm:"size:200;not null"`
	Phone             string `gorm:"size:32;not null"`
	Role              string `gorm:"size:32;not null"`
	BranchID          *uint
	TeamID            *uint
	Lang              string     `gorm:"size:8;not null"`
	PasswordHash      string     `gorm:"size:255;not null" audit:"secret"`
	Disabled          bool       `gorm:"not null"`
	LastLoginAt       *time.Time `audit:"-"`
	PasswordChangedAt *time.Time `audit:"-"`
	Version           int        `gorm:"not null"`
	CreatedBy         *uint
	UpdatedBy         *uint
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Subject is the user as the permission checks see it.
func (u *User) Subject() authz.Subject {
	return authz.Subject{
		ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role,
		TeamID: deref(u.TeamID), BranchID: deref(u.BranchID), Lang: u.Lang,
	}
}

// Session is a signed-in browser. ID is the SHA-256 of the cookie token, so
// a leaked database does not leak usable sessions.
type Session struct {
	ID         string `gorm:"primaryKey;size:64"`
	UserID     uint   `gorm:"not null"`
	CSRFToken  string `gorm:"column:csrf_token;size:64;not null"`
	IP         string `gorm:"size:64;not null"`
	UserAgent  string `gorm:"size:255;not null"`
	CreatedAt  time.Time
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"`
	// Renewed is set (not stored) when this request slid the expiry.
	Renewed bool `gorm:"-"`
}

// PreSession is an anonymous visitor of the sign-in page. The CSRF token
// of the sign-in and language forms is bound to it server-side, so a
// token is only good together with the cookie it was issued to. ID is the
// SHA-256 of the cookie value, like a session's.
type PreSession struct {
	ID        string `gorm:"primaryKey;size:64"`
	CSRFToken string `gorm:"column:csrf_token;size:64;not null"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null"`
}

// LoginThrottle counts wrong passwords for one account name from one
// network (IPRange, e.g. 203.0.113.0/24), or from anywhere (IPRange
// AllNetworks). BlockedUntil is when that network may try that account
// again. Rows are keyed by the name typed (Account is its SHA-256, see
// accountKey), so names that do not exist are counted exactly like real
// ones and cannot be told apart, and are never stored in clear.
type LoginThrottle struct {
	ID            uint      `gorm:"primaryKey"`
	Account       string    `gorm:"size:64;not null"`
	IPRange       string    `gorm:"column:ip_range;size:64;not null"`
	Failures      int       `gorm:"not null"`
	LastFailureAt time.Time `gorm:"not null"`
	BlockedUntil  *time.Time
}

// Blocks reports whether the row makes its network wait at now.
func (t *LoginThrottle) Blocks(now time.Time) bool {
	return t != nil && t.BlockedUntil != nil && t.BlockedUntil.After(now)
}

// Models lists the GORM models of this module, for the schema drift test.
func Models() []any {
	return []any{&Branch{}, &Team{}, &User{}, &Session{}, &PreSession{}, &LoginThrottle{}}
}

func deref(p *uint) uint {
	if p == nil {
		return 0
	}
	return *p
}

func ptr(v uint) *uint {
	if v == 0 {
		return nil
	}
	return &v
}
