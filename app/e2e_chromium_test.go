//go:build unix

package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/testnet"
)

const (
	// chromiumPage is the page's name for the SOCKS5 load: sockstray
	// resolves *.localhost to loopback itself, without DNS.
	chromiumPage = "page.localhost"
	// chromiumPACPage is the page's name for the PAC load. Chromium never
	// lets a PAC send a localhost name or a loopback address to a proxy
	// (its implicit bypass rules; <-loopback> lifts them for
	// --proxy-server only), so this load needs a name that is not one.
	// .test is reserved (RFC 6761) and nobody resolves it here: the
	// profile routes it to an upstream without a lookup, and that upstream
	// (the test's mapper) knows the page's address.
	chromiumPACPage = "page.sockstray.test"

	chromiumTimeout = 30 * time.Second // one page load, start to exit
)

// chromiumProfile confines Chromium: its two page names are routed, and
// everything else (the Google hosts it asks for at every start) is blocked
// before anything is resolved or dialed.
func chromiumProfile(mapperPort int) string {
	return fmt.Sprintf(`version = 2
default_route = "block"
rules = [
  "DOMAIN,%s,direct",
  "DOMAIN,%s,mapped",
  "MATCH,block",
]

[[upstream]]
name = "mapper"
host = "127.0.0.1"
port = %d

[[route]]
name = "mapped"
chain = ["mapper"]
`, chromiumPage, chromiumPACPage, mapperPort)
}

// TestE2EChromium: a real browser loads a loopback page through the proxy,
// once told the SOCKS5 proxy outright (it sends the host name: remote DNS)
// and once through the PAC file the proxy serves (which must answer SOCKS5
// for the page, or Chromium would go direct and the log would not show
// it). Each load is in the log with the rule that matched; every other
// destination Chromium asked for was blocked.
func TestE2EChromium(t *testing.T) {
	chromium := needTool(t, "chromium", "chromium")
	ht := newHTTPTarget(t, "127.0.0.1")
	mapper := startMapper(t, net.JoinHostPort(chromiumPACPage, ht.Port), ht.Addr)
	home := t.TempDir()
	writeConfig(t, home, map[string]string{"chromium.toml": chromiumProfile(mapper.port)})
	s, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--profile", "chromium", "--listen", "127.0.0.1:0")
	wantDOM := strings.TrimSpace(ht.Body)

	t.Run("socks5", func(t *testing.T) {
		dest := net.JoinHostPort(chromiumPage, ht.Port)
		before := ht.hits.Load()
		dom := runChromium(t, chromium, "--proxy-server=socks5://"+addr, "http://"+dest+"/")
		if !strings.Contains(dom, wantDOM) {
			t.Fatalf("the DOM lacks the page's body %q:\n%s", wantDOM, dom)
		}
		if ht.hits.Load() == before {
			t.Fatal("the page's server saw no request")
		}
		s.waitConnLog(t, "the page load ("+dest+", DOMAIN rule, direct)", func(r logRecord) bool {
			return r["dest"] == dest && r["rule"] == "DOMAIN,"+chromiumPage && r["route"] == "direct" &&
				r["reply"] == "0" && r["down"] != "0"
		})
	})

	t.Run("pac", func(t *testing.T) {
		dest := net.JoinHostPort(chromiumPACPage, ht.Port)
		// What Chromium will be told for the page: the proxy, not DIRECT.
		pac := httpGet(t, "http://"+addr+"/proxy.pac")
		if want := fmt.Sprintf(`if (host == %q) return "SOCKS5 %s;`, chromiumPACPage, addr); !strings.Contains(pac, want) {
			t.Fatalf("the PAC lacks %s:\n%s", want, pac)
		}
		before := ht.hits.Load()
		dom := runChromium(t, chromium, "--proxy-pac-url=http://"+addr+"/proxy.pac", "http://"+dest+"/")
		if !strings.Contains(dom, wantDOM) {
			t.Fatalf("the DOM lacks the page's body %q:\n%s", wantDOM, dom)
		}
		if ht.hits.Load() == before {
			t.Fatal("the page's server saw no request")
		}
		// The log names a chain by its hops.
		route := fmt.Sprintf("via 127.0.0.1:%d", mapper.port)
		s.waitConnLog(t, "the page load ("+dest+", DOMAIN rule, "+route+")", func(r logRecord) bool {
			return r["dest"] == dest && r["rule"] == "DOMAIN,"+chromiumPACPage && r["route"] == route &&
				r["reply"] == "0" && r["down"] != "0"
		})
	})

	// Stopping the server waits for its connections, so every line is
	// logged: none may have reached past the test's pages.
	if code := s.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("sockstray serve: exit %d after SIGINT", code)
	}
	blocked := 0
	for _, r := range s.connLogs() {
		host, _, _ := net.SplitHostPort(r["dest"])
		switch {
		case r["dest"] == "" || host == chromiumPage || host == chromiumPACPage:
		case r["route"] == "block" && r["reply"] == "2":
			blocked++
		default:
			t.Errorf("Chromium reached past the test's pages: %v", r)
		}
	}
	t.Logf("%d requests for other hosts blocked (Chromium's own)", blocked)
	for _, d := range mapper.asked() {
		if d != net.JoinHostPort(chromiumPACPage, ht.Port) {
			t.Errorf("the mapper was asked for %s", d)
		}
	}
}

