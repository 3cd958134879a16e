package aftersale

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// CallbackInput is the call-back form as typed: the four scores 1–5,
// would recommend (yes/no), a comment and who answered.
type CallbackInput struct {
	Scores     map[string]string
	Recommend  string
	Comment    string
	AnsweredBy string
	Version    int
}

// loadCallback reads a task and checks act on its customer.
func (s *Service) loadCallback(ctx context.Context, actor authz.Subject, id uint, act string) (*Callback, *prospects.Customer, error) {
	c, err := s.store.Callback(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, c.CustomerID, "read")
	if err != nil {
		return nil, nil, err
	}
	if act != "read" && !s.deps.Customers.Can(actor, act, cust) {
		return nil, nil, apperr.ErrForbidden
	}
	return c, cust, nil
}

// CallbackDetail is one call-back with its customer.
type CallbackDetail struct {
	C        *Callback
	Customer *prospects.Customer
	CanWrite bool
	Request  *Request
}

// GetCallback returns a call-back the actor may see.
func (s *Service) GetCallback(ctx context.Context, actor authz.Subject, id uint) (*CallbackDetail, error) {
	c, cust, err := s.loadCallback(ctx, actor, id, "read")
	if err != nil {
		return nil, err
	}
	d := &CallbackDetail{C: c, Customer: cust, CanWrite: s.deps.Customers.Can(actor, "write", cust)}
	if c.RequestID != nil {
		if d.Request, err = s.store.Request(ctx, *c.RequestID); err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	return d, nil
}

// RecordCallback saves the answers of an open call-back. A score of 2 or
// less on any question opens a service request at once: the complaint
// the call-back followed is reopened when it is resolved or closed,
// otherwise a new request is logged (severity 重要, channel call-back),
// and the call-back links to it.
func (s *Service) RecordCallback(ctx context.Context, actor authz.Subject, id uint, in CallbackInput) (*Callback, error) {
	var out *Callback
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		c, cust, err := s.loadCallback(ctx, actor, id, "write")
		if err != nil {
			return err
		}
		if err := checkLock(c.Version, in.Version); err != nil {
			return err
		}
		if c.IsDone() {
			return formErr("_form", "aftersale.v.callback_done")
		}
		before := *c
		f := apperr.Fields{}
		dst := map[string]*int{"attitude": &c.QAttitude, "skill": &c.QSkill, "speed": &c.QSpeed, "result": &c.QResult}
		for _, q := range Questions {
			n, err := strconv.Atoi(strings.TrimSpace(in.Scores[q]))
			if err != nil || n < 1 || n > 5 {
				f.Add("q_"+q, "aftersale.v.score")
				continue
			}
			*dst[q] = n
		}
		switch in.Recommend {
		case "yes":
			c.Recommend = true
		case "no":
			c.Recommend = false
		default:
			f.Add("recommend", "v.required")
		}
		c.Comment, c.AnsweredBy = textnorm.Clean(in.Comment), textnorm.Line(in.AnsweredBy)
		if utf8.RuneCountInString(c.Comment) > 1000 {
			f.Add("comment", "v.too_long")
		}
		if n := utf8.RuneCountInString(c.AnsweredBy); n == 0 {
			f.Add("answered_by", "v.required")
		} else if n > 100 {
			f.Add("answered_by", "v.too_long")
		}
		if len(f) > 0 {
			return f
		}
		now := s.now()
		c.Status, c.DoneBy, c.DoneAt, c.UpdatedBy = "done", &actor.ID, &now, &actor.ID
		if c.Low() {
			rid, err := s.lowScore(ctx, actor, c, cust)
			if err != nil {
				return err
			}
			c.RequestID = &rid
		}
		if err := s.store.SaveCallback(ctx, c, now); err != nil {
			return err
		}
		// A call-back is a care contact: the care list counts from it.
		if err := s.refreshLastContact(ctx, c.CustomerID); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityCallback, c.ID, "callback_done", audit.Diff(before, *c))
	})
	return out, err
}

