package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// pacPath is where the mixed port serves its proxy auto-config file.
const pacPath = "/proxy.pac"

var errPACNotShared = errors.New("the PAC file is not served to other hosts when the proxy needs a password")

// servePAC answers GET /proxy.pac: a request to the port itself, not a
// proxy request, so browsers fetch it without proxy credentials. It is
// served to this host's programs, and to other hosts only when the proxy
// asks no password (it names the rules' domains; the allowlist admitted
// the client already).
func (cl *client) servePAC(cur *served, req *http.Request) error {
	cl.conn.SetWriteDeadline(time.Now().Add(replyTimeout))
	switch {
	case cur.cfg.PAC == nil:
		writeHTTPStatus(cl.conn, http.StatusNotFound, "")
		return fmt.Errorf("%s: no PAC file in this config", pacPath)
	case req.Method != http.MethodGet && req.Method != http.MethodHead:
		writeHTTPStatus(cl.conn, http.StatusMethodNotAllowed, "Allow: GET, HEAD\r\n")
		return fmt.Errorf("%s %s: not GET", req.Method, pacPath)
	case cur.creds != nil && !cl.addr.Addr().Unmap().IsLoopback():
		writeHTTPStatus(cl.conn, http.StatusForbidden, "")
		return errPACNotShared
	}
	body := cur.cfg.PAC(cl.conn.LocalAddr().String())
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: %d\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n", len(body))
	if _, err := cl.conn.Write([]byte(head)); err != nil {
		return err
	}
	if req.Method == http.MethodGet {
		if _, err := cl.conn.Write(body); err != nil {
			return err
		}
	}
	return errEnded
}
