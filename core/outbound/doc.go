// Package outbound is how the SOCKS5 server reaches destinations: a Route
// dials TCP (for CONNECT) and opens datagram sockets (for UDP ASSOCIATE).
//
// Two routes exist. Direct connects from this host, resolving names itself.
// Chain goes through one or more upstream SOCKS5 servers (RFC 1928, with
// RFC 1929 username/password where configured): it dials the first hop,
// asks each hop to CONNECT to the next, and finally asks the last hop for
// the destination. A destination name is passed on as a name, so the last
// upstream resolves it and this host sends no DNS query for it.
//
// An SSH upstream (Kind SSH) carries each connection as a direct-tcpip
// channel over one pooled SSH connection per path to it (sshpool.go), so a
// CONNECT costs one channel open, not a handshake; its host key must be in
// known_hosts (HostKeyError, TrustHostKey). It carries TCP only.
//
// Errors from an upstream say which upstream and which step failed
// ("upstream 127.0.0.1:1081: authentication failed"), never contain a
// password, and map to the reply code the server's own client gets through
// socks5.ReplyFor: an upstream's non-zero reply is passed on unchanged as a
// *socks5.ReplyError. The server logs them as they are.
//
// A Group spreads requests over member routes (chains, direct, other
// groups) by a policy, failover or fastest, and steps around members that
// fail: a request that fails through a member because of the member goes
// on to the next at once, and the member is left alone for a backoff. The
// destination's own answers (a refused port) pass through and count
// against no one; classify is the one place that tells the two apart.
// Which member carried a request is reported through WithVia, so that
// connections stay unwrapped.
//
// The SOCKS5 client handshake is exported (Handshake) for callers that
// bring their own connection. BIND is not offered by any route: the server
// only does it directly.
package outbound
