package proposals

import (
	"context"
	"errors"
	"testing"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestFollowUpRunsInTheTransaction: OnSent and OnAccepted run inside the
// proposal's transaction. A hook that writes (an audit row through
// db.Conn, as another module's store would) and then fails rolls back
// both its own write and the proposal's change, on both databases.
func TestFollowUpRunsInTheTransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		boom := errors.New("injected failure in the second module")
		fail := false
		hook := func(ctx context.Context, actor authz.Subject, p *Proposal) error {
			if !db.InTx(ctx) {
				t.Error("the hook runs outside the proposal's transaction")
			}
			if err := audit.Record(ctx, db.Conn(ctx, d.Gorm), actor.ID, "opportunity", *p.OpportunityID, "hook_write", nil); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		}
		w.svc.opts.OnSent, w.svc.opts.OnAccepted = hook, hook
		am := w.users["liwei"]
		p, err := w.svc.Create(ctx, am, w.input(LineInput{ProductID: 1, Quantity: "1", TermMonths: "12", Rate: "100"}))
		if err != nil {
			t.Fatal(err)
		}
		if p, err = w.svc.Submit(ctx, am, p.ID, 0); err != nil || p.Status != StatusApproved {
			t.Fatalf("submit (no approval needed): %v %+v", err, p)
		}
		hookWrites := func() int64 {
			var n int64
			if err := d.Gorm.Table("audit_log").Where("action = ?", "hook_write").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		fail = true
		if _, err := w.svc.Send(ctx, am, p.ID); !errors.Is(err, ErrFollowUp) || !errors.Is(err, boom) {
			t.Fatalf("send with a failing follow-up: %v", err)
		}
		if got, _ := w.svc.store.Proposal(ctx, p.ID); got.Status != StatusApproved || got.SentAt != nil {
			t.Fatalf("the proposal's send was not rolled back: %+v", got)
		}
		if n := hookWrites(); n != 0 {
			t.Fatalf("the hook's own write was not rolled back: %d rows", n)
		}
		fail = false
		if p, err = w.svc.Send(ctx, am, p.ID); err != nil || p.Status != StatusSent {
			t.Fatalf("send: %v %+v", err, p)
		}
		if n := hookWrites(); n != 1 {
			t.Fatalf("hook writes after a good send: %d", n)
		}
		fail = true
		if _, err := w.svc.CustomerDecision(ctx, am, p.ID, true); !errors.Is(err, ErrFollowUp) {
			t.Fatalf("accept with a failing follow-up: %v", err)
		}
		if got, _ := w.svc.store.Proposal(ctx, p.ID); got.Status != StatusSent || got.DecidedAt != nil {
			t.Fatalf("the acceptance was not rolled back: %+v", got)
		}
		if n := hookWrites(); n != 1 {
			t.Fatalf("the failed acceptance's hook write stayed: %d rows", n)
		}
	})
}
