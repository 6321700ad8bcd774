package profiles

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/internal/testnet"
)

// echoServer echoes on a loopback port until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	return testnet.EchoTCP(t, "tcp4").String()
}

// freePort finds a loopback port nobody listens on (profiles need a real
// port; the engine binds it right after).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// dialProxy connects to target through the proxy with an independent
// client (golang.org/x/net/proxy).
func dialProxy(proxyAddr string, auth *proxy.Auth, target string) (net.Conn, error) {
	d, err := proxy.SOCKS5("tcp", proxyAddr, auth, &net.Dialer{Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	return d.Dial("tcp", target)
}

func echoes(c net.Conn, msg string) error {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return fmt.Errorf("echo %q, want %q", buf, msg)
	}
	return nil
}

func TestFollowAppliesEditsLive(t *testing.T) {
	target := echoServer(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s := newStore(t)
	path := writeProfile(t, s, "live", fmt.Sprintf("port = %d\nallow = [\"127.0.0.1/32\"]\n", port))
	w, err := s.Watch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	p, err := s.Load("live")
	if err != nil {
		t.Fatal(err)
	}
	creds := func(*Profile) (Credentials, error) { return Credentials{Local: "follow-pw"}, nil }
	c, _ := creds(p)
	cfg, err := p.ServerConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New()
	if err := eng.Start(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Stop)

	logs := &testnet.Buffer{}
	type handled struct {
		ev  Event
		err error
	}
	seen := make(chan handled, 8)
	f := &Follower{Name: "live", Apply: eng.Apply, Credentials: creds,
		Logger:  slog.New(slog.NewTextHandler(logs, nil)),
		OnEvent: func(ev Event, err error) { seen <- handled{ev, err} }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx, w.Events()) }()
	t.Cleanup(func() { cancel(); <-done })
	edit := func(content string, want EventKind) {
		t.Helper()
		writeProfile(t, s, "live", content)
		select {
		case h := <-seen:
			if h.ev.Kind != want || h.err != nil {
				t.Fatalf("follower handled %v (err %v), want %v", h.ev.Kind, h.err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the follower saw no %v event", want)
		}
	}

	open, err := dialProxy(addr, nil, target)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if err := echoes(open, "before"); err != nil {
		t.Fatal(err)
	}

	// A limit the open connection already uses up: new connections are
	// refused, the open one keeps going.
	edit(fmt.Sprintf("port = %d\n[options]\nmax_connections = 1\n", port), Changed)
	if c, err := dialProxy(addr, nil, target); err == nil {
		c.Close()
		t.Error("a client over the new connection limit got through")
	}
	if err := echoes(open, "after the limit"); err != nil {
		t.Errorf("the open connection broke: %v", err)
	}

	// Authentication: new clients need the password.
	edit(fmt.Sprintf("port = %d\nusername = \"me\"\n", port), Changed)
	if c, err := dialProxy(addr, nil, target); err == nil {
		c.Close()
		t.Error("a client without a password got through")
	}
	authed, err := dialProxy(addr, &proxy.Auth{User: "me", Password: "follow-pw"}, target)
	if err != nil {
		t.Fatalf("a client with the password: %v", err)
	}
	authed.Close()

	// A broken edit leaves the last good config in force.
	edit(fmt.Sprintf("port = %d\nusername = \"me\"\nallow = [\"nonsense\"]\n", port), Invalid)
	if c, err := dialProxy(addr, &proxy.Auth{User: "me", Password: "follow-pw"}, target); err != nil {
		t.Errorf("after an invalid edit: %v", err)
	} else {
		c.Close()
	}
	// slog quotes the message, doubling a Windows path's backslashes.
	wantLog := `level=WARN msg="profile invalid: ` + strings.ReplaceAll(path, `\`, `\\`) + `:3:1: allow[1]: \"nonsense\" is not a CIDR such as 192.168.1.0/24 or fd00::/8, keeping the last good config" profile=live`
	if !strings.Contains(logs.String(), wantLog) {
		t.Errorf("log:\n%s\nwant a line with:\n%s", logs, wantLog)
	}

	// Deleted: the engine keeps its last config, and the log says so.
	removeFile(t, path)
	select {
	case h := <-seen:
		if h.ev.Kind != Removed {
			t.Fatalf("got %v, want removed", h.ev.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no removed event")
	}
	if c, err := dialProxy(addr, &proxy.Auth{User: "me", Password: "follow-pw"}, target); err != nil {
		t.Errorf("after removal: %v", err)
	} else {
		c.Close()
	}
	if err := echoes(open, "still here"); err != nil {
		t.Errorf("the first connection broke: %v", err)
	}
	for _, want := range []string{`level=INFO msg="profile reloaded" profile=live`, `level=WARN msg="profile removed, keeping the last config" profile=live`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), "follow-pw") {
		t.Error("the log holds the password")
	}
}

// Handle is the one per-event step serve's Run and the desktop app's
// controller share: a new version goes in force (the file as it is now,
// with Load), a removed or invalid file or a failed apply leaves the last.
func TestFollowerHandle(t *testing.T) {
	onDisk := New("live")
	onDisk.Port = 1081
	announced := New("live")
	announced.Port = 1082
	errApply := fmt.Errorf("port in use")
	for _, tc := range []struct {
		name     string
		ev       Event
		load     func(string) (*Profile, error)
		useErr   error
		wantUsed int // the port of the version Use got; 0 for none
		wantErr  error
	}{
		{name: "changed", ev: Event{Kind: Changed, Name: "live", Profile: announced}, wantUsed: 1082},
		{name: "added", ev: Event{Kind: Added, Name: "live", Profile: announced}, wantUsed: 1082},
		{name: "newest on disk", ev: Event{Kind: Changed, Name: "live", Profile: announced},
			load: func(string) (*Profile, error) { return onDisk, nil }, wantUsed: 1081},
		{name: "gone since", ev: Event{Kind: Changed, Name: "live", Profile: announced},
			load: func(string) (*Profile, error) { return nil, fmt.Errorf("no such file") }},
		{name: "not applied", ev: Event{Kind: Changed, Name: "live", Profile: announced},
			useErr: errApply, wantUsed: 1082, wantErr: errApply},
		{name: "removed", ev: Event{Kind: Removed, Name: "live"}},
		{name: "invalid", ev: Event{Kind: Invalid, Name: "live", Err: &InvalidError{Name: "live", File: "live.toml", Problems: []Problem{{Line: 2, Field: "port", Msg: "bad"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			used := 0
			var logs strings.Builder
			f := &Follower{Name: "live", Load: tc.load, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Use: func(p *Profile) error { used = p.Port; return tc.useErr }}
			p, err := f.Handle(tc.ev)
			if used != tc.wantUsed || err != tc.wantErr {
				t.Fatalf("used port %d, err %v; want %d, %v", used, err, tc.wantUsed, tc.wantErr)
			}
			if inForce := err == nil && tc.wantUsed != 0; (p != nil) != inForce || (p != nil && p.Port != tc.wantUsed) {
				t.Errorf("version in force %+v", p)
			}
			if tc.ev.Kind == Removed || tc.ev.Kind == Invalid || err != nil {
				if !strings.Contains(logs.String(), "keeping the last") {
					t.Errorf("log %q does not say the last version stays", logs.String())
				}
			}
		})
	}
}
