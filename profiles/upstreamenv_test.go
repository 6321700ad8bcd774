package profiles

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// clearUpstreamEnv unsets every upstream password variable a test could
// inherit.
func clearUpstreamEnv(t *testing.T) {
	t.Helper()
	t.Setenv(EnvUpstreamPassword, "")
	for i := range 5 {
		t.Setenv(UpstreamPasswordEnv(i), "")
	}
}

func TestUpstreamPasswordsFromEnv(t *testing.T) {
	p1, p2, p3 := randomWord(t), randomWord(t), randomWord(t)
	const (
		single = "SOCKSTRAY_UPSTREAM_PASSWORD"
		n1     = "SOCKSTRAY_UPSTREAM_PASSWORD_1"
		n2     = "SOCKSTRAY_UPSTREAM_PASSWORD_2"
		n3     = "SOCKSTRAY_UPSTREAM_PASSWORD_3"
	)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		users   []string
		want    []string
		wantErr string
	}{
		{"nothing set", nil, []string{"a", "b"}, []string{"", ""}, ""},
		{"one hop, unnumbered", map[string]string{single: p1}, []string{"a"}, []string{p1}, ""},
		{"one hop, numbered", map[string]string{n1: p1}, []string{"a"}, []string{p1}, ""},
		{"one hop without a username ignores the unnumbered one", map[string]string{single: p1}, []string{""}, []string{""}, ""},
		{"no upstream", map[string]string{single: p1}, nil, []string{}, ""},
		{"each hop its own", map[string]string{n1: p1, n2: p2}, []string{"a", "b"}, []string{p1, p2}, ""},
		{"only the hops with a username", map[string]string{n2: p2}, []string{"", "b", "c"}, []string{"", p2, ""}, ""},
		{"an empty variable is unset", map[string]string{n1: "", n2: p2}, []string{"", "b"}, []string{"", p2}, ""},
		{"unnumbered with two hops", map[string]string{single: p1}, []string{"a", "b"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD is for a chain of one upstream, and this one has 2: it would go to each of them; unset it and set $SOCKSTRAY_UPSTREAM_PASSWORD_1 and $SOCKSTRAY_UPSTREAM_PASSWORD_2, each upstream's own password"},
		{"unnumbered with three hops, two users", map[string]string{single: p1, n1: p2}, []string{"a", "", "c"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD is for a chain of one upstream, and this one has 3: it would go to each of them; unset it and set $SOCKSTRAY_UPSTREAM_PASSWORD_1 and $SOCKSTRAY_UPSTREAM_PASSWORD_3, each upstream's own password"},
		{"unnumbered with hops without users", map[string]string{single: p1}, []string{"", ""}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD is set, but none of this chain's 2 upstreams has a username; unset it"},
		{"both for one hop", map[string]string{single: p1, n1: p2}, []string{"a"}, nil,
			"both $SOCKSTRAY_UPSTREAM_PASSWORD and $SOCKSTRAY_UPSTREAM_PASSWORD_1 are set; set only one"},
		{"counted from 0", map[string]string{"SOCKSTRAY_UPSTREAM_PASSWORD_0": p1, n1: p2}, []string{"a", "b"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD_0 is set, but the chain has 2 upstreams, counted from 1 in order"},
		{"beyond the chain", map[string]string{n1: p1, n3: p3}, []string{"a", "b"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD_3 is set, but the chain has 2 upstreams, counted from 1 in order"},
		{"a hop without a username", map[string]string{n1: p1, n2: p2}, []string{"", "b"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD_1 is set, but upstream 1 has no username"},
		{"not a number", map[string]string{"SOCKSTRAY_UPSTREAM_PASSWORD_TWO": p2}, []string{"a", "b"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD_TWO is not an upstream password variable: want $SOCKSTRAY_UPSTREAM_PASSWORD_1 for the first upstream, _2 for the second, …"},
		{"a leading zero", map[string]string{"SOCKSTRAY_UPSTREAM_PASSWORD_01": p1}, []string{"a"}, nil,
			"$SOCKSTRAY_UPSTREAM_PASSWORD_01 is not an upstream password variable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearUpstreamEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			got, err := UpstreamPasswordsFromEnv(tc.users)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v\nwant %s", err, tc.wantErr)
				}
				for _, pw := range []string{p1, p2, p3} {
					if strings.Contains(err.Error(), pw) {
						t.Errorf("the error shows a password: %v", err)
					}
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("= %d passwords, %v; want %d (mismatch at the hops that differ)", len(got), err, len(tc.want))
			}
		})
	}
}

// TestCredentialsPerHop: the keychain holds one password per upstream, and
// each hop gets its own, from the keychain or its own variable.
func TestCredentialsPerHop(t *testing.T) {
	k := needKeychain(t)
	t.Setenv(EnvPassword, "")
	clearUpstreamEnv(t)
	p := New("perhop")
	p.Upstreams = []Upstream{{Host: "a.example", Port: 1, Username: "u1"}, {Host: "b.example", Port: 2, Username: "u2"}}
	pw1, pw2, env2 := randomWord(t), randomWord(t), randomWord(t)
	if err := k.Set(UpstreamAccount("perhop", p.Upstreams[0]), pw1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(UpstreamAccount("perhop", p.Upstreams[0])) })

	_, err := k.Credentials(p)
	want := `profile "perhop": upstream 2 (u2@b.example:2) has no password in the keychain (service ` + testService + `, account perhop/upstream/u2@b.example:2); store it with the profile editor, or set $SOCKSTRAY_UPSTREAM_PASSWORD_2`
	if !errors.Is(err, ErrNoPassword) || err == nil || err.Error() != want {
		t.Errorf("Credentials without hop 2's password = %v\nwant %s", err, want)
	}
	if err := k.Set(UpstreamAccount("perhop", p.Upstreams[1]), pw2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(UpstreamAccount("perhop", p.Upstreams[1])) })
	if c, err := k.Credentials(p); err != nil || !slices.Equal(c.Upstream, []string{pw1, pw2}) {
		t.Errorf("Credentials = %v; want each hop's own keychain password", err)
	}
	t.Setenv(UpstreamPasswordEnv(2), env2)
	if c, err := k.Credentials(p); err != nil || !slices.Equal(c.Upstream, []string{pw1, env2}) {
		t.Errorf("Credentials with $%s = %v; want it for hop 2 only", UpstreamPasswordEnv(2), err)
	}
	t.Setenv(UpstreamPasswordEnv(2), "")
	t.Setenv(EnvUpstreamPassword, env2)
	if _, err := k.Credentials(p); err == nil || !strings.HasPrefix(err.Error(), `profile "perhop": $SOCKSTRAY_UPSTREAM_PASSWORD is for a chain of one upstream`) {
		t.Errorf("Credentials of a two-hop profile with the unnumbered variable = %v", err)
	}
	one := New("perhop")
	one.Upstreams = p.Upstreams[:1]
	if c, err := k.Credentials(one); err != nil || !slices.Equal(c.Upstream, []string{env2}) {
		t.Errorf("Credentials of a one-hop profile with the unnumbered variable = %v", err)
	}
}
