package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/profiles"
)

// envKeychainService names another keychain service than "sockstray", for
// tests and for separate installs on one account.
const envKeychainService = "SOCKSTRAY_KEYCHAIN_SERVICE"

func appStore() *profiles.Store {
	return &profiles.Store{Keychain: &profiles.Keychain{Service: os.Getenv(envKeychainService)}}
}

const profilesUsage = `usage:
  sockstray profiles list                            the saved profiles (* marks the active one)
  sockstray profiles show NAME                       a profile as its file would hold it
  sockstray profiles import LINK                     a profile from socks5://USER@HOST:PORT#NAME
  sockstray profiles import -                        the same, the link (with its password) read from standard input
  sockstray profiles export [--with-password] NAME   the share link of a profile
  sockstray profiles remove NAME                     a profile, and its passwords in the keychain
  sockstray profiles test NAME [HOST:PORT]           every upstream and route of a profile, at once, to HOST:PORT
                                                     (default example.com:443): latency or the precise failure
`

// errUsage marks a command line that is wrong, as opposed to an operation
// that failed: exit code 2 instead of 1.
var errUsage = errors.New("usage")

// profilesCmd runs `sockstray profiles ...`. Every error is one line on
// stderr and a non-zero exit: 2 for a wrong command line, 1 for a failure.
// Only `import -` reads stdin.
func profilesCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, profilesUsage)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, profilesUsage)
		return 0
	}
	err := profilesRun(appStore(), args[0], args[1:], stdin, stdout, stderr)
	if err == nil {
		return 0
	}
	msg := strings.ReplaceAll(strings.TrimPrefix(err.Error(), errUsage.Error()+": "), "\n", " ")
	fmt.Fprintf(stderr, "sockstray profiles %s: %s\n", args[0], msg)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

