// Package usage keeps what each group customer uses and pays per month
// and product, as billing reports it (业务使用情况跟踪): the monthly import,
// the customer's 业务使用 tab and the usage lists. The churn-risk score and
// the retention queue read these rows through this package's service.
package usage

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/money"
)

// Import is one imported file: a source's month. A re-import of the same
// source and month replaces the month's rows and marks the earlier import
// replaced, so who loaded which month stays on record.
type Import struct {
	ID         uint      `gorm:"primaryKey"`
	Source     string    `gorm:"size:32;not null"`
	YM         int       `gorm:"column:ym;not null"`
	FileName   string    `gorm:"size:255;not null"`
	RowCount   int       `gorm:"not null"`
	RevenueFen money.Fen `gorm:"column:revenue_fen;not null"`
	ImportedBy uint      `gorm:"not null"`
	ImportedAt time.Time `gorm:"not null"`
	ReplacedAt *time.Time
}

// TableName keeps the plural table name of the migration.
func (Import) TableName() string { return "usage_imports" }

// Month is one customer's usage of one product in one month from one
// source. YM is the month as yyyymm in the configured time zone; Quantity
// is counted in the product's unit. A negative revenue is allowed only for
// a credit (IsCredit), as billing marks it.
type Month struct {
	ID         uint      `gorm:"primaryKey"`
	ImportID   uint      `gorm:"not null"`
	Source     string    `gorm:"size:32;not null"`
	YM         int       `gorm:"column:ym;not null"`
	CustomerID uint      `gorm:"not null"`
	ProductID  uint      `gorm:"not null"`
	RevenueFen money.Fen `gorm:"column:revenue_fen;not null"`
	IsCredit   bool      `gorm:"not null"`
	Quantity   int64     `gorm:"not null"`
}

// TableName keeps the plural table name of the migration.
func (Month) TableName() string { return "usage_months" }

// Models lists the package's GORM models for the schema drift test.
func Models() []any { return []any{&Import{}, &Month{}} }
