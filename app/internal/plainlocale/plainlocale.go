// Package plainlocale keeps Fyne quiet under the C locale. Fyne's lang
// package reads the locale in its init and logs an error for "C" and
// "POSIX" (not language tags), so every subcommand, `serve` on a server
// included, would start with three lines of "Fyne error". This package
// imports only os, so by Go's package initialisation order (packages are
// initialised in import-path order as soon as their imports are, and
// golang.org/x/text, which Fyne's lang needs first, sorts after this path)
// its init runs before Fyne's: it replaces a C/POSIX locale by plain
// English for this process, which is what C means anyway.
package plainlocale

import (
	"os"
	"strings"
)

func init() {
	for _, name := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if isPlain(v) {
			os.Setenv(name, "en_US.UTF-8")
		}
		if name != "LANGUAGE" {
			return // the first one set is the one that counts
		}
	}
}

// isPlain reports whether v is the C or POSIX locale, with or without a
// codeset (C.UTF-8).
func isPlain(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	return base == "C" || base == "POSIX"
}
