package aftersale

import (
	"context"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
	"gorm.io/gorm"
)

// This file holds the module's read-only queries on other modules' tables
// (customers, visit_plans, contacts, contracts), as targets does in its
// actuals_store.go: the care list needs the last contact of every
// customer in scope in one query, which no other module's service offers.

// CareStatuses are the customers the care plan covers: in service (在网)
// and dormant (沉默) ones.
var CareStatuses = []string{"active", "dormant"}

// CareFilter narrows the care list's customers.
type CareFilter struct {
	OwnerID, TeamID uint
	CustomerID      uint
}

// careRow is a customer with its last contact, as read.
type careRow struct {
	ID         uint
	Name       string
	Grade      string
	OwnerID    uint
	TeamID     uint
	BranchID   uint
	OwnerName  string
	LastVisit  flexTime
	LastTouch  flexTime
	LastVisitS string `gorm:"-"`
}

func (s *Store) careQuery(q *gorm.DB, f CareFilter) *gorm.DB {
	q = q.Table("customers").Where("customers.deleted_at IS NULL AND customers.status IN ?", CareStatuses)
	if f.OwnerID != 0 {
		q = q.Where("customers.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		q = q.Where("customers.team_id = ?", f.TeamID)
	}
	if f.CustomerID != 0 {
		q = q.Where("customers.id = ?", f.CustomerID)
	}
	return q.Joins("LEFT JOIN users ON users.id = customers.owner_id").
		Select(`customers.id, customers.name, customers.grade, customers.owner_id, customers.team_id, customers.branch_id, users.name AS owner_name,
 (SELECT MAX(visit_plans.starts_at) FROM visit_plans WHERE visit_plans.customer_id = customers.id AND visit_plans.status = 'done' AND visit_plans.deleted_at IS NULL) AS last_visit,
 (SELECT MAX(care_touches.touched_on) FROM care_touches WHERE care_touches.customer_id = customers.id AND care_touches.deleted_at IS NULL) AS last_touch`).
		Order("customers.id")
}

// CareCustomers lists the customers in scope the care plan covers, with
// their last recorded visit and last touch.
func (s *Store) CareCustomers(ctx context.Context, scope authz.ListScope, f CareFilter) ([]careRow, error) {
	var out []careRow
	q := scope.Apply(s.conn(ctx), authz.StandardColumns("customers"))
	if err := s.careQuery(q, f).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("care list: %w", err)
	}
	return out, nil
}

// CareCustomersAll is CareCustomers for the system (the overdue job).
func (s *Store) CareCustomersAll(ctx context.Context) ([]careRow, error) {
	var out []careRow
	if err := s.careQuery(s.conn(ctx), CareFilter{}).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("care list: %w", err)
	}
	return out, nil
}

// eventSource is a dated thing a care event comes from.
type eventSource struct {
	CustomerID   uint
	CustomerName string
	OwnerID      uint
	Grade        string
	RefID        uint
	Name         string
	On           flexTime
}

// Birthdays lists the key persons with a birthday of the customers in scope.
func (s *Store) Birthdays(ctx context.Context, scope authz.ListScope) ([]eventSource, error) {
	var out []eventSource
	err := scope.Apply(s.conn(ctx).Table("contacts").Joins(customerJoin("contacts")), authz.StandardColumns("customers")).
		Where("contacts.deleted_at IS NULL AND contacts.birthday IS NOT NULL").
		Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade, contacts.id AS ref_id, contacts.name, contacts.birthday AS \"on\"").
		Scan(&out).Error
	return out, err
}

// Anniversaries lists the signing dates of the contracts in force of the
// customers in scope.
func (s *Store) Anniversaries(ctx context.Context, scope authz.ListScope) ([]eventSource, error) {
	var out []eventSource
	err := scope.Apply(s.conn(ctx).Table("contracts").Joins(customerJoin("contracts")), authz.StandardColumns("customers")).
		Where("contracts.deleted_at IS NULL AND contracts.is_current = ? AND contracts.status IN ? AND contracts.signed_on IS NOT NULL", true, []string{"signed", "active", "expiring"}).
		Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade, contracts.id AS ref_id, contracts.number AS name, contracts.signed_on AS \"on\"").
		Scan(&out).Error
	return out, err
}

// KeyAccounts lists the A and B customers in scope (festival greetings).
func (s *Store) KeyAccounts(ctx context.Context, scope authz.ListScope) ([]eventSource, error) {
	var out []eventSource
	err := scope.Apply(s.conn(ctx).Table("customers"), authz.StandardColumns("customers")).
		Where("customers.deleted_at IS NULL AND customers.status IN ? AND customers.grade IN ?", CareStatuses, []string{"A", "B"}).
		Select("customers.id AS customer_id, customers.name AS customer_name, customers.owner_id, customers.grade").
		Scan(&out).Error
	return out, err
}

// CareDatesIn lists the key dates (birthdays, founding days) of the
// customers in scope.
func (s *Store) CareDatesIn(ctx context.Context, scope authz.ListScope) ([]CareDateRow, error) {
	var out []CareDateRow
	err := scope.Apply(s.conn(ctx).Model(&CareDate{}).Joins(customerJoin("care_dates")), authz.StandardColumns("customers")).
		Select("care_dates.*, customers.name AS customer_name, customers.owner_id AS owner_id").
		Scan(&out).Error
	return out, err
}

// CareDateRow is a key date with its customer.
type CareDateRow struct {
	CareDate
	CustomerName string
	OwnerID      uint
}

// DoneBetween lists the care events marked done on dates in [from, to].
func (s *Store) DoneBetween(ctx context.Context, from, to time.Time) ([]CareDone, error) {
	var out []CareDone
	return out, s.conn(ctx).Where("on_date >= ? AND on_date <= ?", from, to).Find(&out).Error
}

// Activations lists the contracts in force that were activated (a
// call-back task is due for each).
func (s *Store) Activations(ctx context.Context) ([]Activation, error) {
	var out []Activation
	err := s.conn(ctx).Table("contracts").Joins(customerJoin("contracts")).
		Where("contracts.deleted_at IS NULL AND contracts.is_current = ? AND contracts.activated_at IS NOT NULL AND contracts.status IN ?", true, []string{"active", "expiring"}).
		Select("COALESCE(contracts.root_id, contracts.id) AS contract_id, contracts.customer_id, contracts.number").
		Scan(&out).Error
	return out, err
}

// KeyAccountsAll lists the ids of every A and B customer in service.
func (s *Store) KeyAccountsAll(ctx context.Context) ([]uint, error) {
	var out []uint
	err := s.conn(ctx).Table("customers").Where("deleted_at IS NULL AND status IN ? AND grade IN ?", CareStatuses, []string{"A", "B"}).
		Order("id").Pluck("id", &out).Error
	return out, err
}
