// kernel_sun_path: does Linux bind a Unix socket to a path that fills
// all 108 bytes of sun_path, with no NUL after it? Go's net package
// (and Rust's std) refuse such a path before asking the kernel, so
// this program builds the sockaddr_un itself and calls bind(2) and
// connect(2) directly. It prints one line per step.
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

func main() {
	name := os.Args[1]
	l, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	call("bind", syscall.SYS_BIND, l, name)
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
	os.Remove(name)
}
