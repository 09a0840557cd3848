// dial: what Go's net package says and does for the get-head
// programs' steps, measured for the tests (written for this
// workspace; not a listing from the books).
//
//	dial split HOSTPORT...   net.SplitHostPort of each argument
//	dial resolve4 SERVICE    net.ResolveTCPAddr("tcp4", SERVICE)
//	dial tcp4 SERVICE        ResolveTCPAddr("tcp4"), then DialTCP:
//	                         GetHeadInfo's two steps
//	dial dial SERVICE        net.Dial("tcp", SERVICE): IPGetHeadInfo's
//
// One line per result on stdout: "ok VALUE" or "error: MESSAGE".
package main

import (
	"fmt"
	"net"
	"os"
)

func report(v interface{}, err error) {
	if err != nil {
		fmt.Printf("error: %v\n", err)
		return
	}
	fmt.Printf("ok %v\n", v)
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: dial split|resolve4|tcp4|dial ARG...")
		os.Exit(2)
	}
	arg := os.Args[2]
	switch os.Args[1] {
	case "split":
		for _, a := range os.Args[2:] {
			host, port, err := net.SplitHostPort(a)
			report(fmt.Sprintf("%q %q", host, port), err)
		}
	case "resolve4":
		report(net.ResolveTCPAddr("tcp4", arg))
	case "tcp4":
		addr, err := net.ResolveTCPAddr("tcp4", arg)
		if err != nil {
			report(nil, err)
			return
		}
		c, err := net.DialTCP("tcp", nil, addr)
		if err == nil {
			defer c.Close()
			report(c.RemoteAddr(), nil)
			return
		}
		report(nil, err)
	case "dial":
		c, err := net.Dial("tcp", arg)
		if err == nil {
			defer c.Close()
			report(c.RemoteAddr(), nil)
			return
		}
		report(nil, err)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}
