package targets

// The badge colours the target templates ask, so that no template
// compares a review status with a string literal.

// ReviewTone is the badge colour of a month-end review status
// (targets/status): signed off "ok", submitted "warn", returned
// "danger", none yet or a draft "muted".
func ReviewTone(status string) string {
	switch status {
	case StatusSignedOff:
		return "ok"
	case StatusSubmitted:
		return "warn"
	case StatusReturned:
		return "danger"
	}
	return "muted"
}

// StatusTone is the badge colour of the review's status.
func (r Review) StatusTone() string { return ReviewTone(r.Status) }

// ReviewTone is the badge colour of the row's review status.
func (r GridRow) ReviewTone() string { return ReviewTone(r.ReviewStatus()) }

// StatusTone is the badge colour of the grid row's review status.
func (v gridRowView) StatusTone() string { return ReviewTone(v.Status) }

// StatusTone is the badge colour of the review's status on its page.
func (v *ReviewView) StatusTone() string { return ReviewTone(v.Status()) }
