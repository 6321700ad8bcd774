package control

import (
	"net"
	"os"
	"runtime"
	"strconv"

	"github.com/sockstray/sockstray/app/proxyenv"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/core/stats"
)

// Throughput is the proxy's current rates, up and down, for the tray's
// tooltip: the newest point of the series the graph draws, read without
// copying the connection table.
func (c *Controller) Throughput() stats.Point { return c.eng.Latest() }

// TerminalCommand is what points a terminal of the user's shell ($SHELL)
// at the proxy: the lines of `sockstray env` (app/proxyenv) for the active
// profile, at the address it listens on, with the system proxy's bypass
// list as no_proxy. It never holds a password.
func (c *Controller) TerminalCommand() (string, error) {
	st := c.State()
	addr := st.Addr
	p := c.Active()
	if addr == "" {
		host, err := p.ListenHost()
		if err != nil {
			return "", err
		}
		addr = net.JoinHostPort(host, strconv.Itoa(p.Port))
	}
	env, err := proxyenv.New(addr, p.Username)
	if err != nil {
		return "", err
	}
	env.Bypass = sysproxy.BypassOr(c.Settings().SystemProxyBypass)
	sh, _ := proxyenv.DefaultShell(runtime.GOOS, os.Getenv("SHELL"))
	return proxyenv.Script(sh, env)
}
