package audit

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Kind says how a recorded value reads to a person.
type Kind uint8

// Kinds of field.
const (
	// KindText is a short text, shown as recorded (cut short with a
	// "show more" control when it is long).
	KindText Kind = iota
	// KindLongText is free text (notes, proposal sections); always cut to
	// its beginning with a "show more" control when long.
	KindLongText
	// KindNumber is an integer shown as recorded.
	KindNumber
	// KindPercent is an integer percentage (a probability).
	KindPercent
	// KindMoney is an amount in fen, shown in yuan.
	KindMoney
	// KindRate is a rate in basis points, shown as a percentage.
	KindRate
	// KindBool is a yes/no.
	KindBool
	// KindDate is a calendar date (stored as midnight UTC), shown as is.
	KindDate
	// KindDateTime is an instant, shown in the configured time zone.
	KindDateTime
	// KindEnum is a code whose label is the message Prefix+code.
	KindEnum
	// KindEnumList is a comma-separated list of such codes.
	KindEnumList
	// KindRef is the id of another record (of entity type Ref), shown by
	// its name and linked, if the reader may see it.
	KindRef
	// KindSecret is a value never shown, only that it changed.
	KindSecret
)

// Field describes one recorded column to readers of the history.
type Field struct {
	// Column is the key in the recorded diff (the column name).
	Column string
	// Label is the field's message id.
	Label string
	Kind  Kind
	// Prefix and Values: for enums, the label of code c is Prefix+c;
	// Values lists the codes so that a test can check every label exists.
	Prefix string
	Values []string
	// Ref is the entity type a KindRef id points to.
	Ref string
	// Words gives the message id of known values of a text column (a
	// catalogue unit typed in Chinese, 万条, reads "×10,000 messages" in
	// English); other values are shown as typed.
	Words map[string]string
	// Hidden fields are bookkeeping users need not read; only the
	// admin's raw view shows them.
	Hidden bool
}

// Text describes a short text column.
func Text(col, label string) Field { return Field{Column: col, Label: label, Kind: KindText} }

// LongText describes a free-text column.
func LongText(col, label string) Field { return Field{Column: col, Label: label, Kind: KindLongText} }

// Number describes an integer column.
func Number(col, label string) Field { return Field{Column: col, Label: label, Kind: KindNumber} }

// Percent describes an integer percentage.
func Percent(col, label string) Field { return Field{Column: col, Label: label, Kind: KindPercent} }

// Money describes an amount in fen.
func Money(col, label string) Field { return Field{Column: col, Label: label, Kind: KindMoney} }

// Rate describes a rate in basis points.
func Rate(col, label string) Field { return Field{Column: col, Label: label, Kind: KindRate} }

// Bool describes a yes/no column.
func Bool(col, label string) Field { return Field{Column: col, Label: label, Kind: KindBool} }

// Date describes a calendar date.
func Date(col, label string) Field { return Field{Column: col, Label: label, Kind: KindDate} }

// DateTime describes an instant.
func DateTime(col, label string) Field { return Field{Column: col, Label: label, Kind: KindDateTime} }

// Secret describes a value that is never shown.
func Secret(col, label string) Field { return Field{Column: col, Label: label, Kind: KindSecret} }

// Enum describes a code column; the label of code c is prefix+c.
func Enum(col, label, prefix string, values ...string) Field {
	return Field{Column: col, Label: label, Kind: KindEnum, Prefix: prefix, Values: values}
}

// EnumList describes a comma-separated list of codes.
func EnumList(col, label, prefix string, values ...string) Field {
	return Field{Column: col, Label: label, Kind: KindEnumList, Prefix: prefix, Values: values}
}

// WordedText describes a short text column whose usual values have
// translations (words: value → message id).
func WordedText(col, label string, words map[string]string) Field {
	return Field{Column: col, Label: label, Kind: KindText, Words: words}
}

// Ref describes the id of a record of another entity type.
func Ref(col, label, entity string) Field {
	return Field{Column: col, Label: label, Kind: KindRef, Ref: entity}
}

// Hidden describes a bookkeeping column users do not read.
func Hidden(col string) Field { return Field{Column: col, Hidden: true} }

// Entity describes one entity type of the trail.
type Entity struct {
	// Name is the entity type as recorded ("customer").
	Name string
	// Label is the message id of the type's name ("客户").
	Label string
	// Model, if set, is the struct Diff records for this type: every
	// column Diff would record must be described, so a new column cannot
	// slip into the history unlabelled.
	Model any
	// Fields in the order the history lists them.
	Fields []Field
	// Actions are the actions recorded besides create, update and
	// delete; each has the label "audit.action.<action>".
	Actions []string
}

// field returns the description of a column.
func (e *Entity) field(col string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Column == col {
			return f, true
		}
	}
	return Field{}, false
}

// check reports what is wrong with a description: a column the model
// records but the description lacks, a field without label, an enum
// without values, a reference without a type.
func (e *Entity) check() error {
	var bad []string
	seen := map[string]bool{}
	for _, f := range e.Fields {
		switch {
		case f.Column == "":
			bad = append(bad, "a field without column")
		case seen[f.Column]:
			bad = append(bad, f.Column+" described twice")
		case !f.Hidden && f.Label == "":
			bad = append(bad, f.Column+" has no label")
		case (f.Kind == KindEnum || f.Kind == KindEnumList) && (f.Prefix == "" || len(f.Values) == 0):
			bad = append(bad, f.Column+" is an enum without prefix or values")
		case f.Kind == KindRef && f.Ref == "":
			bad = append(bad, f.Column+" refers to no entity type")
		}
		seen[f.Column] = true
	}
	if e.Model != nil {
		for _, c := range Columns(e.Model) {
			if !seen[c] {
				bad = append(bad, c+" is recorded but not described")
			}
		}
	}
	if e.Name == "" || e.Label == "" {
		bad = append(bad, "entity without name or label")
	}
	if len(bad) > 0 {
		return fmt.Errorf("audit: describe %s: %s", e.Name, strings.Join(bad, "; "))
	}
	return nil
}

// Columns lists the columns Diff records for a struct (or pointer to
// one), in field order.
func Columns(model any) []string {
	t := reflect.TypeOf(model)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("audit") == "-" || skipByDefault(f.Name) {
			continue
		}
		if c := column(f); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
