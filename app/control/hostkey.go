package control

import (
	"errors"

	"github.com/sockstray/sockstray/core/outbound"
)

// UntrustedHostKey is the unknown SSH host key in err, if err is the
// refusal of one; nil for anything else, and for a key that CHANGED or is
// revoked: those are never offered for trust with one click.
func UntrustedHostKey(err error) *outbound.HostKeyError {
	var hk *outbound.HostKeyError
	if errors.As(err, &hk) && len(hk.Known) == 0 && !hk.Revoked {
		return hk
	}
	return nil
}

// TrustHostKey adds the key to its known_hosts file, for when the user has
// checked its fingerprint. It touches the disk: call it off the UI
// goroutine.
func (c *Controller) TrustHostKey(hk *outbound.HostKeyError) error {
	if err := outbound.TrustHostKey(hk.File, hk.Host, hk.Key); err != nil {
		return err
	}
	c.log.Info("SSH host key trusted", "host", hk.Host, "file", hk.File)
	return nil
}
