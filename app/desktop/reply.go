package desktop

import (
	"strconv"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/core/socks5"
)

// ReplyText says what a SOCKS5 reply (RFC 1928, section 6) means, in the
// app's language.
func ReplyText(r socks5.Reply) string {
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
