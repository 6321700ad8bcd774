package instance

import (
	"bufio"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// helperEnv makes the test binary act as a running copy in another process:
// it claims the directory named by the variable, prints "claimed", prints
// "show" for each show request, and runs until killed.
const helperEnv = "SOCKSTRAY_INSTANCE_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helper(dir))
	}
	goleak.VerifyTestMain(m)
}

func helper(dir string) int {
	out := bufio.NewWriter(os.Stdout)
	shows := make(chan struct{}, 16)
	in, err := Claim(dir, func() { shows <- struct{}{} })
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer in.Close()
	fmt.Fprintln(out, "claimed")
	out.Flush()
	for range shows {
		fmt.Fprintln(out, "show")
		out.Flush()
	}
	return 0
}
