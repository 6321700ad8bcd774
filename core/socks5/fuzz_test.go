package socks5_test

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/sockstray/sockstray/core/socks5"
)

// decodeErrs are the only errors a decoder may return on its own (a stream
// decoder also passes on its reader's errors, and io.EOF before any byte).
var decodeErrs = []error{
	socks5.ErrShort, socks5.ErrBadVersion, socks5.ErrBadAuthVersion, socks5.ErrNoMethods,
	socks5.ErrEmptyUsername, socks5.ErrEmptyPassword, socks5.ErrEmptyDomain, socks5.ErrBadAddrType,
}

func isDecodeErr(err error) bool {
	for _, e := range decodeErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// checkParse holds the slice form to its contract on any input:
//   - an error comes with n == 0 and is one of decodeErrs;
//   - otherwise 0 < n <= len(data), and encoding the value gives back
//     data[:n] exactly, except RSV, which is ignored on input and written as
//     zero (canon). In particular ATYP survives: an IPv4-mapped address that
//     came as ATYP 04 stays IPv6 and goes out as ATYP 04;
//   - data[:n] alone decodes to the same value, and every strict prefix of
//     it is ErrShort, so a server that buffers can tell "wait" from "reject".
func checkParse[T any](t *testing.T, c codec[T], data []byte) (T, int, error) {
	t.Helper()
	v, n, err := c.parse(data)
	if err != nil {
		if n != 0 {
			t.Fatalf("error %v with n = %d", err, n)
		}
		if !isDecodeErr(err) {
			t.Fatalf("unexpected error %v", err)
		}
		return v, n, err
	}
	if n <= 0 || n > len(data) {
		t.Fatalf("n = %d out of 1..%d", n, len(data))
	}
	msg := data[:n]
	enc, err := c.append(v, nil)
	if err != nil {
		t.Fatalf("decoded %#v but encoding it fails: %v", v, err)
	}
	if want := c.canonical(msg); !bytes.Equal(enc, want) {
		t.Fatalf("round trip of %#v:\n got  % x\n want % x", v, enc, want)
	}
	prefix := []byte{0xAA}
	if enc2, _ := c.append(v, prefix); !bytes.Equal(enc2, cat(prefix, enc)) {
		t.Fatalf("append after a prefix: % x", enc2)
	}
	v2, n2, err := c.parse(msg)
	if err != nil || n2 != n || !reflect.DeepEqual(v2, v) {
		t.Fatalf("parse(data[:n]) = %#v, %d, %v; want %#v, %d", v2, n2, err, v, n)
	}
	if v3, _, err := c.parse(enc); err != nil || !reflect.DeepEqual(v3, v) {
		t.Fatalf("parse(encoding) = %#v, %v; want %#v", v3, err, v)
	}
	for i := range n {
		if _, m, err := c.parse(msg[:i]); !errors.Is(err, socks5.ErrShort) || m != 0 {
			t.Fatalf("prefix of %d of %d bytes: n %d, err %v; want ErrShort", i, n, m, err)
		}
	}
	return v, n, nil
}

// checkRead holds the stream form to the slice form's result on the same
// bytes: the same value, exactly n bytes consumed; when the slice form needs
// more, ErrShort (io.EOF if nothing arrived); when it rejects, the same error
// once the fixed part is in, ErrShort before.
func checkRead[T any](t *testing.T, c codec[T], data []byte, wrap func(io.Reader) io.Reader, exact bool,
	want T, n int, wantErr error) {
	t.Helper()
	r := bytes.NewReader(data)
	got, err := c.read(wrap(r))
	switch {
	case wantErr == nil:
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("read = %#v, %v; parse gave %#v", got, err, want)
		}
		if used := len(data) - r.Len(); exact && used != n {
			t.Fatalf("read consumed %d bytes, the message has %d", used, n)
		}
	case len(data) == 0:
		if err != io.EOF {
			t.Fatalf("read of nothing: err = %v, want io.EOF", err)
		}
	case errors.Is(wantErr, socks5.ErrShort) || len(data) < c.fixed:
		if !errors.Is(err, socks5.ErrShort) {
			t.Fatalf("read: err = %v, want ErrShort (parse: %v)", err, wantErr)
		}
	default:
		if !errors.Is(err, wantErr) {
			t.Fatalf("read: err = %v, want %v like parse", err, wantErr)
		}
	}
}

// checkCodec runs checkParse and, for a message with a stream form, checkRead
// with each of the readers.
func checkCodec[T any](t *testing.T, c codec[T], data []byte) (T, int, error) {
	t.Helper()
	v, n, err := checkParse(t, c, data)
	if c.read != nil {
		for _, rd := range readers {
			checkRead(t, c, data, rd.wrap, !rd.readAhead, v, n, err)
		}
	}
	return v, n, err
}

// seeds adds the valid and invalid rows of decoder tables, each alone and
// followed by more bytes, plus edge cases every decoder should meet.
func seeds[T any](f *testing.F, tables ...[]decodeCase[T]) {
	for _, cases := range tables {
		for _, tc := range cases {
			f.Add(tc.data)
			f.Add(cat(tc.data, next))
		}
	}
	for _, b := range [][]byte{
		nil, {0x00}, {0x01}, {0x05}, {0xFF},
		bytes.Repeat([]byte{0xFF}, 300), bytes.Repeat([]byte{0x00}, 300),
		h("05 FF"), h("01 FF FF"), h("05 01 00 03 FF"), h("00 00 00 03 FF"),
	} {
		f.Add(b)
	}
}

