// Command ttcsplit extracts one face of a TrueType Collection (.ttc) into a
// standalone .ttf, because gofpdf reads only single-face glyf-outline fonts.
//
// It copies the tables that the chosen face's offset table references into
// a new sfnt, 4-byte aligned, with recomputed offsets, table checksums and
// head.checkSumAdjustment. Tables shared between faces (glyf, loca, …) are
// simply copied; nothing is re-encoded, so the glyphs are byte-identical.
//
// It was run once to produce ../../fonts/wqy-microhei.ttf:
//
//	go run ./modules/platform/pdf/internal/ttcsplit \
//	    -in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
//	    -out modules/platform/pdf/fonts/wqy-microhei.ttf
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	in := flag.String("in", "", "input .ttc file")
	out := flag.String("out", "", "output .ttf file")
	face := flag.Int("face", 0, "index of the face to extract")
	flag.Parse()
	if err := run(*in, *out, *face); err != nil {
		fmt.Fprintln(os.Stderr, "ttcsplit:", err)
		os.Exit(1)
	}
}

func run(in, out string, face int) error {
	if in == "" || out == "" {
		return errors.New("usage: ttcsplit -in font.ttc -out font.ttf [-face N]")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	ttf, err := split(data, face)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, ttf, 0o644)
}

// table is one entry of an sfnt table directory.
type table struct {
	tag            string
	offset, length uint32
}

// split returns face number face of the collection data as a standalone
// sfnt (TrueType) file.
func split(data []byte, face int) ([]byte, error) {
	be := binary.BigEndian
	if len(data) < 12 || string(data[:4]) != "ttcf" {
		return nil, errors.New("not a TrueType collection (no 'ttcf' tag)")
	}
	numFonts := int(be.Uint32(data[8:]))
	if face < 0 || face >= numFonts || len(data) < 12+4*numFonts {
		return nil, fmt.Errorf("face %d out of range (collection has %d)", face, numFonts)
	}
	dir := int(be.Uint32(data[12+4*face:]))
	if dir+12 > len(data) {
		return nil, errors.New("offset table out of range")
	}
	sfntVersion := be.Uint32(data[dir:])
	if sfntVersion == 0x4F54544F { // "OTTO": CFF outlines, gofpdf can't use them
		return nil, errors.New("face has CFF outlines (OTTO); need glyf outlines")
	}
	numTables := int(be.Uint16(data[dir+4:]))
	if dir+12+16*numTables > len(data) {
		return nil, errors.New("table directory out of range")
	}
	tables := make([]table, numTables)
	for i := range tables {
		rec := data[dir+12+16*i:]
		t := table{tag: string(rec[:4]), offset: be.Uint32(rec[8:]), length: be.Uint32(rec[12:])}
		if uint64(t.offset)+uint64(t.length) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q out of range", t.tag)
		}
		tables[i] = t
	}
	// The directory must be sorted by tag; keep it so even if the source wasn't.
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })

	head := 12 + 16*numTables
	size := head
	for _, t := range tables {
		size += pad4(int(t.length))
	}
	out := make([]byte, size)
	// Offset table: same version, table count and binary-search fields.
	copy(out[:12], data[dir:dir+12])

	pos := head
	headAt := -1
	for i, t := range tables {
		copy(out[pos:], data[t.offset:t.offset+t.length])
		if t.tag == "head" {
			if t.length < 12 {
				return nil, errors.New("head table too short")
			}
			headAt = pos
			be.PutUint32(out[pos+8:], 0) // checkSumAdjustment is computed last
		}
		rec := out[12+16*i:]
		copy(rec[:4], t.tag)
		be.PutUint32(rec[4:], checksum(out[pos:pos+pad4(int(t.length))]))
		be.PutUint32(rec[8:], uint32(pos))
		be.PutUint32(rec[12:], t.length)
		pos += pad4(int(t.length))
	}
	if headAt < 0 {
		return nil, errors.New("no head table")
	}
	be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out, nil
}

// checksum is the sfnt table checksum: the sum of big-endian uint32 words.
// b must have a length that is a multiple of 4 (tables are zero-padded).
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i+4 <= len(b); i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	return sum
}

func pad4(n int) int { return (n + 3) &^ 3 }
