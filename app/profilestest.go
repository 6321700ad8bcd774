package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/profiles"
)

// testTimeout bounds each upstream's and route's test.
const testTimeout = 15 * time.Second

// errSomeFailed is the error of a test run in which something failed: the
// table says what, the exit code says that.
var errSomeFailed = errors.New("some upstreams or routes failed")

// profilesTest tests every upstream and route of a profile at once and
// prints one line each: latency, or the reply code and the failure.
func profilesTest(s *profiles.Store, name, target string, stdout io.Writer) error {
	dst, err := socks5.ParseAddr(target)
	if err != nil {
		return fmt.Errorf("%w: %q is not HOST:PORT", errUsage, target)
	}
	p, err := s.Load(name)
	if err != nil {
		return err
	}
	c, err := s.Keychain.Credentials(p)
	if err != nil {
		return err
	}
	results, err := p.TestAll(context.Background(), c, dst, testTimeout)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		fmt.Fprintf(stdout, "profile %q has no upstreams or routes: it connects direct\n", name)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	failed := false
	for _, r := range results {
		outcome := fmt.Sprintf("ok in %v", r.Latency.Round(time.Millisecond))
		if r.Via != "" {
			outcome += " via " + r.Via
		}
		if r.Err != nil {
			failed = true
			outcome = fmt.Sprintf("failed after %v: reply %#02x (%s): %v",
				r.Latency.Round(time.Millisecond), byte(r.Reply), uitext.Reply(r.Reply), r.Err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.What, r.Name, r.About, outcome)
	}
	tw.Flush()
	if failed {
		return errSomeFailed
	}
	return nil
}
