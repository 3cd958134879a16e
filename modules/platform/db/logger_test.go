package db_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestLoggerBuildsTextOnlyForWhatItLogs: the database's logger asks for
// a statement's text (GORM's fc, which formats it) only for a statement
// it logs — a failed one (not "record not found") or a slow one — and
// logs those without their values; at the Info level it logs every one.
func TestLoggerBuildsTextOnlyForWhatItLogs(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	l := db.NewLogger(slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))
	texts := 0
	fc := func() (string, int64) { texts++; return "SELECT * FROM contacts WHERE mobile = ?", 1 }
	for _, err := range []error{nil, gorm.ErrRecordNotFound} {
		l.Trace(ctx, time.Now(), fc, err)
	}
	if texts != 0 || out.Len() != 0 {
		t.Fatalf("a fast statement and a record not found: the text was built %d times, logged %q", texts, out.String())
	}
	l.Trace(ctx, time.Now(), fc, errors.New("connection reset"))
	l.Trace(ctx, time.Now().Add(-300*time.Millisecond), fc, nil)
	if texts != 2 || strings.Count(out.String(), "SELECT * FROM contacts") != 2 || !strings.Contains(out.String(), "connection reset") {
		t.Fatalf("a failed and a slow statement: the text built %d times, logged %q", texts, out.String())
	}
	f, ok := l.(gorm.ParamsFilter)
	if !ok {
		t.Fatal("the logger no longer leaves the values out (gorm.ParamsFilter)")
	}
	if _, vars := f.ParamsFilter(ctx, "SELECT 1 WHERE mobile = ?", "13945678901"); len(vars) != 0 {
		t.Fatalf("values kept for the log: %v", vars)
	}
	out.Reset()
	texts = 0
	l.LogMode(logger.Info).Trace(ctx, time.Now(), fc, nil)
	if texts != 1 || !strings.Contains(out.String(), "SELECT * FROM contacts") {
		t.Fatalf("at the Info level a fast statement: built %d times, logged %q", texts, out.String())
	}
}
