package profiles

import (
	"context"
	"log/slog"

	"github.com/sockstray/sockstray/core/server"
)

// Follower keeps a running engine on the current version of one profile:
// given the watcher's events, it turns each new version into a config and
// applies it (open connections keep running). An invalid or removed file
// leaves the last config in force, and says so.
type Follower struct {
	// Name is the profile to follow.
	Name string
	// Apply hands a new config to the engine (engine.Engine.Apply).
	Apply func(*server.Config) error
	// Credentials looks up the passwords; nil means the OS keychain with
	// its environment overrides.
	Credentials func(*Profile) (Credentials, error)
	// Adjust, when set, changes each config before Apply (a logger, a
	// listen address from the command line).
	Adjust func(*server.Config)
	// Logger receives one line per event; nil discards.
	Logger *slog.Logger
	// OnEvent, when set, sees each event for Name after it was handled,
	// with the error of applying it, if any (for a GUI to tell the user).
	OnEvent func(Event, error)
}

// Run handles events until the channel closes or ctx ends.
func (f *Follower) Run(ctx context.Context, events <-chan Event) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Name != f.Name {
				continue
			}
			err := f.handle(ev)
			if f.OnEvent != nil {
				f.OnEvent(ev, err)
			}
		}
	}
}

func (f *Follower) handle(ev Event) error {
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch ev.Kind {
	case Removed:
		log.Warn("profile removed, keeping the last config", "profile", f.Name)
	case Invalid:
		log.Warn("profile invalid: "+ev.Err.Error()+", keeping the last good config", "profile", f.Name)
	case Added, Changed:
		err := f.apply(ev.Profile)
		if err != nil {
			log.Warn("profile change not applied: "+err.Error()+", keeping the last config", "profile", f.Name)
			return err
		}
		log.Info("profile reloaded", "profile", f.Name)
	}
	return nil
}

func (f *Follower) apply(p *Profile) error {
	creds := f.Credentials
	if creds == nil {
		creds = (&Keychain{}).Credentials
	}
	c, err := creds(p)
	if err != nil {
		return err
	}
	cfg, err := p.ServerConfig(c)
	if err != nil {
		return err
	}
	if f.Adjust != nil {
		f.Adjust(cfg)
	}
	return f.Apply(cfg)
}
