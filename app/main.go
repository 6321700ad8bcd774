// Command sockstray is a desktop SOCKS5 proxy. This file only wires the
// subcommands; each lives in its own file.
package main

import (
	"fmt"
	"io"
	"os"

	_ "github.com/sockstray/sockstray/app/internal/plainlocale" // before Fyne's init: see its doc
	"github.com/sockstray/sockstray/internal/gcfloor"
)

// gcFloor is the heap below which the garbage collector does not run:
// with a proxy's small live heap, Go's default pace collects every few
// hundred connections (internal/gcfloor has the figures).
var gcFloor uint64 = 32 << 20

func main() {
	if len(os.Args) > 1 {
		attachConsole() // Windows: print to the console of cmd or PowerShell
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, so tests can call it.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "serve" { // the two commands that serve connections
		openFiles = raiseFileLimit()
		defer gcfloor.Keep(gcFloor)()
	}
	if len(args) == 0 {
		return openDesktop(stderr, false)
	}
	switch args[0] {
	case hiddenFlag:
		if len(args) > 1 {
			fmt.Fprintf(stderr, "sockstray: %s takes no arguments\n", hiddenFlag)
			return 2
		}
		return openDesktop(stderr, true)
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "profiles":
		return profilesCmd(args[1:], os.Stdin, stdout, stderr)
	case "route":
		return routeCmd(args[1:], stdout, stderr)
	case "env":
		return envCmd(args[1:], stdout, stderr)
	case "usage":
		return usageCmd(args[1:], stdout, stderr)
	case "run":
		return runCmd(args[1:], os.Stdin, stdout, stderr)
	case "sysproxy-watchdog": // hidden: started by the system proxy switch
		return sysproxyWatchdog(args[1:], stderr)
	case "sysproxy-restore": // hidden: run at login while the system proxy is set
		return sysproxyRestore(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, helpText)
		return 0
	}
	fmt.Fprintf(stderr, "sockstray: unknown command %q\n%s", args[0], helpText)
	return 2
}

const helpText = `usage:
  sockstray                  open the desktop app
  sockstray --hidden         open it in the tray only, the window on demand (how start at login opens it)
  sockstray serve [flags]    run the proxy headless until SIGINT/SIGTERM (sockstray serve -h)
  sockstray profiles ...     list, show, import, export, remove saved profiles (sockstray profiles help)
  sockstray route NAME HOST:PORT
                             which rule and route a destination takes in a profile (sockstray route -h)
  sockstray env [--shell SHELL] [--profile NAME]
                             the proxy variables for a terminal: eval "$(sockstray env)" (sockstray env -h)
  sockstray run [--profile NAME] -- CMD [ARGS...]
                             run one program with those variables set
  sockstray usage [--by host|client|program] [--days N] [--csv]
                             the usage history the app keeps when Settings turn it on
  sockstray version          print the version
`
