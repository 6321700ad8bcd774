// Package netns gives a test a second host on the same machine: two Linux
// network namespaces, "server" and "client", joined by a veth pair, each
// with its own loopback, IPv4 and IPv6 addresses that exist only inside the
// two namespaces. Traffic between them never touches the root namespace, so
// a test can play a real LAN client against a server that is not on
// loopback.
//
// Creating namespaces needs root (CI runs as root) and the ip tool from
// iproute2; where either is missing New skips the test with the reason.
// The package is Linux only.
package netns
