package outbound

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// tinyproxy is a real HTTP proxy started by a test.
type tinyproxy struct {
	addr, user, pass string
	log              *testnet.Buffer
}

// hop is the Upstream that reaches it.
func (p *tinyproxy) hop() Upstream {
	return Upstream{Kind: HTTP, Addr: p.addr, Username: p.user, Password: p.pass}
}

// startTinyproxy runs tinyproxy on a free loopback port with Basic auth for
// a user with a fresh random password, plus extra config lines.
//
// tinyproxy reads BasicAuth's password only from its config file, so the
// password is on disk for the test's lifetime; the file is in t.TempDir()
// (mode 0600, removed when the test ends) and the password is random and
// dies with the test.
func startTinyproxy(t *testing.T, extra ...string) *tinyproxy {
	t.Helper()
	bin := requireTool(t, "tinyproxy", "tinyproxy")
	p := &tinyproxy{addr: closedPort(t), user: "alice", pass: randomSecret(t)}
	_, port, _ := net.SplitHostPort(p.addr)
	conf := filepath.Join(t.TempDir(), "tinyproxy.conf")
	// No ConnectPort line: CONNECT to every port. No Via header: the echo
	// target must get exactly our bytes (CONNECT sends none anyway).
	text := fmt.Sprintf("Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nLogLevel Connect\n"+
		"DisableViaHeader Yes\nBasicAuth %s %s\n%s\n", port, p.user, p.pass, strings.Join(extra, "\n"))
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	p.log = startServerProcess(t, p.addr, bin, "-d", "-c", conf)
	return p
}

// startStunnel runs stunnel on a free loopback port: TLS with cert and key
// (PEM files) in front of the TCP server at backend. It returns its address.
func startStunnel(t *testing.T, backend, cert, key string) string {
	t.Helper()
	bin := requireTool(t, "stunnel4", "stunnel4")
	addr := closedPort(t)
	conf := filepath.Join(t.TempDir(), "stunnel.conf")
	text := fmt.Sprintf("foreground = yes\npid =\ndebug = notice\n[hop]\naccept = %s\nconnect = %s\ncert = %s\nkey = %s\n",
		addr, backend, cert, key)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	startServerProcess(t, addr, bin, conf)
	return addr
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 12)
	rand.Read(b)
	return "pw-" + hex.EncodeToString(b)
}

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "sockstray test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert, key, pool}
}

// issue writes a server certificate for 127.0.0.1, ::1 and localhost,
// signed by the CA, and its key, as PEM files in dir.
func (ca *testCA) issue(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "proxy.pem"), filepath.Join(dir, "proxy.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTinyproxy(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	dst := socks5.AddrFromAddrPort(echo.AddrPort())
	tp := startTinyproxy(t)

	t.Run("connect", func(t *testing.T) {
		c := dialChain(t, &Chain{Hops: []Upstream{tp.hop()}}, dst)
		if _, ok := c.(*net.TCPConn); !ok {
			t.Errorf("conn is %T, want the bare *net.TCPConn (splice)", c)
		}
		echoOnce(t, c, "through tinyproxy \x00\xff\r\n\r\n")
	})
	t.Run("name resolved by the proxy", func(t *testing.T) {
		port := echoLocalhost(t)
		byName := socks5.Addr{Name: "localhost", Port: port}
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{tp.hop()}, Forward: noLocalDNS(t)}, byName), "by name")
		if want := "CONNECT localhost:" + strconv.Itoa(int(port)) + " "; !strings.Contains(tp.log.String(), want) {
			t.Errorf("tinyproxy's log lacks %q", want)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		bad := tp.hop()
		bad.Password = "not-it-" + randomSecret(t)
		err := chainErr(t, &Chain{Hops: []Upstream{bad}}, context.Background(), dst.String())
		// tinyproxy answers 401, not 407, to wrong credentials.
		want := "upstream http://" + tp.addr + ": connect " + dst.String() + ": proxy answered 401 Unauthorized: authentication failed (user \"alice\")"
		if !errors.Is(err, ErrAuthFailed) || err.Error() != want || strings.Contains(err.Error(), bad.Password) ||
			socks5.ReplyFor(err) != socks5.ReplyGeneralFailure {
			t.Errorf("error %q\nwant %q, without the password", err, want)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		err := chainErr(t, &Chain{Hops: []Upstream{{Kind: HTTP, Addr: tp.addr}}}, context.Background(), dst.String())
		if !errors.Is(err, ErrNoAcceptableAuth) {
			t.Errorf("error %q: want ErrNoAcceptableAuth", err)
		}
	})
	t.Run("destination refused", func(t *testing.T) {
		// tinyproxy answers 500 to every failed connect, refused or not:
		// all we can pass on is general failure.
		err := chainErr(t, &Chain{Hops: []Upstream{tp.hop()}}, context.Background(), closedPort(t))
		if got := socks5.ReplyFor(err); got != socks5.ReplyGeneralFailure || !strings.Contains(err.Error(), "proxy answered 500 ") {
			t.Errorf("ReplyFor(%v) = %v, want general failure", err, got)
		}
	})
	t.Run("port not allowed", func(t *testing.T) {
		strict := startTinyproxy(t, "ConnectPort 1")
		err := chainErr(t, &Chain{Hops: []Upstream{strict.hop()}}, context.Background(), dst.String())
		if got := socks5.ReplyFor(err); got != socks5.ReplyNotAllowed {
			t.Errorf("ReplyFor(%v) = %v, want not allowed", err, got)
		}
	})
	t.Run("socks5 then http", func(t *testing.T) {
		c := &Chain{Hops: []Upstream{{Addr: startMicrosocks(t)}, tp.hop()}, Forward: noLocalDNS(t)}
		echoOnce(t, dialChain(t, c, dst), "microsocks → tinyproxy")
	})
	t.Run("http then socks5", func(t *testing.T) {
		c := &Chain{Hops: []Upstream{tp.hop(), {Addr: startMicrosocks(t)}}, Forward: noLocalDNS(t)}
		echoOnce(t, dialChain(t, c, dst), "tinyproxy → microsocks")
	})
}

