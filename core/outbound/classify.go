package outbound

import (
	"errors"

	"github.com/sockstray/sockstray/core/socks5"
)

// verdict is what a member's failed attempt says about the member.
type verdict uint8

const (
	// memberFault: the member could not carry the request (its upstream
	// is unreachable, refused our credentials, hung, broke the protocol).
	// The group marks it down and tries the next member at once.
	memberFault verdict = iota
	// answer: a working member brought back the destination's answer (or
	// a policy's). The group passes it on and tries nothing else: another
	// member would only ask the same destination again, and counting it
	// against the member would let one closed port mark every member down.
	answer
	// unsupported: the member cannot carry this kind of request (UDP
	// through a hop that relays none, a command the upstream lacks). The
	// group tries the next member and leaves this one's health alone.
	unsupported
)

func (v verdict) String() string {
	switch v {
	case memberFault:
		return "member fault"
	case answer:
		return "answer"
	case unsupported:
		return "unsupported"
	}
	return "verdict?"
}

// classify judges err, the failure of a Dial or ListenPacket through
// member m. It is the one place that decides whose fault a failure is;
// the table in classify_test.go is its specification.
//
// When in doubt it says answer, not memberFault: a member wrongly kept up
// costs one failed request, a member wrongly marked down moves all traffic
// and, repeated per member, takes the whole group down. So a timeout
// after the last upstream accepted our request (the destination is slow or
// drops packets) and a "general failure" reply from it (some servers
// answer every failure so) are answers.
func classify(m Route, err error) verdict {
	var (
		ans *answerError
		ge  *GroupError
		ue  *upstreamError
		re  *socks5.ReplyError
		rq  *requestError
	)
	switch {
	case errors.As(err, &ans):
		// An inner group already judged it the destination's answer.
		return answer
	case socks5.ReplyFor(err) == socks5.ReplyCommandNotSupported:
		// Also an inner group whose last member could not carry it: a
		// group that has no member for UDP is not down.
		return unsupported
	case errors.As(err, &ge):
		// A whole inner group failed.
		return memberFault
	case errors.Is(err, socks5.ErrNotAllowed):
		// Our own rules (the target check): every member would refuse.
		return answer
	case errors.As(err, &ue):
		// Only the last upstream talks to the destination; a refusal from
		// an earlier one means the chain cannot reach its next hop.
		last := lastHop(m)
		if last == "" || ue.op.Source == nil || ue.op.Source.String() != last {
			return memberFault
		}
		if errors.Is(err, socks5.ErrBadVersion) {
			return memberFault // it stopped speaking SOCKS5
		}
		if errors.As(err, &re) || errors.As(err, &rq) {
			return answer
		}
		return memberFault // dial, greeting, authentication
	}
	if _, ok := m.(*Direct); ok {
		// Direct reaches the destination itself: there is no upstream to
		// blame, so whatever it meets is the destination's answer.
		return answer
	}
	return memberFault
}

// lastHop is the address of the upstream that talks to the destination
// for member m, or "" when m is not a chain.
func lastHop(m Route) string {
	if c, ok := m.(*Chain); ok && len(c.Hops) > 0 {
		return c.Hops[len(c.Hops)-1].Addr
	}
	return ""
}

// answerError marks an error that a Group passed on as the destination's
// answer, so that a group containing this group judges it the same way
// without knowing its members. Its message is the member's.
type answerError struct{ err error }

func (e *answerError) Error() string { return e.err.Error() }
func (e *answerError) Unwrap() error { return e.err }
