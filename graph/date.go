package graph

import (
	"fmt"
	"strconv"
	"time"
)

// Date is a partial date: a year, a month of a year, or a day. It covers the interval from its first to its
// last day, which is how "valid at a date" is decided.
type Date struct {
	Year, Month, Day int // Month and Day are 0 when absent
}

// Relations store their dates as integer keys YYYYMMDD so that "valid at D" is an indexed range comparison:
// a relation without since starts at MinDateKey, one without until never ends (MaxDateKey).
const (
	MinDateKey = 0
	MaxDateKey = 99991231
)

// ParseDate parses YYYY, YYYY-MM or YYYY-MM-DD, checking that the day exists.
func ParseDate(s string) (Date, error) {
	var d Date
	var err error
	bad := fmt.Errorf("%q is not a date: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	switch len(s) {
	case 4:
		d.Year, err = strconv.Atoi(s)
	case 7:
		if s[4] != '-' {
			return d, bad
		}
		if d.Year, err = strconv.Atoi(s[:4]); err == nil {
			d.Month, err = strconv.Atoi(s[5:])
		}
	case 10:
		if s[4] != '-' || s[7] != '-' {
			return d, bad
		}
		if d.Year, err = strconv.Atoi(s[:4]); err == nil {
			if d.Month, err = strconv.Atoi(s[5:7]); err == nil {
				d.Day, err = strconv.Atoi(s[8:])
			}
		}
	default:
		return d, bad
	}
	if err != nil || d.Year < 1 || s[0] == '+' || s[0] == '-' {
		return Date{}, bad
	}
	if len(s) >= 7 && (d.Month < 1 || d.Month > 12) {
		return Date{}, fmt.Errorf("%q is not a date: month must be 01 to 12", s)
	}
	if len(s) == 10 && (d.Day < 1 || d.Day > daysIn(d.Year, d.Month)) {
		return Date{}, fmt.Errorf("%q is not a date: %04d-%02d has no day %02d", s, d.Year, d.Month, d.Day)
	}
	return d, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Start is the key of the first day the date covers.
func (d Date) Start() int {
	m, day := d.Month, d.Day
	if m == 0 {
		m = 1
	}
	if day == 0 {
		day = 1
	}
	return d.Year*10000 + m*100 + day
}

// End is the key of the last day the date covers.
func (d Date) End() int {
	switch {
	case d.Month == 0:
		return d.Year*10000 + 1231
	case d.Day == 0:
		return d.Year*10000 + d.Month*100 + daysIn(d.Year, d.Month)
	default:
		return d.Start()
	}
}

// parseOptionalDate parses an optional date argument, naming field in the error.
func parseOptionalDate(field string, s *string) (*Date, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	d, err := ParseDate(*s)
	if err != nil {
		return nil, Invalid(field, "%v", err)
	}
	return &d, nil
}