func TestStunnelTinyproxy(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	dst := socks5.AddrFromAddrPort(echo.AddrPort())
	tp := startTinyproxy(t)
	ca := newTestCA(t)
	certFile, keyFile := ca.issue(t, t.TempDir())
	tlsAddr := startStunnel(t, tp.addr, certFile, keyFile)
	hop := tp.hop()
	hop.Kind, hop.Addr, hop.TLS = HTTPS, tlsAddr, &tls.Config{RootCAs: ca.pool}

	t.Run("connect", func(t *testing.T) {
		c := dialChain(t, &Chain{Hops: []Upstream{hop}}, dst)
		echoOnce(t, c, "through TLS and tinyproxy")
		// The relay passes an EOF on with CloseWrite: through stunnel
		// that is TLS's close_notify, and the echo's EOF comes back.
		if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
			t.Errorf("after half-close read %d, %v; want EOF", n, err)
		}
	})
	t.Run("name resolved by the proxy", func(t *testing.T) {
		byName := socks5.Addr{Name: "localhost", Port: echoLocalhost(t)}
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{hop}, Forward: noLocalDNS(t)}, byName), "by name over TLS")
	})
	t.Run("wrong password", func(t *testing.T) {
		bad := hop
		bad.Password = "not-it-" + randomSecret(t)
		err := chainErr(t, &Chain{Hops: []Upstream{bad}}, context.Background(), dst.String())
		if !errors.Is(err, ErrAuthFailed) || !strings.HasPrefix(err.Error(), "upstream https://"+tlsAddr+": connect ") ||
			strings.Contains(err.Error(), bad.Password) {
			t.Errorf("error %q: want an authentication failure at https://%s, without the password", err, tlsAddr)
		}
	})
	for _, tc := range []struct {
		name string
		conf *tls.Config
		says string
	}{
		{"unknown CA", &tls.Config{RootCAs: newTestCA(t).pool}, "certificate signed by unknown authority"},
		{"system roots", nil, "certificate signed by unknown authority"},
		{"wrong name", &tls.Config{RootCAs: ca.pool, ServerName: "proxy.example"}, "not proxy.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := hop
			bad.TLS = tc.conf
			err := chainErr(t, &Chain{Hops: []Upstream{bad}}, context.Background(), dst.String())
			if !strings.HasPrefix(err.Error(), "upstream https://"+tlsAddr+": tls handshake: ") || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q: want a TLS handshake failure at https://%s saying %q", err, tlsAddr, tc.says)
			}
		})
	}
	t.Run("socks5 then https", func(t *testing.T) {
		c := &Chain{Hops: []Upstream{{Addr: startMicrosocks(t)}, hop}, Forward: noLocalDNS(t)}
		echoOnce(t, dialChain(t, c, dst), "microsocks → stunnel → tinyproxy")
	})
	t.Run("https then socks5", func(t *testing.T) {
		c := &Chain{Hops: []Upstream{hop, {Addr: startMicrosocks(t)}}, Forward: noLocalDNS(t)}
		echoOnce(t, dialChain(t, c, dst), "stunnel → tinyproxy → microsocks")
	})
}
