package config

import (
	"fmt"
	"net"
)

// MinMetricsToken is the shortest JIKE_METRICS_TOKEN accepted: it is a
// bearer secret, so guessing must be hopeless.
const MinMetricsToken = 24

// validateOps checks the operations settings: /metrics is served only
// with a token of at least MinMetricsToken characters or on its own
// address (host:port), never openly on the portal's address.
func (c Config) validateOps() []error {
	var errs []error
	if c.MetricsToken != "" && len(c.MetricsToken) < MinMetricsToken {
		errs = append(errs, fmt.Errorf("JIKE_METRICS_TOKEN must be at least %d characters", MinMetricsToken))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("JIKE_METRICS_ADDR=%q is not host:port: %w", c.MetricsAddr, err))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("JIKE_METRICS_ADDR must differ from JIKE_ADDR (%s)", c.Addr))
		}
	}
	return errs
}
