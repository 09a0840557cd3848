// listen: how Go's net package sets up a listening socket and the
// connections it accepts, measured for the tests of echo-threaded
// (written for this workspace; not a listing from the books).
//
//	listen MODE PORT
//
// MODE is how the address is turned into a listener:
//
//	resolve-tcp4  ResolveTCPAddr("tcp4", ":PORT"), then
//	              ListenTCP("tcp", addr): Newmarch's echo servers
//	resolve-ip4   ResolveTCPAddr("ip4", ":PORT"): as printed in the
//	              book's ThreadedEchoServer
//	listen-tcp4   Listen("tcp4", ":PORT"): the smoke-test blog
//	listen-tcp    Listen("tcp", ":PORT"): ThreadedIPEchoServer
//
// It prints "resolved IP: ..." (resolve modes), then "listening on
// ADDR". For every connection it accepts it sets a read deadline an
// hour away, prints the socket options Go chose, one line:
//
//	accepted: keepalive=1 keepidle=15 keepintvl=15 nodelay=1 nonblock=1 rcvtimeo=0
//
// and then echoes what it reads, 512 bytes at a time, as the book's
// handlers do. An error is printed on stderr with exit status 1.
package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func listen(mode, port string) net.Listener {
	service := ":" + port
	switch mode {
	case "resolve-tcp4", "resolve-ip4":
		network := "tcp4"
		if mode == "resolve-ip4" {
			network = "ip4"
		}
		addr, err := net.ResolveTCPAddr(network, service)
		if err != nil {
			fail(err)
		}
		// A nil IP prints as "<nil>": no address, so every one.
		fmt.Printf("resolved IP: %v\n", addr.IP)
		l, err := net.ListenTCP("tcp", addr)
		if err != nil {
			fail(err)
		}
		return l
	case "listen-tcp4", "listen-tcp":
		l, err := net.Listen(mode[len("listen-"):], service)
		if err != nil {
			fail(err)
		}
		return l
	}
	fail(fmt.Errorf("unknown mode %q", mode))
	return nil
}

// options reads, with getsockopt(2) and fcntl(2), what Go set on an
// accepted socket.
func options(c *net.TCPConn) string {
	raw, err := c.SyscallConn()
	if err != nil {
		return err.Error()
	}
	var line string
	raw.Control(func(fd uintptr) {
		s := int(fd)
		get := func(level, opt int) int {
			v, err := syscall.GetsockoptInt(s, level, opt)
			if err != nil {
				return -1
			}
			return v
		}
		flags, _, _ := syscall.Syscall(syscall.SYS_FCNTL, fd,
			syscall.F_GETFL, 0)
		nonblock := 0
		if flags&syscall.O_NONBLOCK != 0 {
			nonblock = 1
		}
		// SO_RCVTIMEO is a struct timeval; its first 4 bytes (the
		// seconds, on little-endian amd64) are enough to see 0.
		line = fmt.Sprintf("keepalive=%d keepidle=%d keepintvl=%d "+
			"nodelay=%d nonblock=%d rcvtimeo=%d",
			get(syscall.SOL_SOCKET, syscall.SO_KEEPALIVE),
			get(syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE),
			get(syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL),
			get(syscall.IPPROTO_TCP, syscall.TCP_NODELAY),
			nonblock,
			get(syscall.SOL_SOCKET, syscall.SO_RCVTIMEO))
	})
	return line
}

func echo(c net.Conn) {
	defer c.Close()
	var buf [512]byte
	for {
		n, err := c.Read(buf[:])
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: listen MODE PORT")
		os.Exit(2)
	}
	l := listen(os.Args[1], os.Args[2])
	fmt.Printf("listening on %v\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		// A deadline is a runtime timer in Go, not SO_RCVTIMEO: the
		// line printed below shows rcvtimeo=0 all the same.
		c.SetReadDeadline(time.Now().Add(time.Hour))
		fmt.Printf("accepted: %s\n", options(c.(*net.TCPConn)))
		go echo(c)
	}
}
