//go:build !unix

package main

// raiseFileLimit: Windows has no per-process open-file limit for sockets
// to raise.
func raiseFileLimit() fileLimit { return fileLimit{} }
