package pdf

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/pdf/pdftest"
)

// testPNG is a w × h PNG with an alpha channel (gofpdf embeds it with a
// soft mask).
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: uint8(200 * x / w), G: 80, B: 160, A: uint8(255 - 100*y/h)})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{R: 20, G: uint8(6 * x), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// extraDoc uses every building block of extra.go over several pages.
func extraDoc(t testing.TB, logo []byte) (*Doc, []string) {
	d := New(fonts, Options{Title: "建议书", CreationDate: fixedDate, Header: "中国移动通信集团上海有限公司",
		HeaderRight: "FA2026-000123 · 第 2 版", HeaderLogo: logo})
	d.SetFooter(PageNumberFooter("zh-CN"))
	d.Image(testJPEG(t), 0, 15, "C")
	d.Text("上海星辰科技有限公司 5G 专网与云网融合整体解决方案（Solution Proposal）", TextStyle{Size: 22, Bold: true, Align: "C", Leading: 1.3, SpaceAfter: 4})
	d.Rule(1.2, RGB{0, 70, 140})
	d.Text("一、项目背景", TextStyle{Size: 14, Bold: true, SpaceBefore: 4, KeepWithNext: 10, Bookmark: 1})
	items := []string{
		"专线带宽从 100M 升级到 1000M，要求 99.99% 可用性（SLA），故障 4 小时内恢复。",
		strings.Repeat("客户要求在 2026 年第二季度前完成 SD-WAN 组网与 Supercalifragilisticexpialidocious 接口联调；", 6),
		"第二行\n换行后保持缩进",
	}
	for range 12 {
		d.Bullets(items)
	}
	d.KeyValueBox([]BoxRow{
		{Label: "月费合计", Value: "¥42,500.00"},
		{Label: "合同总价（人民币大写）", Value: "人民币壹佰伍拾肆万柒仟元整", Strong: true},
	})
	d.SignatureBlock([]SignatureColumn{
		{Title: "甲方（客户）", Party: "上海星辰科技有限公司", Fields: []SignatureField{{Label: "签字："}, {Label: "盖章：", Height: 28}, {Label: "日期：", Hint: "年　　月　　日"}}},
		{Title: "乙方（运营商）", Party: "中国移动通信集团上海有限公司", Fields: []SignatureField{{Label: "签字："}, {Label: "盖章：", Height: 28}, {Label: "日期：", Hint: "年　　月　　日"}}},
	})
	return d, items
}

func TestExtraBlocks(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo", "qpdf", "pdfimages")
	d, items := extraDoc(t, testPNG(t, 120, 40))
	path := writePDF(t, d)
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	pages := pdftest.Pages(t, path)
	if pages < 2 || d.PageCount() != pages {
		t.Fatalf("pdfinfo says %d pages, PageCount %d; want the same, at least 2", pages, d.PageCount())
	}

	var all strings.Builder
	for p := 1; p <= pages; p++ {
		text := pdftest.PageText(t, path, p)
		s := pdftest.NoSpace(text)
		for _, want := range []string{"中国移动通信集团上海有限公司", "FA2026-000123·第2版"} {
			if !strings.Contains(s, want) {
				t.Errorf("page %d: header %q missing", p, want)
			}
		}
		s = strings.ReplaceAll(s, "中国移动通信集团上海有限公司FA2026-000123·第2版", "")
		all.WriteString(regexp.MustCompile(`第\d+页/共\d+页`).ReplaceAllString(s, ""))
	}
	got := all.String()
	bullets := pdftest.NoSpace("•" + strings.Join(items, "•"))
	if n := strings.Count(got, bullets); n != 12 {
		t.Errorf("bullet list found %d times intact; want 12", n)
	}
	for _, want := range []string{
		"上海星辰科技有限公司5G专网与云网融合整体解决方案（SolutionProposal）",
		"合同总价（人民币大写）人民币壹佰伍拾肆万柒仟元整",
		"甲方（客户）", "乙方（运营商）", "签字：", "盖章：", "日期：", "年月日",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not in the extracted text", want)
		}
	}

	// The header logo (PNG with alpha: image + smask) on every page and the
	// JPEG once.
	list := pdftest.Run(t, "pdfimages", "-list", path)
	logoObjs := map[string]bool{}
	images, jpegs := 0, 0
	for _, l := range strings.Split(list, "\n") {
		// page num type width height color comp bpc enc interp object ID …
		f := strings.Fields(l)
		if len(f) < 12 || f[2] != "image" {
			continue
		}
		images++
		if f[8] == "jpeg" {
			jpegs++
		} else {
			logoObjs[f[10]] = true
		}
	}
	if images != pages+1 || jpegs != 1 || len(logoObjs) != 1 || !strings.Contains(list, " smask ") {
		t.Errorf("want the logo (one object, with a soft mask) on each of %d pages and one JPEG; pdfimages says\n%s", pages, list)
	}

	// The bookmark is in the outline, in Chinese.
	var js struct {
		Outlines []struct {
			Title string `json:"title"`
		} `json:"outlines"`
	}
	if err := json.Unmarshal([]byte(pdftest.Run(t, "qpdf", "--json", "--json-key=outlines", path)), &js); err != nil {
		t.Fatal(err)
	}
	if len(js.Outlines) != 1 || js.Outlines[0].Title != "一、项目背景" {
		t.Errorf("outline = %+v; want one entry 一、项目背景", js.Outlines)
	}
}

