package relay

// canSplice: on Linux, (*net.TCPConn).ReadFrom from another *net.TCPConn
// uses splice(2) (net/splice_linux.go).
const canSplice = true
