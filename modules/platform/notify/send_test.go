package notify

import (
	"context"
	"fmt"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// TestSendKeepsOneNoticePerKey: Send writes in batches, and a notice whose
// key its user already holds — from an earlier send, earlier in the same
// batch or in an earlier batch of the same call — is skipped, never an
// error; notices without a key are all kept. Over 1,200 notices, so
// that duplicates straddle batches.
func TestSendKeepsOneNoticePerKey(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := demoUsers(t, d)
		svc := New(d.Gorm, nil)
		// Sent before: keys 0–99 of the first user.
		var earlier []Notice
		for k := range 100 {
			earlier = append(earlier, Notice{UserID: ids[0], MsgID: "m.reminder", Key: fmt.Sprint("visit:", k)})
		}
		if err := svc.Send(ctx, earlier...); err != nil {
			t.Fatal(err)
		}
		// Now: keys 0–599 for both users, each twice (the second copy 550
		// notices later, in the next batch), and 30 notices without a key.
		var notices []Notice
		for round := range 2 {
			for k := range 600 {
				notices = append(notices, Notice{UserID: ids[k%2], MsgID: "m.reminder", Key: fmt.Sprint("visit:", k)})
				if round == 0 && k%20 == 0 {
					notices = append(notices, Notice{UserID: ids[0], MsgID: "m.free"})
				}
			}
		}
		if err := svc.Send(ctx, notices...); err != nil {
			t.Fatalf("a batch with duplicate keys: %v", err)
		}
		count := func(where string, args ...any) int64 {
			t.Helper()
			var n int64
			if err := d.Gorm.Model(&Notification{}).Where(where, args...).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		// User 0 holds even keys 0–598 and keys 0–99 from before: 300 + 50
		// odd ones under 100; user 1 the odd keys: 300.
		if got := count("user_id = ? AND dedupe_key IS NOT NULL", ids[0]); got != 350 {
			t.Errorf("the first user holds %d keyed notices, want 350", got)
		}
		if got := count("user_id = ? AND dedupe_key IS NOT NULL", ids[1]); got != 300 {
			t.Errorf("the second user holds %d keyed notices, want 300", got)
		}
		if got := count("msg_id = ?", "m.free"); got != 30 {
			t.Errorf("%d notices without a key, want 30", got)
		}
		// The same call again: only the keyless ones are new.
		if err := svc.Send(ctx, notices...); err != nil {
			t.Fatal(err)
		}
		if got := count("dedupe_key IS NOT NULL"); got != 650 {
			t.Errorf("after a repeat: %d keyed notices, want 650", got)
		}
		if got := count("msg_id = ?", "m.free"); got != 60 {
			t.Errorf("after a repeat: %d notices without a key, want 60", got)
		}
	})
}
