// Package policies embeds the casbin model and policy that decide who may
// do what (see docs/permissions.md). They are files, not database rows, so
// that a change to the rules is reviewed and tested like code.
package policies

import _ "embed"

// Model is the casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the casbin policy (policy.csv).
//
//go:embed policy.csv
var Policy string
