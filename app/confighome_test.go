package main

import "testing"

// freshConfigHome gives the test a config folder of its own and no
// passwords in the environment.
func freshConfigHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv(envPassword, "")
	t.Setenv(envUpstreamPassword, "")
	return dir
}
