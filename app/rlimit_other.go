//go:build !unix

package main

import "io"

// raiseFileLimit: Windows has no per-process open-file limit to raise for
// sockets.
func raiseFileLimit(io.Writer) {}
