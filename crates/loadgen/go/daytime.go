// daytime: the Go side of scripts/bench's connect rows. It does what
// Newmarch's DaytimeServer does: accept a client, write
// time.Now().String(), close, next client, all in one goroutine.
// Written for the benchmark, not copied from the book; it listens on
// the address given (default 127.0.0.1:0) and prints "listening on
// ADDR" first.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	addr := address()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Fatal error:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", l.Addr())
	for {
		conn, err := l.Accept()
		if err != nil {
			continue
		}
		conn.Write([]byte(time.Now().String()))
		conn.Close()
	}
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
