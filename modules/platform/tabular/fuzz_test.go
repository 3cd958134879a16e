package tabular

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// fuzzLimits are small so that the fuzzer reaches them.
var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxRows: 50, MaxColumns: 20, MaxCell: 200, MaxText: 4000}

// checkFile reads data to the end and checks what the reader promises:
// no panic, only *Error failures, and rows within the limits whose cells
// are clean UTF-8 (no control character but newline and tab, nothing
// invisible, trimmed).
func checkFile(t *testing.T, name string, data []byte) {
	r, err := Open(name, bytes.NewReader(data), int64(len(data)), fuzzLimits)
	if err != nil {
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("open: %T %v", err, err)
		}
		return
	}
	defer r.Close()
	rows := 0
	for {
		_, cells, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("next: %T %v", err, err)
			}
			return
		}
		rows++
		if rows > fuzzLimits.MaxRows || len(cells) > fuzzLimits.MaxColumns {
			t.Fatalf("row %d with %d cells passed the limits", rows, len(cells))
		}
		for _, c := range cells {
			if !utf8.ValidString(c) || textnorm.Clean(c) != c {
				t.Fatalf("cell %q is not clean", c)
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{sample, "\uFEFF" + sample, "a\tb\n1\t2\n", "\"unterminated,\n", "\xff\xfe\x41\x00", "\x89PNG\r\n\x1a\n", "a,\x00,\u202E\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkFile(t, "f.csv", data) })
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(makeXLSX(f, [][]any{{"客户名称", "信用代码"}, {"哈尔滨银行", 12}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte(sample))
	f.Fuzz(func(t *testing.T, data []byte) { checkFile(t, "f.xlsx", data) })
}
