package contracts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/textnorm"
	"github.com/jike-crm/jike/modules/prospects"
)

// TaskInput is the form of an implementation task: a free task's title,
// and for every task its owner, due date, status and note.
type TaskInput struct {
	Title   string
	OwnerID uint
	DueOn   string
	Status  string
	Note    string
	Version int
}

// taskFields validates the form into t (title only for free tasks).
func (s *Service) taskFields(ctx context.Context, cust *prospects.Customer, t *Task, in TaskInput, f apperr.Fields) error {
	if t.Kind == TaskFree {
		title := strings.TrimSpace(in.Title)
		if n := utf8.RuneCountInString(title); n == 0 {
			f.Add("title", "v.required")
		} else if n > 100 {
			f.Add("title", "v.too_long")
		}
		t.Title = title
	}
	due, err := parseDate(in.DueOn)
	if err != nil {
		f.Add("due_on", ifEmpty(in.DueOn, "v.required", textnorm.DateMessage(err)))
	} else {
		t.DueOn = due
	}
	if in.Status == "" {
		in.Status = TaskTodo
	}
	if !slices.Contains(TaskStatuses, in.Status) {
		f.Add("status", "v.choose")
	}
	t.Status = in.Status
	note := strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(note) > 1000 {
		f.Add("note", "v.too_long")
	}
	t.Note = note
	if in.OwnerID == 0 {
		in.OwnerID = t.OwnerID
	}
	ok, err := s.ourSignatoryOK(ctx, cust, in.OwnerID)
	if err != nil {
		return err
	}
	if !ok {
		f.Add("owner_id", "contracts.v.task_owner")
	}
	t.OwnerID = in.OwnerID
	return nil
}

// AddTask adds a free task to the implementation of a signed contract.
func (s *Service) AddTask(ctx context.Context, actor authz.Subject, id uint, in TaskInput) (*Task, error) {
	c, cust, err := s.load(ctx, actor, id, ActTasks)
	if err != nil {
		return nil, err
	}
	t := &Task{Kind: TaskFree, OwnerID: c.OwnerID, CreatedBy: &actor.ID, UpdatedBy: &actor.ID}
	f := apperr.Fields{}
	if err := s.taskFields(ctx, cust, t, in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if t.Status == TaskDone {
		now := s.now()
		t.DoneAt = &now
	}
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		tasks := []Task{*t}
		if err := s.store.CreateTasks(ctx, c.Root(), tasks); err != nil {
			return err
		}
		*t = tasks[0]
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, "contract_task", t.ID, audit.ActionCreate, audit.Diff(nil, t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTask changes a task's owner, due date, status or note (and a free
// task's title).
func (s *Service) UpdateTask(ctx context.Context, actor authz.Subject, id, taskID uint, in TaskInput) (*Task, error) {
	c, cust, err := s.load(ctx, actor, id, ActTasks)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Task(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if t.ContractID != c.Root() {
		return nil, fmt.Errorf("task %d of contract %d: %w", taskID, id, apperr.ErrNotFound)
	}
	if in.Version != 0 && in.Version != t.Version {
		return nil, fmt.Errorf("task %d: %w", taskID, apperr.ErrConflict)
	}
	before := *t
	f := apperr.Fields{}
	if err := s.taskFields(ctx, cust, t, in, f); err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	switch {
	case t.Status == TaskDone && before.Status != TaskDone:
		now := s.now()
		t.DoneAt = &now
	case t.Status != TaskDone:
		t.DoneAt = nil
	}
	t.UpdatedBy = &actor.ID
	err = db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		if err := s.store.SaveTask(ctx, t, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, "contract_task", t.ID, audit.ActionUpdate, audit.Diff(&before, t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
