// lookup: what Go's resolver answers, for the resolve crate's tests.
// Written for the tests (not a listing from the books); standard
// library only.
//
//	lookup [-server ADDR] [-timeout SECONDS] KIND ARG
//
// KIND is one of
//
//	host  net.LookupHost(ARG)           every address, as strings
//	addr  net.LookupAddr(ARG)           every name of an address
//	ns    net.LookupNS(ARG)             the NS hosts of a domain
//	ip    net.ResolveIPAddr("ip", ARG)  the one address Go keeps
//	ip4, ip6, tcp                       the same with that network
//	parse net.ParseIP(ARG)              the address, or <nil>
//
// Each result is printed on a line of its own; an error is one line
// "error: ERR" and exit status 1. With -server, the lookups go to ADDR
// (host:port) through a net.Resolver whose Dial ignores the server Go
// would have chosen: the way to tell Go which DNS server to ask.
// -timeout bounds the whole lookup (a context deadline).
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	server := flag.String("server", "", "DNS server to ask (host:port)")
	timeout := flag.Float64("timeout", 0, "seconds for the whole lookup")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: lookup [-server ADDR] [-timeout S] KIND ARG")
		os.Exit(2)
	}
	kind, arg := flag.Arg(0), flag.Arg(1)

	r := net.DefaultResolver
	if *server != "" {
		r = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, *server)
			},
		}
	}
	ctx := context.Background()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*timeout*float64(time.Second)))
		defer cancel()
	}

	var out []string
	var err error
	switch kind {
	case "host":
		out, err = r.LookupHost(ctx, arg)
	case "addr":
		out, err = r.LookupAddr(ctx, arg)
	case "ns":
		var nss []*net.NS
		nss, err = r.LookupNS(ctx, arg)
		for _, ns := range nss {
			out = append(out, ns.Host)
		}
	case "ip", "ip4", "ip6", "tcp":
		var a *net.IPAddr
		a, err = net.ResolveIPAddr(kind, arg)
		if err == nil {
			out = append(out, a.String())
		}
	case "parse":
		out = append(out, net.ParseIP(arg).String())
	default:
		fmt.Fprintln(os.Stderr, "unknown kind", kind)
		os.Exit(2)
	}
	for _, line := range out {
		fmt.Println(line)
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}
