package socks5_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sockstray/sockstray/core/socks5"
)

// h decodes a hex string written with spaces between the bytes, as the RFCs
// draw them.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// cat joins byte slices into a new one.
func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// codec is one message's slice decoder, stream decoder and encoder, so that
// the same checks run over every message.
type codec[T any] struct {
	parse  func([]byte) (T, int, error)
	read   func(io.Reader) (T, error) // nil for a datagram header
	append func(T, []byte) ([]byte, error)
	// canon is what the encoder writes for valid input data: the input with
	// the fields the decoder ignores (RSV) set to zero. nil means data itself.
	canon func([]byte) []byte
	// fixed is how many bytes the stream form reads before it checks
	// anything: with fewer, every error is ErrShort.
	fixed int
}

func (c codec[T]) canonical(data []byte) []byte {
	if c.canon == nil {
		return data
	}
	return c.canon(bytes.Clone(data))
}

// zeroRSV is the canonical form of a request or response: RSV is ignored on
// input and written as zero.
func zeroRSV(b []byte) []byte {
	if len(b) > 2 {
		b[2] = 0
	}
	return b
}

// zeroUDPRSV is the canonical form of a UDP header: its two RSV bytes are
// ignored on input and written as zero.
func zeroUDPRSV(b []byte) []byte {
	for i := 0; i < 2 && i < len(b); i++ {
		b[i] = 0
	}
	return b
}

var (
	greetingCodec = codec[socks5.Greeting]{
		parse:  socks5.ParseGreeting,
		read:   socks5.ReadGreeting,
		append: socks5.Greeting.Append,
		fixed:  2,
	}
	methodCodec = codec[socks5.AuthMethod]{
		parse: socks5.ParseMethodSelection,
		read:  socks5.ReadMethodSelection,
		append: func(m socks5.AuthMethod, b []byte) ([]byte, error) {
			return socks5.AppendMethodSelection(b, m), nil
		},
		fixed: 2,
	}
	userPassCodec = codec[socks5.UserPass]{
		parse:  socks5.ParseUserPass,
		read:   socks5.ReadUserPass,
		append: socks5.UserPass.Append,
		fixed:  2,
	}
	userPassReplyCodec = codec[socks5.AuthStatus]{
		parse: socks5.ParseUserPassReply,
		read:  socks5.ReadUserPassReply,
		append: func(s socks5.AuthStatus, b []byte) ([]byte, error) {
			return socks5.AppendUserPassReply(b, s), nil
		},
		fixed: 2,
	}
	requestCodec = codec[socks5.Request]{
		parse:  socks5.ParseRequest,
		read:   socks5.ReadRequest,
		append: socks5.Request.Append,
		canon:  zeroRSV,
		fixed:  5,
	}
	responseCodec = codec[socks5.Response]{
		parse:  socks5.ParseResponse,
		read:   socks5.ReadResponse,
		append: socks5.Response.Append,
		canon:  zeroRSV,
		fixed:  5,
	}
	udpCodec = codec[socks5.UDPHeader]{
		parse:  socks5.ParseUDPHeader,
		append: socks5.UDPHeader.Append,
		canon:  zeroUDPRSV,
	}
	addrCodec = codec[socks5.Addr]{
		parse: socks5.ParseAddrBytes,
		append: func(a socks5.Addr, b []byte) ([]byte, error) {
			return socks5.AppendAddr(b, a)
		},
	}
)

// decodeCase is one row of a decoder table. A valid row's data is exactly
// one message.
type decodeCase[T any] struct {
	name    string
	data    []byte
	want    T
	wantErr error
}

// encodeCase is one row of an encoder table.
type encodeCase[T any] struct {
	name    string
	in      T
	want    []byte
	wantErr error
}

// readers are the ways a stream decoder gets its bytes: whole, one byte at a
// time, and with io.EOF delivered together with the last bytes.
// DataErrReader reads ahead to learn of the EOF, so the pipelined tests leave
// it out.
var readers = []struct {
	name      string
	wrap      func(io.Reader) io.Reader
	readAhead bool
}{
	{"whole", func(r io.Reader) io.Reader { return r }, false},
	{"onebyte", iotest.OneByteReader, false},
	{"dataerr", iotest.DataErrReader, true},
}

// testDecode runs a decoder table through the slice form and, where the
// message has one, the stream form.
func testDecode[T any](t *testing.T, c codec[T], cases []decodeCase[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := c.parse(tc.data)
			checkResult(t, "parse", got, err, tc.want, tc.wantErr)
			wantN := len(tc.data)
			if tc.wantErr != nil {
				wantN = 0
			}
			if n != wantN {
				t.Errorf("parse: n = %d, want %d", n, wantN)
			}
			if c.read == nil {
				return
			}
			wantReadErr := tc.wantErr
			if len(tc.data) == 0 {
				wantReadErr = io.EOF // nothing arrived: the peer went away
			}
			for _, rd := range readers {
				r := bytes.NewReader(tc.data)
				got, err := c.read(rd.wrap(r))
				checkResult(t, "read/"+rd.name, got, err, tc.want, wantReadErr)
				if tc.wantErr == nil && r.Len() != 0 {
					t.Errorf("read/%s: %d bytes left unread", rd.name, r.Len())
				}
			}
		})
	}
}

