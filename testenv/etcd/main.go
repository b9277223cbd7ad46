// Command etcd is the upstream etcd server, built from its Go module so the
// test control plane does not depend on a distribution's (too old) package.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
