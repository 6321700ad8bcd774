//go:build !linux

package relay

import "net"

// canSplice: elsewhere (*net.TCPConn).ReadFrom falls back to io.Copy with a
// fresh 32 KiB buffer per call, so the pooled buffered loop is better.
const canSplice = false

// limitQueue: see splice_linux.go; elsewhere the buffered loop counts
// every chunk anyway.
func limitQueue(*net.TCPConn, int) bool { return false }

// maxNotSentLowat: see splice_linux.go.
const maxNotSentLowat = 128 << 10

func unlimitQueue(*net.TCPConn) {}
