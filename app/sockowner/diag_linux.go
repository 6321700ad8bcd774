package sockowner

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel's sock_diag interface (linux/inet_diag.h) lists the TCP
// sockets in the states asked for. Reading /proc/net/tcp formats every
// socket as text, TIME_WAIT ones included: on a host with tens of
// thousands of them (a busy proxy) that costs ~100 ms; a dump without
// them costs a few.

// diagStates are the TCP states of a client's open socket: all but
// TIME_WAIT (no process holds it), CLOSE and LISTEN.
const diagStates = 0xfff &^ (1<<6 | 1<<7 | 1<<10)

// Sizes and offsets of struct inet_diag_req_v2 and struct inet_diag_msg.
const (
	diagReqLen    = 56
	diagMsgLen    = 72
	diagMsgSport  = 4
	diagMsgDport  = 6
	diagMsgSrc    = 8
	diagMsgDst    = 24
	diagMsgInode  = 68
	diagRecvBytes = 1 << 16
)

// diagSockets lists the TCP sockets of both families through sock_diag.
func diagSockets() ([]socket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_INET_DIAG)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	// A dump never waits on the network, but a socket without a deadline
	// is not an option here either.
	tv := unix.Timeval{Sec: 2}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, err
	}
	var out []socket
	for _, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if err := diagDump(fd, family, &out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diagDump asks for one family's sockets and appends them to out.
func diagDump(fd int, family uint8, out *[]socket) error {
	req := make([]byte, unix.SizeofNlMsghdr+diagReqLen)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	r := req[unix.SizeofNlMsghdr:]
	r[0], r[1] = family, unix.IPPROTO_TCP
	binary.NativeEndian.PutUint32(r[4:], diagStates)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, diagRecvBytes)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return nil
			case unix.NLMSG_ERROR:
				return errors.New("sock_diag: the kernel refused the dump")
			}
			if s, ok := parseDiagMsg(m.Data); ok {
				*out = append(*out, s)
			}
		}
	}
}

// parseDiagMsg reads a struct inet_diag_msg: ports in network order,
// addresses as 16 bytes (an IPv4 one in the first 4).
func parseDiagMsg(b []byte) (socket, bool) {
	if len(b) < diagMsgLen {
		return socket{}, false
	}
	addr := func(off int) netip.Addr {
		if b[0] == unix.AF_INET {
			return netip.AddrFrom4([4]byte(b[off : off+4]))
		}
		return netip.AddrFrom16([16]byte(b[off : off+16]))
	}
	return socket{
		local:  netip.AddrPortFrom(addr(diagMsgSrc), binary.BigEndian.Uint16(b[diagMsgSport:])),
		remote: netip.AddrPortFrom(addr(diagMsgDst), binary.BigEndian.Uint16(b[diagMsgDport:])),
		inode:  uint64(binary.NativeEndian.Uint32(b[diagMsgInode:])),
	}, true
}
