package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/i18n"
)

type code string

// Options translates each code with its prefix (or shows the code),
// marks the selected one, escapes every text, takes string types, and
// refuses what is not a list of strings.
func TestOptions(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	p := ExamplePage(b)
	got, err := p.Options("grade.", []code{"A", "B"}, code("B"))
	if err != nil {
		t.Fatal(err)
	}
	want := `<option value="A">` + template.HTMLEscapeString(p.L.T("grade.A")) + `</option>` +
		`<option value="B" selected>` + template.HTMLEscapeString(p.L.T("grade.B")) + `</option>`
	if string(got) != want {
		t.Errorf("grades = %s, want %s", got, want)
	}
	got, err = p.Options("", []string{`<x>"&`, "乙"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `<option value="&lt;x&gt;&#34;&amp;">&lt;x&gt;&#34;&amp;</option><option value="乙">乙</option>`; string(got) != want {
		t.Errorf("codes = %s, want %s", got, want)
	}
	if strings.Contains(string(got), "selected") {
		t.Error("nil selected marked an option")
	}
	if _, err := p.Options("", []int{1}, nil); err == nil {
		t.Error("a list of numbers was taken")
	}
	if _, err := p.Options("", []string{"a"}, 1); err == nil {
		t.Error("a number was taken as the selected code")
	}
}

// ChoiceOptions: the id is the value, the label escaped, the selected id
// marked, and nothing marked for an id not in the list.
func TestChoiceOptions(t *testing.T) {
	type person struct {
		ID   uint
		Name string
	}
	people := []person{{3, `A&B`}, {7, "乙"}}
	id := func(p *person) uint { return p.ID }
	name := func(p *person) string { return p.Name }
	if got, want := string(ChoiceOptions(people, id, name, 7)), `<option value="3">A&amp;B</option><option value="7" selected>乙</option>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := string(ChoiceOptions(people, id, name, 9)); strings.Contains(got, "selected") {
		t.Errorf("an id not listed marked an option: %s", got)
	}
}
