package relay
import ("net";"runtime";"testing";"time")
func TestDbgStack(t *testing.T) {
	n := 1000
	for _, variant := range []string{"park", "rawread", "deadline+rawread", "read1"} {
		var conns []net.Conn
		runtime.GC(); runtime.GC()
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		for range n {
			c, s := tcpPair(t)
			conns = append(conns, c, s)
			ch := make(chan struct{})
			_ = ch
			go func() {
				switch variant {
				case "park":
					var b [1]byte
					s.Read(b[:])
				case "rawread":
					raw, _ := s.SyscallConn()
					raw.Read(readable)
				case "deadline+rawread":
					s.SetReadDeadline(time.Now().Add(time.Hour))
					raw, _ := s.SyscallConn()
					raw.Read(readable)
				case "read1":
					s.SetReadDeadline(time.Now().Add(time.Hour))
					var b [1]byte
					s.Read(b[:])
				}
			}()
		}
		time.Sleep(300*time.Millisecond)
		runtime.GC()
		runtime.ReadMemStats(&b)
		t.Logf("%s: stack per goroutine %.0f", variant, float64(b.StackInuse-a.StackInuse)/float64(n))
		for _, c := range conns { c.Close() }
		time.Sleep(100*time.Millisecond)
	}
}
