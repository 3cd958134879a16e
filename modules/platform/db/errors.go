package db

import (
	"errors"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"gorm.io/gorm"
)

// NotFound wraps a store error with what was looked up, turning GORM's
// record-not-found into apperr.ErrNotFound so handlers answer 404.
func NotFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, apperr.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
