package rules

import (
	"fmt"
	"net/netip"
	"strings"
)

// Set is an ordered list of rules, built once by New and then read-only:
// safe for any number of goroutines calling Match.
//
// Match does not try the rules one by one: each kind that can be indexed
// (names, destination and client prefixes) gives the lowest index of a rule
// of that kind that matches, the few kinds that cannot (keywords, ports,
// network, MATCH) are scanned in order only below the best index so far,
// and the smallest index wins. That is first match wins, at a cost that
// does not grow with the number of domain and CIDR rules.
type Set struct {
	rules []Rule
	def   string

	names   nameIndex
	dst     prefixIndex // every IP-CIDR rule: for IP destinations
	resolve prefixIndex // IP-CIDR rules that resolve: for a name's addresses
	src     prefixIndex // SRC-IP-CIDR
	// firstResolve is the lowest index of a resolving IP-CIDR rule: a name
	// is looked up only if no rule before it matched.
	firstResolve int32
	scan         []int32 // indices of the rules no index covers, ascending
}

// New builds a Set from rules, in order, and the route taken when no rule
// matches. The rules are copied and normalized (see Rule); an invalid rule
// is an error that starts with its Source.
func New(rules []Rule, defaultRoute string) (*Set, error) {
	s := &Set{
		rules:        make([]Rule, len(rules)),
		def:          defaultRoute,
		names:        nameIndex{},
		firstResolve: none,
	}
	var dst, res, src []prefixRule
	for i, r := range rules {
		if i >= none {
			return nil, fmt.Errorf("more than %d rules", none)
		}
		r.Ports = append([]PortRange(nil), r.Ports...)
		if err := r.normalize(); err != nil {
			if r.Source != "" {
				return nil, fmt.Errorf("%s: %w", r.Source, err)
			}
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
		s.rules[i] = r
		idx := int32(i)
		switch r.Kind {
		case KindDomain, KindDomainSuffix:
			s.names.add(&r, idx)
		case KindIPCIDR:
			dst = append(dst, prefixRule{r.Prefix, idx})
			if r.Resolve {
				res = append(res, prefixRule{r.Prefix, idx})
				s.firstResolve = min(s.firstResolve, idx)
			}
		case KindSrcIPCIDR:
			src = append(src, prefixRule{r.Prefix, idx})
		default:
			s.scan = append(s.scan, idx)
		}
	}
	s.dst, s.resolve, s.src = newPrefixIndex(dst), newPrefixIndex(res), newPrefixIndex(src)
	return s, nil
}

// Len is the number of rules.
func (s *Set) Len() int { return len(s.rules) }

// Rules returns a copy of the rules, in order.
func (s *Set) Rules() []Rule { return append([]Rule(nil), s.rules...) }

// Default is the route taken when no rule matches.
func (s *Set) Default() string { return s.def }

// Query is one connection (or UDP datagram) to route.
type Query struct {
	// Host is the destination as the client sent it: a name, or an IP
	// literal without brackets (which is treated as Addr).
	Host string
	// Addr is the destination address when the caller holds it parsed;
	// if valid, Host is ignored.
	Addr netip.Addr
	Port uint16
	// Client is the client's address, for SRC-IP-CIDR.
	Client netip.Addr
	// UDP is true for a datagram of UDP ASSOCIATE.
	UDP bool
	// Resolve, if not nil, returns the addresses of a name (given in lower
	// case without a trailing dot). Match calls it at most once, and only
	// when the destination is a name and no rule before the first
	// resolving IP-CIDR rule matched; a resolving rule then matches if any
	// of the addresses is in its prefix. Nil means never resolve: such
	// rules then do not match names. The caller
	// decides on the resolver, its deadline and whether a lookup is
	// acceptable (for instance not for a route through an upstream).
	Resolve func(name string) ([]netip.Addr, error)
}

// Result is the route Match chose and why.
type Result struct {
	Route string
	// Rule is the rule that matched, nil when the default route was taken.
	// It points into the Set and must not be modified.
	Rule *Rule
	// Index is Rule's position in the Set, -1 for the default route.
	Index int
	// Resolved says Query.Resolve was called; ResolveErr is what it
	// returned (the resolving rules then did not match).
	Resolved   bool
	ResolveErr error
	// Unresolved says a resolving IP-CIDR rule was passed over because
	// the destination was a name and Query.Resolve was nil: with a resolver
	// the answer might have been different.
	Unresolved bool
}

// Match returns the route of the first rule that matches q, or the default
// route.
func (s *Set) Match(q Query) Result {
	ip := q.Addr
	name := ""
	if !ip.IsValid() {
		if a, ok := parseIP(q.Host); ok {
			ip = a
		} else {
			name = foldName(q.Host)
		}
	}
	best := s.src.lookup(q.Client.Unmap())
	if ip.IsValid() {
		best = min(best, s.dst.lookup(ip.WithZone("")))
	} else {
		best = min(best, s.names.lookup(name))
	}
	best = s.scanBelow(best, q, name)

	var res Result
	if name != "" && s.firstResolve < best {
		if q.Resolve == nil {
			res.Unresolved = true
		} else {
			res.Resolved = true
			var addrs []netip.Addr
			addrs, res.ResolveErr = q.Resolve(name)
			if res.ResolveErr == nil {
				for _, a := range addrs {
					best = min(best, s.resolve.lookup(a.WithZone("")))
				}
			}
		}
	}
	if best == none {
		res.Route, res.Index = s.def, -1
		return res
	}
	res.Rule = &s.rules[best]
	res.Route, res.Index = res.Rule.Route, int(best)
	return res
}

// parseIP parses host if it is an IP literal. It screens first because a
// failed netip.ParseAddr allocates its error, and most hosts are names:
// IPv4 literals are digits and dots, IPv6 ones contain a colon.
func parseIP(host string) (netip.Addr, bool) {
	if !strings.Contains(host, ":") {
		for i := 0; i < len(host); i++ {
			if c := host[i]; c != '.' && (c < '0' || c > '9') {
				return netip.Addr{}, false
			}
		}
	}
	a, err := netip.ParseAddr(host)
	return a, err == nil
}

// scanBelow tries, in order, the rules no index covers that come before
// best, and returns the lower of best and the first that matches.
func (s *Set) scanBelow(best int32, q Query, name string) int32 {
	for _, i := range s.scan {
		if i >= best {
			break
		}
		r := &s.rules[i]
		switch r.Kind {
		case KindDomainKeyword:
			if name != "" && strings.Contains(name, r.Domain) {
				return i
			}
		case KindDstPort:
			for _, p := range r.Ports {
				if p.Lo <= q.Port && q.Port <= p.Hi {
					return i
				}
			}
		case KindNetwork:
			if r.UDP == q.UDP {
				return i
			}
		case KindMatch:
			return i
		}
	}
	return best
}
