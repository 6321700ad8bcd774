package proxyenv

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Shell is a shell whose syntax Script writes.
type Shell string

// The shells Script knows.
const (
	Bash       Shell = "bash"
	Zsh        Shell = "zsh"
	Fish       Shell = "fish"
	PowerShell Shell = "powershell"
	Cmd        Shell = "cmd"
)

// Shells are the shells Script knows, in the order help text lists them.
var Shells = []Shell{Bash, Zsh, Fish, PowerShell, Cmd}

// shellNames maps program names to their shell. POSIX shells take bash's
// syntax (export NAME='value' is POSIX).
var shellNames = map[string]Shell{
	"bash": Bash, "sh": Bash, "dash": Bash, "ash": Bash, "ksh": Bash, "mksh": Bash,
	"zsh":        Zsh,
	"fish":       Fish,
	"powershell": PowerShell, "pwsh": PowerShell,
	"cmd": Cmd,
}

// ParseShell reads a shell's name or its program's path ("/bin/zsh",
// "pwsh.exe").
func ParseShell(name string) (Shell, error) {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	base = strings.TrimSuffix(base, ".exe")
	if sh, ok := shellNames[base]; ok {
		return sh, nil
	}
	list := make([]string, len(Shells))
	for i, sh := range Shells {
		list[i] = string(sh)
	}
	return "", fmt.Errorf("shell %q: want one of %s", name, strings.Join(list, ", "))
}

// DefaultShell is the shell of $SHELL (shellVar) when Script knows it;
// else PowerShell on Windows and Bash elsewhere. known is false when
// shellVar named a shell that Script does not know.
func DefaultShell(goos, shellVar string) (sh Shell, known bool) {
	if shellVar != "" {
		if sh, err := ParseShell(shellVar); err == nil {
			return sh, true
		}
	}
	if goos == "windows" {
		return PowerShell, shellVar == ""
	}
	return Bash, shellVar == ""
}

// ErrUnquotable is the error of a value that a shell's syntax cannot
// carry safely.
var ErrUnquotable = errors.New("cannot be written safely")

// Script is the proxy's variables as commands of sh, one a line, after
// its notes as comments.
func Script(sh Shell, p Proxy) (string, error) {
	var b strings.Builder
	for _, n := range p.Notes() {
		b.WriteString(Comment(sh, n) + "\n")
	}
	for _, v := range p.Vars() {
		line, err := Set(sh, v)
		if err != nil {
			return "", err
		}
		b.WriteString(line + "\n")
	}
	return b.String(), nil
}

// Comment is text as a comment line of sh. text must be one line.
func Comment(sh Shell, text string) string {
	if sh == Cmd {
		return "REM " + text
	}
	return "# " + text
}

// Set is the command of sh that sets v for the shell and the programs it
// starts.
func Set(sh Shell, v Var) (string, error) {
	q, err := Quote(sh, v.Value)
	if err != nil {
		return "", fmt.Errorf("%s for %s: %w", v.Name, sh, err)
	}
	switch sh {
	case Bash, Zsh:
		return "export " + v.Name + "=" + q, nil
	case Fish:
		return "set -gx " + v.Name + " " + q, nil
	case PowerShell:
		return "$env:" + v.Name + " = " + q, nil
	case Cmd:
		if strings.HasPrefix(q, `"`) {
			return `set "` + v.Name + "=" + q[1:], nil
		}
		return "set " + v.Name + "=" + q, nil
	}
	return "", fmt.Errorf("unknown shell %q", string(sh))
}

// psQuotes are the characters PowerShell takes for a single quote: the
// ASCII one and the typographic ones (about_Quoting_Rules).
const psQuotes = "'\u2018\u2019\u201a\u201b"

// Quote is s as one literal word of sh:
//   - bash, zsh: in single quotes; a ' inside ends them, is written \',
//     and opens them again.
//   - fish: in single quotes, where \ and ' are escaped with \.
//   - PowerShell: in single quotes, each quote character doubled.
//   - cmd: as it is when it holds none of cmd's special characters, else
//     in double quotes, which Set moves before the name: `set "NAME=a&b"`.
//     cmd has no escape for % (outside batch files), ! (with delayed
//     expansion), " or a line break inside quotes: such values are
//     ErrUnquotable.
//
// A NUL byte cannot be in any environment: ErrUnquotable for all shells.
func Quote(sh Shell, s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("a NUL byte %w", ErrUnquotable)
	}
	switch sh {
	case Bash, Zsh:
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", nil
	case Fish:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'", nil
	case PowerShell:
		var b strings.Builder
		b.WriteByte('\'')
		for _, r := range s {
			if strings.ContainsRune(psQuotes, r) {
				b.WriteRune(r)
			}
			b.WriteRune(r)
		}
		b.WriteByte('\'')
		return b.String(), nil
	case Cmd:
		if strings.ContainsAny(s, "%!\"\r\n") {
			return "", fmt.Errorf("%q %w in cmd", s, ErrUnquotable)
		}
		if strings.ContainsAny(s, " \t&|<>^()") {
			return `"` + s + `"`, nil
		}
		return s, nil
	}
	return "", fmt.Errorf("unknown shell %q", string(sh))
}
