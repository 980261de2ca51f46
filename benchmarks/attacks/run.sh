#!/usr/bin/env bash
# Hostile clients, side by side: Passerelle (-Xmx256m) vs nginx vs HAProxy, configured the same way (a writable host,
# a read-only host, 404 for any other), all proxying to one nginx backend, on loopback only.
#
#   benchmarks/attacks/run.sh                              # every attack against every target (about 15 minutes)
#   ATTACKS="malformed fuzz" TARGETS=passerelle benchmarks/attacks/run.sh
#   SECONDS_PER_ATTACK=20 benchmarks/attacks/run.sh        # each attack lasts at most 60 s (default 30)
#   BACKEND_BACKLOG=8192 benchmarks/attacks/run.sh         # the backend's listen backlog (default nginx's 511)
#
# Attacks (attacks.py has the details): slowread (2 pipelined 512 KiB answers read at 32 B / 5 s, from
# $SLOWREAD_ADDRESSES addresses 127.0.0.x x $SLOWREAD_CONNS connections), uploads (600 uploads announcing 1 MB,
# abandoned with a FIN after 1 KiB, from one address), slowpost (400 connections sending a body byte every 2 s),
# idle ($IDLE_CONNS idle keep-alive connections: resident memory per connection), fuzz ($FUZZ_REQUESTS mutated
# request heads and bodies: answered / closed without an answer / stuck), malformed (bad chunk sizes in the first
# chunk: does the backend see anything?). A legitimate GET every 100 ms from 127.0.0.2 is the probe. Every target is
# started fresh for each attack, so one attack's damage does not count against the next. Everything started is
# stopped on exit. Results: stdout and benchmarks/results/attacks-latest.txt.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RESULTS="$REPO/benchmarks/results"
ATTACKS="${ATTACKS:-slowread uploads slowpost idle fuzz malformed}"
TARGETS="${TARGETS:-passerelle nginx haproxy}"
SECONDS_PER_ATTACK="${SECONDS_PER_ATTACK:-30}"
[ "$SECONDS_PER_ATTACK" -le 60 ] || { echo "SECONDS_PER_ATTACK is at most 60" >&2; exit 2; }
export SLOWREAD_ADDRESSES="${SLOWREAD_ADDRESSES:-6}" SLOWREAD_CONNS="${SLOWREAD_CONNS:-400}"
export FUZZ_REQUESTS="${FUZZ_REQUESTS:-20000}"
IDLE_CONNS="${IDLE_CONNS:-10000}"
JAVA="${JAVA:-java}"
JVM_OPTS="${JVM_OPTS:--Xmx256m -Dio.netty.leakDetection.level=disabled}"

