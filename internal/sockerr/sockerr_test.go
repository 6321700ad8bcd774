package sockerr

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

// A dial to a loopback port nobody listens on is refused, on every system.
func TestRefusedDial(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = net.Dial("tcp4", addr)
	if err == nil {
		t.Fatalf("dial %s: no error (something else listens there)", addr)
	}
	if !Is(err, Refused) {
		t.Fatalf("dial %s: Is(%v, Refused) = false (%#v)", addr, err, errnoOf(err))
	}
	if Is(err, AddrInUse) {
		t.Errorf("dial %s: %v also counts as AddrInUse", addr, err)
	}
}

// A second listener on a held address gets "address in use".
func TestAddrInUseListen(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln2, err := net.Listen("tcp4", ln.Addr().String())
	if err == nil {
		ln2.Close()
		t.Fatalf("second listen on %s: no error", ln.Addr())
	}
	if !Is(err, AddrInUse) {
		t.Fatalf("second listen: Is(%v, AddrInUse) = false (%#v)", err, errnoOf(err))
	}
}

// Every number in the table matches its kind, however deeply wrapped, and
// no other kind.
func TestTable(t *testing.T) {
	for k := range kinds {
		if len(table[k]) == 0 {
			t.Errorf("%v: no error numbers on this platform", k)
		}
		for _, errno := range table[k] {
			err := fmt.Errorf("step: %w", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)})
			for other := range kinds {
				if got := Is(err, other); got != (other == k) {
					t.Errorf("Is(errno %d of %v, %v) = %v", uintptr(errno), k, other, got)
				}
			}
		}
	}
}

func TestNotAnErrno(t *testing.T) {
	for _, err := range []error{nil, errors.New("connection refused"), os.ErrDeadlineExceeded} {
		for k := range kinds {
			if Is(err, k) {
				t.Errorf("Is(%v, %v) = true", err, k)
			}
		}
	}
	if Is(syscall.Errno(0), Kind(-1)) || Is(syscall.Errno(0), kinds) {
		t.Error("an unknown kind matched")
	}
}

func errnoOf(err error) any {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return uintptr(errno)
	}
	return err
}
