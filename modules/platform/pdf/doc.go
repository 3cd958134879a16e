// Package pdf writes the PDF documents of Jike CRM (pre-visit brief,
// proposal, …). It wraps github.com/jung-kurt/gofpdf so that no other
// package imports gofpdf, and it exists because three things about gofpdf
// must be got right once, in one place:
//
//   - Line breaking. gofpdf's MultiCell and SplitText treat every CJK
//     character as a break opportunity and drop it like a space, so one
//     hanzi vanishes at every automatic line break. WrapLines replaces them:
//     it measures with gofpdf's own widths, breaks between CJK characters or
//     at Latin spaces, keeps closing punctuation off the start of a line
//     (避头) and opening punctuation off the end (避尾), honours "\n" and
//     never loses a character. Lines are then drawn one by one with
//     CellFormat. Tests check with pdftotext that every character comes
//     back.
//
//   - Fonts. gofpdf reads only single-face TrueType fonts with glyf
//     outlines: no .ttc collections, no CFF .otf. The default font, WenQuanYi
//     Micro Hei (Apache-2.0; Latin, CJK and ¥), ships in Debian only as a
//     .ttc, so internal/ttcsplit extracted its first face into
//     fonts/wqy-microhei.ttf, which is embedded in the binary with go:embed:
//     export works on any machine, fonts installed or not. A corporate font
//     can be configured with NewFonts. Create a Fonts once per process and
//     share it; each Doc embeds only the subset of glyphs it uses, named
//     "ABCDEF+JikeSans" as the PDF specification asks for subsets.
//     Characters the main font lacks (CJK Extension A, B … in a customer's
//     legal name: 𠀀, 𪚥) are drawn in a second embedded font, a subset of
//     Hanazono Mincho (fonts.go, internal/hanfallback), at 16-bit codes of
//     its own with a ToUnicode map that gives the real characters back to
//     text extraction; it is added to a document only when needed
//     ("ABCDEF+JikeHanEx"). What neither font has (emoji) prints as
//     Missing, □ — never as "�".
//
//   - Reproducible output. Catalogues are sorted and, when
//     Options.CreationDate is set, both dates are fixed, so the same input
//     gives byte-identical PDFs (golden tests, caching, ETags).
//
// A document is built top to bottom with Heading, Paragraph, KeyValue,
// Table, Spacer and PageBreak; pages break automatically, tables repeat
// their header row, and SetFooter prints e.g. "第 1 页 / 共 3 页". For
// formal documents extra.go adds styled Text (larger, simulated bold,
// centred, outline bookmarks), Bullets, Rule, Image and a header logo
// (Options.HeaderLogo, HeaderRight), KeyValueBox and SignatureBlock;
// Options.Watermark marks every page (草稿 · 未审批) and Options.OnPage is
// a per-page hook. Output
// or Bytes finishes the document and reports the first error met on the
// way.
//
// The package is a platform leaf: it imports no other Jike package.
package pdf
