//go:build !windows

package instance

// defaultTransport is how a second launch reaches the first here.
var defaultTransport transport = unixSocket{}
