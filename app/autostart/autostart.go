// Package autostart starts Sockstray when the user logs in, the way each
// desktop expects:
//
//   - Linux and other XDG desktops: an autostart entry,
//     $XDG_CONFIG_HOME/autostart/io.github.sockstray.Sockstray.desktop
//     (~/.config/autostart/… when XDG_CONFIG_HOME is unset);
//   - macOS: a LaunchAgent, ~/Library/LaunchAgents/io.github.sockstray.Sockstray.plist,
//     loaded by launchd at the next login;
//   - Windows: the value "Sockstray" under
//     HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run.
//
// Enable writes (or rewrites) that one entry, Disable removes it, and Enabled
// reports whether it is there. An Entry with its own ID is another login
// item of the app, kept apart from that one (the system proxy's login-time
// check is such an entry). Nothing needs root or administrator rights, and
// nothing else is touched.
package autostart

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// ID names the entry on every system: the app's reverse-DNS ID.
const ID = "io.github.sockstray.Sockstray"

// Entry is one login item: ID names its file (ID.desktop, ID.plist), Name
// is what a settings panel that lists login items shows (and, on Windows,
// the Run value), Comment says what it does.
type Entry struct {
	ID, Name, Comment string
}

// App is the entry that starts Sockstray itself ("Start at login"); the
// package's functions work on it.
var App = Entry{ID: ID, Name: "Sockstray", Comment: "Start the Sockstray SOCKS5 proxy at login"}

// Enable makes the session start exe with args at login (App.Enable).
func Enable(exe string, args ...string) error { return App.Enable(exe, args...) }

// Disable removes the entry (App.Disable).
func Disable() error { return App.Disable() }

// Enabled reports whether the entry is there (App.Enabled).
func Enabled() (bool, error) { return App.Enabled() }

// Path is where the entry lives, to show to the user (App.Path).
func Path() (string, error) { return App.Path() }

// ErrRelative is returned by Enable for an executable path that is not
// absolute: a login session starts it from an unknown directory.
var ErrRelative = errors.New("autostart: executable path is not absolute")

// checkArgs rejects what no entry format can carry.
func checkArgs(exe string, args []string) error {
	for _, a := range append([]string{exe}, args...) {
		if strings.ContainsAny(a, "\x00\r\n") {
			return fmt.Errorf("autostart: %q: control characters in a command line", a)
		}
	}
	return nil
}

// desktopEntry is the XDG autostart entry e that runs exe with args
// (Desktop Entry Specification 1.5).
func desktopEntry(e Entry, exe string, args []string) string {
	cmd := make([]string, 0, 1+len(args))
	for _, a := range append([]string{exe}, args...) {
		cmd = append(cmd, execArg(a))
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=" + e.Name + "\n" +
		"Comment=" + e.Comment + "\n" +
		"Exec=" + strings.Join(cmd, " ") + "\n" +
		"Icon=" + ID + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// execArg quotes one argument of an Exec key. The spec layers two escapes:
// inside double quotes `"`, '`', '$' and '\' take a backslash; then the
// whole value is a string, where '\' itself is written '\\'. A literal '%'
// is '%%' so that it is not read as a field code.
func execArg(s string) string {
	const reserved = " \t\"'\\><~|&;$*?#()`"
	q := s
	if s == "" || strings.ContainsAny(s, reserved) {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range s {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		q = b.String()
	}
	q = strings.ReplaceAll(q, "%", "%%")
	return strings.ReplaceAll(q, `\`, `\\`)
}

// launchAgent is the launchd property list e that runs exe with args at
// login. ProcessType Interactive: launchd must not throttle a GUI app.
func launchAgent(e Entry, exe string, args []string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + e.ID + `</string>
	<key>ProgramArguments</key>
	<array>
`)
	for _, a := range append([]string{exe}, args...) {
		b.WriteString("\t\t<string>")
		_ = xml.EscapeText(&b, []byte(a)) // a strings.Builder does not fail
		b.WriteString("</string>\n")
	}
	b.WriteString(`	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`)
	return b.String()
}

// commandLine is the Run value that starts exe with args: each argument
// quoted as CommandLineToArgvW reads it back.
func commandLine(exe string, args []string) string {
	// The program name is parsed by simpler rules than the arguments (no
	// backslash escapes), so it is always quoted and never escaped; a
	// Windows path cannot contain '"'.
	parts := []string{`"` + exe + `"`}
	for _, a := range args {
		parts = append(parts, windowsArg(a))
	}
	return strings.Join(parts, " ")
}

// windowsArg quotes one argument: backslashes double only before a quote.
func windowsArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
	return b.String()
}
