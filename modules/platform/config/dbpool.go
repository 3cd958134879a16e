package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Defaults of the PostgreSQL connection pool (docs/performance.md
// § Connection pool): 20 open connections are already more queries than a
// few cores run at once; the rest wait in Go's pool. The idle count, when
// not given, is the open count: a smaller one closes every connection
// above it as soon as a burst ends and opens a new one on the next
// request, and each new backend forks, loads its catalogue caches and
// plans every statement again — under 32 users that churn took two
// thirds of the machine's CPU.
const (
	DefaultDBMaxOpenConns = 20
	// MaxDBConns bounds JIKE_DB_MAX_OPEN_CONNS: PostgreSQL's own
	// max_connections is rarely above a few hundred.
	MaxDBConns = 1000
)

// loadDBPool reads JIKE_DB_MAX_OPEN_CONNS, JIKE_DB_MAX_IDLE_CONNS and
// JIKE_DB_CONN_MAX_LIFETIME (PostgreSQL only; the SQLite file keeps its
// four connections). An idle count not given is the open count.
func loadDBPool(c *Config, getenv func(string) string) error {
	c.DBMaxOpenConns = DefaultDBMaxOpenConns
	whole := func(name string, dst *int) error {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s=%q must be a whole number of connections, e.g. 20", name, v)
		}
		*dst = n
		return nil
	}
	if err := whole("JIKE_DB_MAX_OPEN_CONNS", &c.DBMaxOpenConns); err != nil {
		return err
	}
	if strings.TrimSpace(getenv("JIKE_DB_MAX_IDLE_CONNS")) == "" {
		c.DBMaxIdleConns = c.DBMaxOpenConns
	} else if err := whole("JIKE_DB_MAX_IDLE_CONNS", &c.DBMaxIdleConns); err != nil {
		return err
	}
	if v := strings.TrimSpace(getenv("JIKE_DB_CONN_MAX_LIFETIME")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("JIKE_DB_CONN_MAX_LIFETIME=%q is not a duration such as 30m or 1h (0 keeps connections open): %w", v, err)
		}
		c.DBConnMaxLifetime = d
	}
	return nil
}

// validateDBPool checks the pool settings' ranges.
func (c Config) validateDBPool() []error {
	var errs []error
	if c.DBMaxOpenConns < 1 || c.DBMaxOpenConns > MaxDBConns {
		errs = append(errs, fmt.Errorf("JIKE_DB_MAX_OPEN_CONNS=%d must be between 1 and %d", c.DBMaxOpenConns, MaxDBConns))
	}
	if c.DBMaxIdleConns < 1 || c.DBMaxIdleConns > max(c.DBMaxOpenConns, 1) {
		errs = append(errs, fmt.Errorf("JIKE_DB_MAX_IDLE_CONNS=%d must be between 1 and JIKE_DB_MAX_OPEN_CONNS (%d)", c.DBMaxIdleConns, c.DBMaxOpenConns))
	}
	if c.DBConnMaxLifetime != 0 && (c.DBConnMaxLifetime < time.Minute || c.DBConnMaxLifetime > 24*time.Hour) {
		errs = append(errs, fmt.Errorf("JIKE_DB_CONN_MAX_LIFETIME=%s must be 0 (never closed for age) or between 1m and 24h", c.DBConnMaxLifetime))
	}
	return errs
}
