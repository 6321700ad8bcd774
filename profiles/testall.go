package profiles

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sockstray/sockstray/core/outbound"
	"github.com/sockstray/sockstray/core/socks5"
)

// Tested is the outcome of testing one upstream or route: a connection to
// the target through it, opened and closed at once.
type Tested struct {
	What    string // "upstream" or "route"
	Name    string
	About   string // "http alice@proxy:3128", "failover group of a, b"
	Latency time.Duration
	Via     string // for a group, the member that carried it
	Err     error  // nil on success
	Reply   socks5.Reply
}

// TestAll dials target through every upstream (each alone) and every route
// of the profile at once, and returns the outcomes in the profile's order.
// c holds the upstreams' passwords. Nothing but the target is dialed, and
// only through the profile's own upstreams.
func (p *Profile) TestAll(ctx context.Context, c Credentials, target socks5.Addr, timeout time.Duration) ([]Tested, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	b := &routeBuilder{p: p, c: c, built: map[string]outbound.Route{}}
	var jobs []Tested
	var routes []outbound.Route
	for i, u := range p.Upstreams {
		hop, err := b.upstream(i)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, Tested{What: "upstream", Name: u.Name, About: hopAddress(u)})
		routes = append(routes, &outbound.Chain{Hops: []outbound.Upstream{hop}})
	}
	for _, r := range p.Routes {
		route, err := b.route(r.Name)
		if err != nil {
			return nil, err
		}
		about := "chain " + p.describeHops(r.Chain)
		if len(r.Group) > 0 {
			about = fmt.Sprintf("%s group of %d", policyOf(r), len(r.Group))
		}
		jobs = append(jobs, Tested{What: "route", Name: r.Name, About: about})
		routes = append(routes, route)
	}
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jobs[i].try(ctx, routes[i], target, timeout)
		}()
	}
	wg.Wait()
	return jobs, nil
}

func (t *Tested) try(ctx context.Context, route outbound.Route, target socks5.Addr, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var via outbound.Via
	start := time.Now()
	conn, err := route.Dial(outbound.WithVia(ctx, &via), target)
	t.Latency, t.Err, t.Reply, t.Via = time.Since(start), err, socks5.ReplyFor(err), via.String()
	if conn != nil {
		conn.Close()
	}
}

func policyOf(r Route) string {
	if r.Policy == "" {
		return PolicyFailover
	}
	return r.Policy
}

// DefaultTestTarget is what `sockstray profiles test` dials when the user
// names nothing: a well-known site, as the routes' whole point is to reach
// such places.
const DefaultTestTarget = "example.com:443"
