package main

import (
	"bytes"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
	"github.com/jike-crm/jike/modules/platform/testkit"
	"github.com/jike-crm/jike/modules/reports"
	"github.com/xuri/excelize/v2"
)

var (
	reTableSection = regexp.MustCompile(`(?s)<section class="card" id="table-\d+">(.*?)</section>`)
	reBodyRows     = regexp.MustCompile(`(?s)<t(?:body|foot)>(.*?)</t(?:body|foot)>`)
	reRow          = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	reCell         = regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	reTag          = regexp.MustCompile(`<[^>]+>`)
)

// pageTables reads the report tables of a page as rows of cell texts.
func pageTables(body string) [][][]string {
	var out [][][]string
	for _, sec := range reTableSection.FindAllStringSubmatch(body, -1) {
		var tb [][]string
		for _, part := range reBodyRows.FindAllStringSubmatch(sec[1], -1) {
			for _, row := range reRow.FindAllStringSubmatch(part[1], -1) {
				var cells []string
				for _, c := range reCell.FindAllStringSubmatch(row[1], -1) {
					cells = append(cells, strings.TrimSpace(html.UnescapeString(reTag.ReplaceAllString(c[1], ""))))
				}
				if len(cells) == 1 && cells[0] == "当前筛选下没有数据。" {
					continue
				}
				tb = append(tb, cells)
			}
		}
		out = append(out, tb)
	}
	return out
}

// norm makes a page cell and a sheet cell comparable: the page shows
// "—" for no value and "%" after a percentage, the sheet a blank and the
// number.
func norm(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	if s == "—" {
		return ""
	}
	return s
}

// TestReportExportsMatchPages downloads every report as xlsx and CSV as
// the director and reads them back: each sheet holds the filters above
// the table and then exactly the page's rows; money cells are numbers in
// yuan with two decimals; the CSV starts with the UTF-8 BOM.
func TestReportExportsMatchPages(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newReportWorld(t, d)
		c := loggedIn(t, w.a, "wangjianguo")
		q := "period=month&at=2026-03"
		for _, key := range reports.Keys {
			page := c.Get("/reports/" + key + "?" + q)
			if page.Status != 200 {
				t.Fatalf("%s: %d", key, page.Status)
			}
			if !strings.Contains(page.Body, `class="report-chart" data-chart=`) {
				t.Errorf("%s: no chart", key)
			}
			tables := pageTables(page.Body)
			if len(tables) == 0 {
				t.Fatalf("%s: no tables on the page", key)
			}
			x := c.Get("/reports/" + key + "/export.xlsx?" + q)
			if x.Status != 200 || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("%s xlsx: %d %s", key, x.Status, x.Header.Get("Content-Type"))
			}
			f, err := excelize.OpenReader(strings.NewReader(x.Body))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if len(sheets) != len(tables) {
				t.Fatalf("%s: %d sheets for %d tables", key, len(sheets), len(tables))
			}
			for i, sh := range sheets {
				all, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				// title, 7 filter lines, a blank line, the header, then rows.
				if len(all) < 10 || all[2][0] != "分公司" || all[7][0] != "期间" || !strings.Contains(all[7][1], "2026-03-01 – 2026-03-31") {
					t.Fatalf("%s/%s: filters not above the table: %q", key, sh, all[:min(len(all), 10)])
				}
				got := all[10:]
				want := tables[i]
				if len(got) != len(want) {
					t.Fatalf("%s/%s: %d rows in the sheet, %d on the page\n%q\n%q", key, sh, len(got), len(want), got, want)
				}
				for r := range want {
					for col := range want[r] {
						var g string
						if col < len(got[r]) {
							g = got[r][col]
						}
						if norm(g) != norm(want[r][col]) {
							t.Errorf("%s/%s row %d col %d: sheet %q, page %q", key, sh, r, col, g, want[r][col])
						}
					}
				}
			}
			f.Close()
			csv := c.Get("/reports/" + key + "/export.csv?" + q)
			if csv.Status != 200 || !bytes.HasPrefix([]byte(csv.Body), []byte("\xEF\xBB\xBF")) {
				t.Errorf("%s csv: %d, starts %q", key, csv.Status, csv.Body[:min(len(csv.Body), 8)])
			}
			if !strings.Contains(csv.Body, "分公司,") {
				t.Errorf("%s csv: no filters", key)
			}
		}
		// Money is a number in the sheet, in yuan with two decimals.
		x := c.Get("/reports/funnel/export.xlsx?" + q)
		f, _ := excelize.OpenReader(strings.NewReader(x.Body))
		sh := f.GetSheetList()[0]
		v, _ := f.GetCellValue(sh, "C11", excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType(sh, "C11")
		if v != "7000" || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("identified monthly value: raw %q, type %v; want the number 7000", v, typ)
		}
		f.Close()
	})
}

