// udp_daytime_server: what Newmarch's UDPDaytimeServer does, written
// here to measure it (not the book's listing): resolve ":1200" as
// "udp4", listen with ListenUDP("udp", ...), and answer every datagram
// with time.Now().String(), no line end. The address is an argument
// here (the book's is fixed), so that tests can use a free port; the
// first line of output says where it listens (the book's says
// nothing).
//
//	udp_daytime_server [ADDRESS]       (default ":1200")
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func fatal(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "Fatal error ", err.Error()) // as the book
		os.Exit(1)
	}
}

func main() {
	service := ":1200"
	if len(os.Args) > 1 {
		service = os.Args[1]
	}
	addr, err := net.ResolveUDPAddr("udp4", service)
	fatal(err)
	conn, err := net.ListenUDP("udp", addr)
	fatal(err)
	fmt.Println("listening on", conn.LocalAddr())
	var buf [512]byte
	for {
		_, from, err := conn.ReadFromUDP(buf[:])
		if err != nil {
			continue
		}
		conn.WriteToUDP([]byte(time.Now().String()), from)
	}
}
