package aftersale

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

// Care records (light touches and key dates) are edited and deleted by
// whom the policy names for care_record edit: the customer's owner, the
// team's chief rep, the branch's director. A record whose customer the
// actor cannot read is a 404; one they can read but may not edit, a 403.
// Edits are optimistic (the form's version), deletes soft and confirmed;
// both are audited, and a touch's edit or delete rewrites the customer's
// last contact in the same transaction.

// careRecordFor checks the actor may edit the care records of a customer.
func (s *Service) careRecordFor(ctx context.Context, actor authz.Subject, customerID uint) (*prospects.Customer, error) {
	cust, err := s.deps.Customers.CustomerFor(ctx, actor, customerID, "read")
	if err != nil {
		return nil, err
	}
	if !s.enf.Can(actor, "care_record", "edit", cust.Ref()) {
		return nil, fmt.Errorf("care records of customer %d: %w", customerID, apperr.ErrForbidden)
	}
	return cust, nil
}

// CanEditCare reports whether the actor may edit and delete the care
// records of a customer (the customer page's links).
func (s *Service) CanEditCare(actor authz.Subject, cust *prospects.Customer) bool {
	return s.enf.Can(actor, "care_record", "edit", cust.Ref())
}

// validTouch checks a touch form; it fills t's kind, date and summary.
func (s *Service) validTouch(in TouchInput, t *Touch) apperr.Fields {
	f := apperr.Fields{}
	if !slices.Contains(TouchKinds, in.Kind) {
		f.Add("kind", "v.required")
	}
	on, err := parseDate(in.On)
	switch {
	case strings.TrimSpace(in.On) == "":
		f.Add("on", "v.required")
	case err != nil:
		f.Add("on", "v.date")
	case on.After(s.Today()):
		f.Add("on", "aftersale.v.future")
	}
	summary := textnorm.Clean(in.Summary)
	if n := utf8.RuneCountInString(summary); n == 0 {
		f.Add("summary", "v.required")
	} else if n > 500 {
		f.Add("summary", "v.too_long")
	}
	t.Kind, t.TouchedOn, t.Summary = in.Kind, on, summary
	return f
}

// Touch returns a touch the actor may edit, with its customer.
func (s *Service) Touch(ctx context.Context, actor authz.Subject, id uint) (*Touch, *prospects.Customer, error) {
	t, err := s.store.Touch(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.careRecordFor(ctx, actor, t.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	return t, cust, nil
}

// UpdateTouch edits a touch (kind, date, summary) at the version the form
// was read at; the customer's last contact follows.
func (s *Service) UpdateTouch(ctx context.Context, actor authz.Subject, id uint, in TouchInput, version int) (*Touch, error) {
	var out *Touch
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		t, _, err := s.Touch(ctx, actor, id)
		if err != nil {
			return err
		}
		if version != t.Version {
			return fmt.Errorf("care touch %d: %w", id, apperr.ErrConflict)
		}
		before := *t
		if f := s.validTouch(in, t); len(f) > 0 {
			return f
		}
		t.UpdatedBy = &actor.ID
		if err := s.store.SaveTouch(ctx, t, s.now()); err != nil {
			return err
		}
		if err := s.refreshLastContact(ctx, t.CustomerID); err != nil {
			return err
		}
		out = t
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityTouch, t.ID, audit.ActionUpdate, audit.Diff(before, *t))
	})
	return out, err
}

// confirmErr is the error of a delete that was not confirmed.
func confirmErr() error { return apperr.Fields{"confirm": "aftersale.v.confirm_delete"} }

// DeleteTouch soft-deletes a touch once confirmed, at the version shown;
// the customer's last contact falls back to the previous contact.
func (s *Service) DeleteTouch(ctx context.Context, actor authz.Subject, id uint, version int, confirmed bool) error {
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		t, _, err := s.Touch(ctx, actor, id)
		if err != nil {
			return err
		}
		if !confirmed {
			return confirmErr()
		}
		if err := s.store.SoftDelete(ctx, &Touch{}, id, version, actor.ID, s.now()); err != nil {
			return err
		}
		if err := s.refreshLastContact(ctx, t.CustomerID); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityTouch, t.ID, audit.ActionDelete, audit.Diff(*t, nil))
	})
}

// CareDate returns a key date the actor may edit, with its customer.
func (s *Service) CareDate(ctx context.Context, actor authz.Subject, id uint) (*CareDate, *prospects.Customer, error) {
	d, err := s.store.CareDate(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	cust, err := s.careRecordFor(ctx, actor, d.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	return d, cust, nil
}

// validCareDate checks a key date form for a customer; it fills cd.
func (s *Service) validCareDate(ctx context.Context, actor authz.Subject, cust *prospects.Customer, in CareDateInput, cd *CareDate) (apperr.Fields, error) {
	f := apperr.Fields{}
	cd.Kind, cd.Label, cd.ContactID = in.Kind, textnorm.Line(in.Label), nil
	switch in.Kind {
	case "birthday":
		contacts, err := s.deps.Customers.Contacts(ctx, actor, cust.ID)
		if err != nil {
			return nil, err
		}
		found := false
		for _, c := range contacts {
			if c.ID == in.ContactID {
				found, cd.Label = true, c.Name
			}
		}
		if !found {
			f.Add("contact_id", "aftersale.v.contact")
		}
		cd.ContactID = ptr(in.ContactID)
	case "founding":
	default:
		f.Add("kind", "v.required")
	}
	m, d, y, ok := ParseMonthDay(in.Date)
	if !ok {
		f.Add("date", "aftersale.v.month_day")
	}
	cd.Month, cd.Day, cd.Year = m, d, y
	if utf8.RuneCountInString(cd.Label) > 100 {
		f.Add("label", "v.too_long")
	}
	return f, nil
}

// UpdateCareDate edits a key date at the version the form was read at.
func (s *Service) UpdateCareDate(ctx context.Context, actor authz.Subject, id uint, in CareDateInput, version int) (*CareDate, error) {
	var out *CareDate
	err := db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		cd, cust, err := s.CareDate(ctx, actor, id)
		if err != nil {
			return err
		}
		if version != cd.Version {
			return fmt.Errorf("care date %d: %w", id, apperr.ErrConflict)
		}
		before := *cd
		f, err := s.validCareDate(ctx, actor, cust, in, cd)
		if err != nil {
			return err
		}
		if len(f) > 0 {
			return f
		}
		cd.UpdatedBy = &actor.ID
		if err := s.store.SaveCareDate(ctx, cd, s.now()); err != nil {
			return err
		}
		out = cd
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityCareDate, cd.ID, audit.ActionUpdate, audit.Diff(before, *cd))
	})
	return out, err
}

// DeleteCareDate soft-deletes a key date once confirmed; its care events
// are no longer shown.
func (s *Service) DeleteCareDate(ctx context.Context, actor authz.Subject, id uint, version int, confirmed bool) error {
	return db.WithTx(ctx, s.store.DB(), func(ctx context.Context) error {
		cd, _, err := s.CareDate(ctx, actor, id)
		if err != nil {
			return err
		}
		if !confirmed {
			return confirmErr()
		}
		if err := s.store.SoftDelete(ctx, &CareDate{}, id, version, actor.ID, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, db.Conn(ctx, s.store.DB()), actor.ID, EntityCareDate, cd.ID, audit.ActionDelete, audit.Diff(*cd, nil))
	})
}
