package sysproxy

import (
	"slices"
	"strconv"
	"strings"
)

// The output of macOS's networksetup, parsed apart from running it so that
// it is tested everywhere.

// macProxy is one of a network service's proxies (web, secure web, SOCKS)
// as `networksetup -getwebproxy SERVICE` prints it.
type macProxy struct {
	On   bool   `json:"on,omitempty"`
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	Auth bool   `json:"auth,omitempty"`
}

// macService is one network service's proxy settings.
type macService struct {
	Web       macProxy `json:"web"`
	Secure    macProxy `json:"secure"`
	Socks     macProxy `json:"socks"`
	Bypass    []string `json:"bypass,omitempty"`
	PACURL    string   `json:"pacURL,omitempty"`
	PACOn     bool     `json:"pacOn,omitempty"`
	Discovery bool     `json:"discovery,omitempty"`
}

// macFields reads networksetup's "Name: value" lines.
func macFields(out string) map[string]string {
	f := map[string]string{}
	for line := range strings.Lines(out) {
		if k, v, ok := strings.Cut(line, ":"); ok {
			f[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return f
}

// parseMacProxy reads "Enabled: Yes / Server: h / Port: 8080 /
// Authenticated Proxy Enabled: 0".
func parseMacProxy(out string) macProxy {
	f := macFields(out)
	port, _ := strconv.Atoi(f["Port"])
	return macProxy{
		On:   f["Enabled"] == "Yes",
		Host: f["Server"],
		Port: port,
		Auth: f["Authenticated Proxy Enabled"] == "1",
	}
}

// parseMacAutoURL reads "URL: http://… / Enabled: Yes"; "(null)" is none.
func parseMacAutoURL(out string) (url string, on bool) {
	f := macFields(out)
	if url = f["URL"]; url == "(null)" {
		url = ""
	}
	return url, f["Enabled"] == "Yes"
}

// parseMacDiscovery reads "Auto Proxy Discovery: On".
func parseMacDiscovery(out string) bool {
	return macFields(out)["Auto Proxy Discovery"] == "On"
}

// parseMacBypass reads one domain a line, or a sentence saying there are
// none ("There aren't any bypass domains set on Wi-Fi.").
func parseMacBypass(out string) []string {
	var list []string
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if line == "" || strings.Contains(line, " ") {
			continue
		}
		list = append(list, line)
	}
	return list
}

// parseMacServices reads `networksetup -listallnetworkservices`: a note
// on the first line, then one service a line, "*" before a disabled one.
func parseMacServices(out string) []string {
	var names []string
	for i, line := range slices.Collect(strings.Lines(out)) {
		line = strings.TrimRight(line, "\r\n")
		if i == 0 && strings.Contains(line, "asterisk") || line == "" || strings.HasPrefix(line, "*") {
			continue
		}
		names = append(names, line)
	}
	return names
}

// macSettings is the neutral view of the services: the first service
// stands for all (Apply sets them alike), the bypass lists are merged.
func macSettings(svcs []macService) Settings {
	var s Settings
	s.Mode = ModeNone
	for i, m := range svcs {
		s.Bypass = MergeBypass(s.Bypass, m.Bypass)
		if i > 0 {
			continue
		}
		ep := func(p macProxy) Endpoint {
			if !p.On {
				return Endpoint{}
			}
			return Endpoint{Host: p.Host, Port: p.Port}
		}
		s.HTTP, s.HTTPS, s.SOCKS = ep(m.Web), ep(m.Secure), ep(m.Socks)
		switch {
		case m.PACOn && m.PACURL != "":
			s.Mode, s.AutoConfigURL = ModeAuto, m.PACURL
		case m.Discovery:
			s.Mode = ModeAuto
		case m.Web.On || m.Secure.On || m.Socks.On:
			s.Mode = ModeManual
		}
	}
	return s
}

// macFromSettings is what every service gets for s.
func macFromSettings(s Settings) macService {
	p := func(e Endpoint) macProxy {
		return macProxy{On: s.Mode == ModeManual && e != (Endpoint{}), Host: e.Host, Port: e.Port}
	}
	return macService{
		Web: p(s.HTTP), Secure: p(s.HTTPS), Socks: p(s.SOCKS),
		Bypass:    s.Bypass,
		PACURL:    s.AutoConfigURL,
		PACOn:     s.Mode == ModeAuto && s.AutoConfigURL != "",
		Discovery: s.Mode == ModeAuto && s.AutoConfigURL == "",
	}
}

// sameNeutral reports whether a and b say the same in their named fields.
func sameNeutral(a, b Settings) bool {
	return a.Mode == b.Mode && a.HTTP == b.HTTP && a.HTTPS == b.HTTPS && a.SOCKS == b.SOCKS &&
		a.FTP == b.FTP && a.AutoConfigURL == b.AutoConfigURL && slices.Equal(a.Bypass, b.Bypass)
}

// macCommands are the networksetup arguments that turn service name's
// settings from cur into want, in order; none for what is already so. The
// manual and automatic modes take the same steps with other values.
func macCommands(name string, cur, want macService) [][]string {
	var cmds [][]string
	for _, p := range []struct {
		set, state string
		cur, want  macProxy
	}{
		{"-setwebproxy", "-setwebproxystate", cur.Web, want.Web},
		{"-setsecurewebproxy", "-setsecurewebproxystate", cur.Secure, want.Secure},
		{"-setsocksfirewallproxy", "-setsocksfirewallproxystate", cur.Socks, want.Socks},
	} {
		if p.cur == p.want {
			continue
		}
		// Setting a server also turns the proxy on; an empty server cannot
		// be set, so that proxy is only turned off.
		if p.want.Host != "" && (p.want.Host != p.cur.Host || p.want.Port != p.cur.Port || p.want.On && !p.cur.On) {
			cmds = append(cmds, []string{p.set, name, p.want.Host, strconv.Itoa(p.want.Port)})
		}
		if !p.want.On {
			cmds = append(cmds, []string{p.state, name, "off"})
		}
	}
	if !slices.Equal(cur.Bypass, want.Bypass) {
		args := append([]string{"-setproxybypassdomains", name}, want.Bypass...)
		if len(want.Bypass) == 0 {
			args = append(args, "Empty")
		}
		cmds = append(cmds, args)
	}
	// Setting a URL also turns the PAC file on.
	pacOn := cur.PACOn
	if cur.PACURL != want.PACURL && want.PACURL != "" {
		cmds = append(cmds, []string{"-setautoproxyurl", name, want.PACURL})
		pacOn = true
	}
	if pacOn != want.PACOn {
		cmds = append(cmds, []string{"-setautoproxystate", name, onOff(want.PACOn)})
	}
	if cur.Discovery != want.Discovery {
		cmds = append(cmds, []string{"-setproxyautodiscovery", name, onOff(want.Discovery)})
	}
	return cmds
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
