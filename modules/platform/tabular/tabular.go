// Package tabular reads uploaded spreadsheets — .csv in UTF-8 (with or
// without BOM), GB18030/GBK or UTF-16, and .xlsx — one row at a time, with
// every cell passed through textnorm.Clean. It is shared by every import
// (customers now; billing usage and targets later) so that each gets the
// same encodings and the same protection: a file's size, an .xlsx's
// inflated size (read from the zip directory before anything is
// decompressed), the rows, the columns and the text it may yield are all
// capped, content is sniffed (a binary file renamed .csv is refused), and a
// Gate bounds how many imports one instance runs at once.
package tabular

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/jike-crm/jike/modules/platform/textnorm"
)

// Kinds of Error. Callers map them to their own messages.
const (
	// KindUnsupported: neither .csv nor .xlsx (Detail: the extension).
	KindUnsupported = "unsupported"
	// KindTooLarge: the file is larger than MaxBytes.
	KindTooLarge = "too_large"
	// KindInflated: an .xlsx would inflate beyond MaxInflated, or one of
	// its parts beyond MaxPart, or it has too many parts.
	KindInflated = "inflated"
	// KindTooManyRows: more than MaxRows rows (Line: where it stopped).
	KindTooManyRows = "too_many_rows"
	// KindTooManyColumns: a row with more than MaxColumns cells.
	KindTooManyColumns = "too_many_columns"
	// KindCellTooLong: a cell longer than MaxCell bytes, or the cells
	// together longer than MaxText.
	KindCellTooLong = "cell_too_long"
	// KindNotText: a .csv whose content is binary (an image, a PDF, a zip).
	KindNotText = "not_text"
	// KindUnreadable: not a valid file of its type (Detail: why).
	KindUnreadable = "unreadable"
	// KindEmpty: a workbook without sheets.
	KindEmpty = "empty"
)

// Error is a problem with the file as a whole.
type Error struct {
	Kind string
	// Detail is text for the message: an extension, a limit, a reason.
	Detail string
	// Line is the row where reading stopped, when it matters.
	Line  int
	cause error
}

// Error describes the problem for logs.
func (e *Error) Error() string {
	s := "tabular: " + e.Kind
	if e.Line > 0 {
		s += fmt.Sprintf(" at row %d", e.Line)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap exposes the parser error behind KindUnreadable.
func (e *Error) Unwrap() error { return e.cause }

func unreadable(err error) *Error {
	return &Error{Kind: KindUnreadable, Detail: err.Error(), cause: err}
}

// Limits bound what one file may cost. Zero values take the defaults.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxInflated is the most an .xlsx may inflate to, all parts together,
	// as its zip directory declares (archive/zip refuses to inflate a part
	// beyond what the directory says).
	MaxInflated int64
	// MaxPart is the most any part other than worksheets, shared strings
	// and media may inflate to: styles, themes and the like are parsed
	// whole in memory.
	MaxPart int64
	// MaxRows is the most rows read, blank ones included.
	MaxRows int
	// MaxColumns is the most cells in a row, trailing empty ones not
	// counted.
	MaxColumns int
	// MaxCell is the most bytes in one cell.
	MaxCell int
	// MaxText is the most bytes all cells together may hold; with shared
	// strings a small workbook can repeat one long text in every cell.
	MaxText int64
}

// Defaults for Limits fields left zero.
const (
	DefaultMaxBytes    = 10 << 20
	DefaultMaxInflated = 64 << 20
	DefaultMaxPart     = 4 << 20
	DefaultMaxRows     = 50_000
	DefaultMaxColumns  = 256
	DefaultMaxCell     = 32 << 10
	DefaultMaxText     = 64 << 20
	// maxParts bounds the entries of a workbook's zip.
	maxParts = 2000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxInflated <= 0 {
		l.MaxInflated = DefaultMaxInflated
	}
	if l.MaxPart <= 0 {
		l.MaxPart = DefaultMaxPart
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxColumns <= 0 {
		l.MaxColumns = DefaultMaxColumns
	}
	if l.MaxCell <= 0 {
		l.MaxCell = DefaultMaxCell
	}
	if l.MaxText <= 0 {
		l.MaxText = DefaultMaxText
	}
	return l
}

// Formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// Reader yields a sheet's rows one at a time.
type Reader struct {
	format   string
	date1904 bool
	lim      Limits
	next     func() (int, []string, error)
	close    func() error
	rows     int
	text     int64
}

// Format is CSV or XLSX.
func (r *Reader) Format() string { return r.format }

// Date1904 reports whether an .xlsx counts dates from 1904 (Mac Excel),
// for callers converting date serial numbers.
func (r *Reader) Date1904() bool { return r.date1904 }

// Next returns the next row with its number as the spreadsheet shows it
// (the first row is 1), its cells cleaned by textnorm.Clean and trailing
// empty cells dropped. After the last row it returns io.EOF; a limit
// exceeded is an *Error.
func (r *Reader) Next() (int, []string, error) {
	line, cells, err := r.next()
	if err != nil {
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		var te *Error
		if errors.As(err, &te) {
			return 0, nil, err
		}
		return 0, nil, unreadable(err)
	}
	r.rows++
	if r.rows > r.lim.MaxRows {
		return 0, nil, &Error{Kind: KindTooManyRows, Detail: fmt.Sprint(r.lim.MaxRows), Line: line}
	}
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	cells = cells[:n]
	if n > r.lim.MaxColumns {
		return 0, nil, &Error{Kind: KindTooManyColumns, Detail: fmt.Sprint(r.lim.MaxColumns), Line: line}
	}
	for i, c := range cells {
		if len(c) > r.lim.MaxCell {
			return 0, nil, &Error{Kind: KindCellTooLong, Detail: fmt.Sprint(r.lim.MaxCell), Line: line}
		}
		r.text += int64(len(c))
		if r.text > r.lim.MaxText {
			return 0, nil, &Error{Kind: KindCellTooLong, Detail: fmt.Sprint(r.lim.MaxText), Line: line}
		}
		cells[i] = textnorm.Clean(c)
	}
	return line, cells, nil
}

// Close releases the reader (an .xlsx keeps temporary files).
func (r *Reader) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

// Open starts reading a file of size bytes. The format follows the
// extension of name (.csv or .xlsx, any case) and must match the content.
func Open(name string, src io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, &Error{Kind: KindUnsupported, Detail: ext}
	}
	if size > lim.MaxBytes {
		return nil, &Error{Kind: KindTooLarge, Detail: fmt.Sprint(lim.MaxBytes)}
	}
	if ext == ".csv" {
		return openCSV(src, size, lim)
	}
	return openXLSX(src, size, lim)
}

// ReadAll reads a whole upload of at most lim.MaxBytes from r and opens
// it; for callers that have a stream rather than a file.
func ReadAll(name string, r io.Reader, lim Limits) (*Reader, error) {
	lim = lim.withDefaults()
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, &Error{Kind: KindUnsupported, Detail: ext}
	}
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, unreadable(fmt.Errorf("read upload: %w", err))
	}
	return Open(name, bytes.NewReader(data), int64(len(data)), lim)
}
