//go:build !linux

package relay

// canSplice: elsewhere (*net.TCPConn).ReadFrom falls back to io.Copy with a
// fresh 32 KiB buffer per call, so the pooled buffered loop is better.
const canSplice = false
