package org

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

var (
	usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)
	// Mainland mobile (11 digits from 13x–19x) or landline with area code
	// (010-12345678, 0451-8765432, optional extension).
	phonePattern      = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$`)
	branchCodePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{2,32}$`)
)

// ValidPhone reports whether s is a mainland mobile or landline number.
func ValidPhone(s string) bool { return phonePattern.MatchString(s) }

// UserInput is the admin's user form.
type UserInput struct {
	Username string
	Name     string
	Email    string
	Phone    string
	Role     string
	TeamID   uint
	BranchID uint
	Lang     string
	Password string // only on create
	Version  int
}

// Normalize trims whitespace and lower-cases the login name.
func (in *UserInput) Normalize() {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.ReplaceAll(strings.TrimSpace(in.Phone), " ", "")
	if i18n.Normalize(in.Lang) == "" {
		in.Lang = i18n.ZH
	} else {
		in.Lang = i18n.Normalize(in.Lang)
	}
}

// Validate checks the fields that need no database.
func (in UserInput) Validate(creating bool) apperr.Fields {
	f := apperr.Fields{}
	if in.Username == "" {
		f.Add("username", "v.required")
	} else if !usernamePattern.MatchString(in.Username) {
		f.Add("username", "v.username")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "v.required")
	} else if n > 50 {
		f.Add("name", "v.too_long")
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			f.Add("email", "v.email")
		}
	}
	if in.Phone != "" && !ValidPhone(in.Phone) {
		f.Add("phone", "v.phone")
	}
	if !authz.ValidRole(in.Role) {
		f.Add("role", "v.role")
	}
	switch in.Role {
	case authz.RoleAccountManager, authz.RoleChiefRep:
		if in.TeamID == 0 {
			f.Add("team_id", "v.team_required")
		}
	case authz.RoleDirector:
		if in.BranchID == 0 {
			f.Add("branch_id", "v.branch_required")
		}
	}
	if creating {
		if msg := PasswordProblem(in.Password); msg != "" {
			f.Add("password", msg)
		}
	}
	return f
}

// PasswordProblem returns an i18n id describing why pw is too weak, or "".
// Rule: 8–72 bytes (bcrypt reads at most 72), at least one letter and one
// digit.
func PasswordProblem(pw string) string {
	if len(pw) < 8 || len(pw) > 72 {
		return "v.password_length"
	}
	var letter, digit bool
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if !letter || !digit {
		return "v.password_weak"
	}
	return ""
}

// TeamInput is the admin's team form.
type TeamInput struct {
	Name     string
	BranchID uint
	LeaderID uint
	Version  int
}

// Validate checks the fields that need no database.
func (in *TeamInput) Validate() apperr.Fields {
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	if in.Name == "" {
		f.Add("name", "v.required")
	} else if utf8.RuneCountInString(in.Name) > 50 {
		f.Add("name", "v.too_long")
	}
	if in.BranchID == 0 {
		f.Add("branch_id", "v.branch_required")
	}
	return f
}

// BranchInput is the admin's branch form.
type BranchInput struct {
	Code    string
	Name    string
	Version int
}

// Validate checks the fields that need no database.
func (in *BranchInput) Validate() apperr.Fields {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	if in.Code == "" {
		f.Add("code", "v.required")
	} else if !branchCodePattern.MatchString(in.Code) {
		f.Add("code", "v.branch_code")
	}
	if in.Name == "" {
		f.Add("name", "v.required")
	} else if utf8.RuneCountInString(in.Name) > 50 {
		f.Add("name", "v.too_long")
	}
	return f
}
