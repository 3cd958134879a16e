package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/tabular"
)

// RowReader yields the rows of an uploaded sheet, header first, and io.EOF
// after the last.
type RowReader interface {
	Next() ([]string, error)
}

// MaxQuotaImportRows bounds one import (a branch has a few hundred
// managers).
const MaxQuotaImportRows = 5000

// MaxQuotaImportBytes bounds one quota file.
const MaxQuotaImportBytes = 2 << 20

// OpenRows reads an .xlsx (first sheet) or .csv upload of size bytes
// through the shared streaming reader (platform/tabular: encodings,
// content sniffing, zip and size caps, cleaned cells). Close the result.
func OpenRows(name string, src io.ReaderAt, size int64) (*SheetRows, error) {
	r, err := tabular.Open(name, src, size, tabular.Limits{
		MaxBytes: MaxQuotaImportBytes, MaxRows: MaxQuotaImportRows + 10, MaxColumns: 50,
	})
	if err != nil {
		var te *tabular.Error
		if errors.As(err, &te) && te.Kind == tabular.KindTooLarge {
			return nil, apperr.Fields{"file": "targets.import.too_big"}
		}
		return nil, apperr.Fields{"file": "targets.import.bad_file"}
	}
	return &SheetRows{r: r}, nil
}

// SheetRows adapts the shared reader to RowReader.
type SheetRows struct{ r *tabular.Reader }

// Next returns the next row's cells.
func (s *SheetRows) Next() ([]string, error) {
	_, cells, err := s.r.Next()
	return cells, err
}

// Close releases the reader's temporary files.
func (s *SheetRows) Close() error { return s.r.Close() }

// Quota import columns: a manager by username, or a team (username empty)
// by name; then the three quota lines (money in yuan).
var quotaHeaders = map[string]string{
	"用户名": "username", "username": "username", "客户经理用户名": "username",
	"团队": "team", "team": "team",
	"走访": LineVisits, "visits": LineVisits,
	"签约": LineSignings, "signings": LineSignings,
	"新增月收入(元)": LineMRC, "新增月收入": LineMRC, "new mrc": LineMRC, "mrc": LineMRC,
}

// ImportError is a problem in one row (Line as Excel numbers it).
type ImportError struct {
	Line  int
	Field string
	MsgID string
}

// ImportResult is what an import did or, in a dry run, would do.
type ImportResult struct {
	Rows    int
	Saved   int
	DryRun  bool
	Errors  []ImportError
	Unknown []string
}

// ImportQuotas reads annual quotas for year from rows: every row is
// checked first, and with any error nothing is saved (all or nothing); a
// dry run only checks. The rows then go through SaveQuotas, so the import
// has exactly the page's rules and permissions.
func (s *Service) ImportQuotas(ctx context.Context, actor authz.Subject, year int, rows RowReader, dryRun bool) (*ImportResult, error) {
	res := &ImportResult{DryRun: dryRun}
	people, err := s.Members(ctx, actor)
	if err != nil {
		return nil, err
	}
	byUser, byTeam := map[string]Person{}, map[string]Person{}
	for _, p := range people {
		if s.enf.Can(actor, "target", "set", p.Ref()) {
			byUser[strings.ToLower(p.Username)] = p
			byTeam[p.TeamName] = p
		}
	}
	header, err := rows.Next()
	if err != nil {
		return nil, apperr.Fields{"file": "targets.import.empty"}
	}
	col := map[string]int{}
	for i, h := range header {
		norm := strings.ToLower(strings.TrimSpace(strings.NewReplacer("（", "(", "）", ")", "\uFEFF", "").Replace(h)))
		if key, ok := quotaHeaders[norm]; ok {
			col[key] = i
		} else if norm != "" {
			res.Unknown = append(res.Unknown, h)
		}
	}
	if _, ok := col["username"]; !ok {
		if _, ok := col["team"]; !ok {
			return nil, apperr.Fields{"file": "targets.import.no_person"}
		}
	}
	cell := func(r []string, k string) string {
		if i, ok := col[k]; ok && i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	var inputs []QuotaInput
	seen := map[string]int{}
	for line := 2; ; line++ {
		r, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.Fields{"file": "targets.import.bad_file"}
		}
		if strings.Join(r, "") == "" {
			continue
		}
		res.Rows++
		if res.Rows > MaxQuotaImportRows {
			return nil, apperr.Fields{"file": "targets.import.too_many"}
		}
		in := QuotaInput{Field: fmt.Sprintf("row%d", line), Values: map[string]string{}}
		user, team := cell(r, "username"), cell(r, "team")
		key := ""
		switch {
		case user != "":
			p, ok := byUser[strings.ToLower(user)]
			if !ok {
				res.Errors = append(res.Errors, ImportError{Line: line, Field: "username", MsgID: "targets.import.unknown_user"})
				continue
			}
			in.OwnerID, key = p.ID, "u"+user
		case team != "" && s.enf.CanRoute(actor, "target", "set_team"):
			p, ok := byTeam[team]
			if !ok {
				res.Errors = append(res.Errors, ImportError{Line: line, Field: "team", MsgID: "targets.import.unknown_team"})
				continue
			}
			in.TeamID, key = p.TeamID, "t"+team
		default:
			res.Errors = append(res.Errors, ImportError{Line: line, Field: "username", MsgID: "targets.import.no_person"})
			continue
		}
		if _, dup := seen[key]; dup {
			res.Errors = append(res.Errors, ImportError{Line: line, Field: "username", MsgID: "targets.import.duplicate"})
			continue
		}
		seen[key] = line
		for _, l := range QuotaLines() {
			in.Values[l.Key] = cell(r, l.Key)
			lim := l
			lim.Max = quotaMax(l)
			if _, msg := ParseValue(lim, in.Values[l.Key]); msg != "" {
				if strings.HasPrefix(msg, tooBigPrefix) {
					msg = "targets.err.quota_too_big"
				}
				res.Errors = append(res.Errors, ImportError{Line: line, Field: l.Key, MsgID: msg})
			}
		}
		inputs = append(inputs, in)
	}
	if res.Rows == 0 {
		return nil, apperr.Fields{"file": "targets.import.empty"}
	}
	if len(res.Errors) > 0 || dryRun {
		return res, nil
	}
	n, err := s.SaveQuotas(ctx, actor, year, inputs)
	if err != nil {
		return nil, err
	}
	res.Saved = n
	return res, nil
}
