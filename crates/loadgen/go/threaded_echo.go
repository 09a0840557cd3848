// threaded_echo: the Go side of scripts/bench's echo rows. It does
// what Newmarch's ThreadedEchoServer does: a goroutine per client,
// each with a 512-byte array; read what came, write those n bytes
// back, until the client closes. No logging, as in the listing.
//
// Written for the benchmark, not copied from the book: it listens on
// the address given (a port, or HOST:PORT; default a free port) and prints
// "listening on ADDR" first, as every server of the workspace does.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func main() {
	l := listen()
	for {
		conn, err := l.Accept()
		if err != nil {
			continue
		}
		go handle(conn)
	}
}

func handle(conn net.Conn) {
	defer conn.Close()
	var buf [512]byte
	for {
		n, err := conn.Read(buf[:])
		if err != nil {
			return
		}
		if _, err := conn.Write(buf[:n]); err != nil {
			return
		}
	}
}

// listen is shared by name, not by code, with the other bench servers
// (each Go program here is one file).
func listen() net.Listener {
	addr := address()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Fatal error:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", l.Addr())
	return l
}

// address is the first argument: a port (bound on 127.0.0.1, as the
// Rust servers bind a bare port) or HOST:PORT; 127.0.0.1:0 without one.
func address() string {
	if len(os.Args) < 2 {
		return "127.0.0.1:0"
	}
	if _, err := strconv.Atoi(os.Args[1]); err == nil {
		return "127.0.0.1:" + os.Args[1]
	}
	return os.Args[1]
}