// lowScore opens (or reopens) the service request a low score calls for.
func (s *Service) lowScore(ctx context.Context, actor authz.Subject, c *Callback, cust *prospects.Customer) (uint, error) {
	note := fmt.Sprintf("回访低分 %d/%d/%d/%d %s", c.QAttitude, c.QSkill, c.QSpeed, c.QResult, c.Comment)
	if c.Reason == ReasonComplaint && c.SourceID != nil {
		r, err := s.store.Request(ctx, *c.SourceID)
		if err != nil && !isNotFound(err) {
			return 0, err
		}
		if r != nil && (r.IsResolved() || r.IsClosed()) {
			before := *r
			if err := s.reopen(ctx, r, cust); err != nil {
				return 0, err
			}
			r.UpdatedBy = &actor.ID
			if err := s.store.SaveRequest(ctx, r, s.now()); err != nil {
				return 0, err
			}
			if err := s.record(ctx, actor.ID, r, "reopen", before.Status, nil, note, audit.Diff(before, *r)); err != nil {
				return 0, err
			}
			return r.ID, nil
		}
	}
	st, err := s.store.Settings(ctx, cust.BranchID)
	if err != nil {
		return 0, err
	}
	cat := "other"
	if cats := st.CategoryList(); len(cats) > 0 && !containsStr(cats, cat) {
		cat = cats[len(cats)-1]
	}
	r, err := s.createRequest(ctx, actor.ID, cust, &st, RequestInput{Kind: "complaint", Category: cat, Severity: SevMajor,
		Channel: "callback", Description: note}, &c.ID)
	if err != nil {
		return 0, err
	}
	return r.ID, nil
}

func containsStr(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// CallbackList lists call-backs within the actor's read scope.
func (s *Service) CallbackList(ctx context.Context, actor authz.Subject, f CallbackFilter) ([]CallbackRow, int64, error) {
	return s.store.ListCallbacks(ctx, s.enf.ListScope(actor, "customer", "read"), f)
}

// ScoreStats are the call-back averages per manager or team in scope.
func (s *Service) ScoreStats(ctx context.Context, actor authz.Subject, by string) ([]ScoreStat, error) {
	return s.store.ScoreStats(ctx, s.enf.ListScope(actor, "customer", "read"), by)
}

// Trend is a customer's done call-backs, oldest first.
func (s *Service) Trend(ctx context.Context, actor authz.Subject, customerID uint) ([]Callback, error) {
	if _, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "read"); err != nil {
		return nil, err
	}
	return s.store.DoneOfCustomer(ctx, customerID)
}

// QuarterKey names a quarter: 2026Q4.
func QuarterKey(d time.Time) string { return fmt.Sprintf("%dQ%d", d.Year(), (int(d.Month())-1)/3+1) }

// Callbacks is the daily job making call-back tasks: one per contract
// that came into force (activated contracts, read from contracts), and
// one per quarter for every A and B customer in service. The source key
// makes each once, whichever instance runs it.
func (s *Service) Callbacks(ctx context.Context, now time.Time) error {
	today := dateOf(now.In(s.opts.Location))
	due := today.AddDate(0, 0, s.opts.CallbackDays)
	acts, err := s.store.Activations(ctx)
	if err != nil {
		return err
	}
	for _, a := range acts {
		if _, err := s.store.CreateCallback(ctx, &Callback{CustomerID: a.CustomerID, Reason: ReasonContract,
			SourceKey: fmt.Sprintf("contract:%d", a.ContractID), SourceID: ptr(a.ContractID), DueOn: due, Status: "open"}); err != nil {
			return err
		}
	}
	keys, err := s.store.KeyAccountsAll(ctx)
	if err != nil {
		return err
	}
	q := QuarterKey(today)
	// Due by the quarter's end.
	qEnd := AddMonths(time.Date(today.Year(), time.Month((int(today.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC), 3).AddDate(0, 0, -1)
	for _, k := range keys {
		if _, err := s.store.CreateCallback(ctx, &Callback{CustomerID: k, Reason: ReasonQuarterly,
			SourceKey: fmt.Sprintf("quarter:%s:%d", q, k), DueOn: qEnd, Status: "open"}); err != nil {
			return err
		}
	}
	return nil
}

// LastScore is a customer's latest call-back (the pre-visit brief).
func (s *Service) LastScore(ctx context.Context, actor authz.Subject, customerID uint) (*Callback, error) {
	list, err := s.Trend(ctx, actor, customerID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[len(list)-1], nil
}
