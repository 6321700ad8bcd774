package autostart

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
)

// Arguments that stress every quoting rule.
var hardArgs = []string{
	"/usr/bin/sockstray",
	"/home/ann/My Apps/sockstray",
	`/opt/we"ird/$HOME/back\slash/50%/tick` + "`",
	"tab\there",
	"",
	`C:\Program Files\Sockstray\`,
	`say "hi"`,
	`trailing\\`,
	"ünïcode ☃",
	"<&>'#;|*?~()",
}

func TestExecArgRoundTrip(t *testing.T) {
	for _, a := range hardArgs {
		line := execArg(a)
		got, err := parseExec(line)
		if err != nil || len(got) != 1 || got[0] != a {
			t.Errorf("execArg(%q) = %s, reads back as %q, %v", a, line, got, err)
		}
	}
	got, err := parseExec(strings.Join([]string{execArg(hardArgs[1]), execArg("--flag")}, " "))
	if err != nil || !slices.Equal(got, []string{hardArgs[1], "--flag"}) {
		t.Errorf("two args read back as %q, %v", got, err)
	}
}

func TestExecArgPlain(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/sockstray":  "/usr/bin/sockstray",
		"/a b/c":              `"/a b/c"`,
		`/a$b`:                `"/a\\$b"`,
		`/a\b`:                `"/a\\\\b"`,
		"/100%":               "/100%%",
		"/opt/x y/100%/s":     `"/opt/x y/100%%/s"`,
		`/q"uote`:             `"/q\\"uote"`,
		"":                    `""`,
		"--start-hidden=true": "--start-hidden=true",
	} {
		if got := execArg(in); got != want {
			t.Errorf("execArg(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestDesktopEntry(t *testing.T) {
	got := desktopEntry(App, "/opt/Sock Stray/sockstray", []string{"--hidden"})
	for _, line := range []string{
		"[Desktop Entry]", "Type=Application", "Name=Sockstray",
		`Exec="/opt/Sock Stray/sockstray" --hidden`, "Icon=" + ID,
	} {
		if !slices.Contains(strings.Split(got, "\n"), line) {
			t.Errorf("entry lacks line %q:\n%s", line, got)
		}
	}
}

func TestLaunchAgentRoundTrip(t *testing.T) {
	doc := launchAgent(App, hardArgs[0], hardArgs[1:])
	var plist struct {
		Dict struct {
			Keys    []string `xml:"key"`
			Strings []string `xml:"string"`
			Array   struct {
				Strings []string `xml:"string"`
			} `xml:"array"`
		} `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(doc), &plist); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	d := plist.Dict
	if want := []string{"Label", "ProgramArguments", "RunAtLoad", "ProcessType"}; !slices.Equal(d.Keys, want) {
		t.Errorf("keys %q, want %q", d.Keys, want)
	}
	if len(d.Strings) == 0 || d.Strings[0] != ID {
		t.Errorf("label strings %q, want %s first", d.Strings, ID)
	}
	if !slices.Equal(d.Array.Strings, hardArgs) {
		t.Errorf("ProgramArguments read back as %q", d.Array.Strings)
	}
}

func TestCommandLineRoundTrip(t *testing.T) {
	exe := `C:\Program Files\Sockstray\sockstray.exe`
	args := hardArgs[1:]
	line := commandLine(exe, args)
	got := parseWindows(line)
	if want := append([]string{exe}, args...); !slices.Equal(got, want) {
		t.Errorf("commandLine = %s\nreads back as %q\nwant %q", line, got, want)
	}
	if got := commandLine(`C:\S\sockstray.exe`, nil); got != `"C:\S\sockstray.exe"` {
		t.Errorf("commandLine without args = %s", got)
	}
}

func TestCheckArgs(t *testing.T) {
	if err := checkArgs("/bin/x", []string{"a\nb"}); err == nil {
		t.Error("a newline in an argument passed")
	}
	if err := checkArgs("/bin/x", []string{"a b", `"c"`}); err != nil {
		t.Errorf("plain arguments: %v", err)
	}
}

// parseExec reads an Exec value as GLib's launcher does: string escapes
// first, then field codes (only %% here, quoted or not), then quoting.
func parseExec(value string) ([]string, error) {
	var s strings.Builder
	for i := 0; i < len(value); i++ {
		if value[i] == '\\' && i+1 < len(value) {
			i++
			switch value[i] {
			case 's':
				s.WriteByte(' ')
			case 'n':
				s.WriteByte('\n')
			case 't':
				s.WriteByte('\t')
			case 'r':
				s.WriteByte('\r')
			default:
				s.WriteByte(value[i])
			}
			continue
		}
		s.WriteByte(value[i])
	}
	str := strings.ReplaceAll(s.String(), "%%", "%")
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(str); i++ {
		c := str[i]
		switch {
		case quoted && c == '\\' && i+1 < len(str):
			i++
			cur.WriteByte(str[i])
		case quoted && c == '"':
			quoted = false
		case quoted:
			cur.WriteByte(c)
		case c == '"':
			quoted, inArg = true, true
		case c == ' ':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// parseWindows splits a command line as CommandLineToArgvW does.
func parseWindows(line string) []string {
	var args []string
	// The program name: up to the closing quote, no escapes.
	if strings.HasPrefix(line, `"`) {
		end := strings.IndexByte(line[1:], '"') + 1
		args = append(args, line[1:end])
		line = line[end+1:]
	}
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(line); {
		c := line[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(line) && line[i] == '\\' {
				n++
				i++
			}
			if i < len(line) && line[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
					i++
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
			}
			inArg = true
			continue
		case c == '"':
			quoted = !quoted
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
		i++
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
