// netrpc-client: a net/rpc client with the types of the book's
// sharedRPC package, written for the rpc crate's tests.
//
//	netrpc-client ADDRESS [METHOD [A1,A2,S1,S2]]
//
// Without METHOD it calls MyInterface.Add and MyInterface.Subtract
// with {17, 18, true, false}, as RPCclient.go does, and prints
// "Reply (Add): 1" and "Reply (Subtract): -35". With METHOD it makes
// that one call. An error the server sent back (net/rpc's
// rpc.ServerError) is printed as "rpc.ServerError: TEXT", exit
// status 1; any other error as "error (TYPE): TEXT", exit status 2.
package main

import (
	"errors"
	"fmt"
	"net/rpc"
	"os"
	"strings"
)

// MyInts has the fields of sharedRPC.MyInts.
type MyInts struct {
	A1, A2 uint
	S1, S2 bool
}

func call(c *rpc.Client, method string, args MyInts) {
	var reply int
	err := c.Call(method, args, &reply)
	var se rpc.ServerError
	switch {
	case errors.As(err, &se):
		fmt.Printf("rpc.ServerError: %s\n", string(se))
		os.Exit(1)
	case err != nil:
		fmt.Printf("error (%T): %v\n", err, err)
		os.Exit(2)
	}
	short := method[strings.LastIndex(method, ".")+1:]
	fmt.Printf("Reply (%s): %d\n", short, reply)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: netrpc-client ADDRESS [METHOD [A1,A2,S1,S2]]")
		os.Exit(2)
	}
	c, err := rpc.Dial("tcp", os.Args[1])
	if err != nil {
		fmt.Printf("error (%T): %v\n", err, err)
		os.Exit(2)
	}
	args := MyInts{17, 18, true, false}
	if len(os.Args) > 3 {
		_, err := fmt.Sscanf(os.Args[3], "%d,%d,%t,%t",
			&args.A1, &args.A2, &args.S1, &args.S2)
		if err != nil {
			fmt.Printf("error: bad arguments %q: %v\n", os.Args[3], err)
			os.Exit(2)
		}
	}
	if len(os.Args) > 2 {
		call(c, os.Args[2], args)
		return
	}
	call(c, "MyInterface.Add", args)
	call(c, "MyInterface.Subtract", args)
}
