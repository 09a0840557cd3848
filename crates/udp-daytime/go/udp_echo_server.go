// udp_echo_server: what Tsoukalos' UDPserver does, written here to
// measure it (not the book's listing): listen on ":PORT", print every
// datagram after "-> " as it is, send it back, exit 100 when a write
// fails, stop on "STOP". Read errors are ignored, as in the book. The
// first line of output says where it listens (the book's says
// nothing), so that tests can use port 0.
//
//	udp_echo_server PORT
package main

import (
	"fmt"
	"net"
	"os"
	"strings"
)

func main() {
	if len(os.Args) == 1 {
		fmt.Println("Please provide a port number!")
		os.Exit(100)
	}
	s, err := net.ResolveUDPAddr("udp", ":"+os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	conn, err := net.ListenUDP("udp", s)
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	fmt.Println("listening on", conn.LocalAddr())
	buffer := make([]byte, 1024)
	for {
		n, addr, _ := conn.ReadFromUDP(buffer)
		fmt.Print("-> ", string(buffer[:n]))
		data := buffer[:n]
		if _, err := conn.WriteToUDP(data, addr); err != nil {
			fmt.Println(err)
			os.Exit(100)
		}
		if strings.TrimSpace(string(data)) == "STOP" {
			fmt.Println("Exiting UDP server!")
			return
		}
	}
}
