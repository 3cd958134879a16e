package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/templates"
	"gorm.io/gorm/schema"
)

// TestModelsMatchTables migrates each dialect from zero and checks that
// every GORM model's fields are columns of its table and every column is
// a field: no drift between the SQL migrations and the Go models.
func TestModelsMatchTables(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		for _, m := range allModels() {
			s, err := schema.Parse(m, &sync.Map{}, d.Gorm.NamingStrategy)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Gorm.Migrator().HasTable(s.Table) {
				t.Errorf("%s: table %s missing", s.Name, s.Table)
				continue
			}
			cols, err := d.Gorm.Migrator().ColumnTypes(m)
			if err != nil {
				t.Fatal(err)
			}
			inTable := map[string]bool{}
			for _, c := range cols {
				inTable[c.Name()] = true
			}
			inModel := map[string]bool{}
			for _, f := range s.Fields {
				if f.DBName == "" {
					continue
				}
				inModel[f.DBName] = true
				if !inTable[f.DBName] {
					t.Errorf("%s.%s has no column %s.%s", s.Name, f.Name, s.Table, f.DBName)
				}
			}
			var extra []string
			for c := range inTable {
				if !inModel[c] {
					extra = append(extra, c)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("table %s has columns no model field maps: %v", s.Table, extra)
			}
		}
	})
}

// TestEveryTemplateParsesAndIsUsed parses all templates through the real
// engine (the route tests render them) and checks that every page
// template is named by some Go code, so none is dead or misspelt.
func TestEveryTemplateParsesAndIsUsed(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, testkit.SQLite(t))
	c := loggedIn(t, a, "admin")
	if res := c.Get("/"); res.Status != 200 {
		t.Fatalf("home: %d", res.Status)
	}
	var code strings.Builder
	_ = filepath.WalkDir(filepath.Join("..", "..", "modules"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, _ := os.ReadFile(p)
			code.Write(b)
		}
		return nil
	})
	var tmplText strings.Builder
	names := []string{}
	_ = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			names = append(names, strings.TrimSuffix(p, ".html"))
			b, _ := fs.ReadFile(templates.FS, p)
			tmplText.Write(b)
		}
		return nil
	})
	if len(names) < 15 {
		t.Fatalf("only %d templates found", len(names))
	}
	for _, n := range names {
		quoted := regexp.QuoteMeta(`"` + n + `"`)
		if !regexp.MustCompile(quoted).MatchString(code.String()) && !regexp.MustCompile(quoted).MatchString(tmplText.String()) {
			t.Errorf("template %s is never rendered", n)
		}
	}
}
