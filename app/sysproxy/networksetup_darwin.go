package sysproxy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// networksetup is macOS's proxy settings, set on every enabled network
// service alike. Raw has one value per service: its name as the key and its
// settings (macService) as JSON.
//
// networksetup cannot read a proxy's password, so an authenticated proxy
// comes back with its server and port but the password must be typed again
// in System Settings.
type networksetup struct{}

// Detect returns the networksetup backend.
func Detect() (Backend, error) {
	if _, err := exec.LookPath("networksetup"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDesktop, err)
	}
	return networksetup{}, nil
}

func backendNamed(name string) (Backend, error) {
	if name != "networksetup" {
		return nil, fmt.Errorf("system proxy settings %q are not supported here", name)
	}
	return Detect()
}

// stateDir is ~/Library/Application Support/Sockstray.
func stateDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "Sockstray"), nil
}

func (networksetup) Name() string { return "networksetup" }

func (networksetup) Read() (Settings, error) {
	out, err := run("networksetup", "-listallnetworkservices")
	if err != nil {
		return Settings{}, err
	}
	var svcs []macService
	var raw []RawValue
	for _, name := range parseMacServices(string(out)) {
		m, err := readMacService(name)
		if err != nil {
			return Settings{}, err
		}
		b, _ := json.Marshal(m)
		svcs = append(svcs, m)
		raw = append(raw, RawValue{Key: name, Value: string(b)})
	}
	s := macSettings(svcs)
	s.Raw = raw
	return s, nil
}

func readMacService(name string) (macService, error) {
	var m macService
	var outs [6]string
	for i, verb := range []string{"-getwebproxy", "-getsecurewebproxy", "-getsocksfirewallproxy",
		"-getproxybypassdomains", "-getautoproxyurl", "-getproxyautodiscovery"} {
		out, err := run("networksetup", verb, name)
		if err != nil {
			return m, fmt.Errorf("network service %q: %w", name, err)
		}
		outs[i] = string(out)
	}
	m.Web, m.Secure, m.Socks = parseMacProxy(outs[0]), parseMacProxy(outs[1]), parseMacProxy(outs[2])
	m.Bypass = parseMacBypass(outs[3])
	m.PACURL, m.PACOn = parseMacAutoURL(outs[4])
	m.Discovery = parseMacDiscovery(outs[5])
	return m, nil
}

// Apply restores Raw's services as they were when s's named fields still
// say what Raw says, and otherwise sets every enabled service to them.
func (n networksetup) Apply(s Settings) error {
	target := map[string]macService{}
	var svcs []macService
	for _, v := range s.Raw {
		var m macService
		if err := json.Unmarshal([]byte(v.Value), &m); err != nil {
			return fmt.Errorf("saved settings of network service %q: %w", v.Key, err)
		}
		target[v.Key] = m
		svcs = append(svcs, m)
	}
	restore := len(s.Raw) > 0 && sameNeutral(s, macSettings(svcs))
	out, err := run("networksetup", "-listallnetworkservices")
	if err != nil {
		return err
	}
	for _, name := range parseMacServices(string(out)) {
		want, ok := target[name]
		if !restore {
			want, ok = macFromSettings(s), true
		}
		if !ok {
			continue // a service that appeared since: nothing saved for it
		}
		cur, err := readMacService(name)
		if err != nil {
			return err
		}
		if err := writeMacService(name, cur, want); err != nil {
			return fmt.Errorf("network service %q: %w", name, err)
		}
	}
	return nil
}

// writeMacService changes what differs between cur and want.
func writeMacService(name string, cur, want macService) error {
	for _, args := range macCommands(name, cur, want) {
		if _, err := run("networksetup", args...); err != nil {
			return err
		}
	}
	return nil
}