func TestSignatureBlockKeptTogether(t *testing.T) {
	pdftest.NeedTools(t, "pdftotext", "pdfinfo")
	d := New(fonts, Options{CreationDate: fixedDate})
	d.Spacer(240) // near the foot of the first page
	d.SignatureBlock([]SignatureColumn{
		{Title: "甲方（客户）", Fields: []SignatureField{{Label: "签字："}, {Label: "盖章：", Height: 28}}},
		{Title: "乙方（运营商）", Fields: []SignatureField{{Label: "签字："}, {Label: "盖章：", Height: 28}}},
	})
	path := writePDF(t, d)
	if n := pdftest.Pages(t, path); n != 2 {
		t.Fatalf("%d pages; want the block moved whole to page 2", n)
	}
	if s := pdftest.NoSpace(pdftest.PageText(t, path, 1)); s != "" {
		t.Errorf("page 1 should be empty, has %q", s)
	}
	if s := pdftest.NoSpace(pdftest.PageText(t, path, 2)); !strings.Contains(s, "甲方（客户）乙方（运营商）") && !strings.Contains(s, "甲方（客户）") {
		t.Errorf("page 2: %q", s)
	}
}

func TestTextKeepWithNextAndMeasure(t *testing.T) {
	d := New(fonts, Options{CreationDate: fixedDate})
	st := TextStyle{Size: 14, Bold: true, SpaceBefore: 3, SpaceAfter: 2}
	if h, want := d.MeasureText("标题", st), 3+mm(14)*1.5+2; h < want-1e-9 || h > want+1e-9 {
		t.Errorf("MeasureText = %.3f; want %.3f", h, want)
	}
	d.SetY(d.bottom() - 15)
	st.KeepWithNext = 20
	d.Text("标题", st)
	if d.PageCount() != 2 {
		t.Errorf("heading with KeepWithNext left at the foot of page 1")
	}
	if w := d.TextWidth("中文", 10); w <= 0 || w > d.TextWidth("中文中文", 10) {
		t.Errorf("TextWidth %.2f", w)
	}
	d.SetBodySize(9)
	if d.BodySize() != 9 {
		t.Error("SetBodySize")
	}
	d.SetBodySize(0)
	if d.BodySize() != bodyPt {
		t.Error("SetBodySize(0) should restore the default")
	}
	if _, err := d.Bytes(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckImage(t *testing.T) {
	if err := CheckImage(testPNG(t, 10, 10)); err != nil {
		t.Errorf("PNG: %v", err)
	}
	if err := CheckImage(testJPEG(t)); err != nil {
		t.Errorf("JPEG: %v", err)
	}
	for name, b := range map[string][]byte{
		"empty":     nil,
		"gif":       []byte("GIF89a\x01\x00\x01\x00"),
		"truncated": testPNG(t, 10, 10)[:30],
	} {
		if err := CheckImage(b); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	d := New(fonts, Options{HeaderLogo: []byte("not an image"), Header: "x"})
	d.Paragraph("正文")
	if _, err := d.Bytes(); err == nil || !strings.Contains(err.Error(), "image") {
		t.Errorf("bad header logo: err = %v", err)
	}
}

// TestExtraReproducible: the same input, logo included, gives the same
// bytes.
func TestExtraReproducible(t *testing.T) {
	logo := testPNG(t, 60, 20)
	render := func() []byte {
		d, _ := extraDoc(t, logo)
		b, err := d.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(render(), render()) {
		t.Fatal("two renders differ")
	}
}
