// socket_server: what Tsoukalos' socketServer.go does, written here
// to measure it (not the book's listing). An echo server on a Unix
// stream socket: one goroutine per client, 1024-byte reads, every
// chunk logged as "->: CHUNK" and written back. Like the book's, a
// goroutine whose read fails just returns without closing the
// connection: a client that half-closes sees end-of-file only when a
// garbage collection lets the connection's finalizer close it.
// Errors: printed on stdout, exit status 100.
//
//	socket_server PATH        (a leading @ means an abstract name)
package main

import (
	"fmt"
	"net"
	"os"
)

func serve(c net.Conn) {
	for {
		buf := make([]byte, 1024)
		n, err := c.Read(buf)
		if err != nil {
			return // no c.Close(), as in the book
		}
		fmt.Printf("->: %v\n", string(buf[:n]))
		if _, err := c.Write(buf[:n]); err != nil {
			fmt.Println(err)
		}
	}
}

func main() {
	if len(os.Args) == 1 {
		fmt.Println("Please provide a socket file.")
		os.Exit(100)
	}
	l, err := net.Listen("unix", os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Println(err)
			os.Exit(100)
		}
		go serve(c)
	}
}
