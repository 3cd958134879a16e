package aftersale

import (
	"sync"
	"time"

	"github.com/6tail/lunar-go/calendar"
)

// Festival is a holiday a customer may be greeted on.
type Festival struct {
	// Code names it (message id aftersale.festival.<code>).
	Code string
	// Lunar festivals are a lunar month and day; solar ones a calendar
	// month and day.
	Lunar      bool
	Month, Day int
}

// Festivals are the six care festivals: 元旦, 春节, 元宵, 端午, 中秋, 国庆.
var Festivals = []Festival{
	{Code: "new_year", Month: 1, Day: 1},
	{Code: "spring", Lunar: true, Month: 1, Day: 1},
	{Code: "lantern", Lunar: true, Month: 1, Day: 15},
	{Code: "dragon_boat", Lunar: true, Month: 5, Day: 5},
	{Code: "mid_autumn", Lunar: true, Month: 8, Day: 15},
	{Code: "national", Month: 10, Day: 1},
}

// On returns the festival's solar date in year (midnight UTC). Lunar
// dates come from the 6tail lunar calendar (github.com/6tail/lunar-go),
// which computes any year from the astronomical new moons rather than a
// typed table.
func (f Festival) On(year int) time.Time {
	if !f.Lunar {
		return time.Date(year, time.Month(f.Month), f.Day, 0, 0, 0, 0, time.UTC)
	}
	s := calendar.NewLunarFromYmd(year, f.Month, f.Day).GetSolar()
	return time.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay(), 0, 0, 0, 0, time.UTC)
}

// festivalDates remembers each festival's date per year. The lunar
// conversion reads astronomical tables (about a tenth of the route walk's
// CPU went to it when every home page converted twelve dates); a
// service keeps one, so a date is converted once per process. It holds
// six festivals times the years asked, a few dozen entries.
type festivalDates struct {
	mu sync.Mutex
	m  map[festivalYear]time.Time
}

type festivalYear struct {
	f    Festival
	year int
}

// on is f.On(year), converted once.
func (d *festivalDates) on(f Festival, year int) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := festivalYear{f, year}
	if t, ok := d.m[k]; ok {
		return t
	}
	if d.m == nil {
		d.m = map[festivalYear]time.Time{}
	}
	t := f.On(year)
	d.m[k] = t
	return t
}
