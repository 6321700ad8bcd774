package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"

	"github.com/sockstray/sockstray/app/proxyenv"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

const envUsage = `usage: sockstray env [--shell SHELL] [--profile NAME]
  Prints the proxy variables (http_proxy, https_proxy, all_proxy, no_proxy
  and their upper-case twins) for a profile, as commands of SHELL:
    eval "$(sockstray env)"                        bash, zsh
    sockstray env --shell fish | source            fish
    sockstray env --shell powershell | iex         PowerShell
  No password is ever printed: for a profile with a login, clients must be
  given the username, and the password stays in the keychain.
`

const runUsage = `usage: sockstray run [--profile NAME] -- CMD [ARGS...]
  Runs CMD with the proxy variables of sockstray env set, and exits with
  its exit code (128+N when signal N ended it; 127 when CMD is not found).
`

// envCmd runs `sockstray env`: the proxy variables of a profile (the
// active one by default) as commands of a shell.
func envCmd(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("sockstray env", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, envUsage); flags.PrintDefaults() }
	shellName := flags.String("shell", "", "bash, zsh, fish, powershell or cmd (default: from $SHELL; on Windows, powershell)")
	profile := flags.String("profile", "", "a saved profile (default: the active one)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "sockstray env: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	var sh proxyenv.Shell
	if *shellName != "" {
		var err error
		if sh, err = proxyenv.ParseShell(*shellName); err != nil {
			fmt.Fprintf(stderr, "sockstray env: --shell: %v\n", err)
			return 2
		}
	} else {
		var known bool
		sh, known = proxyenv.DefaultShell(runtime.GOOS, os.Getenv("SHELL"))
		if !known {
			fmt.Fprintf(stderr, "sockstray env: $SHELL %s is not a shell this command knows; writing %s syntax (choose with --shell)\n", os.Getenv("SHELL"), sh)
		}
	}
	p, err := envProxy(*profile)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray env: %v\n", err)
		return 1
	}
	script, err := proxyenv.Script(sh, p)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray env: %v\n", err)
		return 1
	}
	io.WriteString(stdout, script)
	return 0
}

// runCmd runs `sockstray run`: one program with the proxy variables set.
// stdin, stdout and stderr go to it as they are.
func runCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("sockstray run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, runUsage); flags.PrintDefaults() }
	profile := flags.String("profile", "", "a saved profile (default: the active one)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}
	p, err := envProxy(*profile)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray run: %v\n", err)
		return 1
	}
	name := flags.Arg(0)
	path, err := exec.LookPath(name)
	if err != nil {
		return startFailed(name, err, stderr)
	}
	cmd := exec.Command(path, flags.Args()[1:]...)
	cmd.Args[0] = name
	cmd.Env = p.Environ(os.Environ())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// Signals are caught before the start, so that none arriving in
	// between ends this process and orphans the program; those caught
	// before the relay runs wait in the channel.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, relayedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return startFailed(name, err, stderr)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case s := <-sigs:
				relaySignal(cmd.Process, s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	wg.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		// The program ran; copying its output failed.
		fmt.Fprintf(stderr, "sockstray run: %s: %v\n", name, err)
	}
	return exitStatus(cmd.ProcessState)
}

// startFailed reports a program that did not start with the shell's exit
// codes: 127 when there is no such program, 126 when it cannot run.
func startFailed(name string, err error, stderr io.Writer) int {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "sockstray run: %s: command not found\n", name)
		return 127
	}
	fmt.Fprintf(stderr, "sockstray run: %s: %v\n", name, err)
	return 126
}

// envProxy is the proxy of the profile name, or of the active profile when
// name is empty. It reads the profile only: no password, no keychain.
func envProxy(name string) (proxyenv.Proxy, error) {
	path, err := profiles.SettingsPath()
	if err != nil {
		return proxyenv.Proxy{}, err
	}
	s, err := profiles.LoadSettings(path)
	if err != nil {
		return proxyenv.Proxy{}, fmt.Errorf("settings: %w", err)
	}
	if name == "" {
		name = s.Active()
	}
	p, err := appStore().Load(name)
	if errors.Is(err, profiles.ErrNotFound) && name == profiles.BuiltinName {
		// A fresh install: the app writes the built-in profile at its
		// first start, but the variables need not wait for that.
		p, err = profiles.Builtin(), nil
	}
	if err != nil {
		return proxyenv.Proxy{}, err
	}
	host, err := p.ListenHost()
	if err != nil {
		return proxyenv.Proxy{}, err
	}
	env, err := proxyenv.New(net.JoinHostPort(host, strconv.Itoa(p.Port)), p.Username)
	env.Bypass = sysproxy.BypassOr(s.SystemProxyBypass) // the system proxy's list, as Settings edits it
	return env, err
}
