package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/internal/loadtest"
	"github.com/jike-crm/jike/modules/reports"
)

// benchPages are the main pages `jike bench` drives (issue 19's table):
// the visit pages with who=scope, the view a chief rep or director opens
// to see the team or branch (an account manager has only his own).
func benchPages(search string) []loadtest.Page {
	pages := []loadtest.Page{
		{Name: "home", Path: "/"},
		{Name: "pipeline-board", Path: "/pipeline"},
		{Name: "visits-list", Path: "/visits?who=scope"},
		{Name: "calendar-month", Path: "/visits/calendar?mode=month&who=scope"},
		{Name: "calendar-week", Path: "/visits/calendar?mode=week&who=scope"},
		{Name: "opportunities", Path: "/opportunities"},
		{Name: "proposals", Path: "/proposals"},
		{Name: "customers", Path: "/customers"},
		{Name: "customer-search", Path: "/customers?q=" + queryEscape(search)},
	}
	for _, k := range reports.Keys {
		pages = append(pages, loadtest.Page{Name: "report-" + k, Path: "/reports/" + k})
	}
	return pages
}

func queryEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "+", "#", "%23").Replace(s)
}

// cmdBench is `jike bench`: it measures a running server (see
// internal/loadtest and docs/performance.md § Load test). It needs no
// database and no configuration, only the server's URL and the users.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the running server")
	am := fs.String("am", "prov1_am001", "the account manager to sign in as (empty: skip the role)")
	chief := fs.String("chief", "prov1_chief1", "the chief rep to sign in as (empty: skip)")
	director := fs.String("director", "prov1_director", "the director to sign in as (empty: skip)")
	admin := fs.String("admin", "admin", "the administrator to sign in as (empty: skip)")
	password := fs.String("password", "jike2026", "the users' password (jike seed --scale sets it with --password; default the demo password)")
	connsFlag := fs.String("conns", "1,32", "comma-separated numbers of concurrent connections to measure at")
	duration := fs.Duration("duration", 10*time.Second, "how long each page × role × connections cell runs")
	timeout := fs.Duration("timeout", 30*time.Second, "one request's time limit (a timeout counts as an error)")
	pagesFlag := fs.String("pages", "", "comma-separated page names to measure (default all), or name=/path for another page")
	search := fs.String("search", "科技", "the customer-search page's query")
	asJSON := fs.Bool("json", false, "print the results as JSON instead of a table")
	markdown := fs.Bool("markdown", false, "print the results as Markdown tables (for docs/performance.md)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	var conns []int
	for _, s := range strings.Split(*connsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("bench: --conns must be numbers from 1 to 1024, not %q", *connsFlag)
		}
		conns = append(conns, n)
	}
	if *duration <= 0 {
		return fmt.Errorf("bench: --duration must be positive, not %s", *duration)
	}
	var roles []loadtest.Role
	for _, r := range []loadtest.Role{{Name: "account_manager", Username: *am}, {Name: "chief_rep", Username: *chief}, {Name: "director", Username: *director}, {Name: "admin", Username: *admin}} {
		if r.Username != "" {
			roles = append(roles, r)
		}
	}
	pages, err := selectPages(benchPages(*search), *pagesFlag)
	if err != nil {
		return err
	}
	cfg := loadtest.Config{BaseURL: *base, Password: *password, Roles: roles, Pages: pages, Conns: conns, Duration: *duration, Timeout: *timeout}
	if !*quiet {
		cells := len(roles) * len(pages) * len(conns)
		fmt.Fprintf(stderr, "jike bench: %d cells (%d pages × %d roles × %d connection counts) of %s: about %s\n",
			cells, len(pages), len(roles), len(conns), *duration, (time.Duration(cells) * *duration).Round(time.Second))
		cfg.Progress = func(r loadtest.Result) {
			if r.Skipped != "" {
				fmt.Fprintf(stderr, "  %3d conns %-18s %-16s skipped: %s\n", r.Conns, r.Page, r.Role, r.Skipped)
				return
			}
			fmt.Fprintf(stderr, "  %3d conns %-18s %-16s p50 %7.1f ms  p95 %7.1f ms  %6.1f req/s  %d errors\n", r.Conns, r.Page, r.Role, r.P50, r.P95, r.RPS, r.Errors)
		}
	}
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case *markdown:
		loadtest.WriteMarkdown(stdout, rep)
	default:
		loadtest.WriteTable(stdout, rep)
	}
	return nil
}

// selectPages keeps the named pages (all when spec is empty); name=/path
// adds a page of one's own.
func selectPages(all []loadtest.Page, spec string) ([]loadtest.Page, error) {
	if strings.TrimSpace(spec) == "" {
		return all, nil
	}
	var out []loadtest.Page
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimSpace(s)
		if name, path, ok := strings.Cut(s, "="); ok {
			if !strings.HasPrefix(path, "/") {
				return nil, fmt.Errorf("bench: page %q: the path must start with /", s)
			}
			out = append(out, loadtest.Page{Name: name, Path: path})
			continue
		}
		found := false
		for _, p := range all {
			if p.Name == s {
				out, found = append(out, p), true
			}
		}
		if !found {
			var names []string
			for _, p := range all {
				names = append(names, p.Name)
			}
			return nil, fmt.Errorf("bench: unknown page %q (pages: %s)", s, strings.Join(names, ", "))
		}
	}
	return out, nil
}
