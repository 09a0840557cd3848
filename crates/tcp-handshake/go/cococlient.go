// cococlient behaves as the client of the "Hi, I am Coco" blog post
// does, so that the tests can measure it: it dials ":PORT", sends
// "Hi, I am Coco\n", reads the reply into a 15-byte buffer and prints
// the whole buffer with Println; errors go through log.Fatalf.
// Written for the tests; not the post's listing.
//
//	cococlient PORT
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: cococlient PORT")
		os.Exit(2)
	}
	conn, err := net.Dial("tcp", ":"+os.Args[1])
	if err != nil {
		log.Fatalf("couldn't connect to the server: %v", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("Hi, I am Coco\n")); err != nil {
		log.Fatalf("couldn't send request: %v", err)
	}
	reply := make([]byte, 15)
	if _, err := conn.Read(reply); err != nil {
		log.Fatalf("couldn't read server response: %v", err)
	}
	fmt.Println(string(reply))
}
