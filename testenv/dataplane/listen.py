#!/usr/bin/env python3
"""A pod's stand-in for its containers: accepts TCP connections on the given
ports (all addresses of the network namespace it runs in) and closes them at
once. Run by testenv/dataplane inside a pod's network namespace; the probe
only needs the handshake to complete."""
import selectors
import socket
import sys


def main() -> int:
    ports = [int(p) for p in sys.argv[1:]]
    if not ports:
        print("usage: listen.py PORT...", file=sys.stderr)
        return 2
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(128)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()
                conn.close()
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
