// Package notify is the in-app notification inbox: the bell in the top bar
// with its unread count, the list of a user's notifications, and marking
// them read. Modules and jobs send notices through Service.Send; a notice
// is an i18n message id with arguments, rendered in the reader's language
// when they read it, with a link into the portal.
//
// Send writes through db.Conn, so a notice sent inside a transaction (a
// contract signed, a complaint escalated) commits or rolls back with the
// change it reports. A dedupe key makes a notice idempotent: a job that
// runs twice, or on two instances, tells the user once.
//
// A notification belongs to one user; every query is filtered by the
// reader's id, so another user's notification is a 404.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/db"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Notice is one message to one user.
type Notice struct {
	UserID uint
	// Kind groups notices for filtering and metrics ("visit.prep_due").
	Kind string
	// MsgID is the i18n message id; Args its template data.
	MsgID string
	Args  map[string]string
	// Link is a path inside the portal ("/visits/12"); anything else is
	// dropped.
	Link string
	// Key, when set, makes the notice idempotent per user: a second notice
	// with the same key is ignored.
	Key string
}

// Notification is a stored notice.
type Notification struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint
	Kind      string
	MsgID     string
	Args      string
	Link      string
	DedupeKey *string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// TableName is the inbox table.
func (Notification) TableName() string { return "notifications" }

// Models lists the package's GORM models (schema drift test).
func Models() []any { return []any{&Notification{}} }

// Unread reports whether the notification has not been read.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// ArgList returns the arguments as key/value pairs for i18n's T.
func (n Notification) ArgList() []any {
	var m map[string]string
	if err := json.Unmarshal([]byte(n.Args), &m); err != nil {
		return nil
	}
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// Service sends and reads notifications.
type Service struct {
	db  *gorm.DB
	now func() time.Time
	// unread keeps each user's bell count under the notifications
	// version (migration 00033).
	unread *db.VersionCache[int64]
}

// unreadCacheSize bounds the bell counts kept: a province has ~700 people.
const unreadCacheSize = 5000

// New returns the service on g; now is the clock (nil: time.Now).
func New(g *gorm.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: g, now: now, unread: db.NewVersionCache[int64](db.VersionNotifications, unreadCacheSize)}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// localLink keeps only paths inside the portal, so a notice can never send
// its reader to another site.
func localLink(l string) string {
	if !strings.HasPrefix(l, "/") || strings.HasPrefix(l, "//") || strings.ContainsAny(l, "\\\r\n") {
		return ""
	}
	return l
}

// Send stores the notices (in ctx's transaction, if any). Notices without
// a user or a message are a programming error.
func (s *Service) Send(ctx context.Context, notices ...Notice) error {
	if len(notices) == 0 {
		return nil
	}
	now := s.now().UTC()
	rows := make([]Notification, 0, len(notices))
	for _, n := range notices {
		if n.UserID == 0 || n.MsgID == "" {
			return fmt.Errorf("notify: notice without user or message: %+v", n)
		}
		args, err := json.Marshal(n.Args)
		if err != nil {
			return err
		}
		if n.Args == nil {
			args = []byte("{}")
		}
		row := Notification{UserID: n.UserID, Kind: n.Kind, MsgID: n.MsgID, Args: string(args), Link: localLink(n.Link), CreatedAt: now}
		if n.Key != "" {
			k := n.Key
			row.DedupeKey = &k
		}
		rows = append(rows, row)
	}
	// ON CONFLICT DO NOTHING without a target skips a row that breaks any
	// unique index, the partial (user_id, dedupe_key) one included, on
	// PostgreSQL and SQLite alike; a duplicate is not an error, in the
	// table or earlier in the same statement. In batches, not a statement
	// a notice: the visit reminders of a province resend ~36,000 notices
	// every 15 minutes (each kept once by its key), and one INSERT each
	// took the job 12–26 s of the database's time.
	for start := 0; start < len(rows); start += sendBatch {
		batch := rows[start:min(start+sendBatch, len(rows))]
		if err := db.Conn(ctx, s.db).Clauses(clause.OnConflict{DoNothing: true}).Create(&batch).Error; err != nil {
			return fmt.Errorf("notify: send %d notices (%s to %d first): %w", len(batch), batch[0].MsgID, batch[0].UserID, err)
		}
	}
	return nil
}

// sendBatch is how many notices one INSERT writes (9 columns each: well
// under SQLite's bound on a statement's parameters).
const sendBatch = 500

// Unread counts the user's unread notifications (the bell, on every
// page), kept per user until a notification is written, sent or read
// (the notifications version): with the request's version memo a page
// no longer counts.
func (s *Service) Unread(ctx context.Context, userID uint) (int64, error) {
	return s.unread.Get(ctx, s.db, strconv.FormatUint(uint64(userID), 10), func(ctx context.Context) (int64, error) {
		var n int64
		err := db.Conn(ctx, s.db).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error
		return n, err
	})
}

// Filter selects a page of a user's inbox.
type Filter struct {
	UnreadOnly bool
	Limit      int
	Offset     int
}

// List returns a page of the user's notifications, newest first, and how
// many there are in all.
func (s *Service) List(ctx context.Context, userID uint, f Filter) ([]Notification, int64, error) {
	q := db.Conn(ctx, s.db).Model(&Notification{}).Where("user_id = ?", userID)
	if f.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	var out []Notification
	err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&out).Error
	return out, total, err
}

// MarkRead marks one of the user's notifications read and returns it;
// another user's (or a missing) notification is ErrNotFound.
func (s *Service) MarkRead(ctx context.Context, userID, id uint) (*Notification, error) {
	var n Notification
	conn := db.Conn(ctx, s.db)
	if err := conn.Where("id = ? AND user_id = ?", id, userID).First(&n).Error; err != nil {
		return nil, db.NotFound(err, fmt.Sprintf("notification %d", id))
	}
	if n.ReadAt == nil {
		now := s.now().UTC()
		if err := conn.Model(&Notification{}).Where("id = ? AND user_id = ?", id, userID).Update("read_at", now).Error; err != nil {
			return nil, err
		}
		n.ReadAt = &now
	}
	return &n, nil
}

// MarkAllRead marks every unread notification of the user read.
func (s *Service) MarkAllRead(ctx context.Context, userID uint) (int64, error) {
	res := db.Conn(ctx, s.db).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", s.now().UTC())
	return res.RowsAffected, res.Error
}

// Prune deletes read notifications older than before (a daily job).
func (s *Service) Prune(ctx context.Context, before time.Time) (int64, error) {
	res := db.Conn(ctx, s.db).Where("read_at IS NOT NULL AND created_at < ?", before.UTC()).Delete(&Notification{})
	return res.RowsAffected, res.Error
}
