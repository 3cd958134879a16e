package aftersale

// The status questions and badge colours the after-sale templates ask,
// so that no template compares a status with a string literal.

// StatusTone is the badge colour of the request's status
// (aftersale/status): resolved and closed "ok", reopened "warn", the
// rest (open, in progress) "info".
func (r Request) StatusTone() string {
	switch r.Status {
	case StatusResolved, StatusClosed:
		return "ok"
	case StatusReopened:
		return "warn"
	}
	return "info"
}

// CanStart reports whether work on the request can start: it is open or
// was reopened.
func (r Request) CanStart() bool { return r.Status == StatusOpen || r.Status == StatusReopened }
