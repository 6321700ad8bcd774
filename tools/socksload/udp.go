package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

const (
	udpInFlight = 32
	udpPayload  = 128 // bytes after the SOCKS header: sequence number, padding
	// udpLossWait is how long a datagram may take before it counts as lost.
	udpLossWait = 500 * time.Millisecond
	maxUDPLoops = 1 << 26
)

// udpRun is what one UDP run measured.
type udpRun struct {
	rate float64 // round trips per second in the window
	lost int
}

// measureUDP keeps udpInFlight datagrams on their way to the UDP echo
// target, through a UDP ASSOCIATE unless direct: each echo that comes back
// sends the next datagram. When nothing comes back for udpLossWait, the
// datagrams on their way count as lost and a new window's worth is sent.
// After d no more are sent, and those still out at the end of a last
// udpLossWait count as lost too.
func measureUDP(ctx context.Context, p *proxy, t *targets, d time.Duration) (udpRun, error) {
	uc, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		return udpRun{}, err
	}
	defer uc.Close()
	relay, hdr := t.udpEcho, []byte(nil)
	if !p.direct() {
		ctrl, err := dialer.DialContext(ctx, "tcp", p.srv.addr.String())
		if err != nil {
			return udpRun{}, err
		}
		defer ctrl.Close()
		bound, err := p.handshake(ctrl, socks5.CmdUDPAssociate, socks5.AddrFromNet(uc.LocalAddr()))
		if err != nil {
			return udpRun{}, err
		}
		ap, ok := bound.AddrPort()
		if !ok {
			return udpRun{}, fmt.Errorf("UDP ASSOCIATE bound to %v, want an IP address", bound)
		}
		if ap.Addr().IsUnspecified() {
			ap = netip.AddrPortFrom(p.srv.addr.Addr(), ap.Port())
		}
		relay = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		hdr, _ = socks5.UDPHeader{Addr: socks5.AddrFromAddrPort(t.udpEcho)}.Append(nil)
	}

	pkt := append(hdr, make([]byte, udpPayload)...)
	out := make(map[uint64]struct{}, udpInFlight)
	var seq uint64
	fill := func() error {
		for len(out) < udpInFlight {
			binary.BigEndian.PutUint64(pkt[len(hdr):], seq)
			if _, err := uc.WriteToUDPAddrPort(pkt, relay); err != nil {
				return err
			}
			out[seq] = struct{}{}
			seq++
		}
		return nil
	}
	from := time.Now().Add(min(d/10, 200*time.Millisecond))
	end := from.Add(d)
	var r udpRun
	var counted int
	buf := make([]byte, 64<<10)
	if err := fill(); err != nil {
		return r, err
	}
	progress := time.Now()
	for i := 0; i < maxUDPLoops && len(out) > 0 && ctx.Err() == nil; i++ {
		uc.SetReadDeadline(progress.Add(udpLossWait))
		n, src, err := uc.ReadFromUDPAddrPort(buf)
		now := time.Now()
		switch {
		case err != nil && !isTimeout(err):
			return r, err
		case err != nil: // nothing for udpLossWait: all still out are lost
			r.lost += len(out)
			clear(out)
		default:
			s, ok := parseEcho(buf[:n], src, relay, hdr != nil)
			if _, mine := out[s]; !ok || !mine {
				continue // not ours, or already counted lost
			}
			delete(out, s)
			if !now.Before(from) && now.Before(end) {
				counted++
			}
		}
		progress = now
		if now.Before(end) {
			if err := fill(); err != nil {
				return r, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	r.lost += len(out)
	r.rate = float64(counted) / d.Seconds()
	if counted == 0 {
		return r, errors.New("no datagram came back")
	}
	return r, nil
}

// parseEcho returns the sequence number of an echoed datagram, stripping
// the SOCKS header when proxied.
func parseEcho(b []byte, src, want netip.AddrPort, socks bool) (uint64, bool) {
	if netip.AddrPortFrom(src.Addr().Unmap(), src.Port()) != want {
		return 0, false
	}
	if socks {
		_, n, err := socks5.ParseUDPHeader(b)
		if err != nil {
			return 0, false
		}
		b = b[n:]
	}
	if len(b) < 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// runUDP measures the UDP group: direct and the servers with UDP ASSOCIATE.
func (b *bench) runUDP(ctx context.Context) error {
	st := step{
		name:    fmt.Sprintf("UDP, %d in flight", udpInFlight),
		metrics: []metric{mUDP, mUDPLost},
		run: func(ctx context.Context, p *proxy) (string, error) {
			r, err := measureUDP(ctx, p, b.tg, b.cfg.duration)
			if err != nil {
				return "", err
			}
			b.res.add(mUDP, p.col, r.rate)
			b.res.add(mUDPLost, p.col, float64(r.lost))
			return fmt.Sprintf("%8.0f datagrams/s  %d lost", r.rate, r.lost), nil
		},
	}
	return b.interleave(ctx, "udp", b.available(colDirect, colSockstray), false, []step{st})
}
