#!/usr/bin/env python3
"""Tries a TCP connection to every IP:PORT given, all at once, from the
network namespace it runs in (`ip netns exec <pod namespace> probe.py ...`),
and prints one line per target: `IP:PORT open|refused|timeout|error:<errno>`.
A connection is open when the three-way handshake completed within the
timeout (first argument, seconds)."""
import errno
import selectors
import socket
import sys
import time


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: probe.py TIMEOUT_SECONDS IP:PORT...", file=sys.stderr)
        return 2
    timeout = float(sys.argv[1])
    targets = sys.argv[2:]
    sel = selectors.DefaultSelector()
    result = {}
    for t in targets:
        ip, port = t.rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        rc = s.connect_ex((ip, int(port)))
        if rc in (0, errno.EINPROGRESS):
            sel.register(s, selectors.EVENT_WRITE, t)
        else:
            result[t] = "refused" if rc == errno.ECONNREFUSED else f"error:{errno.errorcode.get(rc, rc)}"
            s.close()
    deadline = time.monotonic() + timeout
    while sel.get_map():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(left):
            s = key.fileobj
            rc = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if rc == 0:
                result[key.data] = "open"
            elif rc == errno.ECONNREFUSED:
                result[key.data] = "refused"
            else:
                result[key.data] = f"error:{errno.errorcode.get(rc, rc)}"
            sel.unregister(s)
            s.close()
    for key in list(sel.get_map().values()):
        result[key.data] = "timeout"
        key.fileobj.close()
    for t in targets:
        print(f"{t} {result[t]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
