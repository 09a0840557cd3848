// cocoserver behaves as the echo server of the "Hi, I am Coco" blog
// post does, so that the tests can measure it: it listens on ":PORT"
// (every interface), reads each request into a 15-byte buffer and
// writes the whole buffer back, whatever the read returned. Written
// for the tests; not the post's listing.
//
//	cocoserver PORT
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cocoserver PORT")
		os.Exit(2)
	}
	l, err := net.Listen("tcp", ":"+os.Args[1])
	if err != nil {
		fmt.Println("failed to create listener, err:", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Println("failed to accept connection, err:", err)
			continue
		}
		go echo(c)
	}
}

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 15)
	for {
		if _, err := c.Read(buf); err != nil {
			if err != io.EOF {
				fmt.Fprintln(os.Stderr, "failed to read data, err:", err)
			}
			fmt.Println("connection closed by client:", c.RemoteAddr())
			return
		}
		// The whole buffer, not the bytes read: 15 bytes for 14.
		fmt.Printf("request: %s", buf)
		c.Write(buf)
	}
}
