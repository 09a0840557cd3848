// ipmask: what Go's net.IP and net.IPMask answer, for the ip-mask
// crate's tests. Written for the tests (not a listing from the book);
// standard library only.
//
//	ipmask parse ADDR...   net.ParseIP(ADDR).String(), or <nil>
//	ipmask mask ADDR...    for each address, tab-separated:
//	                       the address, then its DefaultMask's Size
//	                       (bits, ones), String and the network
//	ipmask size A.B.C.D    net.IPv4Mask(A, B, C, D).Size()
//	ipmask println A B     fmt.Println(A, B): how Println spaces
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ipmask parse|mask|size|println ARG...")
		os.Exit(2)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "parse":
		for _, a := range args {
			fmt.Println(net.ParseIP(a).String())
		}
	case "mask":
		for _, a := range args {
			ip := net.ParseIP(a)
			if ip == nil {
				fmt.Println("<nil>")
				continue
			}
			mask := ip.DefaultMask()
			ones, bits := mask.Size()
			fmt.Printf("%s\t%d\t%d\t%s\t%s\n", ip, bits, ones, mask, ip.Mask(mask))
		}
	case "size":
		var b [4]byte
		for i, part := range strings.Split(args[0], ".") {
			n, _ := strconv.Atoi(part)
			b[i] = byte(n)
		}
		ones, bits := net.IPv4Mask(b[0], b[1], b[2], b[3]).Size()
		fmt.Println(ones, bits)
	case "println":
		fmt.Println(args[0], args[1])
	}
}
