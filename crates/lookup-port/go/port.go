// port: what Go's net.LookupPort answers, for the lookup-port crate's
// tests. Written for the tests (not a listing from the book); standard
// library only.
//
//	port NETWORK SERVICE...
//
// prints one line per service, in lookup-port's words:
// "Service port N", or "Error: ERR" for an error.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: port NETWORK SERVICE...")
		os.Exit(2)
	}
	for _, service := range os.Args[2:] {
		port, err := net.LookupPort(os.Args[1], service)
		if err != nil {
			fmt.Println("Error:", err)
		} else {
			fmt.Println("Service port", port)
		}
	}
}
