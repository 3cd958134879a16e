// Package migrations embeds the SQL schema migrations, one folder per
// dialect with the same version numbers, so that the binary can migrate a
// database anywhere without the source tree. Every schema change comes with
// a file in both folders; a test checks they stay in step with the models.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// For returns the migrations of one dialect ("postgres" or "sqlite").
func For(dialect string) (fs.FS, error) {
	return fs.Sub(files, dialect)
}