WORK="$(mktemp -d /tmp/passerelle-attacks.XXXXXX)"
PIDS=()
stop_all() {
    local pid
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; done
    PIDS=()
}
cleanup() { stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { printf '%s\n' "$*" >&2; }

need_pkgs=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need_pkgs+=(nginx-light)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || need_pkgs+=(haproxy)
command -v ss >/dev/null || need_pkgs+=(iproute2)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"; apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    systemctl stop nginx haproxy 2>/dev/null || true
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
JAR="$REPO/gateway/target/passerelle.jar"
[ -f "$JAR" ] || (cd "$REPO" && ./mvnw -q -B package -DskipTests)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAXCONN=$(( ($(ulimit -n) - 500) / 2 ))

read -r P_BACKEND P_PROXY < <(python3 -c '
import socket
s1, s2 = socket.socket(), socket.socket(); s1.bind(("127.0.0.1", 0)); s2.bind(("127.0.0.1", 0))
print(s1.getsockname()[1], s2.getsockname()[1])')
export BACKEND_PORT=$P_BACKEND
W=w.gallery.example; RO=ro.gallery.example
mkdir -p "$WORK/www" "$WORK/backend" "$WORK/nginx" "$RESULTS"
chmod 755 "$WORK" "$WORK/www"
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$WORK/www/page.html"
head -c 524288 /dev/urandom > "$WORK/www/big.bin"
echo '<!doctype html><title>Read-only</title><h1>This gallery is read-only for a moment</h1>' > "$WORK/www/readonly.html"
temp_paths() { for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $1/$t;"; done; }

cat > "$WORK/backend/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/backend/nginx.pid; error_log $WORK/backend/error.log warn;
worker_rlimit_nofile 30000;
events { worker_connections 20000; }
http {
    access_log $WORK/backend/access.log;
$(temp_paths "$WORK/backend")
    keepalive_requests 1000000;
    types { text/html html; application/octet-stream bin; }
    server { listen 127.0.0.1:$P_BACKEND default_server backlog=${BACKEND_BACKLOG:-511}; root $WORK/www; client_max_body_size 0; error_page 405 =200 /page.html; }
}
CONF

passerelle_conf() {
    cat > "$WORK/passerelle.yml" <<CONF
listeners: ["127.0.0.1:$P_PROXY"]
admin: { enabled: false }
store: { url: "jdbc:h2:file:$WORK/store/passerelle", snapshot: "$WORK/store/snapshot.json" }
spool: { dir: "$WORK/spool" }
accessLog: { path: "$WORK/access.log" }
seed:
  groups:
    w: { backends: ["127.0.0.1:$P_BACKEND"] }
    ro: { backends: ["127.0.0.1:$P_BACKEND"], mode: read-only, writes: reject, retryAfterSeconds: 420 }
  hosts:
    $W: { group: w, account: w }
    $RO: { group: ro, account: ro }
CONF
}

cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log warn;
worker_rlimit_nofile 30000;
events { worker_connections 20000; }
http {
    access_log off;
$(temp_paths "$WORK/nginx")
    client_header_timeout 10s;          # as Passerelle's limits.headerReadTimeout
    client_max_body_size 0;
    upstream backend { server 127.0.0.1:$P_BACKEND; keepalive 64; }
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    server { listen 127.0.0.1:$P_PROXY default_server; return 404; }
    server {
        listen 127.0.0.1:$P_PROXY; server_name $RO;
        error_page 403 =503 /readonly.html;
        location = /readonly.html { internal; root $WORK/www; add_header Retry-After 420 always; }
        location / { limit_except GET HEAD OPTIONS { deny all; } proxy_pass http://backend; }
    }
    server { listen 127.0.0.1:$P_PROXY; server_name $W; location / { proxy_pass http://backend; } }
}
CONF

cat > "$WORK/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn $MAXCONN
defaults
    mode http
    timeout connect 3s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 75s
    option http-keep-alive
frontend fe
    bind 127.0.0.1:$P_PROXY
    maxconn $MAXCONN
    acl writable hdr(host),lower,field(1,:) -m str $W
    acl readonly hdr(host),lower,field(1,:) -m str $RO
    http-request return status 503 content-type "text/html; charset=utf-8" file $WORK/www/readonly.html hdr Retry-After 420 if readonly !METH_GET !METH_HEAD !METH_OPTIONS
    http-request deny deny_status 404 unless writable or readonly
    default_backend be
backend be
    server b1 127.0.0.1:$P_BACKEND
CONF

start() {  # name, command...
    local name="$1"; shift
    "$@" > "$WORK/$name.out" 2>&1 &
    PIDS+=("$!"); echo "$!" > "$WORK/$name.pid"
}
wait_port() {
    local i
    for i in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$(cat "$WORK/$2.pid")" 2>/dev/null || break
        sleep 0.1
    done
    log "$2 did not start:"; cat "$WORK/$2.out" >&2; exit 1
}
start_target() {
    case "$1" in
        passerelle) rm -rf "$WORK/store" "$WORK/spool"; passerelle_conf
            # shellcheck disable=SC2086
            start passerelle "$JAVA" $JVM_OPTS -jar "$JAR" --config "$WORK/passerelle.yml" ;;
        nginx) start nginx "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" ;;
        haproxy) start haproxy "$HAPROXY" -db -f "$WORK/haproxy.cfg" ;;
    esac
    wait_port "$P_PROXY" "$1"
    local code; code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $W" "http://127.0.0.1:$P_PROXY/page.html" || true)
    [ "$code" = 200 ] || { log "$1 does not proxy ($code)"; cat "$WORK/$1.out" >&2; exit 1; }
}
stop_target() {
    local pid; pid=$(cat "$WORK/$1.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$P_PROXY") 2>/dev/null || break; sleep 0.1; done
}

start backend "$NGINX" -c "$WORK/backend/nginx.conf" -p "$WORK/backend"
BACKEND_PID=$(cat "$WORK/backend.pid")
wait_port "$P_BACKEND" backend
RAW="$WORK/raw.jsonl"; : > "$RAW"
log "work dir $WORK; backend :$P_BACKEND, target :$P_PROXY; ${SECONDS_PER_ATTACK}s per attack"

for attack in $ATTACKS; do
    for target in $TARGETS; do
        start_target "$target"
        pid=$(cat "$WORK/$target.pid")
        # a few requests so the JVM has loaded its request path before the attack
        for _ in 1 2 3; do curl -s -o /dev/null -H "Host: $W" "http://127.0.0.1:$P_PROXY/page.html" || true; done
        log "$attack against $target"
        if [ "$attack" = idle ]; then
            before=$(python3 -c "import sys; sys.path.insert(0, '$HERE'); import attacks; print(attacks.rss_kib($pid))")
            python3 "$REPO/benchmarks/load/idle_conns.py" "$P_PROXY" "$W" "$IDLE_CONNS" "$WORK/idle.ready" 2>/dev/null &
            client=$!; PIDS+=("$client")
            for _ in $(seq 1 600); do [ -f "$WORK/idle.ready" ] && break; sleep 0.1; done
            sleep 1
            after=$(python3 -c "import sys; sys.path.insert(0, '$HERE'); import attacks; print(attacks.rss_kib($pid))")
            opened=$(cat "$WORK/idle.ready" 2>/dev/null || echo 0)
            kill "$client" 2>/dev/null || true; wait "$client" 2>/dev/null || true; rm -f "$WORK/idle.ready"
            echo "{\"attack\": \"idle\", \"connections\": $opened, \"rss_mib\": [$((before / 1024)), $((after / 1024))], \"kib_per_connection\": $(python3 -c "print(round(($after - $before) / max(1, $opened), 2))")}" \
                | sed "s/^{/{\"target\": \"$target\", /" | tee -a "$RAW" >&2
        else
            timeout $((SECONDS_PER_ATTACK + 120)) python3 "$HERE/attacks.py" "$attack" "$P_PROXY" "$pid" \
                "$WORK/backend/access.log" "$SECONDS_PER_ATTACK" 2>>"$WORK/attacks.err" \
                | sed "s/^{/{\"target\": \"$target\", /" | tee -a "$RAW" >&2 || log "  (no figures: see $WORK/attacks.err)"
        fi
        stop_target "$target"
    done
done

{
    echo "Passerelle hostile-clients harness — $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
    echo "machine: $(nproc) CPUs, kernel $(uname -r); $("$JAVA" -version 2>&1 | head -1); $("$NGINX" -v 2>&1); $("$HAPROXY" -v | head -1 | cut -d' ' -f1-3)"
    echo "passerelle JVM: $JVM_OPTS; ${SECONDS_PER_ATTACK}s per attack; slow read ${SLOWREAD_ADDRESSES} addresses x ${SLOWREAD_CONNS}"
    echo
    python3 "$HERE/report.py" "$RAW"
} | tee "$RESULTS/attacks-latest.txt"
cp "$RAW" "$RESULTS/attacks-latest.jsonl"
