package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The fallback font draws each character at a 16-bit code of its own
// (fonts.go), and gofpdf gives every font the same identity ToUnicode map
// (code = character), so text extraction, search and copy would read the
// codes. setToUnicode replaces the fallback font's map by one that maps
// each code drawn to its character, UTF-16 (surrogate pairs beyond the
// BMP), and moves the cross-reference offsets after it.

// toUnicodeCMap is the ToUnicode CMap for used (code → character).
func toUnicodeCMap(used map[rune]rune) []byte {
	codes := make([]rune, 0, len(used))
	for c := range used {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n" +
		"/CMapName /Jike-HanFallback-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(codes) > 0 {
		n := min(len(codes), 100) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, c := range codes[:n] {
			fmt.Fprintf(&b, "<%04X> <", c)
			for _, u := range utf16.Encode([]rune{used[c]}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
		codes = codes[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return b.Bytes()
}

var (
	xrefHead  = regexp.MustCompile(`\nxref\n0 (\d+)\n`)
	startxref = regexp.MustCompile(`\nstartxref\n(\d+)\n%%EOF\s*$`)
)

// setToUnicode replaces the ToUnicode stream of the Type0 font whose
// BaseFont is name in gofpdf's output pdf (uncompressed, one classic
// cross-reference table) with cmap.
func setToUnicode(pdf []byte, name string, cmap []byte) ([]byte, error) {
	fail := func(what string) ([]byte, error) {
		return nil, fmt.Errorf("pdf: setting the fallback font's ToUnicode: %s", what)
	}
	i := bytes.Index(pdf, []byte("/BaseFont "+name+"\n/Encoding /Identity-H"))
	if i < 0 {
		return fail("font not found")
	}
	m := regexp.MustCompile(`/ToUnicode (\d+) 0 R`).FindSubmatch(pdf[i:min(len(pdf), i+300)])
	if m == nil {
		return fail("no ToUnicode reference")
	}
	obj := string(m[1])
	start := bytes.Index(pdf, []byte("\n"+obj+" 0 obj\n<</Length "))
	if start < 0 {
		return fail("ToUnicode object not found")
	}
	start++ // the object starts after the newline
	hdrEnd := bytes.Index(pdf[start:], []byte(">>\nstream\n"))
	if hdrEnd < 0 {
		return fail("ToUnicode stream not found")
	}
	length, err := strconv.Atoi(string(pdf[start+len(obj+" 0 obj\n<</Length ") : start+hdrEnd]))
	if err != nil {
		return fail("bad stream length")
	}
	end := start + hdrEnd + len(">>\nstream\n") + length
	if !bytes.HasPrefix(pdf[end:], []byte("\nendstream\nendobj\n")) {
		return fail("stream end not where its length says")
	}
	end += len("\nendstream\nendobj\n")
	repl := []byte(fmt.Sprintf("%s 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n", obj, len(cmap), cmap))
	delta := len(repl) - (end - start)

	x := xrefHead.FindSubmatchIndex(pdf)
	s := startxref.FindSubmatchIndex(pdf)
	if x == nil || s == nil || x[0] < end {
		return fail("cross-reference table not found after the stream")
	}
	count, _ := strconv.Atoi(string(pdf[x[2]:x[3]]))
	table := x[1]
	if table+20*count > len(pdf) {
		return fail("cross-reference table truncated")
	}
	var out bytes.Buffer
	out.Grow(len(pdf) + delta)
	out.Write(pdf[:start])
	out.Write(repl)
	out.Write(pdf[end:table])
	for k := 0; k < count; k++ {
		entry := string(pdf[table+20*k : table+20*k+20])
		if k > 0 && strings.HasSuffix(entry, " n \n") {
			off, err := strconv.Atoi(entry[:10])
			if err != nil {
				return fail("bad cross-reference entry")
			}
			if off > start {
				off += delta
			}
			entry = fmt.Sprintf("%010d%s", off, entry[10:])
		}
		out.WriteString(entry)
	}
	out.Write(pdf[table+20*count : s[2]])
	xref, _ := strconv.Atoi(string(pdf[s[2]:s[3]]))
	out.WriteString(strconv.Itoa(xref + delta))
	out.Write(pdf[s[3]:])
	if out.Len() != len(pdf)+delta+len(strconv.Itoa(xref+delta))-len(strconv.Itoa(xref)) {
		return nil, errors.New("pdf: setting the fallback font's ToUnicode: size mismatch")
	}
	return out.Bytes(), nil
}
