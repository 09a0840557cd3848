// stale_buffer: what a server does when, like TCPs in Tsoukalos'
// chapter, it reads into one buffer made before its accept loop and
// then writes the whole buffer back instead of the n bytes it read.
// Written for the tests of this crate (tests/go_behaviour.rs), not a
// copy of the book's listing.
//
// It serves clients one after another on 127.0.0.1:0 and prints
// "listening on ADDR" first.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(100)
	}
	fmt.Println("listening on", l.Addr())
	buffer := make([]byte, 1024) // made once, for every client
	for {
		conn, err := l.Accept()
		if err != nil {
			continue
		}
		n, err := conn.Read(buffer)
		if err == nil && n > 0 {
			conn.Write(buffer) // all 1024 bytes, not buffer[:n]
		}
		conn.Close()
	}
}
