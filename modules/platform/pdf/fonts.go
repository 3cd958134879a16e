package pdf

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/jung-kurt/gofpdf"
)

// The default font is face 0 of Debian's fonts-wqy-microhei .ttc, split into
// a .ttf by internal/ttcsplit (gofpdf cannot read collections). It is
// embedded so that export works on a bare machine; see
// fonts/LICENSE-wqy-microhei.txt (Apache-2.0).
//
//go:generate go run ./internal/ttcsplit -in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc -out fonts/wqy-microhei.ttf
//go:embed fonts/wqy-microhei.ttf
var wqyMicroHei []byte

// Fonts holds the font bytes that every Doc embeds (as a subset). Create one
// per process with DefaultFonts or NewFonts and share it: a Fonts is safe
// for concurrent use by many Docs.
type Fonts struct {
	regular []byte
	// copies holds private copies of regular (*[]byte) for gofpdf. gofpdf
	// writes into the bytes it is given: while subsetting it pads tables
	// to 4 bytes with append, which lands in the padding of the shared
	// buffer (a data race, and a change if the padding isn't zero). Each
	// Doc therefore borrows a copy and returns it when finished; at steady
	// state no copy is made.
	copies sync.Pool
}

// DefaultFonts returns the embedded WenQuanYi Micro Hei (Latin, CJK and ¥).
// It does not copy the font bytes; call it once and share the result.
func DefaultFonts() *Fonts {
	return &Fonts{regular: wqyMicroHei}
}

// borrow returns a private copy of the regular font for one Doc.
func (f *Fonts) borrow() *[]byte {
	if b, ok := f.copies.Get().(*[]byte); ok {
		return b
	}
	b := bytes.Clone(f.regular)
	return &b
}

// giveBack returns a copy once its Doc can no longer touch it. The only
// bytes gofpdf writes are table padding, set to zero every time, so a
// used copy is as good as a fresh one.
func (f *Fonts) giveBack(b *[]byte) {
	f.copies.Put(b)
}

// NewFonts returns Fonts for a configured corporate font. regularTTF must be
// a single-face TrueType font with glyf outlines (.ttf): gofpdf refuses
// collections (.ttc; split them with internal/ttcsplit) and CFF-flavoured
// OpenType (.otf). The font is test-loaded once here, so a bad font fails at
// start-up rather than at the first export. The bytes are copied.
func NewFonts(regularTTF []byte) (*Fonts, error) {
	if err := checkTTF(regularTTF); err != nil {
		return nil, err
	}
	f := &Fonts{regular: bytes.Clone(regularTTF)}
	if err := f.probe(); err != nil {
		return nil, err
	}
	return f, nil
}

// probe loads the font into a throwaway gofpdf document and measures a
// string, which makes gofpdf parse all the tables it needs. Parsing does not
// write to the bytes; only subsetting at output does.
func (f *Fonts) probe() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdf: font rejected by gofpdf: %v", r)
		}
	}()
	p := gofpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(fontFamily, "", f.regular)
	p.SetFont(fontFamily, "", 10)
	if p.GetStringWidth("Jike 客户 ¥1") <= 0 && p.Error() == nil {
		return errors.New("pdf: font has no usable glyph widths")
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: font rejected by gofpdf: %w", err)
	}
	return nil
}

// checkTTF does the cheap structural checks that give a clear message for
// the usual mistakes (a .ttc, an .otf) before gofpdf sees the bytes: gofpdf
// prints parse errors to stdout instead of returning them.
func checkTTF(b []byte) error {
	if len(b) < 12 {
		return errors.New("pdf: font file too short")
	}
	switch string(b[:4]) {
	case "ttcf":
		return errors.New("pdf: font is a TrueType collection (.ttc); extract one face with modules/platform/pdf/internal/ttcsplit")
	case "OTTO":
		return errors.New("pdf: font has CFF outlines (.otf); gofpdf needs a TrueType (glyf) font")
	case "\x00\x01\x00\x00", "true":
	default:
		return errors.New("pdf: not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 12+16*n {
		return errors.New("pdf: font table directory truncated")
	}
	have := map[string]bool{}
	for i := 0; i < n; i++ {
		have[string(b[12+16*i:16+16*i])] = true
	}
	for _, tag := range []string{"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp"} {
		if !have[tag] {
			return fmt.Errorf("pdf: font lacks the %q table gofpdf needs", tag)
		}
	}
	return nil
}
