#!/usr/bin/env python3
"""Hostile clients against one proxy, with a legitimate probe beside them (benchmarks/attacks/run.sh drives it).

    attacks.py ATTACK PORT PROXY_PID BACKEND_LOG SECONDS     prints one JSON line of figures

Every attack is bounded in time and closes everything it opened. The probe sends `GET /page.html` for the writable
host every 100 ms from 127.0.0.2 (the attackers use other loopback addresses) with a 2 s timeout, during the
attack and for up to RECOVER_MAX seconds after it, and reports the share served (2xx) during the attack and the time
from the attack's end to the first of three served probes in a row."""
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import time

WRITABLE, READONLY = "w.gallery.example", "ro.gallery.example"
RECOVER_MAX = 30.0
PROXY_PID = BACKEND_PORT = 0


# ------------------------------------------------------------------ measurements of the proxy process
def tree_pids(pid):
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for c in f.read().split():
                    out += tree_pids(int(c))
    except OSError:
        pass
    return out


def rss_kib(pid):
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                m = re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M)
                total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def sockets_of(pid, port, backend_port):
    """(client-side, backend-side) TCP sockets the proxy process tree holds, by `ss`."""
    pids = set(tree_pids(pid))
    out = subprocess.run(["ss", "-tanpH"], capture_output=True, text=True).stdout
    client = backend = 0
    for line in out.splitlines():
        owners = {int(x) for x in re.findall(r"pid=(\d+)", line)}
        if not owners & pids or line.startswith("LISTEN"):
            continue
        cols = line.split()
        local, peer = cols[3], cols[4]
        if local.endswith(f":{port}"):
            client += 1
        elif peer.endswith(f":{backend_port}"):
            backend += 1
    return client, backend


# ------------------------------------------------------------------ the probe
class Probe:
    def __init__(self, port):
        self.port = port
        self.results = []  # (time, ok)

    async def one(self):
        t = time.monotonic()
        ok = False
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port, local_addr=("127.0.0.2", 0)), 2)
            try:
                w.write(f"GET /page.html HTTP/1.1\r\nHost: {WRITABLE}\r\nConnection: close\r\n\r\n".encode())
                line = await asyncio.wait_for(r.readline(), 2 - (time.monotonic() - t))
                ok = line.startswith(b"HTTP/1.1 2")
            finally:
                w.close()
        except (OSError, asyncio.TimeoutError):
            pass
        self.results.append((t, ok))

    async def run(self, until):
        tasks = []
        while time.monotonic() < until:
            tasks.append(asyncio.ensure_future(self.one()))
            await asyncio.sleep(0.1)
        await asyncio.gather(*tasks)

    def served(self, start, end):
        window = [ok for t, ok in self.results if start <= t < end]
        return round(100.0 * sum(window) / len(window), 1) if window else None

    def recovery(self, end):
        after = sorted((t, ok) for t, ok in self.results if t >= end)
        run = 0
        for i, (t, ok) in enumerate(after):
            run = run + 1 if ok else 0
            if run == 3:
                return round(after[i - 2][0] - end, 2)
        return None


async def probe_until_recovered(probe, end):
    deadline = end + RECOVER_MAX
    while time.monotonic() < deadline:
        await probe.one()
        if probe.recovery(end) is not None:
            return
        await asyncio.sleep(0.1)


# ------------------------------------------------------------------ attacks
def raw_socket(src, port, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.setblocking(False)
    return s


async def connect(src, port, rcvbuf=None):
    s = raw_socket(src, port, rcvbuf)
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.sock_connect(s, ("127.0.0.1", port)), 5)
    return s


async def slow_read(port, seconds, addresses=6, per_address=400):
    """Two pipelined GETs of a 512 KiB file per connection, read 32 bytes every 5 s, small receive buffer."""
    loop = asyncio.get_running_loop()
    req = f"GET /big.bin HTTP/1.1\r\nHost: {WRITABLE}\r\n\r\n".encode() * 2
    socks = []

    async def open_one(src):
        try:
            s = await connect(src, port, rcvbuf=4096)
            await loop.sock_sendall(s, req)
            socks.append(s)
        except (OSError, asyncio.TimeoutError):
            pass

    await asyncio.gather(*(open_one(f"127.0.0.{10 + a}") for a in range(addresses) for _ in range(per_address)))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            try:
                s.recv(32)
            except (BlockingIOError, OSError):
                pass
        await asyncio.sleep(min(5, max(0, end - time.monotonic())))
    for s in socks:
        s.close()
    return {"connections": len(socks)}


