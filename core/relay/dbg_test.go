package relay
import ("testing"; "net")
func BenchmarkDbg(b *testing.B) {
	p := startPeer(b)
	DbgCalls.Store(0); DbgTimeouts.Store(0); DbgMaxN.Store(0)
	benchRelay(b, p, func(c, t net.Conn) (int64, error) { n, _, err := TCP(c, t, nil, nil, nil, Options{}); return n, err })
	b.Logf("N=%d calls %d timeouts %d maxN %d", b.N, DbgCalls.Load(), DbgTimeouts.Load(), DbgMaxN.Load())
}
