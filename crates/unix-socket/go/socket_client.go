// socket_client: what Tsoukalos' socketClient.go does, written here
// to measure it (not the book's listing): connect to a Unix stream
// socket, print every chunk that comes back with fmt.Println("-> ",
// chunk) from a second goroutine, and write "Hello Server!" once a
// second for ever, without waiting for replies. Errors: printed on
// stdout, exit status 100.
//
//	socket_client PATH [PAUSE]
//
// PAUSE, a Go duration such as 100ms, replaces the second between two
// writes (the book's time.Sleep(1 * time.Second)), so that a test
// need not wait a whole second for the second message.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func readSocket(r io.Reader) {
	buf := make([]byte, 1024)
	for {
		n, err := r.Read(buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("-> ", string(buf[:n]))
	}
}

func main() {
	if len(os.Args) == 1 {
		fmt.Println("Please provide a socket file.")
		os.Exit(100)
	}
	pause := time.Second
	if len(os.Args) > 2 {
		p, err := time.ParseDuration(os.Args[2])
		if err != nil {
			fmt.Println(err)
			os.Exit(100)
		}
		pause = p
	}
	c, err := net.Dial("unix", os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	defer c.Close()
	go readSocket(c)
	for {
		if _, err := c.Write([]byte("Hello Server!")); err != nil {
			fmt.Println(err)
			os.Exit(100)
		}
		time.Sleep(pause)
	}
}
