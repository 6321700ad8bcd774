package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// rulesProfile writes a profile with 10,000 domain-suffix and 10,000 CIDR
// rules, none of which matches the benchmark's loopback targets (each
// connection pays a full miss), into a config folder of its own, and
// returns that folder for $XDG_CONFIG_HOME.
func (b *bench) rulesProfile() (string, error) {
	home, err := os.MkdirTemp("", "socksload-rules-")
	if err != nil {
		return "", err
	}
	b.tmpDirs = append(b.tmpDirs, home)
	dir := filepath.Join(home, "sockstray", "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var p strings.Builder
	p.WriteString("version = 2\ndefault_route = \"direct\"\nrules = [\n")
	for i := range 10000 {
		fmt.Fprintf(&p, "  \"DOMAIN-SUFFIX,site%d.example,block\",\n", i)
	}
	for i := range 10000 {
		fmt.Fprintf(&p, "  \"IP-CIDR,10.%d.%d.0/24,block\",\n", i/256, i%256)
	}
	p.WriteString("]\n")
	return home, os.WriteFile(filepath.Join(dir, "rules.toml"), []byte(p.String()), 0o600)
}
