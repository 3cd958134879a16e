// Package config reads Jike's settings from JIKE_* environment variables,
// lets command-line flags override them, and validates the result once at
// start so that a bad setting fails loudly instead of half-working.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jike-crm/jike/modules/platform/money"
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
	// ReplicaURL names the PostgreSQL read replicas that reports, list
	// totals and exports read from (JIKE_DATABASE_REPLICA_URL: one URL or
	// several separated by commas or spaces; empty: they read the primary).
	// ReplicaURLs splits it.
	ReplicaURL string
	// ReportProbabilities overrides the forecast's stage probabilities
	// (JIKE_REPORT_PROBABILITIES, "proposal=60,negotiation=80"; checked by
	// the reports module at start).
	ReportProbabilities string
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
	// MetricsToken guards /metrics (JIKE_METRICS_TOKEN) and MetricsAddr
	// serves it on a separate address (JIKE_METRICS_ADDR); see ops.go.
	MetricsToken, MetricsAddr string
	// OperatorName is printed on the letterhead of proposals
	// (JIKE_OPERATOR_NAME).
	OperatorName string
	// OperatorLogo is the path of a PNG or JPEG logo for the letterhead
	// (JIKE_OPERATOR_LOGO); empty prints the name only.
	OperatorLogo string
	// ChiefApproval and DirectorApproval are the total contract values
	// above which a proposal needs the chief rep's, and also the
	// director's, approval (JIKE_APPROVAL_CHIEF, JIKE_APPROVAL_DIRECTOR,
	// in yuan).
	ChiefApproval, DirectorApproval money.Fen
	// ApprovalFallback are the usernames of the approvers, in order, who
	// take a proposal approval step nobody in the branch may take under
	// the four-eyes rule (JIKE_APPROVAL_FALLBACK, comma-separated).
	ApprovalFallback []string
	// TargetUplift is how far above the quota's monthly share a proposed
	// monthly target is, in percent (JIKE_TARGET_UPLIFT, default 10).
	TargetUplift int
	// HolidaysFile replaces the shipped list of public holidays and
	// adjusted working days of the month-end review (JIKE_HOLIDAYS_FILE).
	HolidaysFile string
	// RunMigrations makes serve apply pending migrations at start; when
	// false serve refuses to start on an outdated schema.
	RunMigrations bool
	// MaxUploadMB is the largest file a user may upload, in MiB
	// (JIKE_MAX_UPLOAD_MB). It is the one number behind the server's
	// request body limit and the import's file-size check.
	MaxUploadMB int
	// MaxAttachmentMB bounds one contract attachment, in MiB
	// (JIKE_MAX_ATTACHMENT_MB, default 20). The web server's body limit
	// must be at least this (plus the form's overhead).
	MaxAttachmentMB int
	// ContractPrefix starts contract numbers, HT-哈尔滨-2026-000123
	// (JIKE_CONTRACT_PREFIX, default HT).
	ContractPrefix string
	// ContractChiefApproval and ContractDirectorApproval are the total
	// values above which a contract needs the chief rep's, and also the
	// director's, approval (JIKE_CONTRACT_APPROVAL_CHIEF,
	// JIKE_CONTRACT_APPROVAL_DIRECTOR, in yuan).
	ContractChiefApproval, ContractDirectorApproval money.Fen
	// ContractApprover is the username of the approver who takes the
	// steps of contracts a director made when no other director of the
	// branch can (JIKE_CONTRACT_APPROVER; empty: none).
	ContractApprover string
	// ContractReminderDays are the days before a contract's end when the
	// owner and the chief rep are reminded (JIKE_CONTRACT_REMINDER_DAYS,
	// default 90,60,30); the largest is the renewal window.
	ContractReminderDays []int
	// DBMaxOpenConns, DBMaxIdleConns and DBConnMaxLifetime size the
	// PostgreSQL connection pool (JIKE_DB_MAX_OPEN_CONNS, default 20;
	// JIKE_DB_MAX_IDLE_CONNS, default the open count; JIKE_DB_CONN_MAX_LIFETIME,
	// default 0 = never closed for age); see dbpool.go.
	DBMaxOpenConns, DBMaxIdleConns int
	DBConnMaxLifetime              time.Duration
}

// DefaultMaxUploadMB is the upload limit the documentation promises.
const DefaultMaxUploadMB = 10

// MaxUploadBytes is MaxUploadMB in bytes.
func (c Config) MaxUploadBytes() int64 { return int64(c.MaxUploadMB) << 20 }