async def abandoned_uploads(port, seconds, n=600):
    """Announce 1 MB, send 1 KiB, shut the sending side (FIN); keep the sockets open for reading."""
    loop = asyncio.get_running_loop()
    socks = []
    head = (f"POST /upload.php HTTP/1.1\r\nHost: {WRITABLE}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: 1000000\r\n\r\n").encode() + b"x" * 1024

    async def one():
        try:
            s = await connect("127.0.0.20", port)
            await loop.sock_sendall(s, head)
            s.shutdown(socket.SHUT_WR)
            socks.append(s)
        except (OSError, asyncio.TimeoutError):
            pass

    await asyncio.gather(*(one() for _ in range(n)))
    await asyncio.sleep(2)
    held = sockets_of(PROXY_PID, port, BACKEND_PORT)
    # the same address asks for a page: a 429 means its abandoned uploads still count against it
    same = None
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.20", 0)), 2)
        w.write(f"GET /page.html HTTP/1.1\r\nHost: {WRITABLE}\r\nConnection: close\r\n\r\n".encode())
        same = (await asyncio.wait_for(r.readline(), 3)).decode(errors="replace").strip()
        w.close()
    except (OSError, asyncio.TimeoutError) as e:
        same = type(e).__name__
    await asyncio.sleep(max(0, seconds - 2))
    return {"uploads": len(socks), "held_2s_after_fin": {"client": held[0], "backend": held[1]},
            "same_address_get": same, "_close_later": socks}


async def slow_post(port, seconds, n=400):
    """Announce 1 MB and send a byte every 2 s; close the connections when the attack ends."""
    loop = asyncio.get_running_loop()
    socks = []
    head = (f"POST /upload.php HTTP/1.1\r\nHost: {WRITABLE}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: 1000000\r\n\r\n").encode()

    async def one(i):
        try:
            s = await connect(f"127.0.0.{30 + i % 4}", port)
            await loop.sock_sendall(s, head)
            socks.append(s)
        except (OSError, asyncio.TimeoutError):
            pass

    await asyncio.gather(*(one(i) for i in range(n)))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for s in socks:
            try:
                s.send(b"x")
            except OSError:
                pass
        await asyncio.sleep(2)
    return {"connections": len(socks), "_close_later": socks}


def mutate(rng, base):
    b = bytearray(base)
    for _ in range(rng.randint(1, 6)):
        op = rng.choices(range(8), weights=[20, 25, 10, 10, 10, 1, 20, 4])[0]  # truncation (5) is rare
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[i:i] = rng.choice([b"%", b"%zz", b"%0", b"\r", b"\n", b"\r\n", b" ", b"\t", b"\x00", b":", b"\xff",
                                 b"0x10", b"-1", b"100000000", b"Transfer-Encoding: chunked\r\n",
                                 b"Content-Length: 5\r\n", b"Host: x\r\n", b"Expect: 100-continue\r\n"])
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 8)]
        elif op == 3 and b:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 16)]
        elif op == 4:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        elif op == 5:
            b = b[:i]
        elif op == 6:
            b[i:i] = b"%" + bytes(rng.choice(b"0123456789abcdefgzZ%") for _ in range(rng.randint(0, 2)))
        else:
            b += rng.choice([b"", b"0\r\n\r\n", b"\r\n", b"abc"])
    return bytes(b)


FUZZ_BASES = [
    f"GET / HTTP/1.1\r\nHost: {WRITABLE}\r\n\r\n",
    f"GET /ws.php?format=json&method=pwg.getVersion HTTP/1.1\r\nHost: {READONLY}\r\nAccept: application/json\r\n\r\n",
    f"POST /comments.php HTTP/1.1\r\nHost: {READONLY}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    f"Content-Length: 9\r\n\r\ncontent=x",
    f"POST /ws.php HTTP/1.1\r\nHost: {WRITABLE}\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
    "GET /page.html HTTP/1.1\r\nHost: nobody.example\r\n\r\n",
    f"POST /upload/x HTTP/1.1\r\nHost: {WRITABLE}\r\nContent-Length: 4\r\n\r\nabcd",
]


