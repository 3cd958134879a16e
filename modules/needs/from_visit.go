package needs

import (
	"context"
	"strings"

	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"gorm.io/gorm"
)

// WithDB returns a copy of the service whose writes go through d, a
// transaction another module has open, so a need commits or rolls back
// with the caller's records (a visit record and the needs found at it).
// Permission checks read as usual.
func (s *Service) WithDB(d *gorm.DB) *Service {
	c := *s
	c.store = NewStore(d)
	return &c
}

// VisitNeed is a need found during a visit.
type VisitNeed struct {
	Category    string // empty means "other"
	Description string
	// ContactID is the key person who raised it, OpportunityID the
	// opportunity it belongs to (each optional, each checked to be the
	// customer's).
	ContactID     uint
	OpportunityID uint
	VisitID       uint
}

// CreateVisitNeed records a need found during a visit: open, medium
// priority, linked to the visit and, when given, to the key person who
// raised it and the customer's opportunity. The visits module calls it
// through a func wired in cmd/jike.
func (s *Service) CreateVisitNeed(ctx context.Context, actor authz.Subject, customerID uint, v VisitNeed) (*Need, error) {
	if strings.TrimSpace(v.Category) == "" {
		v.Category = servicecat.Other
	}
	return s.createNeed(ctx, actor, customerID, NeedInput{Category: v.Category, Description: v.Description, Priority: "medium",
		ContactID: v.ContactID, OpportunityID: v.OpportunityID}, v.VisitID)
}
