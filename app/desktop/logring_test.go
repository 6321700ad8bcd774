package desktop

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

func TestRingKeepsLastLines(t *testing.T) {
	r := NewRing(3)
	var stderr bytes.Buffer
	lg := slog.New(r.Handler(&stderr))
	for i := range 5 {
		lg.Info("line", "n", i)
	}
	lg.Warn("careful")
	lines := r.Lines(slog.LevelInfo)
	if len(lines) != 3 || lines[0].Text != "line  n=3" || lines[2].Text != "careful" || lines[2].Seq != 6 {
		t.Fatalf("lines %+v", lines)
	}
	if w := r.Lines(slog.LevelWarn); len(w) != 1 {
		t.Errorf("warn lines %+v", w)
	}
	if r.Seq() != 6 || strings.Count(stderr.String(), "\n") != 6 {
		t.Errorf("seq %d, stderr %q", r.Seq(), stderr.String())
	}
}

func TestRingGroupsAttrsAndRedaction(t *testing.T) {
	r := NewRing(10)
	lg := slog.New(r.Handler(nil)).With("a", 1).WithGroup("g").With("b", 2)
	lg.Info("msg", "auth", socks5.UserPass{Username: "u", Password: "hunter2"})
	got := r.Lines(0)[0].Text
	if !strings.HasPrefix(got, "msg  a=1 g.b=2 g.auth") || strings.Contains(got, "hunter2") {
		t.Errorf("line %q", got)
	}
	lg.Debug("hidden")
	if len(r.Lines(slog.LevelDebug)) != 1 {
		t.Error("debug lines kept")
	}
}

func TestLANClients(t *testing.T) {
	now := time.Now()
	conn := func(id uint64, client string, up, down int64) stats.ConnStat {
		return stats.ConnStat{ID: id, Info: stats.Info{Client: netip.MustParseAddrPort(client)}, Up: up, Down: down, RateUp: 1, RateDown: 2, Start: now}
	}
	s := stats.Snapshot{Conns: []stats.ConnStat{
		conn(1, "127.0.0.1:5000", 10, 10),
		conn(2, "192.168.1.20:4000", 100, 1000),
		conn(3, "192.168.1.9:4001", 1, 2),
		conn(4, "192.168.1.20:4002", 5, 6),
		conn(5, "[::ffff:192.168.1.9]:4003", 1, 1),
	}}
	got := LANClients(s)
	if len(got) != 2 {
		t.Fatalf("clients %+v", got)
	}
	if got[0].Addr.String() != "192.168.1.9" || got[0].Conns != 2 || len(got[0].IDs) != 2 {
		t.Errorf("first %+v", got[0])
	}
	if c := got[1]; c.Up != 105 || c.Down != 1006 || c.Rate != 6 || c.IDs[0] != 2 || c.IDs[1] != 4 {
		t.Errorf("second %+v", c)
	}
}

func TestLANAddrsAndLink(t *testing.T) {
	p := profiles.New("Share")
	p.ShareOnLAN, p.LANInterface, p.Username = true, "127.0.0.1", "alice"
	addrs, err := LANAddrs(p)
	if err != nil || len(addrs) != 1 || addrs[0] != "127.0.0.1:1080" {
		t.Fatalf("chosen interface: %v %v", addrs, err)
	}
	if got := ShareLink(p, addrs[0]); got != "socks5://alice@127.0.0.1:1080#Share" {
		t.Errorf("link %q", got)
	}
	p.LANInterface = ""
	addrs, err = LANAddrs(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if strings.HasPrefix(a, "127.") || strings.HasPrefix(a, "[::1]") || strings.HasPrefix(a, "[fe80") {
			t.Errorf("address %s is not for other devices", a)
		}
	}
}
