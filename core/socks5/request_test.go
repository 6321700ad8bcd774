package socks5_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

// The example addresses below are documentation ranges and names (RFC 5737,
// RFC 3849, RFC 2606). They are only encoded and decoded: nothing is dialled.

func ipAddr(ip string, port uint16) socks5.Addr {
	return socks5.Addr{IP: netip.MustParseAddr(ip), Port: port}
}

func nameAddr(name string, port uint16) socks5.Addr {
	return socks5.Addr{Name: name, Port: port}
}

var (
	domain255 = strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." +
		strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) // 255 bytes
	domain256 = domain255 + "e"
)

// addrCases are the address part (ATYP, ADDR, PORT) of requests, responses
// and UDP headers.
func addrCases() []decodeCase[socks5.Addr] {
	return []decodeCase[socks5.Addr]{
		{name: "IPv4", data: h("01 CB 00 71 05 00 50"), want: ipAddr("203.0.113.5", 80)},
		{name: "IPv4 any", data: h("01 00 00 00 00 00 00"), want: ipAddr("0.0.0.0", 0)},
		{
			name: "IPv6",
			data: h("04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB"),
			want: ipAddr("2001:db8::1", 443),
		},
		{
			// ATYP 04 stays IPv6 even for a mapped IPv4 address, so that
			// it encodes back to the same bytes; AddrFromAddrPort is what
			// unmaps.
			name: "IPv4-mapped IPv6",
			data: h("04 00 00 00 00 00 00 00 00 00 00 FF FF CB 00 71 05 00 50"),
			want: ipAddr("::ffff:203.0.113.5", 80),
		},
		{name: "domain", data: cat(h("03 0B"), []byte("example.com"), h("01 BB")), want: nameAddr("example.com", 443)},
		{name: "one-byte domain", data: h("03 01 61 FF FF"), want: nameAddr("a", 65535)},
		{
			// A name that looks like an IP stays a name: the far side
			// decides what it means.
			name: "domain that is an IP literal",
			data: cat(h("03 07"), []byte("1.2.3.4"), h("00 50")),
			want: nameAddr("1.2.3.4", 80),
		},
		{name: "255-byte domain", data: cat(h("03 FF"), []byte(domain255), h("00 50")), want: nameAddr(domain255, 80)},

		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "IPv4 cut", data: h("01 CB 00 71"), wantErr: socks5.ErrShort},
		{name: "domain length 0", data: h("03 00 00 50"), wantErr: socks5.ErrEmptyDomain},
		{name: "ATYP 0", data: h("00 CB 00 71 05 00 50"), wantErr: socks5.ErrBadAddrType},
		{name: "ATYP 2", data: h("02 CB 00 71 05 00 50"), wantErr: socks5.ErrBadAddrType},
		{name: "ATYP 5", data: h("05 CB 00 71 05 00 50"), wantErr: socks5.ErrBadAddrType},
		{name: "ATYP FF", data: h("FF CB 00 71 05 00 50"), wantErr: socks5.ErrBadAddrType},
	}
}

func TestAddrBytes(t *testing.T) {
	testCodec(t, addrCodec, addrCases())
}

// headerCases puts the address rows behind a request or response header and,
// for the header's own failures, adds rows of its own.
func headerCases[T any](code byte, mk func(code byte, a socks5.Addr) T) []decodeCase[T] {
	var out []decodeCase[T]
	for _, ac := range addrCases() {
		if ac.wantErr == socks5.ErrShort {
			continue // the truncation tests cover these at every cut
		}
		out = append(out, decodeCase[T]{
			name:    ac.name,
			data:    cat([]byte{0x05, code, 0x00}, ac.data),
			want:    mk(code, ac.want),
			wantErr: ac.wantErr,
		})
	}
	return append(out,
		decodeCase[T]{
			name: "RSV not zero",
			data: []byte{0x05, code, 0xFF, 0x01, 0xCB, 0x00, 0x71, 0x05, 0x00, 0x50},
			want: mk(code, ipAddr("203.0.113.5", 80)),
		},
		decodeCase[T]{name: "empty", data: nil, wantErr: socks5.ErrShort},
		decodeCase[T]{name: "address cut", data: []byte{0x05, code, 0x00, 0x01, 0xCB, 0x00}, wantErr: socks5.ErrShort},
		decodeCase[T]{name: "VER 4", data: []byte{0x04, code, 0x00, 0x50, 0xCB, 0x00, 0x71, 0x05, 0x00}, wantErr: socks5.ErrBadVersion},
		decodeCase[T]{name: "VER 0", data: []byte{0x00, code, 0x00, 0x01, 0xCB, 0x00, 0x71, 0x05, 0x00, 0x50}, wantErr: socks5.ErrBadVersion},
	)
}

func request(c byte, a socks5.Addr) socks5.Request {
	return socks5.Request{Command: socks5.Command(c), Addr: a}
}

func response(c byte, a socks5.Addr) socks5.Response {
	return socks5.Response{Reply: socks5.Reply(c), Bound: a}
}