func FuzzParseGreeting(f *testing.F) {
	seeds(f, greetingCases())
	seeds(f, []decodeCase[socks5.Greeting]{{data: h("05 02")}, {data: h("05 00")}, {data: h("04 00")}})
	f.Fuzz(func(t *testing.T, data []byte) {
		g, _, err := checkCodec(t, greetingCodec, data)
		if err == nil && (len(g.Methods) == 0 || len(g.Methods) > 255) {
			t.Fatalf("%d methods", len(g.Methods))
		}
		checkCodec(t, methodCodec, data)
	})
}

func FuzzParseUserPass(f *testing.F) {
	seeds(f, userPassCases())
	seeds(f, []decodeCase[socks5.UserPass]{{data: h("01 00")}, {data: h("01 01")}})
	f.Fuzz(func(t *testing.T, data []byte) {
		u, _, err := checkCodec(t, userPassCodec, data)
		if err == nil && (u.Username == "" || u.Password == "") {
			t.Fatalf("decoded empty credentials %q", u.Username)
		}
		checkCodec(t, userPassReplyCodec, data)
	})
}

// FuzzParseRequest also covers responses: they share one layout, so both
// decoders must agree on every input.
func FuzzParseRequest(f *testing.F) {
	seeds(f, requestCases())
	seeds(f, responseCases())
	f.Fuzz(func(t *testing.T, data []byte) {
		q, qn, qerr := checkParse(t, requestCodec, data)
		p, pn, perr := checkParse(t, responseCodec, data)
		if !errors.Is(qerr, perr) || !errors.Is(perr, qerr) || qn != pn {
			t.Fatalf("request: n %d, %v; response: n %d, %v", qn, qerr, pn, perr)
		}
		if qerr == nil && (byte(q.Command) != byte(p.Reply) || q.Addr != p.Bound) {
			t.Fatalf("request %+v, response %+v", q, p)
		}
		checkRead(t, requestCodec, data, readers[0].wrap, true, q, qn, qerr)
		checkRead(t, responseCodec, data, readers[0].wrap, true, p, pn, perr)
	})
}

func FuzzParseUDPHeader(f *testing.F) {
	seeds(f, udpCases())
	f.Fuzz(func(t *testing.T, data []byte) {
		hdr, n, err := checkCodec(t, udpCodec, data)
		if err != nil {
			return
		}
		if hdr.Frag != data[2] {
			t.Fatalf("FRAG %d, want %d", hdr.Frag, data[2])
		}
		// The header is RSV, FRAG and an address; the payload is the rest.
		a, an, err := socks5.ParseAddrBytes(data[3:])
		if err != nil || a != hdr.Addr || n != 3+an {
			t.Fatalf("address at 3: %+v, %d, %v; header %+v, %d", a, an, err, hdr, n)
		}
	})
}

func FuzzParseAddr(f *testing.F) {
	seeds(f, addrCases())
	f.Fuzz(func(t *testing.T, data []byte) {
		a, _, err := checkCodec(t, addrCodec, data)
		if err != nil {
			return
		}
		switch socks5.AddrType(data[0]) {
		case socks5.AddrIPv4:
			if !a.IP.Is4() || a.Name != "" {
				t.Fatalf("ATYP 01 gave %+v", a)
			}
		case socks5.AddrIPv6:
			if !a.IP.Is6() || a.Name != "" {
				t.Fatalf("ATYP 04 gave %+v", a)
			}
		case socks5.AddrDomain:
			if len(a.Name) == 0 || len(a.Name) > 255 {
				t.Fatalf("ATYP 03 gave a name of %d bytes", len(a.Name))
			}
		default:
			t.Fatalf("ATYP %#x decoded to %+v", data[0], a)
		}
		if a.Type() != socks5.AddrType(data[0]) {
			t.Fatalf("Type() = %d for ATYP %d", a.Type(), data[0])
		}
		// An IP address goes to net.Dial as String(); ParseAddr reads it
		// back, unmapped.
		if a.Name == "" {
			back, err := socks5.ParseAddr(a.String())
			if want := (socks5.Addr{IP: a.IP.Unmap(), Port: a.Port}); err != nil || back != want {
				t.Fatalf("ParseAddr(%q) = %+v, %v; want %+v", a.String(), back, err, want)
			}
		}
	})
}

// chunkReader hands out at most size bytes per Read, the way a slow or
// fragmenting peer does.
type chunkReader struct {
	r    io.Reader
	size int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.size {
		p = p[:c.size]
	}
	return c.r.Read(p)
}

// FuzzReadRequest drives the stream form with inputs cut into chunks of a
// size the fuzzer picks, some with io.EOF delivered along with the last
// bytes, and checks it against the slice form.
func FuzzReadRequest(f *testing.F) {
	for _, tc := range requestCases() {
		for _, size := range []uint8{0, 1, 4, 255} {
			f.Add(tc.data, size, false)
			f.Add(cat(tc.data, next), size, true)
		}
	}
	f.Add([]byte(nil), uint8(0), false)
	f.Add(h("05 01 00 03 FF"), uint8(2), true)
	f.Fuzz(func(t *testing.T, data []byte, size uint8, eofWithData bool) {
		wrap := func(r io.Reader) io.Reader { return &chunkReader{r: r, size: int(size) + 1} }
		exact := true
		if eofWithData {
			wrap = func(r io.Reader) io.Reader {
				return iotest.DataErrReader(&chunkReader{r: r, size: int(size) + 1})
			}
			exact = false // DataErrReader reads ahead to find the EOF
		}
		q, n, err := socks5.ParseRequest(data)
		checkRead(t, requestCodec, data, wrap, exact, q, n, err)
		p, n, err := socks5.ParseResponse(data)
		checkRead(t, responseCodec, data, wrap, exact, p, n, err)
	})
}