// Defaults of the proposal settings.
const (
	DefaultOperatorName               = "集客通信股份有限公司 政企客户部"
	DefaultChiefApproval    money.Fen = 500_000_00
	DefaultDirectorApproval money.Fen = 2_000_000_00
)

// Defaults of the contract settings.
const (
	DefaultMaxAttachmentMB                    = 20
	DefaultContractPrefix                     = "HT"
	DefaultContractChiefApproval    money.Fen = 100_000_00
	DefaultContractDirectorApproval money.Fen = 1_000_000_00
)

// DefaultContractReminderDays are the renewal reminders.
var DefaultContractReminderDays = []int{90, 60, 30}

// checkLogo accepts a readable PNG or JPEG file of at most 1 MiB.
func checkLogo(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) > 1<<20 {
		return fmt.Errorf("%s is larger than 1 MiB", path)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) && !bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}) {
		return fmt.Errorf("%s is neither a PNG nor a JPEG file", path)
	}
	return nil
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
		DatabaseURL:         strings.TrimSpace(getenv("JIKE_DATABASE_URL")),
		DataDir:             orDefault(getenv("JIKE_DATA_DIR"), "./data"),
		ReplicaURL:          strings.TrimSpace(getenv("JIKE_DATABASE_REPLICA_URL")),
		ReportProbabilities: strings.TrimSpace(getenv("JIKE_REPORT_PROBABILITIES")),
		Addr:                orDefault(getenv("JIKE_ADDR"), "127.0.0.1:8080"),
		Secret:              getenv("JIKE_SECRET"),
		Env:                 orDefault(getenv("JIKE_ENV"), EnvDev),
		TimeZone:            orDefault(getenv("JIKE_TIMEZONE"), "Asia/Shanghai"),
		LogLevel:            orDefault(getenv("JIKE_LOG_LEVEL"), "info"),
		TemplatesDir:        getenv("JIKE_DEV_RELOAD_DIR"),
		OperatorName:        orDefault(getenv("JIKE_OPERATOR_NAME"), DefaultOperatorName),
		OperatorLogo:        strings.TrimSpace(getenv("JIKE_OPERATOR_LOGO")),
		SessionTTL:          12 * time.Hour,
		RunMigrations:       true,
		MaxUploadMB:         DefaultMaxUploadMB,
		TargetUplift:        10,
		HolidaysFile:        strings.TrimSpace(getenv("JIKE_HOLIDAYS_FILE")),
		MetricsToken:        strings.TrimSpace(getenv("JIKE_METRICS_TOKEN")),
		MetricsAddr:         strings.TrimSpace(getenv("JIKE_METRICS_ADDR")),
	}
	for _, u := range strings.Split(getenv("JIKE_APPROVAL_FALLBACK"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.ApprovalFallback = append(c.ApprovalFallback, u)
		}
	}
	if v := strings.TrimSpace(getenv("JIKE_TARGET_UPLIFT")); v != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
		if err != nil || n < 0 || n > 100 {
			return c, fmt.Errorf("JIKE_TARGET_UPLIFT=%q must be a whole percentage from 0 to 100, e.g. 10", v)
		}
		c.TargetUplift = n
	}
	for _, p := range strings.Split(getenv("JIKE_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	for _, a := range []struct {
		name string
		dst  *money.Fen
		def  money.Fen
	}{{"JIKE_APPROVAL_CHIEF", &c.ChiefApproval, DefaultChiefApproval}, {"JIKE_APPROVAL_DIRECTOR", &c.DirectorApproval, DefaultDirectorApproval},
		{"JIKE_CONTRACT_APPROVAL_CHIEF", &c.ContractChiefApproval, DefaultContractChiefApproval},
		{"JIKE_CONTRACT_APPROVAL_DIRECTOR", &c.ContractDirectorApproval, DefaultContractDirectorApproval}} {
		*a.dst = a.def
		if v := strings.TrimSpace(getenv(a.name)); v != "" {
			f, err := money.Parse(v)
			if err != nil || f <= 0 {
				return c, fmt.Errorf("%s=%q must be a positive amount in yuan, e.g. 500000", a.name, v)
			}
			*a.dst = f
		}
	}
	if err := loadContracts(&c, getenv); err != nil {
		return c, err
	}
	if err := loadDBPool(&c, getenv); err != nil {
		return c, err
	}
	if v := getenv("JIKE_SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("JIKE_SESSION_TTL=%q is not a duration such as 8h or 30m: %w", v, err)
		}
		c.SessionTTL = d
	}
	if v := strings.TrimSpace(getenv("JIKE_MAX_UPLOAD_MB")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return c, fmt.Errorf("JIKE_MAX_UPLOAD_MB=%q must be a whole number of megabytes, e.g. 10", v)
		}
		c.MaxUploadMB = n
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
	if urls := c.ReplicaURLs(); len(urls) > 0 && c.DatabaseURL == "" {
		errs = append(errs, errors.New("JIKE_DATABASE_REPLICA_URL needs JIKE_DATABASE_URL (its URLs are replicas of that PostgreSQL primary)"))
	} else {
		for i, u := range urls {
			if !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
				errs = append(errs, fmt.Errorf("JIKE_DATABASE_REPLICA_URL: URL %d must start with postgres:// (several URLs are separated by commas or spaces)", i+1))
			}
		}
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
	if c.MaxUploadMB < 1 || c.MaxUploadMB > 100 {
		errs = append(errs, fmt.Errorf("JIKE_MAX_UPLOAD_MB=%d must be between 1 and 100", c.MaxUploadMB))
	}
	if c.ContractDirectorApproval <= c.ContractChiefApproval {
		errs = append(errs, fmt.Errorf("JIKE_CONTRACT_APPROVAL_DIRECTOR (%s) must be above JIKE_CONTRACT_APPROVAL_CHIEF (%s)", c.ContractDirectorApproval, c.ContractChiefApproval))
	}
	if c.MaxAttachmentMB < 1 || c.MaxAttachmentMB > 512 {
		errs = append(errs, fmt.Errorf("JIKE_MAX_ATTACHMENT_MB=%d must be between 1 and 512", c.MaxAttachmentMB))
	}
	if c.DirectorApproval <= c.ChiefApproval {
		errs = append(errs, fmt.Errorf("JIKE_APPROVAL_DIRECTOR (%s) must be above JIKE_APPROVAL_CHIEF (%s)", c.DirectorApproval, c.ChiefApproval))
	}
	if c.OperatorLogo != "" {
		if err := checkLogo(c.OperatorLogo); err != nil {
			errs = append(errs, fmt.Errorf("JIKE_OPERATOR_LOGO: %w", err))
		}
	}
	if c.TemplatesDir != "" && c.Env != EnvDev {
		errs = append(errs, errors.New("JIKE_DEV_RELOAD_DIR is only allowed with JIKE_ENV=dev"))
	}
	errs = append(errs, c.validateOps()...)
	errs = append(errs, c.validateDBPool()...)
	return errors.Join(errs...)
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// loadContracts reads the contract settings.
func loadContracts(c *Config, getenv func(string) string) error {
	c.MaxAttachmentMB = DefaultMaxAttachmentMB
	if v := strings.TrimSpace(getenv("JIKE_MAX_ATTACHMENT_MB")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("JIKE_MAX_ATTACHMENT_MB=%q must be a whole number of MiB, e.g. 20", v)
		}
		c.MaxAttachmentMB = n
	}
	c.ContractPrefix = strings.TrimSpace(orDefault(getenv("JIKE_CONTRACT_PREFIX"), DefaultContractPrefix))
	for _, r := range c.ContractPrefix {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') || len(c.ContractPrefix) > 8 {
			return fmt.Errorf("JIKE_CONTRACT_PREFIX=%q must be 1 to 8 capital letters or digits, e.g. HT", c.ContractPrefix)
		}
	}
	c.ContractApprover = strings.TrimSpace(getenv("JIKE_CONTRACT_APPROVER"))
	c.ContractReminderDays = DefaultContractReminderDays
	if v := strings.TrimSpace(getenv("JIKE_CONTRACT_REMINDER_DAYS")); v != "" {
		var days []int
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n < 1 || n > 365 {
				return fmt.Errorf("JIKE_CONTRACT_REMINDER_DAYS=%q must list days between 1 and 365, e.g. 90,60,30", v)
			}
			days = append(days, n)
		}
		c.ContractReminderDays = days
	}
	return nil
}

// ReplicaURLs is JIKE_DATABASE_REPLICA_URL split into its URLs (commas
// and white space separate them; a PostgreSQL URL has neither).
func (c Config) ReplicaURLs() []string {
	return strings.FieldsFunc(c.ReplicaURL, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
