package sysproxy

import (
	"net"
	"strconv"
	"strings"
)

// KDE's proxy values, parsed apart from the backend so that it is tested
// everywhere.

// parseKDEProxy reads "http://host 8080" (what KDE writes), and also
// "http://host:8080" and "host:8080".
func parseKDEProxy(v string) Endpoint {
	v = strings.TrimSpace(v)
	if v == "" {
		return Endpoint{}
	}
	port := 0
	if i := strings.LastIndexByte(v, ' '); i >= 0 {
		if p, err := strconv.Atoi(v[i+1:]); err == nil {
			port, v = p, strings.TrimSpace(v[:i])
		}
	}
	if _, after, ok := strings.Cut(v, "://"); ok {
		v = after
	}
	v = strings.TrimSuffix(v, "/")
	v = v[strings.LastIndexByte(v, '@')+1:]
	if h, p, err := net.SplitHostPort(v); err == nil {
		if n, err := strconv.Atoi(p); err == nil && port == 0 {
			port = n
		}
		v = h
	}
	return Endpoint{Host: strings.Trim(v, "[]"), Port: port}
}

// formatKDEProxy writes e the way KDE's settings module does.
func formatKDEProxy(scheme string, e Endpoint) string {
	host := e.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + " " + strconv.Itoa(e.Port)
}
