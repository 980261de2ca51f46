#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET on each and reads its answer, then holds them
all open and idle. Writes the number opened to READY_FILE once done, and sleeps until killed."""
import socket
import sys
import time

port, host, n, ready = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
request = ("GET /page.html HTTP/1.1\r\nHost: %s\r\n\r\n" % host).encode()
conns = []
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(request)
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed")
            got += chunk
        # the body is 1 KiB; read it so the connection is idle and clean
        head, _, body = got.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise OSError("closed")
            body += chunk
        conns.append(s)
    except OSError as e:
        sys.stderr.write("connection %d failed: %s\n" % (i, e))
        break
with open(ready + ".tmp", "w") as f:
    f.write(str(len(conns)))
import os
os.rename(ready + ".tmp", ready)
while True:
    time.sleep(60)
