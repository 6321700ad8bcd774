//go:build unix

package main

import (
	"context"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/profiles"
)

// envNoGUI turns the real-window tests off; without it they fail where
// there is no display, never skip silently.
const envNoGUI = "SOCKSTRAY_NO_GUI_TESTS"

// needDisplay fails the test without an X display and the tools the
// real-window tests use, unless SOCKSTRAY_NO_GUI_TESTS=1.
func needDisplay(t *testing.T) {
	t.Helper()
	if os.Getenv(envNoGUI) == "1" {
		t.Skipf("%s=1", envNoGUI)
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatalf("no DISPLAY: run inside scripts/with-session.sh (make test does), or set %s=1", envNoGUI)
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install xdotool and imagemagick (scripts/deps.sh), or set %s=1", tool, envNoGUI)
		}
	}
}

// guiHome is a fresh config folder whose built-in profile listens on a
// free loopback port, with the proxy on at start.
func guiHome(t *testing.T) (env []string, port int) {
	t.Helper()
	cfg := t.TempDir()
	port, _ = strconv.Atoi(strings.TrimPrefix(freePort(t), "127.0.0.1:"))
	p := profiles.Builtin()
	p.Port = port
	store := &profiles.Store{Dir: filepath.Join(cfg, "sockstray", "profiles")}
	if err := store.Create(p); err != nil {
		t.Fatal(err)
	}
	if err := (profiles.Settings{ProxyOnAtStart: true}).Save(filepath.Join(cfg, "sockstray", "settings.toml")); err != nil {
		t.Fatal(err)
	}
	// Its own runtime folder (the one-instance lock) and state folder (log
	// file, system proxy state), so it never meets a real Sockstray.
	runtime := t.TempDir()
	os.Chmod(runtime, 0o700)
	return childEnv("XDG_CONFIG_HOME="+cfg, "XDG_RUNTIME_DIR="+runtime, "XDG_STATE_HOME="+t.TempDir(),
		"LANG=en_US.UTF-8"), port
}

// TestGUIWindowSmoke starts the real binary under the session's X server,
// waits for its window, checks a screenshot is not blank, quits it the way
// a session logout does (SIGTERM, which the app handles as its Quit) and
// checks the proxy's port is released and the settings saved.
func TestGUIWindowSmoke(t *testing.T) {
	needDisplay(t)
	bin := sockstrayBin(t)
	env, port := guiHome(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p := startProc(t, env, bin)

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^Sockstray$").Output()
	if err != nil {
		t.Fatalf("no Sockstray window: %v\nstderr:\n%s", err, p.stderr.String())
	}
	if !waitFor(startTimeout, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatalf("the proxy did not come on at %s\nstderr:\n%s", addr, p.stderr.String())
	}
	wid := strings.Fields(string(out))[0]
	time.Sleep(time.Second) // let the first frames draw
	shot := filepath.Join(t.TempDir(), "shot.png")
	if o, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, o)
	}
	checkNotBlank(t, shot)
	if dst := os.Getenv("SOCKSTRAY_SCREENSHOT"); dst != "" {
		exec.Command("import", "-window", wid, dst).Run()
	}

	// A second launch finds the first, asks it to show its window and exits.
	second := runTool(t, 20*time.Second, env, "", bin)
	if second.code != 0 || !strings.Contains(second.stderr, "already running") {
		t.Errorf("second launch: want exit 0 and \"already running\", got %s", second)
	}
	if p.exited() {
		t.Fatalf("the first instance ended when the second started\nstderr:\n%s", p.stderr.String())
	}

	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\nstderr:\n%s", code, p.stderr.String())
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not released after quit: %v", err)
	}
	ln.Close()
	var cfg string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			cfg = v
		}
	}
	s, err := profiles.LoadSettings(filepath.Join(cfg, "sockstray", "settings.toml"))
	if err != nil || !s.ProxyOnAtStart || s.WindowWidth == 0 {
		t.Errorf("settings after quit: %+v %v", s, err)
	}
	var state string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_STATE_HOME="); ok {
			state = v
		}
	}
	if log, err := os.ReadFile(filepath.Join(state, "sockstray", "sockstray.log")); err != nil || !strings.Contains(string(log), "proxy on") {
		t.Errorf("log file: %v\n%s", err, log)
	}
	if strings.Contains(p.stderr.String(), "panic") {
		t.Errorf("stderr:\n%s", p.stderr.String())
	}
}

// checkNotBlank fails unless the PNG has clearly more than one colour.
func checkNotBlank(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if v := lumaVariance(img); v < 100 {
		t.Fatalf("screenshot looks blank: luma variance %.1f", v)
	}
}

func lumaVariance(img image.Image) float64 {
	b := img.Bounds()
	var n, sum, sq float64
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			n++
			sum += l
			sq += l * l
		}
	}
	mean := sum / n
	return sq/n - mean*mean
}

// TestGUINoSessionBus starts the app with a session bus address that leads
// nowhere: the tray must be skipped (the tray library panics on quit
// otherwise), the app must say so, and quitting must be clean.
func TestGUINoSessionBus(t *testing.T) {
	needDisplay(t)
	bin := sockstrayBin(t)
	env, port := guiHome(t)
	env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	p := startProc(t, env, bin)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !waitFor(startTimeout, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil && strings.Contains(p.stderr.String(), "No system tray")
	}) {
		t.Fatalf("no proxy or no notice\nstderr:\n%s", p.stderr.String())
	}
	if code := p.stop(t, syscall.SIGTERM); code != 0 || strings.Contains(p.stderr.String(), "panic") {
		t.Fatalf("exit %d\nstderr:\n%s", code, p.stderr.String())
	}
	if n := strings.Count(p.stderr.String(), "No system tray"); n != 1 {
		t.Errorf("the notice came %d times", n)
	}
}

// TestNoDisplaySaysServe runs the binary without any display: one line
// pointing to `sockstray serve` and exit code 2, not GLFW's panic.
func TestNoDisplaySaysServe(t *testing.T) {
	bin := sockstrayBin(t)
	var env []string
	for _, kv := range childEnv("XDG_CONFIG_HOME=" + t.TempDir()) {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(bin)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if code := exitCodeOf(err); code != 2 {
		t.Fatalf("exit code %d, want 2; stderr:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "sockstray serve") || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
