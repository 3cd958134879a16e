package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

const (
	systemTTC = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
	shipped   = "../../fonts/wqy-microhei.ttf"
)

// TestShippedFontIsReproducible re-splits Debian's collection and expects
// the committed .ttf byte for byte, so the shipped file is known to come
// from this tool and that font.
func TestShippedFontIsReproducible(t *testing.T) {
	ttc, err := os.ReadFile(systemTTC)
	if err != nil {
		t.Fatalf("%v (install the Debian package fonts-wqy-microhei; .ci/deps.sh does)", err)
	}
	got, err := split(ttc, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("split gives %d bytes that differ from the shipped %d-byte %s", len(got), len(want), shipped)
	}
}

// TestShippedFontChecksums checks the sfnt structure of the shipped font:
// a TrueType (not collection) header, in-range tables with correct
// checksums, and the whole-file checksum that head.checkSumAdjustment
// establishes.
func TestShippedFontChecksums(t *testing.T) {
	b, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	if v := be.Uint32(b); v != 0x00010000 {
		t.Fatalf("sfnt version %#x", v)
	}
	n := int(be.Uint16(b[4:]))
	tags := map[string]bool{}
	for i := 0; i < n; i++ {
		rec := b[12+16*i:]
		tag, sum, off, length := string(rec[:4]), be.Uint32(rec[4:]), be.Uint32(rec[8:]), be.Uint32(rec[12:])
		tags[tag] = true
		if off%4 != 0 || int(off)+pad4(int(length)) > len(b) {
			t.Fatalf("table %s at %d+%d out of range or unaligned", tag, off, length)
		}
		data := append([]byte(nil), b[off:int(off)+pad4(int(length))]...)
		if tag == "head" {
			be.PutUint32(data[8:], 0)
		}
		if c := checksum(data); c != sum {
			t.Errorf("table %s checksum %#x, directory says %#x", tag, c, sum)
		}
	}
	for _, tag := range []string{"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"} {
		if !tags[tag] {
			t.Errorf("table %s missing", tag)
		}
	}
	if c := checksum(b); c != 0xB1B0AFBA {
		t.Errorf("file checksum %#x, want 0xB1B0AFBA", c)
	}
}

func TestSplitRejects(t *testing.T) {
	if _, err := split([]byte("\x00\x01\x00\x00 not a collection"), 0); err == nil {
		t.Error("plain sfnt accepted as a collection")
	}
	one := []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10")
	if _, err := split(one, 1); err == nil {
		t.Error("face 1 of a one-face collection accepted")
	}
	if _, err := split(one, 0); err == nil {
		t.Error("truncated offset table accepted")
	}
}
