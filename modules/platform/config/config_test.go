package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	if c.UsesPostgres() || c.Secure() || c.SQLitePath() != "data/jike.db" {
		t.Fatalf("unexpected defaults: %+v path=%s", c, c.SQLitePath())
	}
}

func TestValidationMessages(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad env", map[string]string{"JIKE_ENV": "staging"}, "JIKE_ENV"},
		{"bad addr", map[string]string{"JIKE_ADDR": "8080"}, "host:port"},
		{"bad url", map[string]string{"JIKE_DATABASE_URL": "mysql://x"}, "postgres://"},
		{"prod without secret", map[string]string{"JIKE_ENV": "prod"}, "JIKE_SECRET"},
		{"bad zone", map[string]string{"JIKE_TIMEZONE": "Mars/Base"}, "JIKE_TIMEZONE"},
		{"bad level", map[string]string{"JIKE_LOG_LEVEL": "loud"}, "JIKE_LOG_LEVEL"},
		{"short ttl", map[string]string{"JIKE_SESSION_TTL": "1s"}, "JIKE_SESSION_TTL"},
		{"bad proxy", map[string]string{"JIKE_TRUSTED_PROXIES": "10.0.0.1, nonsense"}, "JIKE_TRUSTED_PROXIES"},
		{"director below chief", map[string]string{"JIKE_APPROVAL_CHIEF": "300000", "JIKE_APPROVAL_DIRECTOR": "300000"}, "JIKE_APPROVAL_DIRECTOR"},
		{"missing logo", map[string]string{"JIKE_OPERATOR_LOGO": "/nonexistent/logo.png"}, "JIKE_OPERATOR_LOGO"},
		{"logo not an image", map[string]string{"JIKE_OPERATOR_LOGO": "config.go"}, "neither a PNG nor a JPEG"},
		{"upload limit zero", map[string]string{"JIKE_MAX_UPLOAD_MB": "0"}, "JIKE_MAX_UPLOAD_MB"},
		{"upload limit huge", map[string]string{"JIKE_MAX_UPLOAD_MB": "4096"}, "JIKE_MAX_UPLOAD_MB"},
		{"replica without primary", map[string]string{"JIKE_DATABASE_REPLICA_URL": "postgres://r1/jike"}, "needs JIKE_DATABASE_URL"},
		{"second replica not postgres", map[string]string{"JIKE_DATABASE_URL": "postgres://p/jike", "JIKE_DATABASE_REPLICA_URL": "postgres://r1/jike, mysql://r2"}, "URL 2 must start with postgres://"},
		{"reload in prod", map[string]string{"JIKE_ENV": "prod", "JIKE_SECRET": strings.Repeat("x", 32), "JIKE_DEV_RELOAD_DIR": "."}, "JIKE_DEV_RELOAD_DIR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}

func TestUnparsableValuesFailLoad(t *testing.T) {
	for _, m := range []map[string]string{{"JIKE_SESSION_TTL": "soon"}, {"JIKE_AUTO_MIGRATE": "maybe"}, {"JIKE_APPROVAL_CHIEF": "lots"}, {"JIKE_APPROVAL_DIRECTOR": "-5"}, {"JIKE_MAX_UPLOAD_MB": "10MB"}} {
		if _, err := Load(env(m)); err == nil {
			t.Fatalf("want load error for %v", m)
		}
	}
}

func TestProdIsSecure(t *testing.T) {
	c, _ := Load(env(map[string]string{"JIKE_ENV": "prod", "JIKE_SECRET": strings.Repeat("s", 40), "JIKE_DATABASE_URL": "postgres://u@h/db"}))
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || !c.UsesPostgres() {
		t.Fatal("prod with URL must be secure and use postgres")
	}
}

func TestTrustedProxies(t *testing.T) {
	c, _ := Load(env(map[string]string{"JIKE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}))
	if err := c.Validate(); err != nil || len(c.TrustedProxies) != 2 || c.TrustedProxies[1] != "10.0.0.0/8" {
		t.Fatalf("proxies: %v %v", c.TrustedProxies, err)
	}
}

func TestProposalSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"JIKE_APPROVAL_CHIEF": "300,000", "JIKE_APPROVAL_DIRECTOR": "1500000.50", "JIKE_OPERATOR_NAME": "某省通信公司"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ChiefApproval != 300_000_00 || c.DirectorApproval != 1_500_000_50 || c.OperatorName != "某省通信公司" {
		t.Fatalf("parsed: %+v", c)
	}
	d, _ := Load(env(nil))
	if d.ChiefApproval != DefaultChiefApproval || d.DirectorApproval != DefaultDirectorApproval || d.OperatorName != DefaultOperatorName {
		t.Fatalf("defaults: %+v", d)
	}
}

func TestUploadLimit(t *testing.T) {
	d, _ := Load(env(nil))
	if d.MaxUploadMB != DefaultMaxUploadMB || d.MaxUploadBytes() != 10<<20 {
		t.Fatalf("default upload limit: %d MB, %d bytes", d.MaxUploadMB, d.MaxUploadBytes())
	}
	c, err := Load(env(map[string]string{"JIKE_MAX_UPLOAD_MB": " 25 "}))
	if err != nil || c.Validate() != nil || c.MaxUploadBytes() != 25<<20 {
		t.Fatalf("25 MB: %v %d", err, c.MaxUploadBytes())
	}
}

func TestTargetSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"JIKE_TARGET_UPLIFT": "15%", "JIKE_HOLIDAYS_FILE": " /etc/jike/holidays.txt "}))
	if err != nil || c.TargetUplift != 15 || c.HolidaysFile != "/etc/jike/holidays.txt" {
		t.Fatalf("parsed: %+v %v", c, err)
	}
	if d, _ := Load(env(nil)); d.TargetUplift != 10 || d.HolidaysFile != "" {
		t.Fatalf("defaults: %+v", d)
	}
	for _, v := range []string{"-1", "101", "ten"} {
		if _, err := Load(env(map[string]string{"JIKE_TARGET_UPLIFT": v})); err == nil {
			t.Errorf("JIKE_TARGET_UPLIFT=%s accepted", v)
		}
	}
}

// TestReplicaURLs: one URL or several, separated by commas or spaces.
func TestReplicaURLs(t *testing.T) {
	for raw, want := range map[string][]string{
		"":                   nil,
		"postgres://r1/jike": {"postgres://r1/jike"},
		"postgres://r1/jike,postgres://r2/jike?sslmode=require": {"postgres://r1/jike", "postgres://r2/jike?sslmode=require"},
		" postgres://r1/jike ,\n postgres://r2/jike ":           {"postgres://r1/jike", "postgres://r2/jike"},
	} {
		c, err := Load(env(map[string]string{"JIKE_DATABASE_URL": "postgres://p/jike", "JIKE_DATABASE_REPLICA_URL": raw}))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ReplicaURLs(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: %q, want %q", raw, got, want)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%q: %v", raw, err)
		}
	}
}
