// conc_tcp: the Go side of scripts/bench's line and hold rows. It does
// what Tsoukalos' concTCP does: a goroutine per client that, for every
// line, makes a new bufio.Reader (4 KiB, bufio's default), reads up to
// a newline, prints "-> LINE" on stdout, writes the line back, and
// ends its client on STOP after a 3-second pause.
//
// Changed so that a benchmark can run at all: where concTCP calls
// os.Exit(100) when a client leaves (every loadgen client does), this
// goroutine returns; a failed Accept is skipped where concTCP exits;
// and SIGPIPE is ignored (main, below). Like the Rust servers, it
// listens on the address given (default 127.0.0.1:0) and prints
// "listening on ADDR" first. Written for the benchmark, not copied
// from the book.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	// scripts/bench reads the first line, then closes the pipe: the
	// log lines after it fail with EPIPE, ignored, as in the Rust
	// servers. Without this, Go's runtime would end the program with
	// SIGPIPE on the first write to the broken stdout (os/signal's
	// documentation, "SIGPIPE"); a write that fails with EPIPE on
	// stdout or stderr calls the runtime's sigpipe, which does nothing
	// when the signal is ignored (runtime/signal_unix.go).
	signal.Ignore(syscall.SIGPIPE)
	l := listen()
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		go handleConnection(c)
	}
}

func handleConnection(c net.Conn) {
	defer c.Close()
	for {
		netData, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return
		}
		fmt.Print("-> ", netData)
		c.Write([]byte(netData))
		if strings.TrimSpace(netData) == "STOP" {
			break
		}
	}
	time.Sleep(3 * time.Second)
}

func listen() net.Listener {
	addr := address()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Println(err)
		os.Exit(100)
	}
	fmt.Println("listening on", l.Addr())
	return l
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
