// udp_echo_client: what Tsoukalos' UDPclient does, written here to
// measure it (not the book's listing): ResolveUDPAddr, whose error is
// overwritten by the next call's, DialUDP, send one line, read one
// reply with its error ignored, print "Reply: " and the reply.
//
//	udp_echo_client host:port
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) == 1 {
		fmt.Println("Please provide a host:port string")
		os.Exit(100)
	}
	s, err := net.ResolveUDPAddr("udp", os.Args[1])
	c, err := net.DialUDP("udp", nil, s)
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	fmt.Printf("The UDP server is %s\n", c.RemoteAddr().String())
	defer c.Close()
	if _, err = c.Write([]byte("Hello UDP Echo server!\n")); err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	buffer := make([]byte, 1024)
	n, _, _ := c.ReadFromUDP(buffer)
	fmt.Print("Reply: ", string(buffer[:n]))
}
