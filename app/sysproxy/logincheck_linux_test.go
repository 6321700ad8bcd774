package sysproxy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/autostart"
)

// loginExec returns the command line of the login check's autostart entry,
// parsed as a session does (Desktop Entry Specification, "The Exec key"),
// or nil when there is no entry.
func loginExec(t *testing.T) []string {
	t.Helper()
	path, err := LoginCheck.Path()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Exec="); ok {
			return splitExec(t, v)
		}
	}
	t.Fatalf("%s has no Exec line", path)
	return nil
}

// splitExec undoes the string escape (\\ is \), then splits on blanks
// outside double quotes, inside which \" \` \$ \\ stand for the character.
func splitExec(t *testing.T, v string) []string {
	t.Helper()
	v = strings.ReplaceAll(strings.ReplaceAll(v, `\\`, `\`), "%%", "%")
	var args []string
	var cur strings.Builder
	inQuote, started := false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(v) && strings.IndexByte("\"`$\\", v[i+1]) >= 0:
			i++
			cur.WriteByte(v[i])
		case c == '"':
			inQuote, started = !inQuote, true
		case !inQuote && c == ' ':
			if started {
				args = append(args, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteByte(c)
			started = true
		}
	}
	if inQuote {
		t.Fatalf("Exec=%s: unterminated quote", v)
	}
	if started {
		args = append(args, cur.String())
	}
	return args
}

// runAtLogin runs what the session would run at login for the login
// check, and returns its output.
func runAtLogin(t *testing.T, argv []string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// userStartAtLogin writes the user's own "Start at login" entry, which the
// login check must leave exactly as it is, and returns its content.
func userStartAtLogin(t *testing.T) (path, content string) {
	t.Helper()
	if err := autostart.Enable("/usr/bin/sockstray"); err != nil {
		t.Fatal(err)
	}
	path, _ = autostart.Path()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(b)
}

func TestLoginCheckRestoresAfterSessionKilled(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	userPath, userEntry := userStartAtLogin(t)
	a := startApp(t, "127.0.0.1:1080", true)

	argv := loginExec(t)
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{exe, RestoreCommand, "--if-stale"}; !slices.Equal(argv, want) {
		t.Fatalf("login check runs %q, want %q", argv, want)
	}

	// The session goes, app and watchdog with it.
	if err := syscall.Kill(a.wdPID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(3*time.Second, func() bool { return !alive(a.wdPID, "") }) {
		t.Fatal("watchdog survived SIGKILL")
	}
	a.kill9(t)
	if gget(t, "", "mode") != "'manual'" {
		t.Fatal("settings changed without app and watchdog")
	}

	// The next login.
	if out := runAtLogin(t, argv); strings.TrimSpace(out) != "system proxy settings restored" {
		t.Errorf("output %q", out)
	}
	if after := gnomeSnapshot(t); after != before {
		t.Errorf("not restored exactly:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if loginExec(t) != nil {
		t.Error("the login check is still there after its restore")
	}
	if _, err := os.Stat(statePath(t)); !os.IsNotExist(err) {
		t.Errorf("state file after the restore: %v", err)
	}
	if b, _ := os.ReadFile(userPath); string(b) != userEntry {
		t.Errorf("the user's Start at login entry changed:\n%s", b)
	}
	// A second run (the entry was already read by the session) does nothing.
	if out := runAtLogin(t, argv); out != "" {
		t.Errorf("second run: %q", out)
	}
}

func TestLoginCheckLeavesRunningOwnerAndGoesWithDisable(t *testing.T) {
	gnomeSession(t)
	seedGNOME(t)
	before := gnomeSnapshot(t)
	userPath, userEntry := userStartAtLogin(t)
	a := startApp(t, "127.0.0.1:1080", false)
	argv := loginExec(t)
	if argv == nil {
		t.Fatal("no login check while the proxy is set")
	}
	// Sockstray was started at login too and owns the setting: hands off.
	if out := runAtLogin(t, argv); out != "" {
		t.Errorf("output %q", out)
	}
	if gget(t, "", "mode") != "'manual'" || gget(t, "socks", "port") != "1080" {
		t.Fatal("the login check restored while its owner runs")
	}
	if loginExec(t) == nil {
		t.Fatal("the login check removed itself while the proxy is set")
	}

	// A clean turn-off restores and removes the login check.
	a.stdin.Close()
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("app: %v", err)
	}
	if after := gnomeSnapshot(t); after != before {
		t.Errorf("not restored exactly:\n%s", after)
	}
	if loginExec(t) != nil {
		t.Error("the login check outlived a clean turn-off")
	}
	if b, _ := os.ReadFile(userPath); string(b) != userEntry {
		t.Errorf("the user's Start at login entry changed:\n%s", b)
	}
}

func TestRunRestoreUsage(t *testing.T) {
	var sb strings.Builder
	if code := RunRestore(nil, &sb, &sb); code != 2 || !strings.Contains(sb.String(), "usage: sockstray sysproxy-restore --if-stale") {
		t.Errorf("code %d, %q", code, sb.String())
	}
}
