package targets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/notify"
)

// ReviewView is a review as a page shows it: the review (saved, or a
// fresh draft), its lines against the live actuals, and what the viewer
// may do.
type ReviewView struct {
	Review *Review
	Person Person
	Month  Month
	Lines  []ReviewRow
	// Opens is when the review may be submitted (the first of the last
	// three working days); Open whether that time has come.
	Opens      time.Time
	Open       bool
	CanEdit    bool
	CanComment bool
	CanSignOff bool
	// Drift is true when a line's live actual differs from the snapshot
	// taken at submission (records changed afterwards).
	Drift bool
}

// ReviewRow is one line: target, the actual (snapshot once submitted),
// the live actual, reason and improvement.
type ReviewRow struct {
	Def    LineDef
	Target int64
	Actual int64
	Live   int64
	Reason string
	Note   string
}

// Missed reports whether the line had a target that was not reached.
func (r ReviewRow) Missed() bool { return r.Target > 0 && r.Actual < r.Target }

// Drifted reports whether the records changed after the snapshot.
func (r ReviewRow) Drifted() bool { return r.Live != r.Actual }

// Pct is the attainment in percent (0 without a target).
func (r ReviewRow) Pct() int { return Attainment{Target: r.Target, Actual: r.Actual}.Pct() }

// Class colours the line like the grid.
func (r ReviewRow) Class() string { return Attainment{Target: r.Target, Actual: r.Actual}.Class() }

// MissedCount is how many lines were missed.
func (v *ReviewView) MissedCount() int {
	n := 0
	for _, l := range v.Lines {
		if l.Missed() {
			n++
		}
	}
	return n
}

// Status is the review's status (draft for one not yet saved).
func (v *ReviewView) Status() string { return v.Review.Status }

