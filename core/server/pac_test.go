package server_test

import (
	"bufio"
	"io"
	"net/http"
	"testing"

	"github.com/sockstray/sockstray/core/server"
)

func TestPACFile(t *testing.T) {
	pac := func(proxy string) []byte {
		return []byte("function FindProxyForURL(u, h) { return \"PROXY " + proxy + "\"; }")
	}
	with, _ := serveOn(t, &server.Config{PAC: pac}, nil)
	without, _ := serveOn(t, &server.Config{}, nil)
	lanAuthed, _ := serveOn(t, &server.Config{PAC: pac, Username: "u", Password: "p"}, lanClient)
	lanOpen, _ := serveOn(t, &server.Config{PAC: pac, AllowLocalTargets: true}, lanClient)
	for _, tc := range []struct {
		name, addr, method, path string
		status                   int
		body                     string
	}{
		{"served", with, "GET", "/proxy.pac", 200, `function FindProxyForURL(u, h) { return "PROXY ` + with + `"; }`},
		// The system proxy's URL carries the rules' version (app/sysproxy).
		{"with a version", with, "GET", "/proxy.pac?v=3241154eaafb", 200, `function FindProxyForURL(u, h) { return "PROXY ` + with + `"; }`},
		{"HEAD", with, "HEAD", "/proxy.pac", 200, ""},
		{"POST", with, "POST", "/proxy.pac", 405, ""},
		{"no PAC in the config", without, "GET", "/proxy.pac", 404, ""},
		{"other hosts, with a password", lanAuthed, "GET", "/proxy.pac", 403, ""},
		{"other hosts, no password", lanOpen, "GET", "/proxy.pac", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, tc.addr)
			send(t, c, []byte(tc.method+" "+tc.path+" HTTP/1.1\r\nHost: x\r\n\r\n"))
			resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: tc.method})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || (tc.body != "" && string(body) != tc.body) {
				t.Fatalf("status %d body %q", resp.StatusCode, body)
			}
			if tc.status == 200 && resp.Header.Get("Content-Type") != "application/x-ns-proxy-autoconfig" {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			expectClosed(t, c)
		})
	}
}