func requestCases() []decodeCase[socks5.Request] {
	cases := []decodeCase[socks5.Request]{
		{
			name: "CONNECT 203.0.113.5:80",
			data: h("05 01 00 01 CB 00 71 05 00 50"),
			want: socks5.Request{Command: socks5.CmdConnect, Addr: ipAddr("203.0.113.5", 80)},
		},
		{
			name: "BIND [2001:db8::1]:443",
			data: h("05 02 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB"),
			want: socks5.Request{Command: socks5.CmdBind, Addr: ipAddr("2001:db8::1", 443)},
		},
		{
			name: "UDP ASSOCIATE 0.0.0.0:0",
			data: h("05 03 00 01 00 00 00 00 00 00"),
			want: socks5.Request{Command: socks5.CmdUDPAssociate, Addr: ipAddr("0.0.0.0", 0)},
		},
		{
			// The server answers an unknown command with
			// ReplyCommandNotSupported, so it must decode.
			name: "unknown command",
			data: h("05 09 00 01 CB 00 71 05 00 50"),
			want: socks5.Request{Command: 0x09, Addr: ipAddr("203.0.113.5", 80)},
		},
	}
	return append(cases, headerCases(byte(socks5.CmdConnect), request)...)
}

func TestRequest(t *testing.T) {
	testCodec(t, requestCodec, requestCases())
}

func responseCases() []decodeCase[socks5.Response] {
	cases := []decodeCase[socks5.Response]{
		{
			name: "success bound 10.0.0.1:49168",
			data: h("05 00 00 01 0A 00 00 01 C0 10"),
			want: socks5.Response{Reply: socks5.ReplySucceeded, Bound: ipAddr("10.0.0.1", 49168)},
		},
		{
			name: "connection refused",
			data: h("05 05 00 01 00 00 00 00 00 00"),
			want: socks5.Response{Reply: socks5.ReplyConnectionRefused, Bound: ipAddr("0.0.0.0", 0)},
		},
		{
			name: "unassigned reply",
			data: h("05 09 00 01 00 00 00 00 00 00"),
			want: socks5.Response{Reply: 0x09, Bound: ipAddr("0.0.0.0", 0)},
		},
	}
	return append(cases, headerCases(byte(socks5.ReplySucceeded), response)...)
}

func TestResponse(t *testing.T) {
	testCodec(t, responseCodec, responseCases())
}

func TestRequestAppendErrors(t *testing.T) {
	testEncode(t, requestCodec, []encodeCase[socks5.Request]{
		{name: "no address", in: socks5.Request{Command: socks5.CmdConnect}, wantErr: socks5.ErrBadAddr},
		{
			name:    "256-byte domain",
			in:      socks5.Request{Command: socks5.CmdConnect, Addr: nameAddr(domain256, 80)},
			wantErr: socks5.ErrTooLong,
		},
		{
			// Unmapping is AddrFromAddrPort's job, not the encoder's.
			name: "mapped IPv4 from AddrFromAddrPort",
			in: socks5.Request{
				Command: socks5.CmdConnect,
				Addr:    socks5.AddrFromAddrPort(netip.MustParseAddrPort("[::ffff:203.0.113.5]:80")),
			},
			want: h("05 01 00 01 CB 00 71 05 00 50"),
		},
		{
			// The wire has no zone: it is dropped.
			name: "IPv6 with zone",
			in:   socks5.Request{Command: socks5.CmdConnect, Addr: ipAddr("fe80::1%eth0", 80)},
			want: h("05 01 00 04 FE 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 50"),
		},
		{
			// A name wins over an IP.
			name: "name and IP",
			in: socks5.Request{
				Command: socks5.CmdConnect,
				Addr:    socks5.Addr{Name: "a", IP: netip.MustParseAddr("203.0.113.5"), Port: 80},
			},
			want: h("05 01 00 03 01 61 00 50"),
		},
	})
}

func TestResponseAppendErrors(t *testing.T) {
	testEncode(t, responseCodec, []encodeCase[socks5.Response]{
		{
			// RFC 1928 allows 0.0.0.0:0 where no address applies.
			name: "no bound address",
			in:   socks5.Response{Reply: socks5.ReplyGeneralFailure},
			want: h("05 01 00 01 00 00 00 00 00 00"),
		},
		{
			name:    "256-byte domain",
			in:      socks5.Response{Bound: nameAddr(domain256, 80)},
			wantErr: socks5.ErrTooLong,
		},
	})
}

func TestAppendAddrErrors(t *testing.T) {
	testEncode(t, addrCodec, []encodeCase[socks5.Addr]{
		{name: "zero", in: socks5.Addr{}, wantErr: socks5.ErrBadAddr},
		{name: "port only", in: socks5.Addr{Port: 80}, wantErr: socks5.ErrBadAddr},
		{name: "256-byte domain", in: nameAddr(domain256, 80), wantErr: socks5.ErrTooLong},
	})
}
