package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ErrUnsupported is wrapped by the error for a well-known Clash rule type
// that Sockstray does not implement (GEOIP, PROCESS-NAME, RULE-SET, …).
var ErrUnsupported = errors.New("not supported by Sockstray")

// ErrUnknownType is wrapped by the error for a rule type nobody knows:
// most likely a typo.
var ErrUnknownType = errors.New("unknown rule type")

// Clash (and mihomo) rule types that are real but not ours. Lines of these
// types are skipped from lists (and reported) rather than failing the list.
var unsupported = map[string]bool{
	"GEOIP": true, "GEOSITE": true, "SRC-GEOIP": true, "IP-ASN": true,
	"SRC-IP-ASN": true, "IP-SUFFIX": true, "SRC-IP-SUFFIX": true,
	"DOMAIN-REGEX": true, "DOMAIN-WILDCARD": true, "SRC-PORT": true,
	"IN-PORT": true, "IN-TYPE": true, "IN-USER": true, "IN-NAME": true,
	"PROCESS-NAME": true, "PROCESS-PATH": true, "PROCESS-NAME-REGEX": true,
	"PROCESS-PATH-REGEX": true, "UID": true, "DSCP": true, "RULE-SET": true,
	"SUB-RULE": true, "AND": true, "OR": true, "NOT": true, "SCRIPT": true,
	"USER-AGENT": true, "URL-REGEX": true, "IP-CIDR-SET": true,
}

var kindByName = map[string]Kind{
	"DOMAIN": KindDomain, "DOMAIN-SUFFIX": KindDomainSuffix,
	"DOMAIN-KEYWORD": KindDomainKeyword, "IP-CIDR": KindIPCIDR,
	"IP-CIDR6": KindIPCIDR, "SRC-IP-CIDR": KindSrcIPCIDR,
	"DST-PORT": KindDstPort, "NETWORK": KindNetwork, "MATCH": KindMatch,
	"FINAL": KindMatch, // Clash's old name for MATCH
}

const knownTypes = "DOMAIN, DOMAIN-SUFFIX, DOMAIN-KEYWORD, IP-CIDR, IP-CIDR6, SRC-IP-CIDR, DST-PORT, NETWORK, MATCH"

// ParseLine parses one rule in Clash's classical syntax,
//
//	TYPE,VALUE[,ROUTE][,resolve|no-resolve]    or    MATCH[,ROUTE]
//
// for example "DOMAIN-SUFFIX,example.com,work" or
// "IP-CIDR,10.0.0.0/8,direct,resolve". route is used when the line names
// none (list files usually don't). Types are case-insensitive.
//
// An IP-CIDR rule matches a name only when it says resolve. Clash resolves
// unless a rule says no-resolve; Sockstray turns that around so that no
// name is ever looked up locally unless a rule asks for it (no DNS leak by
// default). "no-resolve" is accepted, and is the default, so Clash lists
// load unchanged and never cause a lookup. The Rule's Source is left
// empty.
func ParseLine(line, route string) (Rule, error) {
	line = strings.TrimSpace(line)
	typ, rest, _ := strings.Cut(line, ",")
	// ASCII only: strings.ToUpper would let "ſ" spell "S".
	typ = asciiUpper(strings.TrimSpace(typ))
	if typ == "" {
		return Rule{}, errors.New("empty rule")
	}
	k, ok := kindByName[typ]
	if !ok {
		if unsupported[typ] {
			return Rule{}, fmt.Errorf("%s: %w", typ, ErrUnsupported)
		}
		return Rule{}, fmt.Errorf("%w %q (known: %s)", ErrUnknownType, typ, knownTypes)
	}
	var fields []string
	if rest != "" || strings.Contains(line, ",") {
		fields = strings.Split(rest, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
	}
	r := Rule{Kind: k}
	if k != KindMatch {
		if len(fields) == 0 || fields[0] == "" {
			return Rule{}, fmt.Errorf("%s: missing value", typ)
		}
		if err := r.setValue(typ, fields[0]); err != nil {
			return Rule{}, err
		}
		fields = fields[1:]
	}
	resolve := false
	for _, f := range fields {
		switch {
		case strings.EqualFold(f, "no-resolve"), strings.EqualFold(f, "resolve"):
			if k != KindIPCIDR && k != KindSrcIPCIDR {
				return Rule{}, fmt.Errorf("%s: %s applies to IP-CIDR rules only", typ, f)
			}
			resolve = strings.EqualFold(f, "resolve")
		case f == "":
			return Rule{}, fmt.Errorf("%s: empty field", typ)
		case r.Route == "":
			r.Route = f
		default:
			return Rule{}, fmt.Errorf("%s: unexpected field %q after route %q", typ, f, r.Route)
		}
	}
	r.Resolve = k == KindIPCIDR && resolve
	if r.Route == "" {
		r.Route = route
	}
	if err := r.normalize(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// setValue parses the VALUE field of a rule of type typ into r.
func (r *Rule) setValue(typ, v string) error {
	var err error
	switch r.Kind {
	case KindDomain, KindDomainSuffix, KindDomainKeyword:
		r.Domain = v // checked by normalize
	case KindIPCIDR, KindSrcIPCIDR:
		r.Prefix, err = parsePrefix(v)
	case KindDstPort:
		r.Ports, err = parsePorts(v)
	case KindNetwork:
		switch strings.ToLower(v) {
		case "udp":
			r.UDP = true
		case "tcp":
		default:
			err = errors.New("want udp or tcp")
		}
	}
	if err != nil {
		return fmt.Errorf("%s %q: %w", typ, v, err)
	}
	return nil
}

// ParseNetwork reads a network as users write it, in rules and in
// allowlists alike: "addr/bits", or a bare address as that one address;
// masked, and ::ffff:a.b.c.d/96+n as a.b.c.d/n.
func ParseNetwork(s string) (netip.Prefix, error) {
	p, err := parsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, err
	}
	return canonPrefix(p), nil
}

// parsePrefix reads "addr/bits", or a bare address as a host prefix, with
// errors more precise than netip's.
func parsePrefix(s string) (netip.Prefix, error) {
	as, bs, hasBits := strings.Cut(s, "/")
	a, err := netip.ParseAddr(as)
	if err != nil {
		return netip.Prefix{}, errors.New("not an IP address or prefix")
	}
	if a.Zone() != "" {
		return netip.Prefix{}, errors.New("a prefix has no zone")
	}
	if !hasBits {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	bits, err := strconv.Atoi(bs)
	if err != nil || bs[0] == '+' || bs[0] == '-' {
		return netip.Prefix{}, errors.New("bad prefix length")
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, errors.New("prefix length out of range")
	}
	return netip.PrefixFrom(a, bits), nil
}

// parsePorts reads "443", "8000-8999" or mihomo's "80/443/8000-8999".
func parsePorts(s string) ([]PortRange, error) {
	var prs []PortRange
	for part := range strings.SplitSeq(s, "/") {
		los, his, isRange := strings.Cut(part, "-")
		lo, err := parsePort(los)
		if err != nil {
			return nil, err
		}
		hi := lo
		if isRange {
			if hi, err = parsePort(his); err != nil {
				return nil, err
			}
			if lo > hi {
				return nil, fmt.Errorf("range %d-%d is reversed", lo, hi)
			}
		}
		prs = append(prs, PortRange{lo, hi})
	}
	return prs, nil
}

func parsePort(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("port %s out of range (0-65535)", s)
		}
		return 0, fmt.Errorf("bad port %q", s)
	}
	return uint16(n), nil
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}
