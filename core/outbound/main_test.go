package outbound

import (
	"testing"

	"go.uber.org/goleak"
)

// Every connection, watcher and fake server a test starts must be gone
// when the tests end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
