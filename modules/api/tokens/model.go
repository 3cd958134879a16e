// Package tokens holds the REST API's personal access tokens: a user
// creates, lists and revokes their own; an admin lists and revokes
// anyone's. Only the SHA-256 of a token's secret is stored, and a request
// finds its token by that hash (a unique index), so the secret is never
// compared in the clear nor recoverable from a leaked database.
package tokens

import (
	"time"
)

// Token is one personal access token.
type Token struct {
	ID         uint   `gorm:"primaryKey"`
	UserID     uint   `gorm:"not null"`
	Name       string `gorm:"size:100;not null"`
	Prefix     string `gorm:"size:16;not null"`
	TokenHash  string `gorm:"size:64;not null" audit:"secret"`
	ReadOnly   bool   `gorm:"not null"`
	ExpiresAt  time.Time
	LastUsedAt *time.Time `audit:"-"`
	RevokedAt  *time.Time
	RevokedBy  *uint
	CreatedAt  time.Time
}

// TableName is the table of Token.
func (Token) TableName() string { return "api_tokens" }

// Idempotent is the stored first answer to a POST that carried an
// Idempotency-Key: a retry with the same key and body gets it back.
type Idempotent struct {
	TokenID     uint   `gorm:"primaryKey;autoIncrement:false"`
	IdemKey     string `gorm:"primaryKey;size:200"`
	RequestHash string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"`
	ContentType string `gorm:"size:100;not null"`
	Location    string `gorm:"size:300;not null"`
	Etag        string `gorm:"size:100;not null"`
	Body        string `gorm:"not null"`
	CreatedAt   time.Time
}

// TableName is the table of Idempotent.
func (Idempotent) TableName() string { return "api_idempotency" }

// Models lists the package's models, for the schema drift test.
func Models() []any { return []any{&Token{}, &Idempotent{}} }

// Active reports whether t authenticates at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// State names the token's state for the settings page: active, expired
// or revoked.
func (t Token) State(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}
