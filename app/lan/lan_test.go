package lan

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

func TestClients(t *testing.T) {
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
	got := Clients(s)
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

func TestAddrsAndLink(t *testing.T) {
	p := profiles.New("Share")
	p.ShareOnLAN, p.LANInterface, p.Username = true, "127.0.0.1", "alice"
	addrs, err := Addrs(p)
	if err != nil || len(addrs) != 1 || addrs[0] != "127.0.0.1:1080" {
		t.Fatalf("chosen interface: %v %v", addrs, err)
	}
	if got := ShareLink(p, addrs[0]); got != "socks5://alice@127.0.0.1:1080#Share" {
		t.Errorf("link %q", got)
	}
	p.LANInterface = ""
	addrs, err = Addrs(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if strings.HasPrefix(a, "127.") || strings.HasPrefix(a, "[::1]") || strings.HasPrefix(a, "[fe80") {
			t.Errorf("address %s is not for other devices", a)
		}
	}
}
