package profiles

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// UpstreamPasswordEnv is the variable that holds the password of upstream
// hop (counting from 1 in chain order): $SOCKSTRAY_UPSTREAM_PASSWORD_1,
// _2, …
func UpstreamPasswordEnv(hop int) string { return EnvUpstreamPassword + "_" + strconv.Itoa(hop) }

// UpstreamPasswordHint names the variables that may give hop's password in
// a chain of hops upstreams, for a message.
func UpstreamPasswordHint(hop, hops int) string {
	if hops == 1 {
		return "$" + EnvUpstreamPassword + " (or $" + UpstreamPasswordEnv(1) + ")"
	}
	return "$" + UpstreamPasswordEnv(hop)
}

// UpstreamPasswordsFromEnv reads the passwords of a chain whose upstreams
// have the usernames users: $SOCKSTRAY_UPSTREAM_PASSWORD_N for upstream N,
// or $SOCKSTRAY_UPSTREAM_PASSWORD when the chain has one upstream. It
// returns one password per upstream, "" where no variable gives one (a
// variable set to "" counts as unset). Anything that could send a
// password to an upstream it was not meant for is an error naming the
// variables: the unnumbered variable with more than one upstream, both
// variables for a single one, or a numbered variable that matches no
// upstream with a username (numbering from 0, a stale hop).
func UpstreamPasswordsFromEnv(users []string) ([]string, error) {
	pws := make([]string, len(users))
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		suffix, numbered := strings.CutPrefix(name, EnvUpstreamPassword+"_")
		if !numbered || value == "" {
			continue
		}
		hop, err := strconv.Atoi(suffix)
		switch {
		case err != nil || UpstreamPasswordEnv(hop) != name:
			return nil, fmt.Errorf("$%s is not an upstream password variable: want $%s for the first upstream, _2 for the second, …", name, UpstreamPasswordEnv(1))
		case hop < 1 || hop > len(users):
			return nil, fmt.Errorf("$%s is set, but the chain has %d upstreams, counted from 1 in order", name, len(users))
		case users[hop-1] == "":
			return nil, fmt.Errorf("$%s is set, but upstream %d has no username", name, hop)
		}
		pws[hop-1] = value
	}
	single := os.Getenv(EnvUpstreamPassword)
	switch {
	case single == "":
	case len(users) > 1 && hopVars(users) == "":
		return nil, fmt.Errorf("$%s is set, but none of this chain's %d upstreams has a username; unset it", EnvUpstreamPassword, len(users))
	case len(users) > 1:
		return nil, fmt.Errorf("$%s is for a chain of one upstream, and this one has %d: it would go to each of them; unset it and set %s, each upstream's own password",
			EnvUpstreamPassword, len(users), hopVars(users))
	case len(users) == 1 && pws[0] != "":
		return nil, fmt.Errorf("both $%s and $%s are set; set only one", EnvUpstreamPassword, UpstreamPasswordEnv(1))
	case len(users) == 1 && users[0] != "":
		pws[0] = single
	}
	return pws, nil
}

// hopVars lists the numbered variables of the upstreams with a username.
func hopVars(users []string) string {
	var vars []string
	for i, u := range users {
		if u != "" {
			vars = append(vars, "$"+UpstreamPasswordEnv(i+1))
		}
	}
	if len(vars) < 2 {
		return strings.Join(vars, "")
	}
	return strings.Join(vars[:len(vars)-1], ", ") + " and " + vars[len(vars)-1]
}
