#!/usr/bin/python3
"""Builds the fallback font of platform/pdf: fonts/jike-han-fallback.ttf.gz
and fonts/jike-han-fallback.txt.

The main font (WenQuanYi Micro Hei) has the common CJK ideographs but none
of CJK Extension A, B and beyond: a customer's legal name with 𠀀 or 𪚥
printed as "�". gofpdf can only address a font's glyphs by 16-bit codes
(its CID is the code point) and reads only TrueType glyf fonts, so this
script takes the Han characters that

  - have a Mandarin reading in Unihan (kMandarin: characters used in
    Chinese, rare ones in names included, about 20,500), and
  - the main font lacks,

from Debian's fonts-hanazono (HanaMinA for the BMP, HanaMinB for the
Supplementary Ideographic Plane; SIL OFL 1.1), and writes one TrueType font
whose cmap maps code 0x0100 + i to the glyph of the i-th of those
characters in code point order. The .txt lists the characters in that
order: platform/pdf maps each character to its code with it, draws it in
this font, and writes a ToUnicode CMap so that text extraction gives the
real character back. The font is renamed (the OFL reserves the names
HanaMinA/HanaMinB for the unmodified fonts).

Needs the Debian packages fonts-hanazono, unicode-data and
python3-fonttools. Run from modules/platform/pdf:  go generate  (see
fonts.go). The output is reproducible: the same inputs give the same
bytes.
"""
import bz2
import gzip
import io
import sys

from fontTools import subset
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import cmap_format_4

HANA_A = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"
HANA_B = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
UNIHAN = "/usr/share/unicode/Unihan_Readings.txt.bz2"
MAIN = "fonts/wqy-microhei.ttf"
OUT = "fonts/jike-han-fallback.ttf.gz"
CHARS = "fonts/jike-han-fallback.txt"
BASE = 0x0100  # first code; stays below the surrogates (0xD800)
FAMILY = "Jike Han Fallback"
PS_NAME = "JikeHanFallback"


def han(c):
    return (0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF or 0xF900 <= c <= 0xFAFF
            or 0x20000 <= c <= 0x3FFFF)


def mandarin():
    out = set()
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as f:
        for line in f:
            if "\tkMandarin\t" in line:
                out.add(int(line.split("\t", 1)[0][2:], 16))
    return out


def subset_font(path, chars):
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = []
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.drop_tables += ["vhea", "vmtx", "BASE", "GDEF", "GSUB", "GPOS", "FFTM", "prop", "gasp"]
    font = TTFont(path)
    s = subset.Subsetter(opts)
    s.populate(unicodes=chars)
    s.subset(font)
    return font


def main():
    have = set(TTFont(MAIN, lazy=True).getBestCmap())
    mand = mandarin()
    cmap_a = TTFont(HANA_A, lazy=True).getBestCmap()
    cmap_b = TTFont(HANA_B, lazy=True).getBestCmap()
    bmp = sorted(c for c in cmap_a if c <= 0xFFFF and han(c) and c in mand and c not in have)
    sip = sorted(c for c in cmap_b if c > 0xFFFF and han(c) and c in mand and c not in have)
    chars = sorted(bmp + sip)
    if BASE + len(chars) >= 0xD800:
        sys.exit("too many characters for 16-bit codes below the surrogates")

    font = subset_font(HANA_B, sip)
    extra = subset_font(HANA_A, bmp)
    glyph_of = dict(font.getBestCmap())
    # Move HanaMinA's glyphs into the HanaMinB subset, under names of
    # their own (the subsets share no character, but may share names).
    order = font.getGlyphOrder()
    glyf, hmtx = font["glyf"], font["hmtx"]
    for c, name in sorted(extra.getBestCmap().items()):
        new = "a%04X" % c
        glyph = extra["glyf"][name]
        if glyph.isComposite():
            sys.exit("composite glyph %s: not supported" % name)
        glyf.glyphs[new] = glyph
        hmtx.metrics[new] = extra["hmtx"][name]
        order.append(new)
        glyph_of[c] = new
    font.setGlyphOrder(order)
    glyf.glyphOrder = order

    upm = font["head"].unitsPerEm
    for c in chars:
        if hmtx[glyph_of[c]][0] != upm:
            sys.exit("U+%04X is not one em wide: platform/pdf measures every fallback glyph as 1 em" % c)

    table = cmap_format_4(4)
    table.platformID, table.platEncID, table.language = 3, 1, 0
    table.cmap = {BASE + i: glyph_of[c] for i, c in enumerate(chars)}
    font["cmap"] = newTable("cmap")
    font["cmap"].tableVersion = 0
    font["cmap"].tables = [table]

    name = font["name"]
    keep = [r for r in name.names if r.nameID in (0, 13, 14)]
    name.names = keep
    for nid, value in ((1, FAMILY), (2, "Regular"), (3, PS_NAME + "-Regular"), (4, FAMILY), (5, "Version 1.0 (subset of Hanazono 20170904)"), (6, PS_NAME)):
        name.setName(value, nid, 3, 1, 0x409)
    font["post"].formatType = 3.0
    font["head"].created = font["head"].modified = 0
    font.recalcTimestamp = False  # keep modified = 0: the same inputs give the same bytes

    buf = io.BytesIO()
    font.save(buf)
    with open(OUT, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as z:
            z.write(buf.getvalue())
    with open(CHARS, "w", encoding="utf-8") as f:
        for i in range(0, len(chars), 64):
            f.write("".join(chr(c) for c in chars[i:i + 64]) + "\n")
    print("%d characters (%d BMP, %d SIP), %d bytes" % (len(chars), len(bmp), len(sip), len(buf.getvalue())))


if __name__ == "__main__":
    main()
