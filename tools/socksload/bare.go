package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// bareRelayMain is `socksload bare-relay -listen ADDR`: the reference relay,
// as little as a SOCKS5 CONNECT server can be (no auth, no UDP, no limits),
// relaying with io.Copy both ways. What it reaches is the limit for a Go
// relay; it runs as a child process so its CPU time and memory are its own.
func bareRelayMain(args []string) int {
	fs := flag.NewFlagSet("bare-relay", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bare-relay:", err)
		return 1
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; ln.Close() }()
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return 0 // closed on a signal: open relays end with the process
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond) // out of descriptors: back off
			continue
		}
		go bareServe(c.(*net.TCPConn))
	}
}

func bareServe(c *net.TCPConn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	g, err := socks5.ReadGreeting(c)
	if err != nil || !g.Has(socks5.AuthNone) {
		c.Write(socks5.AppendMethodSelection(nil, socks5.AuthNoAcceptable))
		return
	}
	c.Write(socks5.AppendMethodSelection(nil, socks5.AuthNone))
	req, err := socks5.ReadRequest(c)
	if err != nil {
		return
	}
	if req.Command != socks5.CmdConnect {
		bareReply(c, socks5.ReplyCommandNotSupported, nil)
		return
	}
	out, err := net.DialTimeout("tcp", req.Addr.String(), 10*time.Second)
	if err != nil {
		bareReply(c, socks5.ReplyFor(err), nil)
		return
	}
	defer out.Close()
	if bareReply(c, socks5.ReplySucceeded, out.LocalAddr()) != nil {
		return
	}
	c.SetDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		io.Copy(out, c)
		out.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, out)
	c.CloseWrite()
	<-done
}

func bareReply(c net.Conn, r socks5.Reply, bound net.Addr) error {
	b, _ := socks5.Response{Reply: r, Bound: socks5.AddrFromNet(bound)}.Append(nil)
	_, err := c.Write(b)
	return err
}
