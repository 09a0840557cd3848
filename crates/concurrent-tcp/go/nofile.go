// nofile: prints the soft and hard limits on open files that a Go
// program sees in main, to show what Go's runtime did to them before
// main ran (os/rlimit.go since Go 1.19). Written for this crate's
// tests (tests/go_behaviour.rs).
package main

import (
	"fmt"
	"syscall"
)

func main() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("getrlimit:", err)
		return
	}
	fmt.Printf("soft=%d hard=%d\n", lim.Cur, lim.Max)
}
