package proposals

import (
	"context"
	"errors"
	"time"

	"github.com/jike-crm/jike/modules/platform/authz"
)

// ErrNoFonts reports that the PDF cannot be made: no fonts are wired.
var ErrNoFonts = errors.New("proposal pdf: no fonts")

// PDFFile is version id as a PDF in lang and its Content-Disposition, if
// actor may read it (a proposal out of scope is ErrNotFound, as on its
// page). The portal's download and the API's are this one function.
func (s *Service) PDFFile(ctx context.Context, actor authz.Subject, id uint, o RouteOptions, lang string, t func(id string, args ...any) string) ([]byte, string, error) {
	d, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, "", err
	}
	if o.Fonts == nil {
		return nil, "", ErrNoFonts
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	owner, chief := d.User(d.P.OwnerID), d.User(d.ChiefID)
	data := PDFData{Detail: d, Owner: Person{owner.Name, owner.Phone}, Chief: Person{chief.Name, chief.Phone}, Date: s.opts.Now().In(o.Location)}
	if o.Unit != nil {
		data.Unit = func(u string) string { return o.Unit(lang, u) }
	}
	for _, n := range d.Needs {
		data.Needs = append(data.Needs, n.Text)
	}
	out, err := RenderPDF(o.Fonts, o.Letterhead, o.Location, lang, data, t)
	if err != nil {
		return nil, "", err
	}
	return out, pdfDisposition(d.P, t("proposals.draft_file")), nil
}
