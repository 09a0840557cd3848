// netrpc-server: a net/rpc server with the types of the book's
// sharedRPC package, written for the rpc crate's tests. It offers
// MyInterface.Add and Subtract (as RPCserver.go does), and the
// methods of the page's exercises: Multiply, Divide (an error for a
// division by zero) and Quit (the server stops once Quit's reply is
// sent). It serves every connection at once, prints "listening on
// ADDR" first (the tests read the port from it), and speaks gob, as
// net/rpc's ServeConn does.
//
//	netrpc-server [ADDRESS]    (default 127.0.0.1:1234; port 0: any)
package main

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
)

// MyInts has the fields of sharedRPC.MyInts: two magnitudes and
// their signs (true: negative).
type MyInts struct {
	A1, A2 uint
	S1, S2 bool
}

// MyInterface is the service; net/rpc finds its methods by reflection.
type MyInterface struct{}

func signed(a *MyInts) (int, int) {
	x, y := int(a.A1), int(a.A2)
	if a.S1 {
		x = -x
	}
	if a.S2 {
		y = -y
	}
	return x, y
}

func (t *MyInterface) Add(a *MyInts, reply *int) error {
	x, y := signed(a)
	*reply = x + y
	return nil
}

func (t *MyInterface) Subtract(a *MyInts, reply *int) error {
	x, y := signed(a)
	*reply = x - y
	return nil
}

func (t *MyInterface) Multiply(a *MyInts, reply *int) error {
	x, y := signed(a)
	*reply = x * y
	return nil
}

func (t *MyInterface) Divide(a *MyInts, reply *int) error {
	x, y := signed(a)
	if y == 0 {
		return errors.New("division by zero")
	}
	*reply = x / y
	return nil
}

func (t *MyInterface) Quit(a *MyInts, reply *int) error {
	*reply = 0
	return nil
}

// codec is net/rpc's own gob codec (gobServerCodec, unexported in
// net/rpc/server.go), with one addition: after the reply to Quit is
// written and flushed, the server stops.
type codec struct {
	rwc  io.ReadWriteCloser
	dec  *gob.Decoder
	enc  *gob.Encoder
	buf  *bufio.Writer
	peer string
}

func (c *codec) ReadRequestHeader(r *rpc.Request) error {
	return c.dec.Decode(r)
}

func (c *codec) ReadRequestBody(body any) error {
	return c.dec.Decode(body)
}

func (c *codec) WriteResponse(r *rpc.Response, body any) error {
	if err := c.enc.Encode(r); err != nil {
		return err
	}
	if err := c.enc.Encode(body); err != nil {
		return err
	}
	if err := c.buf.Flush(); err != nil {
		return err
	}
	if r.ServiceMethod == "MyInterface.Quit" && r.Error == "" {
		fmt.Printf("MyInterface.Quit called by %s: stopping\n", c.peer)
		os.Exit(0)
	}
	return nil
}

func (c *codec) Close() error {
	return c.rwc.Close()
}

func main() {
	addr := "127.0.0.1:1234"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	if err := rpc.Register(new(MyInterface)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(100)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(100)
	}
	fmt.Printf("listening on %s\n", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			continue
		}
		buf := bufio.NewWriter(c)
		cc := &codec{c, gob.NewDecoder(c), gob.NewEncoder(buf), buf,
			c.RemoteAddr().String()}
		go rpc.ServeCodec(cc)
	}
}
