package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"

	"github.com/sockstray/sockstray/core/socks5"
)

// routeCmd runs `sockstray route NAME HOST:PORT`: which rule and route a
// destination takes in a saved profile, for scripts and headless users.
// It reads the profile and its rule lists and looks no name up.
func routeCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sockstray route", flag.ContinueOnError)
	fs.SetOutput(stderr)
	udp := fs.Bool("udp", false, "as a UDP association")
	from := fs.String("from", "127.0.0.1", "as a client at this address (rules on client networks)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sockstray route [--udp] [--from IP] PROFILE HOST:PORT")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	dst, err := socks5.ParseAddr(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(stderr, "sockstray route: %q is not HOST:PORT: %v\n", fs.Arg(1), err)
		return 2
	}
	client, err := netip.ParseAddr(*from)
	if err != nil {
		fmt.Fprintf(stderr, "sockstray route: --from %q is not an IP address\n", *from)
		return 2
	}
	if err := explainRoute(fs.Arg(0), dst, client, *udp, stdout); err != nil {
		fmt.Fprintf(stderr, "sockstray route: %v\n", err)
		return 1
	}
	return 0
}

func explainRoute(name string, dst socks5.Addr, client netip.Addr, udp bool, stdout io.Writer) error {
	p, err := appStore().Load(name)
	if err != nil {
		return err
	}
	d, err := p.Explain(dst, client, udp)
	if err != nil {
		return err
	}
	rule := "none matched: the default route"
	if d.Rule != "" {
		rule = d.Rule
		if d.Source != "" {
			rule += " (" + d.Source + ")"
		}
	}
	fmt.Fprintf(stdout, "rule:  %s\nroute: %s\n", rule, d.Route)
	for _, s := range d.Steps {
		fmt.Fprintln(stdout, "  "+s)
	}
	if d.Unresolved {
		fmt.Fprintln(stdout, "note:  a rule that resolves names was passed over: names are looked up only when the proxy runs")
	}
	return nil
}
