package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxSpill is the part size above which excelize keeps a worksheet or the
// shared strings in a temporary file instead of memory.
const xlsxSpill = 1 << 20

// openXLSX checks the workbook's zip directory against the limits before
// anything is inflated, checks the first sheet's declared dimension, then
// opens it with excelize and iterates its rows with excelize's streaming
// Rows iterator. Built-in date formats come out as 1975-03-08 and Chinese
// ones as 1975年3月8日.
func openXLSX(src io.ReaderAt, size int64, lim Limits) (r *Reader, err error) {
	magic := make([]byte, 4)
	if _, err := src.ReadAt(magic, 0); err != nil || !bytes.Equal(magic, []byte("PK\x03\x04")) {
		return nil, unreadable(errors.New("not an .xlsx workbook (no zip signature)"))
	}
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return nil, unreadable(fmt.Errorf("open workbook: %w", err))
	}
	if err := checkParts(zr, lim); err != nil {
		return nil, err
	}
	if err := checkDimension(zr, lim); err != nil {
		return nil, err
	}
	// excelize is a large parser fed with untrusted bytes: a panic in it
	// is an unreadable file, not a crashed request.
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, unreadable(fmt.Errorf("workbook parser: %v", p))
		}
	}()
	f, err := excelize.OpenReader(io.NewSectionReader(src, 0, size), excelize.Options{
		UnzipSizeLimit:    lim.MaxInflated,
		UnzipXMLSizeLimit: min(xlsxSpill, lim.MaxInflated),
		CultureInfo:       excelize.CultureNameZhCN,
		ShortDatePattern:  "yyyy-mm-dd",
	})
	if err != nil {
		return nil, unreadable(fmt.Errorf("open workbook: %w", err))
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		_ = f.Close()
		return nil, &Error{Kind: KindEmpty}
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		_ = f.Close()
		return nil, unreadable(fmt.Errorf("workbook properties: %w", err))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		_ = f.Close()
		return nil, unreadable(fmt.Errorf("open sheet %q: %w", sheets[0], err))
	}
	line := 0
	next := func() (l int, cells []string, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = unreadable(fmt.Errorf("workbook parser: %v", p))
			}
		}()
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return 0, nil, err
			}
			return 0, nil, io.EOF
		}
		line++
		cells, err = rows.Columns()
		return line, cells, err
	}
	closeAll := func() error {
		return errors.Join(rows.Close(), f.Close())
	}
	return &Reader{format: XLSX, lim: lim, next: next, close: closeAll,
		date1904: props.Date1904 != nil && *props.Date1904}, nil
}

// checkParts refuses a workbook whose zip directory declares more than the
// limits: in all, or for a part that excelize parses whole in memory. The
// declared sizes bind: archive/zip stops inflating a part that grows past
// its declared size.
func checkParts(zr *zip.Reader, lim Limits) error {
	if len(zr.File) > maxParts {
		return &Error{Kind: KindInflated, Detail: fmt.Sprintf("%d parts", len(zr.File))}
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxInflated) {
			return &Error{Kind: KindInflated, Detail: fmt.Sprint(lim.MaxInflated)}
		}
		if zf.UncompressedSize64 > uint64(lim.MaxPart) && !streamedPart(zf.Name) {
			return &Error{Kind: KindInflated, Detail: fmt.Sprint(lim.MaxPart)}
		}
	}
	return nil
}

// streamedPart reports the parts that may be large: worksheets and shared
// strings (kept in temporary files and read as a stream) and media (never
// parsed).
func streamedPart(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return strings.HasPrefix(n, "xl/worksheets/") || n == "xl/sharedstrings.xml" || strings.HasPrefix(n, "xl/media/")
}

// checkDimension reads the <dimension ref="A1:U20001"/> the first sheet
// declares at its start and refuses it early when it exceeds the row or
// column limit. The declaration may be missing or wrong; the limits are
// enforced again while reading.
func checkDimension(zr *zip.Reader, lim Limits) error {
	sheet := firstSheetPart(zr)
	if sheet == nil {
		return nil
	}
	rc, err := sheet.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, 64<<10))
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "sheetData":
			return nil
		case "dimension":
			for _, a := range se.Attr {
				if a.Name.Local != "ref" {
					continue
				}
				last := a.Value[strings.LastIndexByte(a.Value, ':')+1:]
				col, row, err := excelize.CellNameToCoordinates(last)
				if err != nil {
					return nil
				}
				if row > lim.MaxRows {
					return &Error{Kind: KindTooManyRows, Detail: fmt.Sprint(lim.MaxRows)}
				}
				if col > lim.MaxColumns {
					return &Error{Kind: KindTooManyColumns, Detail: fmt.Sprint(lim.MaxColumns)}
				}
			}
			return nil
		}
	}
}

// firstSheetPart finds the zip entry of the workbook's first sheet through
// xl/workbook.xml and its relationships, or nil.
func firstSheetPart(zr *zip.Reader) *zip.File {
	byName := map[string]*zip.File{}
	for _, zf := range zr.File {
		byName[strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))] = zf
	}
	var wb struct {
		Sheets []struct {
			ID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !decodePart(byName["xl/workbook.xml"], &wb) || len(wb.Sheets) == 0 || !decodePart(byName["xl/_rels/workbook.xml.rels"], &rels) {
		return nil
	}
	for _, r := range rels.Rels {
		if r.ID != wb.Sheets[0].ID {
			continue
		}
		target := strings.ReplaceAll(r.Target, "\\", "/")
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join("xl", target)
		}
		return byName[strings.ToLower(target)]
	}
	return nil
}

// decodePart unmarshals a small part (bounded by checkParts).
func decodePart(zf *zip.File, v any) bool {
	if zf == nil {
		return false
	}
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v) == nil
}
