package tabular

import (
	"context"
	"errors"
	"time"
)

// Gate bounds the imports one instance runs at once: each holds a parsed
// file and a transaction, and a few at a time keep memory and the
// database in bounds however many users press the button.
type Gate struct {
	slots chan struct{}
	// imported is told of the rows committed imports saved (metrics).
	imported func(kind string, rows int)
}

// OnImported sets who is told of the rows committed imports save.
func (g *Gate) OnImported(f func(kind string, rows int)) { g.imported = f }

// Imported reports rows saved by a committed import of kind (customers,
// quotas); the importing handler calls it.
func (g *Gate) Imported(kind string, rows int) {
	if g != nil && g.imported != nil {
		g.imported(kind, rows)
	}
}

// ErrBusy: every slot of the gate stayed taken while waiting.
var ErrBusy = errors.New("tabular: too many imports running, try again shortly")

// NewGate allows n imports at once (at least one).
func NewGate(n int) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1))}
}

// Enter takes a slot, waiting at most wait for one; release gives it back
// and must be called exactly once. With no slot free in time it returns
// ErrBusy, which a handler shows as "try again shortly" (503).
func (g *Gate) Enter(ctx context.Context, wait time.Duration) (release func(), err error) {
	done := func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return done, nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return done, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
