package engine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

// TestCoreImportsNoGUINoKeychainNoFormats enforces DESIGN.md's layering:
// core depends on no GUI, keychain, file format or cgo; profiles on no GUI.
func TestCoreImportsNoGUINoKeychainNoFormats(t *testing.T) {
	winetest.SkipKnownGap(t, winetest.GapGoCommand)
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to list dependencies")
	}
	root, _ := filepath.Abs("../..")
	for _, tc := range []struct {
		pattern   string
		forbidden []string
	}{
		{"./core/...", []string{"fyne.io/", "github.com/zalando/go-keyring", "github.com/fsnotify/", "github.com/BurntSushi/toml", "github.com/pelletier/", "github.com/sockstray/sockstray/profiles", "github.com/sockstray/sockstray/app", "runtime/cgo"}},
		{"./profiles/...", []string{"fyne.io/", "github.com/sockstray/sockstray/app", "runtime/cgo"}},
	} {
		if tc.pattern == "./profiles/..." && !hasGoFiles(filepath.Join(root, "profiles")) {
			continue
		}
		cmd := exec.Command(goBin, "list", "-deps", tc.pattern)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tc.pattern, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed only %d packages", tc.pattern, len(deps))
		}
		for _, d := range deps {
			for _, f := range tc.forbidden {
				if strings.HasPrefix(d, f) {
					t.Errorf("%s depends on %s", tc.pattern, d)
				}
			}
		}
	}
}

func hasGoFiles(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			found = true
		}
		return nil
	})
	return found
}
