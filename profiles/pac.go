package profiles

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sockstray/sockstray/core/rules"
)

// pacProxy stands for the proxy's address in a PAC template: the server
// fills in the address each client reached it at.
const pacProxy = "__SOCKSTRAY_PROXY__"

// PAC is a proxy auto-config file (the browsers' FindProxyForURL) made
// from the profile's rules, for the address the proxy is reached at:
// DIRECT where the rules route direct, the proxy everywhere else (block
// too, so that the proxy refuses it). Rules the browser cannot tell
// (NETWORK,udp) are left out; IP rules match addresses typed as such, and
// a resolving IP rule lets the browser resolve.
func (p *Profile) PAC() (func(proxy string) []byte, error) {
	tmpl, err := p.pacTemplate()
	if err != nil {
		return nil, err
	}
	return func(proxy string) []byte {
		return []byte(strings.ReplaceAll(tmpl, pacProxy, proxy))
	}, nil
}

// PACVersion names the PAC file's content: it changes when the rules do.
// A system proxy set to the PAC file's URL carries it, so that programs
// which keep a PAC file by its URL fetch it again after an edit or a
// profile switch on the same port. It is "" when the rules do not parse.
func (p *Profile) PACVersion() string {
	tmpl, err := p.pacTemplate()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(tmpl))
	return hex.EncodeToString(sum[:6])
}

func (p *Profile) pacTemplate() (string, error) {
	set, err := p.ruleSet()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("// Sockstray: made from profile " + jsString(p.Name) + "'s rules.\n")
	b.WriteString(pacPrelude)
	for _, r := range set.Rules() {
		if cond := pacCondition(r); cond != "" {
			fmt.Fprintf(&b, "  if (%s) return %s;\n", cond, pacAnswer(r.Route))
		}
	}
	fmt.Fprintf(&b, "  return %s;\n}\n", pacAnswer(set.Default()))
	return b.String(), nil
}

const pacPrelude = `function FindProxyForURL(url, host) {
  host = host.toLowerCase();
  var m = url.match(/^[a-z]+:\/\/(?:[^\/@]*@)?(?:\[[^\]]*\]|[^\/:]*):(\d+)/i);
  var port = m ? parseInt(m[1], 10) : (url.substring(0, 6).toLowerCase() == "https:" ? 443 : 80);
  var ip4 = /^\d+\.\d+\.\d+\.\d+$/.test(host);
  var ip6 = host.indexOf(":") >= 0;
`

func pacAnswer(route string) string {
	if route == RouteDirect {
		return `"DIRECT"`
	}
	return `"SOCKS5 ` + pacProxy + `; PROXY ` + pacProxy + `"`
}

// pacCondition is the rule as a JavaScript condition, or "" for a rule a
// browser's request never meets.
func pacCondition(r rules.Rule) string {
	switch r.Kind {
	case rules.KindDomain:
		return "host == " + jsString(r.Domain)
	case rules.KindDomainSuffix:
		return fmt.Sprintf("host == %s || dnsDomainIs(host, %s)", jsString(r.Domain), jsString("."+r.Domain))
	case rules.KindDomainKeyword:
		return fmt.Sprintf("host.indexOf(%s) >= 0", jsString(r.Domain))
	case rules.KindIPCIDR:
		return pacCIDR("host", r)
	case rules.KindSrcIPCIDR:
		return pacCIDR("myIpAddress()", r)
	case rules.KindDstPort:
		var ors []string
		for _, pr := range r.Ports {
			ors = append(ors, fmt.Sprintf("(port >= %d && port <= %d)", pr.Lo, pr.Hi))
		}
		return strings.Join(ors, " || ")
	case rules.KindNetwork:
		if r.UDP {
			return ""
		}
		return "true"
	case rules.KindMatch:
		return "true"
	}
	return ""
}

// pacCIDR tests an address against the rule's prefix: isInNet for IPv4,
// isInNetEx (Chromium, Firefox) for IPv6. Only addresses written as such
// unless the rule resolves: then the browser resolves, as asked.
func pacCIDR(addr string, r rules.Rule) string {
	pfx := r.Prefix
	if pfx.Addr().Is4() {
		mask := ^uint32(0) << (32 - pfx.Bits())
		cond := fmt.Sprintf("isInNet(%s, %s, %s)", addr, jsString(pfx.Addr().String()),
			jsString(fmt.Sprintf("%d.%d.%d.%d", mask>>24, mask>>16&0xff, mask>>8&0xff, mask&0xff)))
		if addr == "host" && !r.Resolve {
			cond = "ip4 && " + cond
		}
		return cond
	}
	cond := fmt.Sprintf("typeof isInNetEx == \"function\" && isInNetEx(%s, %s)", addr, jsString(pfx.String()))
	if addr == "host" && !r.Resolve {
		cond = "ip6 && " + cond
	}
	return cond
}

// jsString quotes s for JavaScript (JSON's quoting is valid JavaScript).
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
