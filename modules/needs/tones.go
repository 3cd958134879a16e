package needs

// The status questions and badge colours the needs templates ask, so
// that no template compares a status with a string literal.

// StatusTone is the badge colour of the need's status: open "warn",
// addressed "ok", closed "muted".
func (n Need) StatusTone() string {
	switch n.Status {
	case StatusOpen:
		return "warn"
	case StatusAddressed:
		return "ok"
	}
	return "muted"
}

// Move is one status a need may move to, as its button shows it.
type Move struct{ Status string }

// Closes reports whether the move closes the need (the button asks first).
func (m Move) Closes() bool { return m.Status == StatusClosed }

// Addresses reports whether the move marks the need addressed (the
// primary button).
func (m Move) Addresses() bool { return m.Status == StatusAddressed }

// Moves lists the statuses the need may move to next, as buttons.
func (n Need) Moves() []Move {
	next := n.Next()
	out := make([]Move, len(next))
	for i, s := range next {
		out[i] = Move{Status: s}
	}
	return out
}