func profilesRun(s *profiles.Store, sub string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	names, withPassword, err := profilesArgs(sub, args)
	if err != nil {
		return err
	}
	if sub != "remove" {
		if _, err := s.EnsureBuiltin(); err != nil { // a first start
			return err
		}
	}
	switch sub {
	case "list":
		return profilesList(s, stdout)
	case "show":
		return profilesShow(s, names[0], stdout)
	case "import":
		return profilesImport(s, names[0], stdin, stdout, stderr)
	case "export":
		l, err := s.Export(names[0], withPassword)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, l.Encode(withPassword))
	case "remove":
		if err := s.Remove(names[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed profile %q and its passwords\n", names[0])
	case "test":
		target := profiles.DefaultTestTarget
		if len(names) == 2 {
			target = names[1]
		}
		return profilesTest(s, names[0], target, stdout)
	}
	return nil
}

// profilesArgs reads a subcommand's arguments: its names (a profile, a
// link, a test target) and --with-password for export, checked for
// number and for a password on the command line.
func profilesArgs(sub string, args []string) (names []string, withPassword bool, err error) {
	for _, a := range args {
		switch {
		case a == "--with-password" && sub == "export":
			withPassword = true
		case strings.HasPrefix(a, "-") && a != "-":
			return nil, false, fmt.Errorf("%w: unknown flag %s (sockstray profiles help)", errUsage, a)
		default:
			names = append(names, a)
		}
	}
	return names, withPassword, checkProfilesArgs(sub, names)
}

// checkProfilesArgs says what is wrong with the names given to sub.
func checkProfilesArgs(sub string, names []string) error {
	want := map[string]int{"list": 0, "show": 1, "import": 1, "export": 1, "remove": 1, "test": 1}
	n, known := want[sub]
	if sub == "test" && len(names) == 2 {
		n = 2 // NAME HOST:PORT
	}
	switch {
	case !known:
		return fmt.Errorf("%w: unknown subcommand (want list, show, import, export, remove or test)", errUsage)
	case len(names) != n && n == 0:
		return fmt.Errorf("%w: takes no argument", errUsage)
	case len(names) != n && sub == "import":
		return fmt.Errorf("%w: want one LINK such as socks5://USER@HOST:PORT#NAME, or - to read it from standard input", errUsage)
	case len(names) != n:
		return fmt.Errorf("%w: want one profile NAME", errUsage)
	case sub == "import" && profiles.LinkHasPassword(names[0]):
		// Refused even when the link is valid: ps shows a command line to
		// every user, and the shell keeps it in its history.
		return fmt.Errorf("%w: a password on the command line is refused (ps and shell history show it); "+
			"run `sockstray profiles import -` and paste the link, or `sockstray profiles import - < FILE`", errUsage)
	}
	return nil
}

// profilesShow prints a profile's file as the app would write it, under
// its path.
func profilesShow(s *profiles.Store, name string, stdout io.Writer) error {
	p, err := s.Load(name)
	if err != nil {
		return err
	}
	path, _ := s.Path(p.Name)
	fmt.Fprintf(stdout, "# %s\n%s", path, p.Encode())
	return nil
}

func profilesList(s *profiles.Store, stdout io.Writer) error {
	ents, err := s.List()
	if err != nil {
		return err
	}
	active := profiles.BuiltinName
	if path, err := profiles.SettingsPath(); err == nil {
		if st, err := profiles.LoadSettings(path); err == nil {
			active = st.Active()
		}
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tLISTEN\tUSER\tROUTE")
	for _, e := range ents {
		mark := " "
		if e.Name == active {
			mark = "*"
		}
		if e.Err != nil {
			fmt.Fprintf(tw, "%s %s\tinvalid: %v\n", mark, e.Name, e.Err)
			continue
		}
		p := e.Profile
		user := p.Username
		if user == "" {
			user = "-"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", mark, p.Name, listenLabel(p), user, routeLabel(p))
	}
	return tw.Flush()
}

func listenLabel(p *profiles.Profile) string {
	switch {
	case !p.ShareOnLAN:
		return fmt.Sprintf("%s:%d", p.Host, p.Port)
	case p.LANInterface == "":
		return fmt.Sprintf("LAN *:%d", p.Port)
	}
	return fmt.Sprintf("LAN %s:%d", p.LANInterface, p.Port)
}

func routeLabel(p *profiles.Profile) string {
	if len(p.Upstreams) == 0 {
		return "direct"
	}
	hops := make([]string, len(p.Upstreams))
	for i, u := range p.Upstreams {
		hops[i] = upstreamLabel(u)
	}
	return "via " + strings.Join(hops, " → ")
}

func upstreamLabel(u profiles.Upstream) string {
	addr := fmt.Sprintf("%s:%d", u.Host, u.Port)
	if strings.Contains(u.Host, ":") {
		addr = fmt.Sprintf("[%s]:%d", u.Host, u.Port)
	}
	if u.Username != "" {
		return u.Username + "@" + addr
	}
	return addr
}

// servedProfile is `serve --profile NAME`: the profile's config, and the
// watcher that keeps the engine on its latest version.
type servedProfile struct {
	name   string
	listen string // --listen, overriding the profile's address; "" if not given
	store  *profiles.Store
	w      *profiles.Watcher
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// profileConfig loads the profile name and its passwords (the keychain,
// or $SOCKSTRAY_PASSWORD / $SOCKSTRAY_UPSTREAM_PASSWORD_N) and starts
// watching its folder.
func profileConfig(name, listen string) (*server.Config, *servedProfile, error) {
	sp := &servedProfile{name: name, listen: listen, store: appStore()}
	if name == profiles.BuiltinName {
		if _, err := sp.store.EnsureBuiltin(); err != nil {
			return nil, nil, err
		}
	}
	if _, err := sp.store.Load(name); err != nil {
		return nil, nil, err
	}
	var err error
	if sp.w, err = sp.store.Watch(); err != nil {
		return nil, nil, fmt.Errorf("watch the profiles folder: %w", err)
	}
	// Loaded again now that the watcher runs, so no edit falls between.
	cfg, err := sp.config()
	if err != nil {
		sp.w.Close()
		return nil, nil, err
	}
	return cfg, sp, nil
}

func (sp *servedProfile) config() (*server.Config, error) {
	p, err := sp.store.Load(sp.name)
	if err != nil {
		return nil, err
	}
	c, err := sp.store.Keychain.Credentials(p)
	if err != nil {
		return nil, err
	}
	cfg, err := p.ServerConfig(c)
	if err != nil {
		return nil, err
	}
	if sp.listen != "" {
		cfg.Listen = sp.listen
	}
	return cfg, cfg.Check()
}

// follow applies each new version of the profile to eng, with the logger
// and settings of base, until close.
func (sp *servedProfile) follow(eng *engine.Engine, base *server.Config) {
	ctx, cancel := context.WithCancel(context.Background())
	sp.cancel = cancel
	f := &profiles.Follower{
		Name:        sp.name,
		Apply:       eng.Apply,
		Credentials: sp.store.Keychain.Credentials,
		Load:        sp.store.Load,
		Logger:      base.Logger,
		Adjust: func(c *server.Config) {
			c.Logger, c.NoCount = base.Logger, base.NoCount
			if sp.listen != "" {
				c.Listen = sp.listen
			}
		},
	}
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		f.Run(ctx, sp.w.Events())
	}()
}

func (sp *servedProfile) close() {
	if sp.cancel != nil {
		sp.cancel()
	}
	sp.w.Close()
	sp.wg.Wait()
}
