package visits

import (
	"html/template"
	"net/url"
	"regexp"
)

var (
	// feedHost is a host name or IPv4/IPv6 address with an optional port:
	// nothing that could end the authority part of a URL.
	feedHost = regexp.MustCompile(`^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$`)
	// feedToken is what NewFeedToken makes (base64url, no padding).
	feedToken = regexp.MustCompile(`^[A-Za-z0-9_-]{20,128}$`)
)

// WebcalURL is the "subscribe on this device" link of a calendar feed:
// webcal://{host}/ics/{token}, which phones hand to their calendar app.
// html/template only lets http(s) and mailto URLs through (anything else
// renders as #ZgotmplZ), so the link is built here from parts that are
// checked — the host the page was asked on, a token of our own alphabet —
// checked again after assembly (scheme webcal, that host, that path, no
// user, query or fragment), and only then marked as a trusted URL. ok is
// false, and no link is shown, when any check fails.
func WebcalURL(host, token string) (u template.URL, ok bool) {
	if !feedHost.MatchString(host) || !feedToken.MatchString(token) {
		return "", false
	}
	raw := "webcal://" + host + "/ics/" + token
	p, err := url.Parse(raw)
	if err != nil || p.Scheme != "webcal" || p.Host != host || p.Path != "/ics/"+token ||
		p.User != nil || p.RawQuery != "" || p.Fragment != "" || p.Opaque != "" {
		return "", false
	}
	return template.URL(p.String()), true //nolint:gosec // built from checked parts and re-checked above
}
