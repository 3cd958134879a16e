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
	FailedLogins      int        `gorm:"not null" audit:"-"`
	LockedUntil       *time.Time `audit:"-"`
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

// Locked reports whether sign-in is refused until LockedUntil.
func (u *User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && u.LockedUntil.After(now)
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

// Models lists the GORM models of this module, for the schema drift test.
func Models() []any { return []any{&Branch{}, &Team{}, &User{}, &Session{}} }

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
