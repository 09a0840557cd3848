// udp_daytime: the Go side of scripts/bench's udp rows. It does what
// Newmarch's UDPDaytimeServer does: read a datagram into a 512-byte
// array, answer the sender with time.Now().String(), again. Written
// for the benchmark, not copied from the book; it listens on the
// address given (default 127.0.0.1:0) and prints "listening on ADDR".
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
	udpAddr, err := net.ResolveUDPAddr("udp", addr)
	if err == nil {
		var conn *net.UDPConn
		conn, err = net.ListenUDP("udp", udpAddr)
		if err == nil {
			fmt.Println("listening on", conn.LocalAddr())
			for {
				var buf [512]byte
				_, from, err := conn.ReadFromUDP(buf[:])
				if err != nil {
					continue
				}
				conn.WriteToUDP([]byte(time.Now().String()), from)
			}
		}
	}
	fmt.Fprintln(os.Stderr, "Fatal error:", err)
	os.Exit(1)
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