async def fuzz(port, seconds, n=20000, concurrency=1000, wait=15.0):
    """n mutated request heads and bodies, one connection each: answered, closed without an answer, or stuck (no
    answer and no close within `wait` seconds, more than the three proxies' 10 s header timeout)."""
    rng = random.Random(15)
    bases = [b.encode("latin-1") for b in FUZZ_BASES]
    counts = {"answered": 0, "closed_without_answer": 0, "stuck": 0, "refused": 0}
    silent, stuck = [], []
    sem = asyncio.Semaphore(concurrency)

    async def one(i):
        data = mutate(rng, bases[i % len(bases)])
        async with sem:
            try:
                r, w = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=(f"127.0.0.{40 + i % 50}", 0)), 5)
            except (OSError, asyncio.TimeoutError):
                counts["refused"] += 1
                return
            try:
                w.write(data)
                got = await asyncio.wait_for(r.read(12), wait)
                if got.startswith(b"HTTP/1."):
                    counts["answered"] += 1
                else:
                    counts["closed_without_answer"] += 1
                    if len(silent) < 5:
                        silent.append(data[:120].decode("latin-1"))
            except asyncio.TimeoutError:
                counts["stuck"] += 1
                if len(stuck) < 5:
                    stuck.append(data[:160].decode("latin-1"))
            except OSError:
                counts["closed_without_answer"] += 1
            finally:
                w.close()

    await asyncio.gather(*(one(i) for i in range(n)))
    counts["examples_closed_without_answer"] = silent
    counts["examples_stuck"] = stuck
    return counts


BAD_CHUNKS = {"zz": b"zz", "-1": b"-1", "0x10": b"0x10", "2^32": b"100000000", "17-hex-digits": b"1" * 17,
              "bare-LF-in-extension": b"4;ext=a\nb"}


async def malformed_bodies(port, seconds, backend_log):
    out = {}
    for name, size in BAD_CHUNKS.items():
        marker = f"/malformed-{name}-{int(time.time() * 1000)}"
        req = (f"POST {marker} HTTP/1.1\r\nHost: {WRITABLE}\r\nTransfer-Encoding: chunked\r\n\r\n").encode() \
            + size + b"\r\nabcd\r\n0\r\n\r\n"
        status = None
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.60", 0)), 2)
            w.write(req)
            line = await asyncio.wait_for(r.readline(), 5)
            status = line.decode(errors="replace").split(" ")[1] if line else "closed"
            w.close()
        except (OSError, asyncio.TimeoutError, IndexError) as e:
            status = type(e).__name__
        await asyncio.sleep(0.5)
        with open(backend_log, errors="replace") as f:
            seen = marker in f.read()
        out[name] = {"status": status, "backend_saw_it": seen}
    return out


async def main():
    attack, port, pid, backend_log, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
    global PROXY_PID, BACKEND_PORT
    backend_port = BACKEND_PORT = int(os.environ["BACKEND_PORT"])
    PROXY_PID = pid
    probe = Probe(port)
    rss_before = rss_kib(pid)
    start = time.monotonic()
    peak = [rss_before]

    async def sample():
        while True:
            peak[0] = max(peak[0], rss_kib(pid))
            await asyncio.sleep(0.5)

    sampler = asyncio.ensure_future(sample())
    attacks = {
        "slowread": lambda: slow_read(port, seconds, int(os.environ.get("SLOWREAD_ADDRESSES", 6)),
                                      int(os.environ.get("SLOWREAD_CONNS", 400))),
        "uploads": lambda: abandoned_uploads(port, seconds),
        "slowpost": lambda: slow_post(port, seconds),
        "fuzz": lambda: fuzz(port, seconds, int(os.environ.get("FUZZ_REQUESTS", 20000))),
        "malformed": lambda: malformed_bodies(port, seconds, backend_log),
    }
    probing = asyncio.ensure_future(probe.run(start + seconds + 0.05 if attack != "fuzz" else start + 3600))
    figures = await attacks[attack]()
    end = time.monotonic()
    if attack == "fuzz":
        probing.cancel()
    else:
        await probing
    later = figures.pop("_close_later", [])
    if later:
        for s in later:
            s.close()
    end = time.monotonic() if later else end
    await probe_until_recovered(probe, end)
    await asyncio.sleep(max(0, end + 2 - time.monotonic()))
    held_client, held_backend = sockets_of(pid, port, backend_port)
    sampler.cancel()
    figures.update({
        "attack": attack, "seconds": round(end - start, 1),
        "probes_served_pct": probe.served(start, end), "recovery_s": probe.recovery(end),
        "rss_mib": [round(rss_before / 1024), round(peak[0] / 1024), round(rss_kib(pid) / 1024)],
        "held_2s_after": {"client": held_client, "backend": held_backend},
        # when the failed probes were sent, in seconds from the attack's start: a burst at the start is not a
        # steady state
        "probes_failed_at_s": [round(t - start, 1) for t, ok in probe.results if start <= t < end and not ok][:40],
    })
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
