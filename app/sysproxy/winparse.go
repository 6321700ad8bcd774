package sysproxy

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// The WinINet registry values, parsed and written apart from the registry
// so that it is tested everywhere. A raw value is "TYPE:HEX": the registry
// type and the value's bytes, so a restore writes back exactly what was
// there, whatever its type.

const (
	regSZ    = 1 // REG_SZ
	regDWORD = 4 // REG_DWORD
)

func encodeRegRaw(typ uint32, data []byte) string {
	return strconv.FormatUint(uint64(typ), 10) + ":" + hex.EncodeToString(data)
}

func decodeRegRaw(v string) (typ uint32, data []byte, err error) {
	t, h, ok := strings.Cut(v, ":")
	n, err1 := strconv.ParseUint(t, 10, 32)
	data, err2 := hex.DecodeString(h)
	if !ok || err1 != nil || err2 != nil {
		return 0, nil, fmt.Errorf("bad saved registry value %q", v)
	}
	return uint32(n), data, nil
}

// regSZValue encodes s as REG_SZ: UTF-16LE with a terminating NUL.
func regSZValue(s string) string {
	u := append(utf16.Encode([]rune(s)), 0)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return encodeRegRaw(regSZ, b)
}

func regDWORDValue(n uint32) string {
	return encodeRegRaw(regDWORD, binary.LittleEndian.AppendUint32(nil, n))
}

// regText reads a raw value as text: a string type up to its NUL, a DWORD
// as its decimal number.
func regText(v string) string {
	typ, data, err := decodeRegRaw(v)
	switch {
	case err != nil:
		return ""
	case typ == regDWORD && len(data) >= 4:
		return strconv.FormatUint(uint64(binary.LittleEndian.Uint32(data)), 10)
	case typ == regDWORD:
		return ""
	}
	u := make([]uint16, len(data)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(data[2*i:])
	}
	s := string(utf16.Decode(u))
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

// winSettings is the neutral view of ProxyEnable, ProxyServer,
// ProxyOverride and AutoConfigURL. A PAC URL wins over the manual proxy.
func winSettings(raw []RawValue) Settings {
	get := func(key string) string {
		for _, v := range raw {
			if v.Key == key && !v.Unset {
				return regText(v.Value)
			}
		}
		return ""
	}
	s := Settings{Mode: ModeNone, AutoConfigURL: get("AutoConfigURL"), Raw: raw}
	switch {
	case s.AutoConfigURL != "":
		s.Mode = ModeAuto
	case get("ProxyEnable") == "1":
		s.Mode = ModeManual
	}
	s.HTTP, s.HTTPS, s.SOCKS, s.FTP = parseWinProxyServer(get("ProxyServer"))
	for e := range strings.SplitSeq(get("ProxyOverride"), ";") {
		if e = strings.TrimSpace(e); e != "" {
			s.Bypass = append(s.Bypass, e)
		}
	}
	return s
}

// winWant is the registry values that make s: s.Raw, with the values
// behind every neutral field that differs from what s.Raw says replaced.
// Manual mode is ProxyEnable 1 with ProxyServer; automatic mode is
// AutoConfigURL (which WinINet uses whatever ProxyEnable says), so
// ProxyEnable 0 lets nothing but the PAC file decide.
func winWant(s Settings) ([]RawValue, error) {
	base := winSettings(s.Raw)
	want := slices.Clone(s.Raw)
	set := func(key, value string) {
		want = setRaw(want, RawValue{Key: key, Value: value, Unset: value == ""})
	}
	if s.Mode != base.Mode || s.AutoConfigURL != base.AutoConfigURL {
		switch s.Mode {
		case ModeManual:
			set("ProxyEnable", regDWORDValue(1))
		case ModeNone, ModeAuto, "":
			set("ProxyEnable", regDWORDValue(0))
		default:
			return nil, fmt.Errorf("the WinINet proxy settings have no mode %q", s.Mode)
		}
		if s.Mode == ModeAuto && s.AutoConfigURL != "" {
			set("AutoConfigURL", regSZValue(s.AutoConfigURL))
		} else {
			set("AutoConfigURL", "")
		}
	}
	if s.HTTP != base.HTTP || s.HTTPS != base.HTTPS || s.SOCKS != base.SOCKS || s.FTP != base.FTP {
		if v := formatWinProxyServer(s); v != "" {
			set("ProxyServer", regSZValue(v))
		} else {
			set("ProxyServer", "")
		}
	}
	if !slices.Equal(s.Bypass, base.Bypass) {
		set("ProxyOverride", regSZValue(strings.Join(winBypass(s.Bypass), ";")))
	}
	return want, nil
}

// parseWinProxyServer reads "host:port" (one proxy for HTTP, HTTPS and FTP)
// or "http=host:port;https=host:port;socks=host:port;ftp=host:port".
func parseWinProxyServer(v string) (http, https, socks, ftp Endpoint) {
	for part := range strings.SplitSeq(v, ";") {
		proto, addr, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			addr = proto
		}
		if _, after, ok := strings.Cut(addr, "://"); ok {
			addr = after
		}
		addr = strings.TrimSuffix(addr, "/")
		e := Endpoint{Host: addr} // no port: WinINet's default, 80
		if h, p, err := net.SplitHostPort(addr); err == nil {
			if n, err := strconv.Atoi(p); err == nil {
				e = Endpoint{Host: h, Port: n}
			}
		}
		switch {
		case !ok:
			http, https, ftp = e, e, e
		case strings.EqualFold(proto, "http"):
			http = e
		case strings.EqualFold(proto, "https"):
			https = e
		case strings.EqualFold(proto, "socks"):
			socks = e
		case strings.EqualFold(proto, "ftp"):
			ftp = e
		}
	}
	return
}

