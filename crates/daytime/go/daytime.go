// daytime: a daytime server that does what the book's DaytimeServer
// does, written for this workspace's tests (not the book's listing):
// resolve ":PORT" with the network given, listen, and for every
// client write time.Now().String() and close.
//
//	daytime NETWORK PORT    (NETWORK: tcp4, or ip4 as the book has it)
//
// It prints "listening on ADDR" once it listens. An error is printed
// on stderr with exit status 1.
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: daytime NETWORK PORT")
		os.Exit(2)
	}
	addr, err := net.ResolveTCPAddr(os.Args[1], ":"+os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := net.ListenTCP("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %v\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		c.Write([]byte(time.Now().String()))
		c.Close()
	}
}
