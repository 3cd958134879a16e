// Package static holds the browser assets of Jike CRM: the hand-written
// stylesheet (app.css), the small behaviour script (app.js) and vendored
// third-party libraries (vendor/, currently htmx).
//
// The assets are compiled into the server binary with go:embed because Jike
// CRM is deployed on operator intranets that often have no Internet access:
// nothing is loaded from a CDN at runtime, and a single binary is all that
// needs to be copied to a host.
package static

import "embed"

// FS contains app.css, app.js, favicon.svg and the vendor directory (htmx.min.js and its
// licence), rooted at this package directory. Serve it under a path such as
// /static/, e.g. with fiber's filesystem middleware and http.FS(static.FS).
//
//go:embed app.css app.js favicon.svg vendor
var FS embed.FS
