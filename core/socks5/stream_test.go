package socks5_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/sockstray/sockstray/core/socks5"
)

// A client may pipeline its greeting, its credentials and its request. Each
// stream decoder takes its own message and leaves the next one in the reader.
func TestReadPipelinedHandshake(t *testing.T) {
	greeting := h("05 02 00 02")
	auth := h("01 06 6D 79 75 73 65 72 08 6D 79 70 61 73 73 77 64")
	req := h("05 01 00 01 CB 00 71 05 00 50")
	req2 := cat(h("05 01 00 03 0B"), []byte("example.com"), h("01 BB"))
	payload := []byte("GET / HTTP/1.1\r\n\r\n")

	for _, rd := range readers {
		if rd.readAhead {
			continue
		}
		t.Run(rd.name, func(t *testing.T) {
			br := bytes.NewReader(cat(greeting, auth, req, req2, payload))
			r := rd.wrap(br)
			g, err := socks5.ReadGreeting(r)
			if err != nil || !g.Has(socks5.AuthUserPass) {
				t.Fatalf("ReadGreeting = %v, %v", g, err)
			}
			u, err := socks5.ReadUserPass(r)
			if err != nil || u != (socks5.UserPass{Username: "myuser", Password: "mypasswd"}) {
				t.Fatalf("ReadUserPass = %v, %v", u, err)
			}
			q, err := socks5.ReadRequest(r)
			if err != nil || q != (socks5.Request{Command: socks5.CmdConnect, Addr: ipAddr("203.0.113.5", 80)}) {
				t.Fatalf("first ReadRequest = %+v, %v", q, err)
			}
			if rest := cat(req2, payload); br.Len() != len(rest) {
				t.Fatalf("after the first request %d bytes left, want %d", br.Len(), len(rest))
			}
			q, err = socks5.ReadRequest(r)
			if err != nil || q != (socks5.Request{Command: socks5.CmdConnect, Addr: nameAddr("example.com", 443)}) {
				t.Fatalf("second ReadRequest = %+v, %v", q, err)
			}
			rest, _ := io.ReadAll(br)
			if !bytes.Equal(rest, payload) {
				t.Errorf("left %q, want %q", rest, payload)
			}
		})
	}
}

// An unknown ATYP gives no length to read on with: the decoder stops after
// the fixed part instead of guessing.
func TestReadRequestBadAddrTypeStops(t *testing.T) {
	br := bytes.NewReader(h("05 01 00 07 CB 00 71 05 00 50"))
	q, err := socks5.ReadRequest(br)
	if !errors.Is(err, socks5.ErrBadAddrType) {
		t.Fatalf("err = %v, want ErrBadAddrType", err)
	}
	if q.Command != socks5.CmdConnect {
		t.Errorf("command = %v, want CONNECT so the server can log it", q.Command)
	}
	if br.Len() != 5 {
		t.Errorf("%d bytes left, want 5", br.Len())
	}
}

// A reader's own error (a deadline, a reset) reaches the caller as it is,
// not disguised as a truncated message.
func TestReadPassesReaderErrors(t *testing.T) {
	errBoom := errors.New("boom")
	msgs := []struct {
		name string
		data []byte
		read func(io.Reader) error
	}{
		{"greeting", h("05 02 00 02"), func(r io.Reader) error { _, err := socks5.ReadGreeting(r); return err }},
		{"method selection", h("05 02"), func(r io.Reader) error { _, err := socks5.ReadMethodSelection(r); return err }},
		{"user/pass", h("01 01 61 01 62"), func(r io.Reader) error { _, err := socks5.ReadUserPass(r); return err }},
		{"user/pass reply", h("01 00"), func(r io.Reader) error { _, err := socks5.ReadUserPassReply(r); return err }},
		{"request", h("05 01 00 01 CB 00 71 05 00 50"), func(r io.Reader) error { _, err := socks5.ReadRequest(r); return err }},
		{"response", h("05 00 00 01 0A 00 00 01 C0 10"), func(r io.Reader) error { _, err := socks5.ReadResponse(r); return err }},
	}
	for _, m := range msgs {
		t.Run(m.name, func(t *testing.T) {
			for i := range len(m.data) {
				r := io.MultiReader(bytes.NewReader(m.data[:i]), iotest.ErrReader(errBoom))
				err := m.read(r)
				if !errors.Is(err, errBoom) {
					t.Errorf("after %d bytes: err = %v, want the reader's", i, err)
				}
				if errors.Is(err, socks5.ErrShort) || errors.Is(err, io.EOF) {
					t.Errorf("after %d bytes: err = %v also claims a truncation", i, err)
				}
			}
		})
	}
}
