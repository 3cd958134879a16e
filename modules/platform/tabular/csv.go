package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// openCSV sniffs the content and encoding of CSV bytes and starts a
// streaming csv.Reader over the decoded text. Excel writes "CSV UTF-8"
// with a BOM, plain "CSV" on Chinese Windows in GBK, and "Unicode text"
// in UTF-16; GB18030 is a superset of GBK and GB2312.
func openCSV(src io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	head := make([]byte, min(size, 4096))
	if _, err := src.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, unreadable(fmt.Errorf("read csv: %w", err))
	}
	body := io.NewSectionReader(src, 0, size)
	var text io.Reader
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		text = io.NewSectionReader(src, 3, size-3)
	case bytes.HasPrefix(head, []byte("\xFF\xFE")), bytes.HasPrefix(head, []byte("\xFE\xFF")):
		text = transform.NewReader(body, xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder())
	default:
		if !looksLikeText(head) {
			return nil, &Error{Kind: KindNotText, Detail: http.DetectContentType(head)}
		}
		valid, err := validUTF8(body)
		if err != nil {
			return nil, unreadable(fmt.Errorf("read csv: %w", err))
		}
		if _, err := body.Seek(0, io.SeekStart); err != nil {
			return nil, unreadable(err)
		}
		text = body
		if !valid {
			text = transform.NewReader(body, simplifiedchinese.GB18030.NewDecoder())
		}
	}
	buf := bufio.NewReaderSize(text, 64<<10)
	// Tab-separated when the first line has more tabs than commas.
	first, _ := buf.Peek(64 << 10)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	cr := csv.NewReader(buf)
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	if bytes.Count(first, []byte("\t")) > bytes.Count(first, []byte(",")) {
		cr.Comma = '\t'
	}
	// encoding/csv skips blank lines and a quoted cell may span lines, so
	// the row number is the record's first physical line minus the line
	// breaks inside earlier cells.
	inCell := 0
	next := func() (int, []string, error) {
		rec, err := cr.Read()
		if err != nil {
			if err == io.EOF {
				return 0, nil, io.EOF
			}
			return 0, nil, unreadable(err)
		}
		line, _ := cr.FieldPos(0)
		line -= inCell
		for _, c := range rec {
			inCell += strings.Count(c, "\n")
		}
		return line, rec, nil
	}
	return &Reader{format: CSV, lim: lim, next: next}, nil
}

// looksLikeText refuses content that is plainly binary: what
// http.DetectContentType recognises as an image, archive, PDF, office
// file or executable, or a head where more than one byte in sixteen is a
// control character that never occurs in text. A stray NUL or ESC in a
// cell (a file our old export wrote) is text with a bad character, which
// Next removes; GBK and UTF-8 bytes above 0x7F are text.
func looksLikeText(head []byte) bool {
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/") {
		return true
	}
	if ct != "application/octet-stream" {
		return false
	}
	binary := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != 0x0C && b != 0x1B {
			binary++
		}
	}
	return binary*16 <= len(head)
}

// validUTF8 reports whether the whole stream is UTF-8, reading it in
// chunks (a rune may straddle two).
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		chunk := buf[:carry+n]
		// Keep an incomplete rune at the end for the next round.
		cut := len(chunk)
		for i := 1; i <= 3 && i <= len(chunk); i++ {
			b := chunk[len(chunk)-i]
			if b < 0x80 {
				break
			}
			if utf8.RuneStart(b) {
				if !utf8.FullRune(chunk[len(chunk)-i:]) {
					cut = len(chunk) - i
				}
				break
			}
		}
		if err == io.EOF {
			return utf8.Valid(chunk), nil
		}
		if err != nil {
			return false, err
		}
		if !utf8.Valid(chunk[:cut]) {
			return false, nil
		}
		carry = copy(buf, chunk[cut:])
	}
}
