package catalog

import (
	"time"

	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/money"
)

// Audit actions of a product besides create and update.
const (
	ActionRetire   = "retire"
	ActionActivate = "activate"
)

// AuditEntity is the entity name of products in the audit trail.
const AuditEntity = "product"

// Product is one line of the catalogue. Prices are per Unit; MonthlyFen is
// charged every month, OneTimeFen once (installation, number selection).
type Product struct {
	ID       uint   `gorm:"primaryKey"`
	Code     string `gorm:"size:32;not null"`
	NameZh   string `gorm:"column:name_zh;size:100;not null"`
	NameEn   string `gorm:"column:name_en;size:200;not null"`
	Category string `gorm:"size:16;not null"`
	// Unit is what one is counted in (户, 条, 台, 张, 端口, 万条 …), shown as
	// the admin typed it in both languages.
	Unit       string    `gorm:"size:16;not null"`
	MonthlyFen money.Fen `gorm:"column:monthly_fen;not null"`
	OneTimeFen money.Fen `gorm:"column:one_time_fen;not null"`
	// FloorRate is the lowest rate (basis points of the list price) an
	// account manager may quote alone; below it a proposal needs approval.
	FloorRate   money.Rate `gorm:"not null"`
	Description string     `gorm:"not null"`
	// Active is 在售; a retired product (已下架) cannot go into a new
	// proposal, but proposals that have it keep it.
	Active    bool `gorm:"not null"`
	SortOrder int  `gorm:"not null"`
	Version   int  `gorm:"not null"`
	CreatedBy *uint
	UpdatedBy *uint
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name explicit.
func (Product) TableName() string { return "products" }

// Name is the product's name in lang (English falls back to Chinese).
func (p Product) Name(lang string) string {
	if i18n.Normalize(lang) == i18n.EN && p.NameEn != "" {
		return p.NameEn
	}
	return p.NameZh
}

// FloorPercent shows the floor rate as a percentage without the sign
// ("85", "85.5", "85.25").
func (p Product) FloorPercent() string { return p.FloorRate.Percent() }

// AllowsRate reports whether an account manager may quote the product at
// rate (basis points of the list price) without approval.
func (p Product) AllowsRate(rate money.Rate) bool {
	return rate >= p.FloorRate && rate <= money.FullRate
}

// MinMonthlyFen is the lowest monthly price per unit an account manager
// may quote alone: the list price at the floor rate, rounded up to the fen
// so that quoting it never falls below the floor.
func (p Product) MinMonthlyFen() money.Fen { return money.AtRate(p.MonthlyFen, p.FloorRate, true) }

// MinOneTimeFen is MinMonthlyFen for the one-time price.
func (p Product) MinOneTimeFen() money.Fen { return money.AtRate(p.OneTimeFen, p.FloorRate, true) }

// Models lists the GORM models of this module, for the schema drift test.
func Models() []any { return []any{&Product{}} }

func ptr(v uint) *uint {
	if v == 0 {
		return nil
	}
	return &v
}
