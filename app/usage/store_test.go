package usage_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/testnet"
)

// TestRetentionPrunes: days older than the retention go when the recorder
// starts, and again on a flush after the retention shrinks.
func TestRetentionPrunes(t *testing.T) {
	store := newStore(t)
	now := time.Date(2026, 5, 20, 12, 0, 0, 0, time.Local)
	counts := map[usage.Key]usage.Bytes{}
	for _, day := range []string{"2026-01-01", "2026-04-20", "2026-04-21", "2026-05-13", "2026-05-14", "2026-05-20"} {
		counts[usage.Key{Day: day, By: usage.ByHost, Name: "a.test"}] = usage.Bytes{Up: 1, Down: 2}
	}
	if err := store.Add(counts, ""); err != nil {
		t.Fatal(err)
	}
	e := startEngine(t, &server.Config{})
	r := record(t, e, usage.Options{Store: store, Retention: 30, Now: func() time.Time { return now }})
	if got, want := storedDays(t, store), "2026-04-21 2026-05-13 2026-05-14 2026-05-20"; got != want {
		t.Errorf("after start with 30 days: %s, want %s", got, want)
	}
	r.SetRetention(7)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := storedDays(t, store), "2026-05-14 2026-05-20"; got != want {
		t.Errorf("after a flush with 7 days: %s, want %s", got, want)
	}
}

func storedDays(t *testing.T, s *usage.Store) string {
	t.Helper()
	recs, err := s.Records("", "")
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, r := range recs {
		days = append(days, r.Day)
	}
	return strings.Join(days, " ")
}

// TestStoresNoSecrets: traffic with passwords, URLs with paths and
// queries, and a destination name made like a URL leaves none of them in
// the file, only host names.
func TestStoresNoSecrets(t *testing.T) {
	const user, pass = "alice-user", "s3cret-Passw0rd"
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	t.Cleanup(web.Close)
	_, webPort, _ := strings.Cut(web.Listener.Addr().String(), ":")
	echoPort := testnet.EchoTCP(t, "tcp4").Port
	e := startEngine(t, &server.Config{Username: user, Password: pass})
	store := newStore(t)
	r := record(t, e, usage.Options{Store: store})

	// HTTP proxy, plain forwarding of a URL with a path and a query.
	pu := &url.URL{Scheme: "http", User: url.UserPassword(user, pass), Host: e.Addr().String()}
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu)}, Timeout: 10 * time.Second}
	resp, err := hc.Get("http://web.test:" + webPort + "/private-path/file?token=tok-123")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello" {
		t.Fatalf("body %q", body)
	}
	hc.CloseIdleConnections()
	// SOCKS5 with a password, to a name and to a name that is no name.
	auth := &proxy.Auth{User: user, Password: pass}
	c := dialVia(t, e.Addr().String(), auth, target("socks.test", echoPort))
	echo(t, c, 100)
	c.Close()
	c = dialVia(t, e.Addr().String(), auth, target("bob@evil.test/secret-dir", echoPort))
	echo(t, c, 100)
	c.Close()
	waitLive(t, e, 0)
	if err := r.Flush(); err != nil {
		t.Fatal(err)
	}

	hosts := sums(t, store, time.Now())[usage.ByHost]
	for _, h := range []string{"web.test", "socks.test", usage.Invalid} {
		if hosts[h].Total() == 0 {
			t.Errorf("no bytes for %q: %v", h, hosts)
		}
	}
	raw, err := os.ReadFile(store.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{pass, user, "private-path", "token", "tok-123", "http:", "secret-dir", "bob@"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the file holds %q", secret)
		}
	}
	if !bytes.Contains(raw, []byte("web.test")) {
		t.Error("the file does not hold the host name web.test: is the raw check reading the right file?")
	}
}

// TestReadWhileBusy: a reader waits for the file's lock, and says so
// clearly when another process keeps it.
func TestReadWhileBusy(t *testing.T) {
	store := newStore(t)
	if err := store.Add(map[usage.Key]usage.Bytes{{Day: "2026-01-02", By: usage.ByHost, Name: "a.test"}: {Up: 1}}, ""); err != nil {
		t.Fatal(err)
	}
	// A writer that holds the file, as another process would.
	db, err := bolt.Open(store.Path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	reader := &usage.Store{Path: store.Path, Timeout: 200 * time.Millisecond}
	if _, err := reader.Records("", ""); !errors.Is(err, usage.ErrBusy) {
		t.Errorf("read while another holds the file: %v, want ErrBusy", err)
	}
	db.Close()
	if recs, err := reader.Records("", ""); err != nil || len(recs) != 1 {
		t.Errorf("read once it is free: %v, %v", recs, err)
	}
}

// TestReadNoHistory: reading a history never kept is ErrNoHistory and
// creates no file.
func TestReadNoHistory(t *testing.T) {
	store := newStore(t)
	if _, err := store.Read(time.Now(), 30); !errors.Is(err, usage.ErrNoHistory) {
		t.Errorf("read: %v, want ErrNoHistory", err)
	}
	if _, err := os.Stat(store.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the read made a file: %v", err)
	}
}

// goldenReport is a report of three days with every dimension, a
// spreadsheet-formula-like program name and a name that needs quoting.
func goldenReport() *usage.Report {
	var recs []usage.Record
	add := func(day string, by usage.Dim, name string, up, down int64) {
		recs = append(recs, usage.Record{Key: usage.Key{Day: day, By: by, Name: name}, Bytes: usage.Bytes{Up: up, Down: down}})
	}
	add("2026-05-18", usage.ByClient, usage.ThisComputer, 300, 3000)
	add("2026-05-18", usage.ByHost, "a.test", 100, 1000)
	add("2026-05-18", usage.ByHost, "b.test", 200, 2000)
	add("2026-05-20", usage.ByClient, "192.168.1.20", 50, 5000)
	add("2026-05-20", usage.ByHost, "a.test", 50, 5000)
	add("2026-05-20", usage.ByProgram, "=cmd", 50, 5000)
	add("2026-05-20", usage.ByProgram, "my, app", 1, 2)
	return usage.NewReport([]string{"2026-05-18", "2026-05-19", "2026-05-20"}, recs)
}

func TestReportSums(t *testing.T) {
	r := goldenReport()
	if want := []usage.Bytes{{300, 3000}, {0, 0}, {50, 5000}}; len(r.Daily) != 3 || r.Daily[0] != want[0] || r.Daily[1] != want[1] || r.Daily[2] != want[2] {
		t.Errorf("daily %v, want %v", r.Daily, want)
	}
	hosts := r.Top[usage.ByHost]
	if len(hosts) != 2 || hosts[0] != (usage.Row{Name: "a.test", Bytes: usage.Bytes{Up: 150, Down: 6000}}) || hosts[1].Name != "b.test" {
		t.Errorf("top hosts %v", hosts)
	}
	if s := r.Sum(); s != (usage.Bytes{Up: 350, Down: 8000}) {
		t.Errorf("sum %v", s)
	}
}

// TestCSVGolden compares the CSV export with testdata; UPDATE_GOLDEN=1
// rewrites it.
func TestCSVGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		by   []usage.Dim
	}{{"all.csv", nil}, {"host.csv", []usage.Dim{usage.ByHost}}} {
		var buf bytes.Buffer
		if err := goldenReport().WriteCSV(&buf, tc.by...); err != nil {
			t.Fatal(err)
		}
		golden(t, "testdata/"+tc.file, buf.Bytes())
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if ok, _ := strconv.ParseBool(os.Getenv("UPDATE_GOLDEN")); ok {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}
