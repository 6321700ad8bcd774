package server_test

import (
	"encoding/base64"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// loggedServer serves cfg with a logger the test reads.
func loggedServer(t *testing.T, cfg *server.Config) (string, *server.Server, *testnet.Buffer) {
	t.Helper()
	var log testnet.Buffer
	cfg.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	addr, srv := serveOn(t, cfg, nil)
	return addr, srv, &log
}

// TestLogsHoldNoCredentials: what a client sent as credentials, right or
// wrong, well-formed or not, never reaches the log.
func TestLogsHoldNoCredentials(t *testing.T) {
	const guess = "hunter2-typed-in-the-user-field"
	addr, srv, log := loggedServer(t, &server.Config{Username: "u", Password: "p"})
	basic := base64.StdEncoding.EncodeToString([]byte(guess + ":" + guess))

	// A Proxy-Authorization line without its colon: a malformed header.
	c := dial(t, addr)
	send(t, c, []byte("GET http://127.0.0.1:9/ HTTP/1.1\r\nProxy-Authorization Basic "+basic+"\r\n\r\n"))
	if status, _ := readStatus(t, c); status != 400 {
		t.Errorf("malformed header line: status %d, want 400", status)
	}
	// Wrong credentials, over HTTP and SOCKS5.
	c = dial(t, addr)
	send(t, c, []byte("CONNECT 127.0.0.1:9 HTTP/1.1\r\nProxy-Authorization: Basic "+basic+"\r\n\r\n"))
	if status, _ := readStatus(t, c); status != 407 {
		t.Errorf("wrong HTTP credentials: status %d, want 407", status)
	}
	c = dial(t, addr)
	send(t, c, h("05 01 02"))
	expect(t, c, h("05 02"))
	up, _ := socks5.UserPass{Username: guess, Password: guess}.Append(nil)
	send(t, c, up)
	expect(t, c, h("01 01"))
	expectClosed(t, c)

	waitOpen(t, srv, 0)
	srv.Tick(time.Now().Add(2 * time.Minute))
	got := log.String()
	for _, secret := range []string{guess, basic, basic[:12]} {
		if strings.Contains(got, secret) {
			t.Errorf("the log holds %q:\n%s", secret, got)
		}
	}
	if !strings.Contains(got, "malformed MIME header: missing colon") {
		t.Errorf("the log does not say what was wrong:\n%s", got)
	}
	if !strings.Contains(got, "failed login from 127.0.0.1") {
		t.Errorf("the log does not report the failed logins:\n%s", got)
	}
}

// TestPasswordGuessingIsLimited: after a few wrong guesses from one
// address, even the right password is not compared for a while, and the
// failures are logged per minute, not one line each.
func TestPasswordGuessingIsLimited(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	addr, srv, log := loggedServer(t, &server.Config{Username: "u", Password: "p"})
	login := func(pass string) []byte {
		c := dial(t, addr)
		send(t, c, h("05 01 02"))
		expect(t, c, h("05 02"))
		up, _ := socks5.UserPass{Username: "u", Password: pass}.Append(nil)
		send(t, c, up)
		status := make([]byte, 2)
		if _, err := c.Read(status); err != nil {
			t.Fatal(err)
		}
		if status[1] == 0 {
			send(t, c, request(t, socks5.CmdConnect, echo.String()))
			readResponse(t, c)
		}
		c.Close()
		return status
	}
	if got := login("p"); got[1] != 0 {
		t.Fatalf("right password first: % x", got)
	}
	for i := range 50 {
		if got := login("wrong"); got[1] != 1 {
			t.Fatalf("guess %d: % x, want 01 01", i, got)
		}
	}
	if got := login("p"); got[1] != 1 {
		t.Errorf("the right password after 50 guesses was accepted at once: % x; want it refused unchecked", got)
	}
	waitOpen(t, srv, 0)
	srv.Tick(time.Now().Add(2 * time.Minute))
	lines := strings.Count(log.String(), "failed login")
	if lines == 0 || lines > 3 {
		t.Errorf("%d log lines about failed logins for 51 failures, want 1 to 3 (aggregated):\n%s", lines, log.String())
	}
}