// formatWinProxyServer writes the per-protocol form.
func formatWinProxyServer(s Settings) string {
	var parts []string
	for _, p := range []struct {
		proto string
		e     Endpoint
	}{{"http", s.HTTP}, {"https", s.HTTPS}, {"ftp", s.FTP}, {"socks", s.SOCKS}} {
		if p.e != (Endpoint{}) {
			parts = append(parts, p.proto+"="+p.e.String())
		}
	}
	return strings.Join(parts, ";")
}

// winBypass turns bypass entries into ProxyOverride's forms: WinINet knows
// wildcards, not networks, so 10.0.0.0/8 becomes 10.* and 172.16.0.0/12
// becomes 172.16.* to 172.31.*; an IPv6 address gets brackets.
func winBypass(list []string) []string {
	var out []string
	for _, e := range list {
		p, err := netip.ParsePrefix(e)
		switch {
		case err == nil && p.Addr().Is4() && p.Bits()%8 != 0 && p.Bits() < 24:
			a := p.Masked().Addr().As4()
			octet := p.Bits() / 8
			for n := range 1 << (8 - p.Bits()%8) {
				a[octet] = a[octet]&^byte(1<<(8-p.Bits()%8)-1) | byte(n)
				out = append(out, wildcard(a[:octet+1]))
			}
		case err == nil && p.Addr().Is4() && p.Bits() == 32:
			out = append(out, p.Addr().String())
		case err == nil && p.Addr().Is4():
			a := p.Masked().Addr().As4()
			out = append(out, wildcard(a[:p.Bits()/8]))
		case err == nil:
			out = append(out, "["+p.Addr().String()+"]")
		default:
			if a, err := netip.ParseAddr(e); err == nil && a.Is6() {
				e = "[" + e + "]"
			}
			out = append(out, e)
		}
	}
	return out
}

// wildcard writes the leading octets followed by ".*" ("10.*").
func wildcard(octets []byte) string {
	var b strings.Builder
	for _, o := range octets {
		b.WriteString(strconv.Itoa(int(o)) + ".")
	}
	b.WriteString("*")
	return b.String()
}
