package web

import (
	"strings"
	"testing"
)

// The portal's layout around a signed-in page: every text it writes is
// escaped, the flash shows in its kind's colours, the top bar and the
// footer are there, and the page sits whole inside <main>.
func TestLayoutBase(t *testing.T) {
	b := exampleBundle(t)
	p := ExamplePage(b)
	p.Title, p.CSRF, p.AssetVer, p.Year = "客户 & <联系人>", `t"k`, "v<1>", 2031
	p.Flash, p.FlashKind = "已保存 <b>", ""
	var out strings.Builder
	if err := writeLayout(&out, layoutBase, &p, []byte("<p>page</p>")); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n",
		`<meta name="csrf-token" content="t&#34;k">`,
		"<title>客户 &amp; &lt;联系人&gt; · 集客 CRM</title>",
		`<script src="/static/vendor/htmx.min.js?v=v&lt;1&gt;" defer></script>`,
		`<link rel="stylesheet" href="/static/app.css?v=v&lt;1&gt;">`,
		"<header class=\"topbar\">\n  <a class=\"brand\" href=\"/\">集客 CRM</a>\n  \n  " + string(p.TopBar()) + "\n  \n</header>\n",
		"<main class=\"container\">\n<div class=\"alert alert-success\" role=\"status\">已保存 &lt;b&gt;</div>\n\n<p>page</p>\n</main>\n",
		"<footer class=\"footer muted\">© 2031 集客 CRM · " + b.T("zh-CN", "app.tagline") + "</footer>\n</body>\n</html>\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("layout lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<b>") || strings.Contains(got, `t"k`) {
		t.Errorf("unescaped text in the layout:\n%s", got)
	}
	for kind, class := range map[string]string{"error": "alert-error", "info": "alert-info", "success": "alert-success"} {
		p.FlashKind = kind
		out.Reset()
		if err := writeLayout(&out, layoutBase, &p, nil); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `<div class="alert `+class+`" role="status">`) {
			t.Errorf("flash of kind %q not shown as %s", kind, class)
		}
	}
	p.Flash, p.Title = "", ""
	out.Reset()
	if err := writeLayout(&out, layoutBase, &p, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "<title>集客 CRM</title>") || strings.Contains(out.String(), "alert") {
		t.Errorf("untitled page without a flash:\n%s", out.String())
	}
}

// Signed out, the portal's layout offers the language switch and the
// sign-in link instead of the top bar; the sign-in layout has neither
// header nor footer nor htmx.
func TestLayoutSignedOutAndAuth(t *testing.T) {
	b := exampleBundle(t)
	p := ExamplePage(b)
	p.Me, p.Nav, p.Flash = nil, nil, ""
	var out strings.Builder
	if err := writeLayout(&out, layoutBase, &p, []byte("<p>x</p>")); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "\n  <div class=\"userbox\">"+string(p.LangSwitch())+`<a class="btn btn-sm btn-primary" href="/login">`+
		b.T("zh-CN", "login.submit")+"</a></div>\n  \n</header>") || strings.Contains(got, "nav-toggle") {
		t.Errorf("signed-out header:\n%s", got)
	}
	out.Reset()
	if err := writeLayout(&out, layoutAuth, &p, []byte("<p>x</p>")); err != nil {
		t.Fatal(err)
	}
	got = out.String()
	if !strings.Contains(got, "</head>\n<body class=\"auth\">\n<main class=\"container\">\n\n\n<p>x</p>\n</main>\n</body>\n</html>\n") ||
		strings.Contains(got, "htmx.min.js") || strings.Contains(got, "<header") || strings.Contains(got, "<footer") {
		t.Errorf("sign-in layout:\n%s", got)
	}
	if err := writeLayout(&out, "layouts/other", &p, nil); err == nil {
		t.Error("an unknown layout was written")
	}
}
