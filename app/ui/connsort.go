package ui

import "slices"

// sortRows sorts the rows by the chosen column. By age, the default, it
// need not compare: a snapshot lists the connections in ID order, which
// is oldest first.
func (c *Connections) sortRows() {
	if c.sortCol == colAge {
		if c.desc {
			slices.Reverse(c.rows)
		}
		return
	}
	slices.SortStableFunc(c.rows, func(a, b int) int {
		r := c.compare(&c.conns[a], &c.conns[b])
		if c.desc {
			return -r
		}
		return r
	})
}