// build fills the view's lines from the review (snapshot) or, while it is
// editable, from the current target and the live actuals.
func (s *Service) buildView(ctx context.Context, viewer authz.Subject, r *Review, p *Person, m Month) (*ReviewView, error) {
	v := &ReviewView{Review: r, Person: *p, Month: m, Opens: s.opts.Calendar.ReviewOpens(m)}
	v.Open = !s.now().Before(v.Opens)
	live, err := s.Actuals(ctx, viewer, []uint{p.ID}, m)
	if err != nil {
		return nil, err
	}
	var tv Values
	if t, err := s.store.TargetFor(ctx, p.ID, m.String()); err == nil {
		tv = t.Values()
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	frozen := r.HasSnapshot() && !r.Editable()
	for _, l := range Lines {
		saved := r.Line(l.Key)
		row := ReviewRow{Def: l, Live: live[p.ID][l.Key], Reason: saved.Reason, Note: saved.Note}
		if frozen {
			row.Target, row.Actual = saved.Target, saved.Actual
			if row.Live != row.Actual {
				v.Drift = true
			}
		} else {
			row.Target, row.Actual = tv[l.Key], row.Live
		}
		v.Lines = append(v.Lines, row)
	}
	ref := r.Ref()
	v.CanEdit = viewer.ID == r.OwnerID && r.Editable() && s.enf.Can(viewer, "review", "write", ref)
	v.CanComment = r.IsSubmitted() && s.enf.Can(viewer, "review", "comment", ref)
	v.CanSignOff = r.IsSubmitted() && s.enf.Can(viewer, "review", "signoff", ref)
	return v, nil
}

// MyReview is the manager's own review of month m: the saved one, or a
// new draft built from the target and the actuals.
func (s *Service) MyReview(ctx context.Context, actor authz.Subject, m Month) (*ReviewView, error) {
	p, err := s.person(ctx, actor, actor.ID, "review", "write")
	if err != nil {
		return nil, err
	}
	r, err := s.store.ReviewFor(ctx, p.ID, m.String())
	if errors.Is(err, apperr.ErrNotFound) {
		r = &Review{Month: m.String(), OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID, Status: StatusDraft}
	} else if err != nil {
		return nil, err
	}
	return s.buildView(ctx, actor, r, p, m)
}

// Review loads review id for actor; outside actor's review read scope it
// is ErrNotFound.
func (s *Service) Review(ctx context.Context, actor authz.Subject, id uint) (*ReviewView, error) {
	r, err := s.store.Review(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.enf.Can(actor, "review", "read", r.Ref()) {
		return nil, fmt.Errorf("review %d: %w", id, apperr.ErrNotFound)
	}
	p, err := s.dir.AccountManager(ctx, r.OwnerID)
	if errors.Is(err, apperr.ErrNotFound) {
		// A manager who left keeps their history.
		p = &Person{ID: r.OwnerID, TeamID: r.TeamID, BranchID: r.BranchID}
	} else if err != nil {
		return nil, err
	}
	m, err := ParseMonth(r.Month, s.opts.Location)
	if err != nil {
		return nil, err
	}
	return s.buildView(ctx, actor, r, p, m)
}

// ReviewInput is what the manager writes: per line a reason (A–D) and an
// improvement, and free text for the month.
type ReviewInput struct {
	Version int
	Summary string
	Reasons map[string]string
	Notes   map[string]string
}

// SaveReview saves the manager's review of month m as a draft or, with
// submit, hands it in: from the first of the month's last three working
// days, with a reason and an improvement for every missed line. Submitting
// freezes the targets and actuals as they are now (the snapshot).
func (s *Service) SaveReview(ctx context.Context, actor authz.Subject, m Month, in ReviewInput, submit bool) (*Review, error) {
	p, err := s.person(ctx, actor, actor.ID, "review", "write")
	if err != nil {
		return nil, err
	}
	errs := apperr.Fields{}
	in.Summary = strings.TrimSpace(in.Summary)
	if len([]rune(in.Summary)) > 4000 {
		errs.Add("summary", "targets.err.too_long")
	}
	for _, l := range Lines {
		r := strings.TrimSpace(in.Reasons[l.Key])
		if r != "" && !slices.Contains(Reasons, r) {
			errs.Add("reason_"+l.Key, "targets.err.reason_value")
		}
		if len([]rune(strings.TrimSpace(in.Notes[l.Key]))) > 1000 {
			errs.Add("note_"+l.Key, "targets.err.too_long")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var out *Review
	err = db.WithTx(ctx, s.db, func(ctx context.Context) error {
		r, err := s.store.ReviewFor(ctx, p.ID, m.String())
		isNew := errors.Is(err, apperr.ErrNotFound)
		if isNew {
			r = &Review{Month: m.String(), OwnerID: p.ID, TeamID: p.TeamID, BranchID: p.BranchID, Status: StatusDraft,
				CreatedBy: &actor.ID, CreatedAt: now.UTC()}
		} else if err != nil {
			return err
		}
		if !r.Editable() {
			return apperr.Fields{"_form": "targets.err.not_editable"}
		}
		if !isNew && in.Version != r.Version {
			return fmt.Errorf("review %d (read v%d, now v%d): %w", r.ID, in.Version, r.Version, apperr.ErrConflict)
		}
		view, err := s.buildView(ctx, actor, r, p, m)
		if err != nil {
			return err
		}
		lines := make([]ReviewLine, 0, len(view.Lines))
		errs := apperr.Fields{}
		for _, row := range view.Lines {
			l := ReviewLine{Line: row.Def.Key, Target: row.Target, Actual: row.Actual,
				Reason: strings.TrimSpace(in.Reasons[row.Def.Key]), Note: strings.TrimSpace(in.Notes[row.Def.Key])}
			if submit && l.Missed() {
				if l.Reason == "" {
					errs.Add("reason_"+l.Line, "targets.err.reason_needed")
				}
				if l.Note == "" {
					errs.Add("note_"+l.Line, "targets.err.note_needed")
				}
			}
			if !l.Missed() {
				l.Reason, l.Note = "", "" // a reached line has nothing to explain
			}
			lines = append(lines, l)
		}
		if submit && !view.Open {
			errs.Add("_form", "targets.err.too_early")
		}
		if err := errs.Err(); err != nil {
			return err
		}
		before := *r
		r.Summary, r.Lines, r.UpdatedBy = in.Summary, lines, &actor.ID
		if submit {
			r.Status = StatusSubmitted
			t := now.UTC()
			r.SubmittedAt = &t
		}
		if isNew {
			r.UpdatedAt = now.UTC()
			if err := s.store.CreateReview(ctx, r); err != nil {
				return err
			}
		} else if err := s.store.SaveReview(ctx, r, now); err != nil {
			return err
		}
		action := audit.ActionUpdate
		if isNew {
			action = audit.ActionCreate
		}
		if submit {
			action = ActSubmit
			if err := s.store.AddEvent(ctx, &ReviewEvent{ReviewID: r.ID, ActorID: actor.ID, Action: ActSubmit, At: now.UTC()}); err != nil {
				return err
			}
			if p.LeaderID != 0 {
				if err := s.send(ctx, notify.Notice{UserID: p.LeaderID, Kind: "target_review.submitted", MsgID: "notice.targets.review_submitted",
					Args: map[string]string{"Name": p.Name, "Month": m.String()}, Link: fmt.Sprintf("/targets/reviews/%d", r.ID),
					Key: fmt.Sprintf("targets.review_submitted:%d:%d", r.ID, r.Version)}); err != nil {
					return err
				}
			}
		}
		ch := audit.Diff(&before, r)
		if isNew {
			ch = audit.Diff(nil, r)
		}
		if err := s.audit(ctx, actor, "monthly_review", r.ID, action, ch); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// Decide is the chief rep's step on a submitted review: a comment (the
// review stays submitted), a sign-off (final: the review is frozen) or a
// return to the manager with a comment.
func (s *Service) Decide(ctx context.Context, actor authz.Subject, id uint, action string, version int, body string) (*Review, error) {
	body = strings.TrimSpace(body)
	perm := "signoff"
	if action == ActComment {
		perm = "comment"
	}
	if action != ActComment && action != ActSignOff && action != ActReturn {
		return nil, fmt.Errorf("review action %q: %w", action, apperr.ErrNotFound)
	}
	now := s.now()
	var out *Review
	err := db.WithTx(ctx, s.db, func(ctx context.Context) error {
		r, err := s.store.Review(ctx, id)
		if err != nil {
			return err
		}
		if !s.enf.Can(actor, "review", "read", r.Ref()) {
			return fmt.Errorf("review %d: %w", id, apperr.ErrNotFound)
		}
		if !s.enf.Can(actor, "review", perm, r.Ref()) {
			return fmt.Errorf("review %d %s: %w", id, action, apperr.ErrForbidden)
		}
		if !r.IsSubmitted() {
			return apperr.Fields{"_form": "targets.err.not_submitted"}
		}
		if (action == ActComment || action == ActReturn) && body == "" {
			return apperr.Fields{"body": "targets.err.comment_needed"}
		}
		if len([]rune(body)) > 2000 {
			return apperr.Fields{"body": "targets.err.too_long"}
		}
		if action != ActComment {
			if version != r.Version {
				return fmt.Errorf("review %d (read v%d, now v%d): %w", r.ID, version, r.Version, apperr.ErrConflict)
			}
			before := *r
			t := now.UTC()
			if action == ActSignOff {
				r.Status, r.SignedOffAt, r.SignedOffBy = StatusSignedOff, &t, &actor.ID
			} else {
				r.Status = StatusReturned
			}
			r.UpdatedBy = &actor.ID
			if err := s.store.SaveReview(ctx, r, now); err != nil {
				return err
			}
			if err := s.audit(ctx, actor, "monthly_review", r.ID, action, audit.Diff(&before, r)); err != nil {
				return err
			}
		}
		if err := s.store.AddEvent(ctx, &ReviewEvent{ReviewID: r.ID, ActorID: actor.ID, Action: action, Body: body, At: now.UTC()}); err != nil {
			return err
		}
		if err := s.send(ctx, notify.Notice{UserID: r.OwnerID, Kind: "target_review." + action, MsgID: decisionNotice[action],
			Args: map[string]string{"Month": r.Month}, Link: fmt.Sprintf("/targets/reviews/%d", r.ID)}); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// ReviewReminder is a manager to remind about the month's review.
type ReviewReminder struct {
	OwnerID uint
	Month   string
}

// ReviewReminders lists, from the first of the month's last three working
// days on, the account managers whose review of the month is not in. The
// caller sends each with a key per manager and month, so a job that runs
// every day tells each manager once.
func (s *Service) ReviewReminders(ctx context.Context, now time.Time) ([]ReviewReminder, error) {
	m := MonthOf(now, s.opts.Location)
	if now.Before(s.opts.Calendar.ReviewOpens(m)) {
		return nil, nil
	}
	people, err := s.dir.AccountManagers(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	in, err := s.store.submittedOwners(ctx, m.String())
	if err != nil {
		return nil, err
	}
	var out []ReviewReminder
	for _, p := range people {
		if !in[p.ID] {
			out = append(out, ReviewReminder{OwnerID: p.ID, Month: m.String()})
		}
	}
	return out, nil
}

// submittedOwners are the managers whose review of month is in. It is the
// reminder job's question about everyone, asked by no user, so it has no
// permission scope (like visits' reminder query).
func (s *Store) submittedOwners(ctx context.Context, month string) (map[uint]bool, error) {
	var owners []uint
	err := s.conn(ctx).Model(&Review{}).Where("month = ? AND status IN ?", month, []string{StatusSubmitted, StatusSignedOff}).
		Pluck("owner_id", &owners).Error
	out := make(map[uint]bool, len(owners))
	for _, o := range owners {
		out[o] = true
	}
	return out, err
}

// decisionNotice is the notice the manager gets for each step.
var decisionNotice = map[string]string{
	ActComment: "notice.targets.review_comment",
	ActReturn:  "notice.targets.review_return",
	ActSignOff: "notice.targets.review_signoff",
}

// DecisionFlash is the message shown after each step.
var DecisionFlash = map[string]string{
	ActComment: "targets.review.done_comment",
	ActReturn:  "targets.review.done_return",
	ActSignOff: "targets.review.done_signoff",
}
