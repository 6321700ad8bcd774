package profiles

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/server"

	"github.com/sockstray/sockstray/internal/winetest"
)

// TestNoPasswordOnDisk drives everything that writes files (profiles,
// settings, logs) with passwords in play, then reads every file under the
// config folder and fails if any password appears, in clear or encoded.
func TestNoPasswordOnDisk(t *testing.T) {
	k := needKeychain(t)
	t.Setenv(EnvPassword, "")
	t.Setenv(EnvUpstreamPassword, "")
	root := winetest.TempDir(t)
	s := &Store{Dir: filepath.Join(root, "profiles"), Keychain: k}
	logFile, err := os.OpenFile(filepath.Join(root, "sockstray.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := []string{"NS-local-pw-91", "NS-upstream-pw-92", "NS-import-pw-93", "NS-env-pw-94"}
	logErr := func(step string, err error) {
		log.Info(step, "error", err)
		if err != nil {
			for _, pw := range secrets {
				if strings.Contains(err.Error(), pw) {
					t.Errorf("%s: the error shows a password: %v", step, err)
				}
			}
		}
	}

	// Profiles with passwords in the keychain, imported, saved, renamed.
	if _, err := s.EnsureBuiltin(); err != nil {
		t.Fatal(err)
	}
	l, err := ParseLink("socks5://imp:" + secrets[2] + "@127.0.0.1:1081#Imported")
	logErr("parse link", err)
	_, err = s.Import(l)
	logErr("import", err)
	t.Cleanup(func() { s.Remove("Imported"); s.Remove("Renamed") })
	p := New("Secretive")
	p.Username = "me"
	p.Upstreams = []Upstream{{Host: "127.0.0.1", Port: 1082, Username: "up"}}
	logErr("save", s.Save(p))
	logErr("set local", k.Set(LocalAccount("Secretive"), secrets[0]))
	logErr("set upstream", k.Set(UpstreamAccount("Secretive", p.Upstreams[0]), secrets[1]))
	logErr("rename", s.Rename("Secretive", "Renamed"))
	exported, err := s.Export("Renamed", true)
	logErr("export", err)
	if exported.Password != secrets[0] {
		t.Errorf("export --with-password did not find the password")
	}
	log.Info("exported", "link", exported) // the link's String() leaves the password out
	logErr("settings", Settings{ActiveProfile: "Renamed", ProxyOnAtStart: true}.Save(filepath.Join(root, "settings.toml")))

	// The engine config, logged the way serve logs it.
	rp, _ := s.Load("Renamed")
	c, err := k.Credentials(rp)
	logErr("credentials", err)
	cfg, err := rp.ServerConfig(c)
	logErr("config", err)
	if cfg != nil {
		log.Info("serving", "listen", cfg.Listen, "route", cfg.Route.String(), "hops", fmt.Sprint(cfg.Route), "creds", c)
	}

	// Live reload with the follower logging, through valid, invalid and
	// failing versions.
	w, err := s.Watch()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	applied := make(chan error, 8)
	f := &Follower{Name: "Renamed", Logger: log,
		Apply:   func(*server.Config) error { return nil },
		OnEvent: func(_ Event, err error) { applied <- err }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx, w.Events()) }()
	defer func() { cancel(); <-done }()
	f.Credentials = k.Credentials
	t.Setenv(EnvPassword, secrets[3])
	for _, content := range []string{
		"username = \"me\"\nport = 1090\n",
		"username = \"me\"\nport = 99999\n",
		"username = \"me\"\nport = 1091\n[[upstream]]\nhost = \"127.0.0.1\"\nport = 1\nusername = \"nobody-has-a-password\"\n",
	} {
		os.WriteFile(filepath.Join(s.Dir, "Renamed.toml"), []byte(content), 0o600)
		select {
		case err := <-applied:
			logErr("follow", err)
		case <-time.After(5 * time.Second):
			t.Fatal("the follower saw nothing")
		}
	}
	cancel()
	<-done

	// Every file written under the config folder.
	var scanned int
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		scanned++
		for _, pw := range secrets {
			for _, form := range []string{pw, strings.ReplaceAll(pw, "-", "%2D")} {
				if strings.Contains(string(data), form) {
					t.Errorf("%s holds a password", path)
				}
			}
		}
		return nil
	})
	if scanned < 4 {
		t.Errorf("scanned only %d files; the test wrote profiles, settings and a log", scanned)
	}
	if logs, _ := os.ReadFile(logFile.Name()); !strings.Contains(string(logs), "profile reloaded") || !strings.Contains(string(logs), "profile invalid") {
		t.Errorf("the log lacks the follower's lines:\n%s", logs)
	}
}
