// udp_daytime_client: what Newmarch's UDPDaytimeClient does, written
// here to measure it (not the book's listing): resolve the argument as
// "udp4", DialUDP, send "anything", read one reply into 512 bytes and
// print it. No deadline. Its error function has the book's mistake, a
// format string with no verb for the error it is given.
//
//	udp_daytime_client host:port
package main

import (
	"fmt"
	"net"
	"os"
)

func checkError(err error) {
	if err != nil {
		// The book's call: the error is an extra argument without a %s.
		fmt.Fprintf(os.Stderr, "Fatal error ", err.Error())
		os.Exit(1)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "Usage: %s host:port", os.Args[0])
		os.Exit(1)
	}
	addr, err := net.ResolveUDPAddr("udp4", os.Args[1])
	checkError(err)
	conn, err := net.DialUDP("udp", nil, addr)
	checkError(err)
	_, err = conn.Write([]byte("anything"))
	checkError(err)
	var buf [512]byte
	n, err := conn.Read(buf[:])
	checkError(err)
	fmt.Println(string(buf[:n]))
}
