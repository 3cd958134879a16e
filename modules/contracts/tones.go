package contracts

// The status questions and badge colours the contract templates ask, so
// that no template compares a status with a string literal.

// StatusTone is the badge colour of the contract's status
// (contracts/status_badge): in approval "warn", signed and active "ok",
// expiring "danger", a draft "info", the rest "muted".
func (c Contract) StatusTone() string {
	switch c.Status {
	case StatusPending, StatusApproved:
		return "warn"
	case StatusSigned, StatusActive:
		return "ok"
	case StatusExpiring:
		return "danger"
	case StatusDraft:
		return "info"
	}
	return "muted"
}

// IsDoing reports whether the task is under way.
func (t Task) IsDoing() bool { return t.Status == TaskDoing }

// Approved reports whether the step was approved (else it was rejected).
func (a Approval) Approved() bool { return a.Decision == "approved" }

// WaitsForChief reports whether the revision waits for the chief rep's
// approval.
func (d *Detail) WaitsForChief() bool { return d.Level == "chief" }

// WaitsForDirector reports whether the revision waits for the director's
// approval.
func (d *Detail) WaitsForDirector() bool { return d.Level == "director" }
