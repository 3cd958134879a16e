// Package config reads Jike's settings from JIKE_* environment variables,
// lets command-line flags override them, and validates the result once at
// start so that a bad setting fails loudly instead of half-working.
package config

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Environments. "dev" relaxes cookie security so the portal works over plain
// HTTP on a laptop; "prod" requires a secret and marks cookies Secure.
const (
	EnvDev  = "dev"
	EnvProd = "prod"
)

// Config is the validated configuration of one process.
type Config struct {
	// DatabaseURL selects PostgreSQL when set (postgres://...); when empty
	// an SQLite file under DataDir is used.
	DatabaseURL string
	// DataDir holds the SQLite file and other local state.
	DataDir string
	// Addr is the listen address of the portal, host:port.
	Addr string
	// Secret keys server-side HMACs (e.g. calendar feed tokens).
	Secret string
	// Env is EnvDev or EnvProd.
	Env string
	// SessionTTL is how long an idle session stays valid.
	SessionTTL time.Duration
	// TimeZone is the zone in which times are shown (stored times are UTC).
	TimeZone string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// TemplatesDir, when set in dev, makes the portal reload templates and
	// static files from disk on every request (for front-end work).
	TemplatesDir string
	// TrustedProxies lists the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For is believed, so rate limits and logs see the real
	// client address. Empty: the connecting address is the client.
	TrustedProxies []string
	// RunMigrations makes serve apply pending migrations at start; when
	// false serve refuses to start on an outdated schema.
	RunMigrations bool
}

// Secure reports whether cookies must carry the Secure flag.
func (c Config) Secure() bool { return c.Env != EnvDev }

// SQLitePath is the database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "jike.db") }

// UsesPostgres reports whether the PostgreSQL driver is selected.
func (c Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// Load reads the JIKE_* variables through getenv (os.Getenv in main, a map
// in tests) and applies defaults. Call Validate after applying flags.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:   strings.TrimSpace(getenv("JIKE_DATABASE_URL")),
		DataDir:       orDefault(getenv("JIKE_DATA_DIR"), "./data"),
		Addr:          orDefault(getenv("JIKE_ADDR"), "127.0.0.1:8080"),
		Secret:        getenv("JIKE_SECRET"),
		Env:           orDefault(getenv("JIKE_ENV"), EnvDev),
		TimeZone:      orDefault(getenv("JIKE_TIMEZONE"), "Asia/Shanghai"),
		LogLevel:      orDefault(getenv("JIKE_LOG_LEVEL"), "info"),
		TemplatesDir:  getenv("JIKE_DEV_RELOAD_DIR"),
		SessionTTL:    12 * time.Hour,
		RunMigrations: true,
	}
	for _, p := range strings.Split(getenv("JIKE_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if v := getenv("JIKE_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("JIKE_SESSION_TTL=%q is not a duration such as 8h or 30m: %w", v, err)
		}
		c.SessionTTL = d
	}
	if v := getenv("JIKE_AUTO_MIGRATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("JIKE_AUTO_MIGRATE=%q must be true or false", v)
		}
		c.RunMigrations = b
	}
	return c, nil
}

// Validate checks every setting and reports all problems at once.
func (c Config) Validate() error {
	var errs []error
	if c.Env != EnvDev && c.Env != EnvProd {
		errs = append(errs, fmt.Errorf("JIKE_ENV=%q must be %q or %q", c.Env, EnvDev, EnvProd))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("listen address %q must look like host:port, e.g. 127.0.0.1:8080 or :8080", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("JIKE_DATABASE_URL must start with postgres:// (leave it empty to use the embedded SQLite file)"))
	}
	if c.DatabaseURL == "" && strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("JIKE_DATA_DIR must not be empty when no JIKE_DATABASE_URL is set"))
	}
	if c.Env == EnvProd && len(c.Secret) < 32 {
		errs = append(errs, errors.New("JIKE_SECRET must be set to at least 32 characters when JIKE_ENV=prod (e.g. `openssl rand -hex 32`)"))
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		errs = append(errs, fmt.Errorf("JIKE_SESSION_TTL=%s must be between 1m and 720h", c.SessionTTL))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("JIKE_TIMEZONE=%q is not a known time zone", c.TimeZone))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("JIKE_LOG_LEVEL=%q must be debug, info, warn or error", c.LogLevel))
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("JIKE_TRUSTED_PROXIES: %q is neither an IP nor a CIDR", p))
			}
		}
	}
	if c.TemplatesDir != "" && c.Env != EnvDev {
		errs = append(errs, errors.New("JIKE_DEV_RELOAD_DIR is only allowed with JIKE_ENV=dev"))
	}
	return errors.Join(errs...)
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
