package profiles

import (
	"context"
	"log/slog"

	"github.com/sockstray/sockstray/core/server"
)

// Follower keeps a running engine on the current version of one profile:
// given the watcher's events, it puts each new version in force (open
// connections keep running). An invalid or removed file leaves the last
// good version in force, and says so. `serve` runs one over the watcher's
// events (Run); the desktop app's controller hands it each event for its
// active profile (Handle) inside its own act.
type Follower struct {
	// Name is the profile Run follows.
	Name string
	// Use, when set, puts a new version in force; an error leaves the last
	// one. nil means: build its config (Credentials, Adjust) and Apply it.
	Use func(*Profile) error
	// Apply hands a new config to the engine (engine.Engine.Apply).
	Apply func(*server.Config) error
	// Credentials looks up the passwords; nil means the OS keychain with
	// its environment overrides.
	Credentials func(*Profile) (Credentials, error)
	// Adjust, when set, changes each config before Apply (a logger, a
	// listen address from the command line).
	Adjust func(*server.Config)
	// Load, when set, reads the profile's file again when a new version is
	// announced: a save made while the event waited is newer. A file gone
	// or broken since is not applied; its own event reports it.
	Load func(name string) (*Profile, error)
	// Logger receives one line per event; nil discards.
	Logger *slog.Logger
	// OnEvent, when set, sees each event Run handled, with the error of
	// applying it, if any.
	OnEvent func(Event, error)
}

// Run handles the events for Name until the channel closes or ctx ends.
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
			_, err := f.Handle(ev)
			if f.OnEvent != nil {
				f.OnEvent(ev, err)
			}
		}
	}
}

// Handle acts on one event of the followed profile (Name): a new version (Added,
// Changed) is put in force; a removed or invalid file changes nothing.
// It returns the version now in force, nil when none was put in force,
// and the error of putting it in force (the last version then stays).
func (f *Follower) Handle(ev Event) (*Profile, error) {
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
		p := f.newest(ev)
		if p == nil {
			return nil, nil
		}
		if err := f.use(p); err != nil {
			log.Warn("profile change not applied: "+err.Error()+", keeping the last config", "profile", f.Name)
			return nil, err
		}
		log.Info("profile reloaded", "profile", f.Name)
		return p, nil
	}
	return nil, nil
}

// newest is the version to put in force for ev: the event's, or the file
// as it is now when f.Load is set; nil when there is none.
func (f *Follower) newest(ev Event) *Profile {
	if f.Load == nil {
		return ev.Profile
	}
	p, err := f.Load(f.Name)
	if err != nil {
		return nil
	}
	return p
}

func (f *Follower) use(p *Profile) error {
	if f.Use != nil {
		return f.Use(p)
	}
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
