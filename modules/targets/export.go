package targets

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteGridXLSX writes the team/branch grid as a workbook: one row per
// manager, per line the target, the actual and the attainment, numbers as
// numbers (money in yuan, with two decimals; attainment as a percentage)
// so the sheet can be summed and charted. t translates message ids.
func WriteGridXLSX(w io.Writer, g *Grid, t func(id string) string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := g.Month.String()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	moneySt, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	pctSt, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := []any{excelize.Cell{StyleID: head, Value: t("targets.col.member")}, excelize.Cell{StyleID: head, Value: t("targets.col.team")}}
	for _, l := range Lines {
		name := t("targets.line." + l.Key)
		header = append(header,
			excelize.Cell{StyleID: head, Value: name + " · " + t("targets.col.target")},
			excelize.Cell{StyleID: head, Value: name + " · " + t("targets.col.actual")},
			excelize.Cell{StyleID: head, Value: name + " · %"})
	}
	header = append(header, excelize.Cell{StyleID: head, Value: t("targets.col.review")})
	if err := sw.SetColWidth(1, 2, 14); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	num := func(l LineDef, v int64) excelize.Cell {
		if l.Money {
			return excelize.Cell{StyleID: moneySt, Value: float64(v) / 100}
		}
		return excelize.Cell{Value: v}
	}
	for i, r := range g.Rows {
		row := []any{r.Person.Name, r.Person.TeamName}
		for _, a := range r.Lines {
			if a.Target > 0 {
				row = append(row, num(a.Def, a.Target), num(a.Def, a.Actual), excelize.Cell{StyleID: pctSt, Value: float64(a.Actual) / float64(a.Target)})
			} else {
				row = append(row, nil, num(a.Def, a.Actual), nil)
			}
		}
		row = append(row, t("targets.status."+r.ReviewStatus()))
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
