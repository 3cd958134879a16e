package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jike-crm/jike/internal/loadtest"
)

// TestBenchCommand runs `jike bench` against the real portal (`jike serve
// --demo` on a free port, signed in as the demo's four roles through the
// login form) for a moment: the JSON has a row for every main page, role
// and connection count; the pages answer 200 with a body, without
// errors; a page that fails (a path the portal does not have) has every
// request counted as an error; a wrong password ends the run with the
// user named.
func TestBenchCommand(t *testing.T) {
	t.Parallel()
	base := e2eStartServer(t)
	var names []string
	for _, p := range benchPages("") {
		names = append(names, p.Name)
	}
	args := []string{"bench", "--url", base, "--am", "liwei", "--chief", "zhaomin", "--director", "wangjianguo", "--admin", "admin",
		"--password", "jike2026", "--conns", "1,3", "--duration", "150ms", "--json", "--quiet",
		"--pages", strings.Join(names, ",") + ",broken=/no-such-page"}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("jike bench: %v\n%s", err, errOut.String())
	}
	var rep loadtest.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	roles := []string{"account_manager", "chief_rep", "director", "admin"}
	got := map[string]loadtest.Result{}
	for _, r := range rep.Results {
		got[r.Page+"/"+r.Role+"/"+itoa(uint(r.Conns))] = r
	}
	if want := (len(names) + 1) * len(roles) * 2; len(rep.Results) != want {
		t.Errorf("%d results, want %d", len(rep.Results), want)
	}
	for _, conns := range []string{"1", "3"} {
		for _, role := range roles {
			for _, page := range names {
				r, ok := got[page+"/"+role+"/"+conns]
				switch {
				case !ok:
					t.Errorf("no row for %s as %s at %s connections", page, role, conns)
				case r.Skipped != "":
					// The demo's roles may open every main page.
					t.Errorf("%s as %s skipped: %s", page, role, r.Skipped)
				case r.Requests == 0 || r.Errors != 0 || r.Statuses[200] != r.Requests || r.KB < 1 || r.P95 < r.P50 || r.RPS <= 0:
					t.Errorf("%s as %s at %s connections: %+v", page, role, conns, r)
				}
			}
			if r := got["broken/"+role+"/"+conns]; r.Requests == 0 || r.Errors != r.Requests || r.Statuses[404] != r.Requests {
				t.Errorf("a missing page as %s: %+v, want every request an error", role, r)
			}
		}
	}

	var table bytes.Buffer
	if err := run(context.Background(), []string{"bench", "--url", base, "--am", "liwei", "--chief", "", "--director", "", "--admin", "",
		"--password", "jike2026", "--conns", "2", "--duration", "50ms", "--pages", "home", "--quiet"},
		func(string) string { return "" }, strings.NewReader(""), &table, &errOut); err != nil {
		t.Fatal(err)
	}
	if s := table.String(); !strings.Contains(s, "2 connection(s)") || !strings.Contains(s, "home") || !strings.Contains(s, "p95 ms") || strings.Contains(s, "chief_rep") {
		t.Errorf("table:\n%s", s)
	}
	if err := run(context.Background(), []string{"bench", "--url", base, "--admin", "", "--password", "wrong", "--duration", "50ms", "--quiet"},
		func(string) string { return "" }, strings.NewReader(""), &table, &errOut); err == nil || !strings.Contains(err.Error(), "prov1_am001") {
		t.Errorf("wrong password: %v", err)
	}
	for _, bad := range [][]string{{"--conns", "0"}, {"--pages", "nope"}, {"--duration", "0s"}} {
		if err := run(context.Background(), append([]string{"bench", "--url", base}, bad...), func(string) string { return "" }, strings.NewReader(""), &table, &errOut); err == nil {
			t.Errorf("bench %v: no error", bad)
		}
	}
}
