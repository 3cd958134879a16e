package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func envFor(dir string, extra ...string) func(string) string {
	m := map[string]string{"JIKE_DATA_DIR": dir, "JIKE_LOG_LEVEL": "error"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return func(k string) string { return m[k] }
}

func jike(t *testing.T, env func(string) string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, env, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// TestCLI drives the commands an operator uses on the embedded database:
// migrate, seed, user create/passwd/disable, with their error messages.
func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := envFor(dir)
	if out, err := jike(t, env, ""); err != nil || !strings.Contains(out, "usage: jike") {
		t.Fatalf("help: %v %s", err, out)
	}
	if _, err := jike(t, env, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("unknown command: %v", err)
	}
	out, err := jike(t, env, "", "migrate")
	if err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if _, err = jike(t, env, "", "seed"); err == nil {
		t.Fatal("seed without --demo must fail")
	}
	out, err = jike(t, env, "", "seed", "--demo")
	if err != nil || !strings.Contains(out, "liwei") || !strings.Contains(out, "jike2026") {
		t.Fatalf("seed: %v %s", err, out)
	}
	out, err = jike(t, env, "", "seed", "--demo")
	if err != nil || !strings.Contains(out, "nothing seeded") {
		t.Fatalf("second seed: %v %s", err, out)
	}
	out, err = jike(t, env, "s3cret-pass9\n", "user", "create", "--username", "ops", "--name", "运维", "--role", "admin", "--password-stdin")
	if err != nil || !strings.Contains(out, "created user ops") {
		t.Fatalf("create: %v %s", err, out)
	}
	_, err = jike(t, env, "weak\n", "user", "create", "--username", "ops", "--name", "x", "--role", "director", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "This username is taken") || !strings.Contains(err.Error(), "Choose a branch") || !strings.Contains(err.Error(), "8 to 72") {
		t.Fatalf("create errors: %v", err)
	}
	out, err = jike(t, env, "", "user", "create", "--username", "dqdir", "--name", "大庆经理", "--role", "director", "--branch", "dq", "--password", "abc12345x")
	if err != nil {
		t.Fatalf("create director by branch code: %v %s", err, out)
	}
	if _, err = jike(t, env, "", "user", "create", "--username", "x1", "--name", "x", "--role", "director", "--branch", "NOPE", "--password", "abc12345x"); err == nil || !strings.Contains(err.Error(), "branch") {
		t.Fatalf("unknown branch: %v", err)
	}
	if out, err = jike(t, env, "new-pass-42\n", "user", "passwd", "--username", "liwei", "--password-stdin"); err != nil {
		t.Fatalf("passwd: %v %s", err, out)
	}
	if _, err = jike(t, env, "new-pass-42\n", "user", "passwd", "--username", "ghost", "--password-stdin"); err == nil {
		t.Fatal("passwd for an unknown user must fail")
	}
	if out, err = jike(t, env, "", "user", "disable", "--username", "liwei"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %v %s", err, out)
	}
	if _, err = jike(t, env, "", "user", "create"); err == nil || !strings.Contains(err.Error(), "--username") {
		t.Fatalf("missing username: %v", err)
	}
}

func TestCLIRejectsBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string][]string{
		"JIKE_ENV":         {"JIKE_ENV", "staging"},
		"JIKE_SECRET":      {"JIKE_ENV", "prod"},
		"postgres://":      {"JIKE_DATABASE_URL", "mysql://x"},
		"JIKE_SESSION_TTL": {"JIKE_SESSION_TTL", "forever"},
	}
	for want, kv := range cases {
		_, err := jike(t, envFor(dir, kv...), "", "migrate")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want error mentioning %s, got %v", kv, want, err)
		}
	}
	if _, err := jike(t, envFor(filepath.Join(dir, "x")), "", "serve", "--addr", "nonsense"); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Errorf("bad --addr: %v", err)
	}
}
