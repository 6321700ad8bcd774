// Package socks5 is the wire format of SOCKS version 5 (RFC 1928) and its
// username/password authentication (RFC 1929).
//
// It only encodes and decodes: no sockets, no goroutines. Every message has a
// slice form (ParseX, which reports how many bytes it used and ErrShort when
// more are needed, so a server can parse pipelined input from one buffer), a
// stream form (ReadX, which reads exactly the message's bytes and no more) and
// an encoder (AppendX or the message's Append method).
package socks5
