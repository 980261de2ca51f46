#!/usr/bin/env python3
"""Starts nginx on kernel-chosen ports without any race.

nginx cannot listen on port 0, and probing for a free port races with every other process on the machine. So this
launcher binds the listening sockets itself (127.0.0.1:0 and [::1]:0), learns their ports, renders nginx.conf with
them, and hands the sockets to nginx through nginx's own inherited-sockets mechanism (the NGINX environment variable
used for binary upgrades: "fd;fd;"). nginx then adopts each inherited socket whose address matches a `listen`
directive instead of binding a new one. The sockets are listening before nginx even starts, so a client may connect
as soon as the ports are printed: the kernel queues the connection until nginx accepts it, and if nginx dies instead,
the socket closes and the client sees a reset rather than a hang.

usage: nginx-launch.py NGINX_BINARY PREFIX_DIR TEMPLATE
  TEMPLATE is nginx.conf with @PORT4@ and @PORT6@ where the ports go; the rendered file is PREFIX_DIR/nginx.conf.
  Prints "ports <v4> <v6>" on stdout, then becomes nginx (exec: same pid, so killing it stops nginx).
"""
import os
import socket
import sys


def listener(family, host):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, 0))
    s.listen(511)
    s.set_inheritable(True)
    return s


def main():
    nginx, prefix, template = sys.argv[1:4]
    v4 = listener(socket.AF_INET, "127.0.0.1")
    v6 = listener(socket.AF_INET6, "::1")
    p4 = v4.getsockname()[1]
    p6 = v6.getsockname()[1]
    with open(template, encoding="utf-8") as f:
        conf = f.read().replace("@PORT4@", str(p4)).replace("@PORT6@", str(p6))
    conf_path = os.path.join(prefix, "nginx.conf")
    with open(conf_path, "w", encoding="utf-8") as f:
        f.write(conf)
    os.environ["NGINX"] = "%d;%d;" % (v4.fileno(), v6.fileno())
    sys.stdout.write("ports %d %d\n" % (p4, p6))
    sys.stdout.flush()
    # -e: the error log before the configuration is read (the compiled-in one is not ours to write to).
    # The master process stays on: nginx 1.22 with "master_process off" dies of SIGSEGV when it inherits sockets.
    os.execvp(nginx, [nginx, "-p", prefix + "/", "-c", conf_path, "-e", os.path.join(prefix, "error.log"),
                      "-g", "daemon off;"])


if __name__ == "__main__":
    main()