// TestReportBadFilter: a bad filter is a localized 422 on the page and on
// the downloads, in both languages.
func TestReportBadFilter(t *testing.T) {
	t.Parallel()
	d := testkit.SQLite(t)
	w := newReportWorld(t, d)
	c := loggedIn(t, w.a, "wangjianguo")
	for _, u := range []string{"/reports/funnel?period=month&at=2026-13", "/reports/coverage?period=quarter&at=2026-Q5",
		"/reports/velocity?period=custom&from=2026-03-10&to=2026-03-01", "/reports/forecast?grade=Z", "/reports/activity?period=week"} {
		r := c.Get(u)
		if r.Status != 422 || !strings.Contains(r.Body, `id="filter-errors"`) {
			t.Errorf("%s: %d", u, r.Status)
		}
		if x := c.Get(strings.Replace(u, "?", "/export.xlsx?", 1)); x.Status != 422 {
			t.Errorf("%s export: %d", u, x.Status)
		}
	}
	if r := c.Get("/reports/funnel?period=month&at=2026-13"); !strings.Contains(r.Body, "月份格式应为 2026-03。") {
		t.Errorf("no Chinese message")
	}
	c.PostForm("/lang", url.Values{"lang": {"en"}})
	if r := c.Get("/reports/funnel?period=month&at=2026-13"); !strings.Contains(r.Body, "Write the month as 2026-03.") {
		t.Errorf("no English message")
	}
}

// TestReportPack: the monthly management pack is a PDF with the funnel,
// forecast, attainment and coverage of the director's branch only, and
// the filters on its first page.
func TestReportPack(t *testing.T) {
	t.Parallel()
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	w := newReportWorld(t, testkit.SQLite(t))
	c := loggedIn(t, w.a, "wangjianguo")
	r := c.Get("/reports/pack.pdf?period=month&at=2026-03")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("pack: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	path := pdftest.Write(t, []byte(r.Body))
	n := pdftest.Pages(t, path)
	var all strings.Builder
	for p := 1; p <= n; p++ {
		all.WriteString(pdftest.PageText(t, path, p))
	}
	text := pdftest.NoSpace(all.String())
	for _, want := range []string{"月度经营分析·2026-03", "分公司", "商机漏斗", "加权预测", "目标达成", "走访覆盖", "21,000.00", "客户c3", "客户c5", "张静", "0/1(0.0%)"} {
		if !strings.Contains(text, want) {
			t.Errorf("pack lacks %q", want)
		}
	}
	for _, leak := range []string{"客户c6", "客户c7", "高远"} {
		if strings.Contains(text, leak) {
			t.Errorf("the HRB director's pack shows %q of DQ", leak)
		}
	}
	if n < 4 {
		t.Errorf("%d pages, want one per report at least", n)
	}
}

// TestReportLinksKeepTheFilter: the export, pack and tab links of a
// report page carry the filter as a query string (not escaped into one
// parameter).
func TestReportLinksKeepTheFilter(t *testing.T) {
	t.Parallel()
	w := newReportWorld(t, testkit.SQLite(t))
	c := loggedIn(t, w.a, "wangjianguo")
	team := itoa(w.team["sunli"])
	r := c.Get("/reports/funnel?period=month&at=2026-03&team=" + team)
	q := "at=2026-03&amp;period=month&amp;team=" + team
	for _, want := range []string{`href="/reports/funnel/export.xlsx?` + q + `"`, `href="/reports/funnel/export.csv?` + q + `"`,
		`href="/reports/pack.pdf?` + q + `"`, `href="/reports/coverage?` + q + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
