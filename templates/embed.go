// Package templates embeds the portal's html/template files. Names are the
// path without ".html" (e.g. "org/users"), unique across modules; the
// layouts are written in Go (modules/platform/web/layout.go).
package templates

import "embed"

// FS holds every template.
//
//go:embed */*.html
var FS embed.FS
