package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/i18n"
)

// describe turns validation errors into English sentences for the shell.
func describe(err error) error {
	f, ok := apperr.AsFields(err)
	if !ok {
		if errors.Is(err, apperr.ErrNotFound) {
			return fmt.Errorf("not found: %w", err)
		}
		return err
	}
	b, berr := i18n.New()
	if berr != nil {
		return err
	}
	var lines []string
	for field, msg := range f {
		lines = append(lines, fmt.Sprintf("  --%s: %s", strings.ReplaceAll(field, "_id", ""), b.T(i18n.EN, msg)))
	}
	sort.Strings(lines)
	return fmt.Errorf("invalid input:\n%s", strings.Join(lines, "\n"))
}
