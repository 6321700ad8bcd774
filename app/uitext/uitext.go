// Package uitext holds the translated texts that more than one part of
// the app shows (the window, the tray, the controller's notices, the
// command line): what a SOCKS5 reply means, how long a LAN share lasts
// and the time it has left.
package uitext

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/core/socks5"
)

// Reply says what a SOCKS5 reply (RFC 1928, section 6) means, in the
// app's language.
func Reply(r socks5.Reply) string {
	switch r {
	case socks5.ReplySucceeded:
		return lang.L("succeeded")
	case socks5.ReplyGeneralFailure:
		return lang.L("general SOCKS server failure")
	case socks5.ReplyNotAllowed:
		return lang.L("connection not allowed by ruleset")
	case socks5.ReplyNetworkUnreachable:
		return lang.L("network unreachable")
	case socks5.ReplyHostUnreachable:
		return lang.L("host unreachable")
	case socks5.ReplyConnectionRefused:
		return lang.L("connection refused")
	case socks5.ReplyTTLExpired:
		return lang.L("TTL expired")
	case socks5.ReplyCommandNotSupported:
		return lang.L("command not supported")
	case socks5.ReplyAddressTypeNotSupported:
		return lang.L("address type not supported")
	}
	return lang.L("unassigned reply {{.Code}}", map[string]any{"Code": strconv.Itoa(int(r))})
}

// ShareDuration names a LAN share's length for a menu; 0 or less is until turned off.
func ShareDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return lang.L("until turned off")
	case d < time.Hour:
		return lang.L("for {{.N}} minutes", map[string]any{"N": int(d / time.Minute)})
	case d == time.Hour:
		return lang.L("for 1 hour")
	}
	return lang.L("for {{.N}} hours", map[string]any{"N": int(d / time.Hour)})
}

// Countdown is the time left, rounded up to the second: "59:12", or
// "3:59:12" from an hour.
func Countdown(left time.Duration) string {
	s := int(math.Ceil(max(left, 0).Seconds()))
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
