package socks5_test

import (
	"bytes"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

func udpCases() []decodeCase[socks5.UDPHeader] {
	cases := []decodeCase[socks5.UDPHeader]{
		{
			name: "RSV not zero",
			data: h("FF FF 00 01 CB 00 71 05 00 35"),
			want: socks5.UDPHeader{Addr: ipAddr("203.0.113.5", 53)},
		},
		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "RSV and FRAG only", data: h("00 00 00"), wantErr: socks5.ErrShort},
		{name: "address cut", data: h("00 00 00 01 CB 00 71"), wantErr: socks5.ErrShort},
	}
	// Each address form, each with a FRAG of its own: standalone, a first
	// fragment, and the high bit that marks the end of a sequence.
	frags := []byte{0x00, 0x01, 0x80, 0xFF}
	for i, ac := range addrCases() {
		if ac.wantErr == socks5.ErrShort {
			continue
		}
		frag := frags[i%len(frags)]
		cases = append(cases, decodeCase[socks5.UDPHeader]{
			name:    ac.name,
			data:    cat([]byte{0x00, 0x00, frag}, ac.data),
			want:    socks5.UDPHeader{Frag: frag, Addr: ac.want},
			wantErr: ac.wantErr,
		})
	}
	return cases
}

func TestUDPHeader(t *testing.T) {
	testCodec(t, udpCodec, udpCases())
}

func TestUDPHeaderAppendErrors(t *testing.T) {
	testEncode(t, udpCodec, []encodeCase[socks5.UDPHeader]{
		{name: "no address", in: socks5.UDPHeader{}, wantErr: socks5.ErrBadAddr},
		{name: "256-byte domain", in: socks5.UDPHeader{Addr: nameAddr(domain256, 53)}, wantErr: socks5.ErrTooLong},
		{
			name: "fragment 2 to [2001:db8::1]:53",
			in:   socks5.UDPHeader{Frag: 2, Addr: ipAddr("2001:db8::1", 53)},
			want: h("00 00 02 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 35"),
		},
	})
}

// The payload is whatever follows the header, and the header's length is
// where it starts, even when the payload is empty.
func TestUDPHeaderPayload(t *testing.T) {
	hdr := h("00 00 00 03 0B 65 78 61 6D 70 6C 65 2E 63 6F 6D 00 35")
	for _, payload := range [][]byte{nil, {0}, []byte("a DNS query, say")} {
		dgram := cat(hdr, payload)
		got, n, err := socks5.ParseUDPHeader(dgram)
		if err != nil {
			t.Fatalf("payload %q: %v", payload, err)
		}
		if want := (socks5.UDPHeader{Addr: nameAddr("example.com", 53)}); got != want {
			t.Errorf("payload %q: header %+v, want %+v", payload, got, want)
		}
		if !bytes.Equal(dgram[n:], payload) {
			t.Errorf("payload = %q, want %q", dgram[n:], payload)
		}
	}
}
