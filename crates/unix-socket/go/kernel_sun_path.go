// kernel_sun_path: does Linux bind a Unix socket to a path that fills
// all 108 bytes of sun_path, with no NUL after it? Go's net package
// (and Rust's std) refuse such a path before asking the kernel, so
// this program builds the sockaddr_un itself and calls bind(2) and
// connect(2) directly. It also asks getsockname(2) and getpeername(2)
// for the address, with room for a struct sockaddr_un (110 bytes), as
// unix(7), BUGS describes: the kernel reports the length it stored
// and whether a NUL fitted. It prints one line per step.
//
//	kernel_sun_path NAME       (NAME: 108 bytes, in the current dir)
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// addr is struct sockaddr_un with every byte of sun_path used.
func addr(name string) (*syscall.RawSockaddrUnix, uintptr) {
	var sa syscall.RawSockaddrUnix
	sa.Family = syscall.AF_UNIX
	for i := 0; i < len(name) && i < len(sa.Path); i++ {
		sa.Path[i] = int8(name[i])
	}
	// The length says where the name ends: family + name, no NUL.
	return &sa, uintptr(2 + len(name))
}

func call(what string, trap uintptr, fd int, name string) {
	sa, n := addr(name)
	_, _, e := syscall.Syscall(trap, uintptr(fd),
		uintptr(unsafe.Pointer(sa)), n)
	if e != 0 {
		fmt.Printf("%s(%d-byte path): %v\n", what, len(name), e)
		os.Exit(1)
	}
	fmt.Printf("%s(%d-byte path): ok\n", what, len(name))
}

// report prints the length of the address that getsockname(2) or
// getpeername(2) (trap) reports for fd, and whether the bytes copied
// into sun_path hold a NUL.
func report(what string, trap uintptr, fd int) {
	var sa syscall.RawSockaddrUnix
	n := uint32(unsafe.Sizeof(sa))
	_, _, e := syscall.Syscall(trap, uintptr(fd),
		uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		fmt.Printf("%s: %v\n", what, e)
		os.Exit(1)
	}
	nul := "no NUL"
	for _, b := range sa.Path {
		if b == 0 {
			nul = "a NUL"
			break
		}
	}
	fmt.Printf("%s: %d-byte address, %s in sun_path\n", what, n, nul)
}

func main() {
	name := os.Args[1]
	l, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	call("bind", syscall.SYS_BIND, l, name)
	report("getsockname", syscall.SYS_GETSOCKNAME, l)
	if err := syscall.Listen(l, 1); err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	c, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	call("connect", syscall.SYS_CONNECT, c, name)
	report("getpeername", syscall.SYS_GETPEERNAME, c)
	os.Remove(name)
}