func checkResult[T any](t *testing.T, form string, got T, err error, want T, wantErr error) {
	t.Helper()
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Errorf("%s: err = %v, want %v", form, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: unexpected error %v", form, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %#v, want %#v", form, got, want)
	}
}

// testEncode runs an encoder table. Every encoder appends after what the
// buffer holds and, on error, hands the buffer back as it was.
func testEncode[T any](t *testing.T, c codec[T], cases []encodeCase[T]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.append(tc.in, nil)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if len(got) != 0 {
					t.Errorf("on error the buffer grew to % x", got)
				}
			} else {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if !bytes.Equal(got, tc.want) {
					t.Errorf("got  % x\nwant % x", got, tc.want)
				}
			}

			prefix := []byte("prefix")
			got, err = c.append(tc.in, bytes.Clone(prefix))
			want := cat(prefix, tc.want)
			if tc.wantErr != nil {
				want = prefix
			}
			if !bytes.Equal(got, want) {
				t.Errorf("after a prefix (err %v): got % x, want % x", err, got, want)
			}
		})
	}
}

// encodeFromDecode turns the valid rows of a decoder table into encoder rows:
// encoding what was decoded gives the canonical bytes back.
func encodeFromDecode[T any](c codec[T], cases []decodeCase[T]) []encodeCase[T] {
	var out []encodeCase[T]
	for _, tc := range cases {
		if tc.wantErr == nil {
			out = append(out, encodeCase[T]{name: tc.name, in: tc.want, want: c.canonical(tc.data)})
		}
	}
	return out
}

// testTruncated cuts every valid message at every point: the slice form needs
// more (ErrShort), the stream form met EOF inside the message (ErrShort), or
// before it (io.EOF, the peer went away).
func testTruncated[T any](t *testing.T, c codec[T], cases []decodeCase[T]) {
	t.Helper()
	for _, tc := range cases {
		if tc.wantErr != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			for i := range len(tc.data) {
				cut := tc.data[:i]
				if _, n, err := c.parse(cut); !errors.Is(err, socks5.ErrShort) || n != 0 {
					t.Errorf("parse(%d of %d bytes) = n %d, err %v; want ErrShort", i, len(tc.data), n, err)
				}
				if c.read == nil {
					continue
				}
				for _, rd := range readers {
					_, err := c.read(rd.wrap(bytes.NewReader(cut)))
					switch {
					case i == 0 && err != io.EOF:
						t.Errorf("read/%s(no bytes): err = %v, want io.EOF", rd.name, err)
					case i > 0 && !errors.Is(err, socks5.ErrShort):
						t.Errorf("read/%s(%d of %d bytes): err = %v, want ErrShort", rd.name, i, len(tc.data), err)
					case i > 0 && !errors.Is(err, io.ErrUnexpectedEOF):
						t.Errorf("read/%s(%d of %d bytes): err = %v, want it to wrap io.ErrUnexpectedEOF", rd.name, i, len(tc.data), err)
					}
				}
			}
		})
	}
}

// next is a second message behind the first in the pipelined tests: the
// decoders must leave it alone.
var next = []byte("\x05\x01\x00\x03\x07example\x01\xbbtrailing")

// testPipelined puts each valid message in front of more bytes: the slice
// form reports the message's length, the stream form reads no further.
func testPipelined[T any](t *testing.T, c codec[T], cases []decodeCase[T]) {
	t.Helper()
	for _, tc := range cases {
		if tc.wantErr != nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			buf := cat(tc.data, next)
			got, n, err := c.parse(buf)
			checkResult(t, "parse", got, err, tc.want, nil)
			if n != len(tc.data) {
				t.Errorf("parse: n = %d, want %d", n, len(tc.data))
			}
			if c.read == nil {
				return
			}
			for _, rd := range readers {
				if rd.readAhead {
					continue
				}
				r := bytes.NewReader(buf)
				got, err := c.read(rd.wrap(r))
				checkResult(t, "read/"+rd.name, got, err, tc.want, nil)
				rest, _ := io.ReadAll(r)
				if !bytes.Equal(rest, next) {
					t.Errorf("read/%s left % x, want % x", rd.name, rest, next)
				}
			}
		})
	}
}

// testCodec runs every generic check over a message's decoder table.
func testCodec[T any](t *testing.T, c codec[T], cases []decodeCase[T]) {
	t.Run("decode", func(t *testing.T) { testDecode(t, c, cases) })
	t.Run("encode", func(t *testing.T) { testEncode(t, c, encodeFromDecode(c, cases)) })
	t.Run("truncated", func(t *testing.T) { testTruncated(t, c, cases) })
	t.Run("pipelined", func(t *testing.T) { testPipelined(t, c, cases) })
}
