// unix_addr: what Go's net.Listen("unix", ADDR) makes of each
// argument. For each one it prints the listener's address as Go
// shows it (l.Addr()), or the error, one line each, then closes the
// listener again (which removes a socket file Go created).
//
//	unix_addr ADDR...          (a leading @ means an abstract name)
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	for _, a := range os.Args[1:] {
		l, err := net.Listen("unix", a)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println("listening:", l.Addr())
		l.Close()
	}
}