// runChromium loads url in a fresh headless Chromium with proxyFlag and
// returns the DOM it dumped.
func runChromium(t *testing.T, bin, proxyFlag, url string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{
		"--headless",
		"--no-sandbox", // CI runs as root, where Chromium refuses its sandbox
		"--disable-gpu",
		"--disable-quic", // QUIC is UDP, which could only go around the proxy
		// Fewer of Chromium's own requests at start (it still sends some).
		"--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-default-apps",
		"--password-store=basic", // not the session's keyring
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		proxyFlag,
		// Else loopback never goes through a --proxy-server (it does not
		// help a PAC: see chromiumPACPage).
		"--proxy-bypass-list=<-loopback>",
		// Chromium itself resolves no name: should anything go around the
		// proxy (a PAC answering DIRECT for the .test page, say), it fails
		// here instead of asking DNS off the machine.
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--dump-dom", url,
	}
	// Its NSS database and caches go under HOME and XDG dirs: keep them in
	// the test's temp dir. Without a session bus or a display it starts no
	// helper outside its process group (an accessibility bus, through D-Bus
	// activation) and touches nothing of the user's desktop.
	var env []string
	for _, kv := range childEnv() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "DBUS_SESSION_BUS_ADDRESS" && k != "DISPLAY" && k != "WAYLAND_DISPLAY" {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	ctx, cancel := context.WithTimeout(t.Context(), chromiumTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb testnet.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 3 * time.Second
	start := time.Now()
	err := cmd.Run()
	// Its helpers (zygote, renderer, network service) must not outlive it.
	// Its crash handler runs in a process group of its own and ends with
	// the browser; --disable-crashpad-for-testing would keep it from
	// starting, but then this Chromium loads nothing at all.
	if cmd.Process != nil {
		killGroup(cmd.Process.Pid, syscall.SIGKILL)
	}
	t.Logf("chromium %s: %v in %v", proxyFlag, exitCodeOf(err), time.Since(start).Round(time.Millisecond))
	if err != nil || ctx.Err() != nil {
		t.Fatalf("chromium %q: %v (timeout %v: %v)\nstdout:\n%s\nstderr:\n%s", args, err, chromiumTimeout, ctx.Err(), out.String(), errb.String())
	}
	return out.String()
}

// httpGet fetches a loopback URL without any proxy.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(b)
}

// mapper is a minimal SOCKS5 upstream (no authentication, CONNECT by name
// only) that knows one name: it connects that name to a loopback address
// and refuses every other with reply 02. It stands in for a DNS that the
// test may not ask.
type mapper struct {
	port int
	mu   sync.Mutex
	dsts []string
}

func startMapper(t *testing.T, name, to string) *mapper {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mapper{port: ln.Addr().(*net.TCPAddr).Port}
	testnet.Serve(t, ln, func(c net.Conn) { m.serve(c, name, to) })
	return m
}

func (m *mapper) asked() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.dsts...)
}

func (m *mapper) serve(c net.Conn, name, to string) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var hello [2]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil || hello[0] != 5 {
		return
	}
	if _, err := io.ReadFull(c, make([]byte, hello[1])); err != nil {
		return
	}
	c.Write([]byte{5, 0})
	var head [5]byte // VER CMD RSV ATYP=3 LEN
	if _, err := io.ReadFull(c, head[:]); err != nil || head[1] != 1 || head[3] != 3 {
		return
	}
	rest := make([]byte, int(head[4])+2)
	if _, err := io.ReadFull(c, rest); err != nil {
		return
	}
	dst := net.JoinHostPort(string(rest[:head[4]]), fmt.Sprint(binary.BigEndian.Uint16(rest[head[4]:])))
	m.mu.Lock()
	m.dsts = append(m.dsts, dst)
	m.mu.Unlock()
	reply := []byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}
	if dst != name {
		c.Write(reply)
		return
	}
	target, err := net.DialTimeout("tcp", to, 5*time.Second)
	if err != nil {
		reply[1] = 5
		c.Write(reply)
		return
	}
	defer target.Close()
	reply[1] = 0
	c.Write(reply)
	c.SetDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		io.Copy(target, c)
		target.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, target)
	c.Close() // ends the other direction's copy when the client lingers
	<-done
}
