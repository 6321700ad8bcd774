//go:build !windows

package winetest

// underWine is false: Wine runs Windows programs only.
const underWine = false
