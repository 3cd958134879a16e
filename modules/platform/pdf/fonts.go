package pdf

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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

// The fallback font draws the Han characters the main font lacks: CJK
// Extension A, B and beyond (a customer named 𠀀 or 𪚥). It is a subset of
// Debian's fonts-hanazono (SIL OFL 1.1, fonts/LICENSE-hanazono.txt) made
// by internal/hanfallback/build.py: the ~20,500 characters with a
// Mandarin reading that WenQuanYi Micro Hei lacks, each at a 16-bit code
// (gofpdf's limit) listed in fonts/jike-han-fallback.txt. Stored gzipped
// (6 MB) and unpacked on first use.
//
//go:generate /usr/bin/python3 internal/hanfallback/build.py
//go:embed fonts/jike-han-fallback.ttf.gz
var hanFallbackGz []byte

//go:embed fonts/jike-han-fallback.txt
var hanFallbackChars string

// fallbackBase is the code of the first character of hanFallbackChars.
const fallbackBase = 0x0100

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

	// has reports whether the regular font has a glyph for a rune (read
	// from its cmap once, on first use).
	hasOnce sync.Once
	has     map[rune]struct{}

	// The fallback font (see hanFallbackGz), unpacked on first use, and
	// the code of each of its characters; fbCopies as copies.
	fbOnce   sync.Once
	fbFont   []byte
	fbCode   map[rune]rune
	fbErr    error
	fbCopies sync.Pool
	// fbList is hanFallbackChars as runes (code - fallbackBase → char).
	fbList []rune
}

// covers reports whether the regular font draws r.
func (f *Fonts) covers(r rune) bool {
	f.hasOnce.Do(func() {
		has, err := cmapRunes(f.regular)
		if err != nil {
			has = map[rune]struct{}{} // checked in NewFonts; the default font parses
		}
		f.has = has
	})
	_, ok := f.has[r]
	return ok
}

// fallback unpacks the fallback font on first use.
func (f *Fonts) fallback() error {
	f.fbOnce.Do(func() {
		z, err := gzip.NewReader(bytes.NewReader(hanFallbackGz))
		if err == nil {
			f.fbFont, err = io.ReadAll(z)
		}
		if err != nil {
			f.fbErr = fmt.Errorf("pdf: unpacking the fallback font: %w", err)
			return
		}
		f.fbCode = make(map[rune]rune, 21000)
		code := rune(fallbackBase)
		for _, r := range hanFallbackChars {
			if r != '\n' {
				f.fbCode[r] = code
				f.fbList = append(f.fbList, r)
				code++
			}
		}
	})
	return f.fbErr
}

// fallbackCode is the code of r in the fallback font, if it has r.
func (f *Fonts) fallbackCode(r rune) (rune, bool) {
	if f.fallback() != nil {
		return 0, false
	}
	c, ok := f.fbCode[r]
	return c, ok
}

// fbChar is the character drawn at code in the fallback font.
func (f *Fonts) fbChar(code rune) rune {
	i := int(code - fallbackBase)
	if f.fallback() != nil || i < 0 || i >= len(f.fbList) {
		return Missing
	}
	return f.fbList[i]
}

// borrowFallback returns a private copy of the fallback font for one Doc
// (see copies).
func (f *Fonts) borrowFallback() *[]byte {
	if b, ok := f.fbCopies.Get().(*[]byte); ok {
		return b
	}
	b := bytes.Clone(f.fbFont)
	return &b
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
	if _, err := cmapRunes(regularTTF); err != nil {
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

// cmapRunes lists the characters a TrueType font maps to a glyph, from
// its Unicode cmap subtables (formats 4 and 12): the line breaker and the
// renderer send the others to the fallback font.
func cmapRunes(b []byte) (map[rune]struct{}, error) {
	if len(b) < 12 {
		return nil, errors.New("pdf: font file too short")
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	var cmap []byte
	for i := 0; i < n && 12+16*i+16 <= len(b); i++ {
		e := b[12+16*i:]
		if string(e[:4]) == "cmap" {
			off, length := int(binary.BigEndian.Uint32(e[8:])), int(binary.BigEndian.Uint32(e[12:]))
			if off < 0 || length < 4 || off+length > len(b) {
				return nil, errors.New("pdf: font cmap out of range")
			}
			cmap = b[off : off+length]
		}
	}
	if cmap == nil {
		return nil, errors.New(`pdf: font lacks the "cmap" table gofpdf needs`)
	}
	u16 := func(p []byte, i int) int { return int(binary.BigEndian.Uint16(p[i:])) }
	out := map[rune]struct{}{}
	for i := 0; i < u16(cmap, 2) && 4+8*i+8 <= len(cmap); i++ {
		platform, encoding := u16(cmap, 4+8*i), u16(cmap, 4+8*i+2)
		if platform != 0 && !(platform == 3 && (encoding == 1 || encoding == 10)) {
			continue
		}
		off := int(binary.BigEndian.Uint32(cmap[4+8*i+4:]))
		if off+4 > len(cmap) {
			continue
		}
		t := cmap[off:]
		switch u16(t, 0) {
		case 4:
			segs := u16(t, 6) / 2
			if 16+8*segs > len(t) {
				continue
			}
			for s := 0; s < segs; s++ {
				end, start := u16(t, 14+2*s), u16(t, 16+2*segs+2*s)
				delta, roff := u16(t, 16+4*segs+2*s), u16(t, 16+6*segs+2*s)
				for c := start; c <= end && c != 0xFFFF; c++ {
					gid := (c + delta) & 0xFFFF
					if roff != 0 {
						at := 16 + 6*segs + 2*s + roff + 2*(c-start)
						if at+2 > len(t) {
							break
						}
						if gid = u16(t, at); gid != 0 {
							gid = (gid + delta) & 0xFFFF
						}
					}
					if gid != 0 {
						out[rune(c)] = struct{}{}
					}
				}
			}
		case 12:
			if len(t) < 16 {
				continue
			}
			groups := int(binary.BigEndian.Uint32(t[12:]))
			for g := 0; g < groups && 16+12*g+12 <= len(t); g++ {
				start, end := binary.BigEndian.Uint32(t[16+12*g:]), binary.BigEndian.Uint32(t[20+12*g:])
				for c := start; c <= end && c <= 0x10FFFF; c++ {
					out[rune(c)] = struct{}{}
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("pdf: font has no Unicode cmap")
	}
	return out, nil
}
