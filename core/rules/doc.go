// Package rules decides which route a connection takes: an ordered list of
// rules in Clash's classical syntax ("DOMAIN-SUFFIX,example.com,work"),
// first match wins, and a default route when none matches.
//
// Semantics, in short:
//
//   - Domain rules (DOMAIN, DOMAIN-SUFFIX, DOMAIN-KEYWORD) match the name the
//     client sent, ASCII case-insensitively, a trailing dot ignored; other
//     names (punycode or UTF-8) are compared as given. They never match an
//     IP destination.
//   - IP-CIDR/IP-CIDR6 rules match IP destinations; an IPv4-mapped IPv6
//     address matches IPv4 rules. They match a name only if the rule says
//     "resolve" (Clash resolves unless "no-resolve"; Sockstray only when
//     asked, so imported lists never cause a lookup) AND the caller gave
//     Query.Resolve: this package never looks a name up itself.
//   - SRC-IP-CIDR matches the client's address, DST-PORT the destination
//     port (or ranges), NETWORK,udp the datagrams of UDP ASSOCIATE and
//     NETWORK,tcp everything else. MATCH matches everything.
//
// A Set is built once per config and is then read-only: any number of
// goroutines may call Match at once. Parsing reads text (a list file or one
// profile line) and never touches the network or the file system.
package rules
