package profiles

import (
	"fmt"
)

// Import creates a profile from a share link: listen on 127.0.0.1:1080 and
// chain through the link's server. A password in the link goes into the
// keychain (as the new profile's upstream's), never into the file; when
// the keychain cannot take it, nothing is created.
func (s *Store) Import(l Link) (*Profile, error) {
	p := New(l.Name)
	p.Upstreams = []Upstream{{Host: l.Host, Port: l.Port, Username: l.Username}}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if other, err := s.sameName(p.Name); err != nil {
		return nil, err
	} else if other != "" {
		return nil, fmt.Errorf("%w: %q; remove it first, or change the link's #NAME", ErrExists, other)
	}
	kc := s.keychain()
	account := UpstreamAccount(p.Name, p.Upstreams[0])
	if l.Password != "" {
		if err := kc.Set(account, l.Password); err != nil {
			return nil, fmt.Errorf("not imported: the link's password could not be stored: %w", err)
		}
	}
	if err := s.Create(p); err != nil {
		if l.Password != "" {
			kc.Delete(account)
		}
		return nil, err
	}
	return p, nil
}

// Export makes the share link of the profile name: where other devices
// reach it, and its local username. The password is included only when
// withPassword (from $SOCKSTRAY_PASSWORD or the keychain).
func (s *Store) Export(name string, withPassword bool) (Link, error) {
	p, err := s.Load(name)
	if err != nil {
		return Link{}, err
	}
	host, err := p.ShareAddr()
	if err != nil {
		return Link{}, fmt.Errorf("profile %q: %w", name, err)
	}
	l := Link{Name: p.Name, Host: host, Port: p.Port, Username: p.Username}
	if withPassword {
		if p.Username == "" {
			return Link{}, fmt.Errorf("profile %q has no username, so no password to export", name)
		}
		c, err := s.keychain().Credentials(p)
		if err != nil {
			return Link{}, err
		}
		l.Password = c.Local
	}
	return l, nil
}
