//go:build unix

package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/app/proxyenv"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/env")

// Test profiles: one plain, one with a login, one shared on the LAN on all
// interfaces (reached from this host on 127.0.0.1).
const (
	plainProfile = "version = 2\nhost = \"127.0.0.1\"\nport = 1080\n"
	loginProfile = "version = 2\nhost = \"localhost\"\nport = 1081\nusername = \"alice\"\n"
	lanProfile   = "version = 2\nport = 1082\nshare_on_lan = true\nusername = \"bob\"\n"
)

// envHome makes a config folder with the test profiles, login the active
// one, and makes it this process's.
func envHome(t *testing.T) string {
	t.Helper()
	home := freshConfigHome(t)
	writeConfig(t, home, map[string]string{"plain.toml": plainProfile, "login.toml": loginProfile, "lan.toml": lanProfile})
	writeSettings(t, home, `active_profile = "login"`)
	return home
}

func writeSettings(t *testing.T, home, lines string) {
	t.Helper()
	settings := filepath.Join(home, "sockstray", "settings.toml")
	if err := os.WriteFile(settings, []byte("version = 1\n"+lines+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func envCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"env"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestEnvGolden compares the output for each shell, for a plain profile
// and one with a login, byte for byte with testdata/env (go test -run
// TestEnvGolden -update rewrites them).
func TestEnvGolden(t *testing.T) {
	envHome(t)
	pw := secret("env-password")
	t.Setenv(envPassword, pw) // must not leak into the output whatever happens
	for _, profile := range []string{"plain", "login"} {
		for _, sh := range proxyenv.Shells {
			golden := filepath.Join("testdata", "env", profile+"."+string(sh))
			code, out, errs := envCLI("--shell", string(sh), "--profile", profile)
			if code != 0 || errs != "" {
				t.Fatalf("env --shell %s --profile %s: exit %d, stderr %q", sh, profile, code, errs)
			}
			if strings.Contains(out, pw) {
				t.Fatalf("env --shell %s printed the password", sh)
			}
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -run TestEnvGolden -update writes it)", err)
			}
			if out != string(want) {
				t.Errorf("env --shell %s --profile %s differs from %s:\ngot:\n%s\nwant:\n%s", sh, profile, golden, out, want)
			}
		}
	}
}

// TestEnvDefaults: without flags, the active profile from the settings in
// the syntax of $SHELL; a LAN share on all interfaces is 127.0.0.1 here.
func TestEnvDefaults(t *testing.T) {
	envHome(t)
	t.Setenv("SHELL", "/usr/bin/zsh")
	want, err := os.ReadFile(filepath.Join("testdata", "env", "login.zsh"))
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := envCLI(); code != 0 || out != string(want) || errs != "" {
		t.Errorf("env with SHELL=zsh: exit %d\n%s\nstderr %q\nwant\n%s", code, out, errs, want)
	}

	t.Setenv("SHELL", "/bin/tcsh")
	code, out, errs := envCLI("--profile", "lan")
	if code != 0 || !strings.Contains(out, "export all_proxy='socks5h://127.0.0.1:1082'\n") || !strings.Contains(errs, "--shell") {
		t.Errorf("env --profile lan with SHELL=tcsh: exit %d\n%s\nstderr %q", code, out, errs)
	}
}

// TestEnvFreshInstall: with no profile and no settings, the built-in
// profile's address, and nothing written.
func TestEnvFreshInstall(t *testing.T) {
	home := freshConfigHome(t)
	code, out, errs := envCLI("--shell", "bash")
	if code != 0 || !strings.HasPrefix(out, "export http_proxy='http://127.0.0.1:1080'\n") {
		t.Errorf("env on a fresh install: exit %d\n%s\nstderr %q", code, out, errs)
	}
	if ents, _ := os.ReadDir(home); len(ents) != 0 {
		t.Errorf("env wrote %v into the config folder", ents)
	}
}

func TestEnvErrors(t *testing.T) {
	envHome(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--shell", "tcsh"}, 2, "want one of bash, zsh, fish, powershell, cmd"},
		{[]string{"--profile", "nosuch"}, 1, "nosuch"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
	} {
		code, out, errs := envCLI(tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errs, tc.msg) {
			t.Errorf("env %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errs, tc.code, tc.msg)
		}
	}
}

// TestEnvEvalInShells evaluates the output in real shells, as users do,
// and reads the variables back from the environment of a program the
// shell starts. fish and pwsh are tried when installed.
func TestEnvEvalInShells(t *testing.T) {
	home := envHome(t)
	bin := sockstrayBin(t)
	env := childEnv("XDG_CONFIG_HOME="+home, "SHELL=/bin/sh", "http_proxy=http://stale:1")
	want := map[string]string{
		"http_proxy": "http://127.0.0.1:1081", "https_proxy": "http://127.0.0.1:1081",
		"all_proxy": "socks5h://127.0.0.1:1081", "no_proxy": "localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local",
	}
	for _, sh := range []struct{ name, prog, script string }{
		{"bash", "bash", `eval "$("$SOCKSTRAY" env --shell bash)"; env`},
		{"fish", "fish", `"$SOCKSTRAY" env --shell fish | source; env`},
		{"pwsh", "pwsh", `& $env:SOCKSTRAY env --shell powershell | Out-String | Invoke-Expression; Get-ChildItem env: | ForEach-Object { $_.Name + '=' + $_.Value }`},
	} {
		t.Run(sh.name, func(t *testing.T) {
			prog, err := exec.LookPath(sh.prog)
			if err != nil {
				if sh.name == "bash" {
					needTool(t, "bash", "bash")
				}
				t.Skipf("%s not installed", sh.prog)
			}
			args := []string{"-c", sh.script}
			if sh.name == "pwsh" {
				args = []string{"-NoProfile", "-Command", sh.script}
			}
			r := runTool(t, toolTimeout, append(env, "SOCKSTRAY="+bin), "", prog, args...)
			if r.code != 0 {
				t.Fatalf("%s: %s", sh.name, r)
			}
			got := map[string]string{}
			for _, line := range strings.Split(r.stdout, "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					got[k] = v
				}
			}
			for k, v := range want {
				if got[k] != v || got[strings.ToUpper(k)] != v {
					t.Errorf("%s after eval: %s=%q, %s=%q; want %q", sh.name, k, got[k], strings.ToUpper(k), got[strings.ToUpper(k)], v)
				}
			}
		})
	}
}
