// dialip measures what Go's raw IP sockets do, for the raw-ping page:
// what net.DialIP("ip4:icmp", ...) needs, what its Read returns, and
// how it fails. Written for the tests; it is not the book's listing.
//
//	dialip dial HOST         DialIP with no local address; print the
//	                         error, or "ok"
//	dialip bind LADDR HOST   DialIP bound to LADDR, as the book binds
//	                         to the target; print the error, or "ok"
//	dialip read HOST         send an echo request (right checksum);
//	                         say what the first Read returned, then
//	                         what a ReadFrom returns
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Println("usage: dialip dial HOST | bind LADDR HOST | read HOST")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "dial":
		report(dial(nil, os.Args[2]))
	case "bind":
		if len(os.Args) != 4 {
			os.Exit(2)
		}
		report(dial(resolve(os.Args[2]), os.Args[3]))
	case "read":
		read(os.Args[2])
	default:
		os.Exit(2)
	}
}

func resolve(host string) *net.IPAddr {
	a, err := net.ResolveIPAddr("ip", host)
	if err != nil {
		fmt.Println("resolve:", err)
		os.Exit(1)
	}
	return a
}

func dial(laddr *net.IPAddr, host string) (*net.IPConn, error) {
	return net.DialIP("ip4:icmp", laddr, resolve(host))
}

func report(c *net.IPConn, err error) {
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	c.Close()
	fmt.Println("ok")
}

// request builds an 8-byte echo request with the RFC 1071 checksum.
func request(id, seq uint16) []byte {
	m := []byte{8, 0, 0, 0, byte(id >> 8), byte(id), byte(seq >> 8), byte(seq)}
	sum := 0
	for i := 0; i < len(m); i += 2 {
		sum += int(m[i])<<8 | int(m[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	sum = ^sum & 0xffff
	m[2], m[3] = byte(sum>>8), byte(sum)
	return m
}

func read(host string) {
	c, err := dial(nil, host)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	if _, err := c.Write(request(13, 37)); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	n, err := c.Read(buf)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	ihl := int(buf[0]&0x0f) * 4
	fmt.Printf("Read: %d bytes, byte 0 %#02x, msg[5] %d, msg[7] %d, "+
		"ICMP type after the IP header %d\n",
		n, buf[0], buf[5], buf[7], buf[ihl])
	if _, err := c.Write(request(13, 38)); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	n, _, err = c.ReadFrom(buf)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("ReadFrom: %d bytes, byte 0 %d\n", n, buf[0])
}
