package socks5_test

import (
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

var benchRequests = []struct {
	name string
	data []byte
}{
	{"IPv4", h("05 01 00 01 CB 00 71 05 00 50")},
	{"IPv6", h("05 01 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 01 BB")},
	{"domain", cat(h("05 01 00 03 0B"), []byte("example.com"), h("01 BB"))},
}

// An IP request should cost no allocation; a name costs its string.
func BenchmarkParseRequest(b *testing.B) {
	for _, br := range benchRequests {
		b.Run(br.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(br.data)))
			for b.Loop() {
				if _, _, err := socks5.ParseRequest(br.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A server writes a response into a reused buffer: no allocation.
func BenchmarkAppendResponse(b *testing.B) {
	responses := []struct {
		name string
		p    socks5.Response
	}{
		{"IPv4", socks5.Response{Bound: ipAddr("10.0.0.1", 49168)}},
		{"IPv6", socks5.Response{Bound: ipAddr("2001:db8::1", 443)}},
		{"unset", socks5.Response{Reply: socks5.ReplyConnectionRefused}},
	}
	for _, r := range responses {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 262)
			for b.Loop() {
				var err error
				if buf, err = r.p.Append(buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Every relayed datagram goes through ParseUDPHeader.
func BenchmarkParseUDPHeader(b *testing.B) {
	payload := make([]byte, 512)
	dgrams := []struct {
		name string
		data []byte
	}{
		{"IPv4", cat(h("00 00 00 01 CB 00 71 05 00 35"), payload)},
		{"IPv6", cat(h("00 00 00 04 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 35"), payload)},
		{"domain", cat(h("00 00 00 03 0B"), []byte("example.com"), h("00 35"), payload)},
	}
	for _, d := range dgrams {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := socks5.ParseUDPHeader(d.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
