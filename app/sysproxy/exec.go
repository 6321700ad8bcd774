//go:build !windows

package sysproxy

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// run runs a settings tool and returns its output. The error names the tool
// and its first argument, never the values (they may hold a password), and
// carries the tool's stderr, which says what went wrong in its own words.
func run(name string, args ...string) ([]byte, error) { return runEnv(nil, name, args...) }

// runEnv is run with env added to this process's environment.
func runEnv(env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		what := name
		if len(args) > 0 {
			what += " " + args[0]
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, fmt.Errorf("%s: %w: %s", what, err, msg)
		}
		return out, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
