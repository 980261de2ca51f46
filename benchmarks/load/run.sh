#!/usr/bin/env bash
# Side-by-side load harness: Passerelle vs nginx vs HAProxy, all proxying to one nginx backend, on one machine.
#
#   benchmarks/load/run.sh                      # everything, about 7 minutes
#   ROUNDS=2 DURATION=3 benchmarks/load/run.sh  # quicker, noisier
#   SCENARIOS="get1k onecon" benchmarks/load/run.sh
#
# Proxies run pinned to CPU $PROXY_CPU (default 0), wrk and the backend to $LOAD_CPU (default 1); the targets of a
# scenario are measured in alternation (A, B, C, A, B, C, ...) so machine noise hits them alike. Results go to stdout
# and to benchmarks/results/latest.txt. See benchmarks/README.md for what every figure means.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RESULTS="$REPO/benchmarks/results"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5}"
CONNS="${CONNS:-64}"
PROXY_CPU="${PROXY_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
IDLE_CONNS="${IDLE_CONNS:-10000}"
SCENARIOS="${SCENARIOS:-get1k get100k onecon paced readonly hosts tls1k tlsnew h2 h2c idle}"
PACED_DELAY_MS="${PACED_DELAY_MS:-3}"   # paced scenario: each connection's pause before each request
H2_CONNS="${H2_CONNS:-8}"       # h2 scenarios: connections, each with H2_STREAMS requests in flight
H2_STREAMS="${H2_STREAMS:-16}"
JAVA="${JAVA:-java}"
# Passerelle runs with the launch it ships with (deploy/jvm.options, as the systemd unit and the README start it);
# the leak detector's sampling is off, as in the figures before. JVM_OPTS replaces the whole launch.
JVM_OPTS="${JVM_OPTS:-@$REPO/deploy/jvm.options -Dio.netty.leakDetection.level=disabled}"
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"   # as the unit sets it (nginx and HAProxy, one thread each, have one arena anyway)
# Seconds of unmeasured load for each JVM (Passerelle, "before") before the first scenario. C2 keeps compiling
# for about half a minute under load (measured: the event loop's CPU per request falls from 47 to 31 us between the
# first and the second 20 s), and an always-on gateway runs compiled. WARMUP=3 measures from a cold start, as the
# figures before 2026-12-01 did.
WARMUP="${WARMUP:-30}"
JFR="${JFR:-}"   # a file name: record a JFR profile of Passerelle during the whole run (and of "before" beside it)
# Another build of Passerelle (e.g. the commit before a change) measured as target "before" in the HTTP/1.1
# scenarios, alternated with the others in the same run: before/after figures that share the machine's noise.
BASELINE_JAR="${BASELINE_JAR:-}"
BASELINE_JVM_OPTS="${BASELINE_JVM_OPTS:-$JVM_OPTS}"   # the same jar with other JVM flags compares launches
BASELINE_JAVA="${BASELINE_JAVA:-$JAVA}"   # the java of "before": the same jar on two JDKs compares runtimes
TRANSPORT="${TRANSPORT:-auto}"                    # server.transport of Passerelle: auto (epoll), epoll, io_uring, nio
BASELINE_TRANSPORT="${BASELINE_TRANSPORT:-$TRANSPORT}"   # of "before": the same jar twice compares transports
ACCESS_LOG="${ACCESS_LOG:-on}"   # off: Passerelle without its access log (nginx's is off), for like-for-like CPU

WORK="$(mktemp -d /tmp/passerelle-load.XXXXXX)"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    sleep 0.5
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    done
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

# ------------------------------------------------------------------ prerequisites
need_pkgs=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx-light)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need_pkgs+=(haproxy)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v h2load >/dev/null 2>&1 || need_pkgs+=(nghttp2-client)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]} from Debian packages"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
    # The packages start system services; this harness runs its own instances.
    $SUDO systemctl stop nginx haproxy 2>/dev/null || true
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"
[ "$(nproc)" -ge 2 ] || { log "needs 2 CPUs (proxy on one, load generator on the other)"; exit 1; }

JAR="$REPO/gateway/target/passerelle.jar"
if [ ! -f "$JAR" ]; then
    log "building $JAR"
    (cd "$REPO" && ./mvnw -q -B package -DskipTests)
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((IDLE_CONNS + 1000)) ]; then
    log "ulimit -n is $(ulimit -n): the idle scenario needs $((IDLE_CONNS + 1000)); it will open fewer connections"
    IDLE_CONNS=$(( $(ulimit -n) - 1000 ))
fi

# HAProxy wants 2 descriptors per connection below its maxconn.
HAPROXY_MAXCONN=$(( ($(ulimit -n) - 500) / 2 ))
[ "$HAPROXY_MAXCONN" -gt 30000 ] && HAPROXY_MAXCONN=30000

# ------------------------------------------------------------------ ports, files
# Free ports chosen now by the kernel (never 3306/5432/6379/5672/1883/4222, which other services may hold).
read -r P_BACKEND P_PASS P_NGINX P_HAPROXY P_PASS_IDLE P_PASS_TLS P_NGINX_TLS P_NGINX_H2C P_BEFORE < <(python3 - <<'EOF'
import socket
avoid = {3306, 5432, 6379, 5672, 1883, 4222}
socks, ports = [], []
while len(ports) < 9:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    socks.append(s)
    if p not in avoid:
        ports.append(p)
print(*ports)
EOF
)
mkdir -p "$WORK/www" "$WORK/nginx-backend" "$WORK/nginx-proxy" "$RESULTS"
chmod 755 "$WORK" "$WORK/www"   # nginx workers started by root run as an unprivileged user
head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 > "$WORK/www/page.html"
head -c 102400 /dev/urandom > "$WORK/www/photo.jpg"
cat > "$WORK/www/readonly.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Read-only</title></head>
<body><h1>This gallery is read-only for a moment</h1><p>We are moving it to a new server. Browsing still works;
comments, uploads and changes are paused and will be back shortly.</p></body></html>
EOF
HOSTS=1000
python3 - "$WORK/hosts.txt" "$HOSTS" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(f"gallery-{i}.photos.example.net\n")
EOF
ONE_HOST="gallery-0.photos.example.net"
# TLS: one certificate (RSA 2048, like most certificates served today) for every gallery name, for both proxies.
mkdir -p "$WORK/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=photos.example.net" \
    -addext "subjectAltName=DNS:*.photos.example.net" -keyout "$WORK/certs/bench.key" -out "$WORK/certs/bench.crt" 2>/dev/null
RO_HOST="readonly.photos.example.net"

# ------------------------------------------------------------------ backend: nginx, 1 KiB page and 100 KiB photo
cat > "$WORK/nginx-backend/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx-backend/nginx.pid;
error_log $WORK/nginx-backend/error.log warn;
worker_rlimit_nofile 30000;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path $WORK/nginx-backend/body;
    proxy_temp_path $WORK/nginx-backend/proxy;
    fastcgi_temp_path $WORK/nginx-backend/fcgi;
    uwsgi_temp_path $WORK/nginx-backend/uwsgi;
    scgi_temp_path $WORK/nginx-backend/scgi;
    types { text/html html; image/jpeg jpg; }
    server {
        listen 127.0.0.1:$P_BACKEND default_server;
        root $WORK/www;
        # POSTs reach the backend only when a proxy forwards them: answer them with the page, like a PHP would.
        error_page 405 =200 \$uri;
    }
}
EOF

# ------------------------------------------------------------------ Passerelle
server_line() {  # $1 = transport; auto is left out, so a build older than server.transport takes the line too
    if [ "$1" = auto ]; then echo "server: { ioThreads: 1 }"; else echo "server: { ioThreads: 1, transport: $1 }"; fi
}

pass_config() {  # $1 = port
    {
        echo "listeners: [\"127.0.0.1:$1\"]"
        echo "admin: { enabled: false }"
        echo "store: { url: \"jdbc:h2:file:$WORK/store/passerelle\", snapshot: \"$WORK/store/snapshot-$1.json\" }"
        echo "spool: { dir: \"$WORK/spool\" }"
        server_line "$TRANSPORT"
        # the access log in the work dir, not in the directory the harness was started from
        if [ "$ACCESS_LOG" = off ]; then echo "accessLog: { enabled: false }"; else echo "accessLog: { path: \"$WORK/access-$1.log\" }"; fi
        echo "limits: { maxConnectionsPerClient: 50000 }"
        echo "upstream: { maxIdlePerBackend: 256 }"
        # h2 by ALPN on the TLS listener (the default), and h2c with prior knowledge on the plain one
        echo "http2: { cleartext: true }"
        # wrk names the address, not the host, in its SNI: such handshakes get the default certificate
        # the plain listener proxies like nginx's (no 308 to https for the hosts the certificate covers)
        echo "tls: { listeners: [\"127.0.0.1:$P_PASS_TLS\"], certificates: { dir: \"$WORK/certs\" }, defaultCertificate: bench, redirectHttp: false }"
        echo "seed:"
        echo "  groups:"
        echo "    g: { backends: [\"127.0.0.1:$P_BACKEND\"] }"
        echo "    ro: { backends: [\"127.0.0.1:$P_BACKEND\"], mode: read-only, writes: reject, retryAfterSeconds: 420 }"
        echo "  hosts:"
        echo "    $RO_HOST: { group: ro, account: ro }"
        local i=0 h
        while read -r h; do
            echo "    $h: { group: g, account: a$i }"
            i=$((i + 1))
        done < "$WORK/hosts.txt"
    } > "$WORK/passerelle-$1.yml"
}

baseline_config() {  # $1 = port: pass_config without TLS and HTTP/2, which a build before them would refuse
    pass_config "$1"
    grep -v '^http2:\|^tls:\|^accessLog:' "$WORK/passerelle-$1.yml" | sed "s#$WORK/store/#$WORK/store-before/#; s#$WORK/spool#$WORK/spool-before#" \
        | sed "s#^server: .*#$(server_line "$BASELINE_TRANSPORT")#" \
        > "$WORK/before-$1.yml"
}

# ------------------------------------------------------------------ nginx as reverse proxy
{
    cat <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/nginx-proxy/error.log warn;
worker_rlimit_nofile 30000;
events { worker_connections 20000; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server_names_hash_max_size 4096;
    server_names_hash_bucket_size 64;
    client_body_temp_path $WORK/nginx-proxy/body;
    proxy_temp_path $WORK/nginx-proxy/proxy;
    fastcgi_temp_path $WORK/nginx-proxy/fcgi;
    uwsgi_temp_path $WORK/nginx-proxy/uwsgi;
    scgi_temp_path $WORK/nginx-proxy/scgi;
    upstream backend { server 127.0.0.1:$P_BACKEND; keepalive 256; keepalive_requests 1000000; }
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$remote_addr;
    proxy_set_header X-Forwarded-Proto \$scheme;
    proxy_buffers 16 16k;
    # Unknown hosts never reach the backend, as in Passerelle.
    server { listen 127.0.0.1:$P_NGINX default_server; return 404; }
    # h2c with prior knowledge (nginx serves it on a port of its own; Passerelle beside HTTP/1.1 on the same one)
    server { listen 127.0.0.1:$P_NGINX_H2C http2 default_server; return 404; }
    server {
        listen 127.0.0.1:$P_NGINX;
        server_name $RO_HOST;
        error_page 403 =503 /readonly.html;
        location = /readonly.html { internal; root $WORK/www; add_header Retry-After 420 always; add_header Cache-Control no-store always; }
        location / { limit_except GET HEAD OPTIONS { deny all; } proxy_pass http://backend; }
    }
    # TLS as Passerelle serves it: 1.2 and 1.3, Mozilla intermediate suites, session cache and tickets
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 1h;
    ssl_certificate $WORK/certs/bench.crt;
    ssl_certificate_key $WORK/certs/bench.key;
    server {
        listen 127.0.0.1:$P_NGINX;
        listen 127.0.0.1:$P_NGINX_TLS ssl http2;
        listen 127.0.0.1:$P_NGINX_H2C http2;
EOF
    printf '        server_name'
    while read -r h; do printf ' %s' "$h"; done < "$WORK/hosts.txt"
    printf ';\n'
    cat <<EOF
        location / { proxy_pass http://backend; }
    }
}
EOF
} > "$WORK/nginx-proxy/nginx.conf"

# ------------------------------------------------------------------ HAProxy, http mode
cat > "$WORK/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn $HAPROXY_MAXCONN
    log stdout format raw local0 emerg
defaults
    mode http
    timeout connect 3s
    timeout client 300s
    timeout server 60s
    timeout http-keep-alive 300s
    option http-keep-alive
    http-reuse always
frontend fe
    bind 127.0.0.1:$P_HAPROXY
    maxconn $HAPROXY_MAXCONN
    acl known hdr(host),lower,field(1,:) -m str -f $WORK/hosts.txt
    acl readonly hdr(host),lower,field(1,:) -m str $RO_HOST
    http-request return status 503 content-type "text/html; charset=utf-8" file $WORK/www/readonly.html hdr Retry-After 420 hdr Cache-Control no-store if readonly !METH_GET !METH_HEAD !METH_OPTIONS
    http-request deny deny_status 404 unless known or readonly
    option forwardfor
    default_backend be
backend be
    server b1 127.0.0.1:$P_BACKEND maxconn 1000
EOF

# ------------------------------------------------------------------ processes
start() {  # $1 = name, $2 = cpu, rest = command; the pid of the command is recorded in $WORK/$1.pid
    local name="$1" cpu="$2"; shift 2
    taskset -c "$cpu" "$@" > "$WORK/$name.out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    echo "$pid" > "$WORK/$name.pid"
}

wait_port() {  # $1 = port, $2 = name
    local i
    for i in $(seq 1 600); do   # up to a minute: a busy machine starts a JVM slowly
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        kill -0 "$(cat "$WORK/$2.pid")" 2>/dev/null || break
        sleep 0.1
    done
    log "$2 did not start on port $1:"; cat "$WORK/$2.out" >&2 || true
    exit 1
}

# All pids of a process and its children (nginx master + worker).
tree_pids() {
    local pid="$1"
    echo "$pid"
    local c
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}

cpu_ticks() {  # utime + stime of the process tree, in clock ticks
    local total=0 p f
    for p in $(tree_pids "$1"); do
        if [ -r /proc/"$p"/stat ]; then
            # fields after the ")": state is field 3; utime and stime are fields 14 and 15
            f=$(sed 's/^.*) //' /proc/"$p"/stat | awk '{print $12 + $13}')
            total=$((total + f))
        fi
    done
    echo "$total"
}

rss_kib() {  # resident memory of the process tree, KiB
    local total=0 p r
    for p in $(tree_pids "$1"); do
        r=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)
        total=$((total + ${r:-0}))
    done
    echo "$total"
}

log "work dir $WORK; ports: backend $P_BACKEND, passerelle $P_PASS, nginx $P_NGINX, haproxy $P_HAPROXY"
start backend "$LOAD_CPU" "$NGINX" -c "$WORK/nginx-backend/nginx.conf" -p "$WORK/nginx-backend"
pass_config "$P_PASS"
JFR_OPTS=()
[ -n "$JFR" ] && JFR_OPTS=("-XX:StartFlightRecording=filename=$JFR,settings=profile")
# shellcheck disable=SC2086
start passerelle "$PROXY_CPU" "$JAVA" $JVM_OPTS "${JFR_OPTS[@]}" -jar "$JAR" --config "$WORK/passerelle-$P_PASS.yml"
HTTP1_TARGETS="passerelle nginx haproxy"
if [ -n "$BASELINE_JAR" ]; then
    baseline_config "$P_BEFORE"
    BEFORE_JFR_OPTS=()   # the baseline's profile beside Passerelle's: x.jfr and x-before.jfr
    [ -n "$JFR" ] && BEFORE_JFR_OPTS=("-XX:StartFlightRecording=filename=${JFR%.jfr}-before.jfr,settings=profile")
    # shellcheck disable=SC2086
    start before "$PROXY_CPU" "$BASELINE_JAVA" $BASELINE_JVM_OPTS "${BEFORE_JFR_OPTS[@]}" -jar "$BASELINE_JAR" --config "$WORK/before-$P_BEFORE.yml"
    HTTP1_TARGETS="before passerelle nginx haproxy"
fi
start nginx "$PROXY_CPU" "$NGINX" -c "$WORK/nginx-proxy/nginx.conf" -p "$WORK/nginx-proxy"
start haproxy "$PROXY_CPU" "$HAPROXY" -db -f "$WORK/haproxy.cfg"
wait_port "$P_BACKEND" backend
wait_port "$P_PASS" passerelle
wait_port "$P_NGINX" nginx
wait_port "$P_HAPROXY" haproxy
BACKEND_PID=$(cat "$WORK/backend.pid")
declare -A PORT=([direct]=$P_BACKEND [passerelle]=$P_PASS [nginx]=$P_NGINX [haproxy]=$P_HAPROXY)
declare -A TLS_PORT=([passerelle]=$P_PASS_TLS [nginx]=$P_NGINX_TLS)
declare -A H2C_PORT=([passerelle]=$P_PASS [nginx]=$P_NGINX_H2C)
declare -A PID=([direct]=$BACKEND_PID [passerelle]=$(cat "$WORK/passerelle.pid") [nginx]=$(cat "$WORK/nginx.pid") [haproxy]=$(cat "$WORK/haproxy.pid"))
if [ -n "$BASELINE_JAR" ]; then
    wait_port "$P_BEFORE" before
    PORT[before]=$P_BEFORE
    PID[before]=$(cat "$WORK/before.pid")
fi

# Sanity: each target proxies a known host and refuses an unknown one.
for t in $HTTP1_TARGETS; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $ONE_HOST" "http://127.0.0.1:${PORT[$t]}/page.html" || true)
    unknown=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: nobody.example.org" "http://127.0.0.1:${PORT[$t]}/page.html" || true)
    [ "$code" = 200 ] || { log "$t does not proxy (status $code)"; cat "$WORK/$t.out" >&2; exit 1; }
    log "$t: known host $code, unknown host $unknown"
done

# ------------------------------------------------------------------ wrk runs
RAW="$WORK/raw.tsv"
: > "$RAW"
LUA_DIR="$WORK/lua"
mkdir -p "$LUA_DIR"
cat > "$LUA_DIR/hosts.lua" <<'EOF'
-- Rotates the Host header over the names of a file; requests are pre-formatted so wrk's own cost stays flat.
local path, method, body = os.getenv("WRK_HOSTS"), os.getenv("WRK_METHOD") or "GET", os.getenv("WRK_BODY")
local close = os.getenv("WRK_CLOSE")
local limit = tonumber(os.getenv("WRK_NHOSTS") or "1000000")
local reqs, i = {}, 0
function init(args)
    for h in io.lines(path) do
        if #reqs >= limit then break end
        local headers = { Host = h }
        if body then headers["Content-Type"] = "application/x-www-form-urlencoded" end
        if close then headers["Connection"] = "close" end
        reqs[#reqs + 1] = wrk.format(method, wrk.path, headers, body)
    end
end
function request()
    i = i % #reqs + 1
    return reqs[i]
end
-- WRK_DELAY_MS: each connection pauses that long before each request, so every target gets about the same offered
-- load instead of as much as it can take (the paced scenario)
local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if pause > 0 then
    function delay() return pause end
end
EOF

# run <scenario> <target> <round> <conns> <path> <hosts file> <nhosts> [method body]
run() {
    local scenario="$1" target="$2" round="$3" conns="$4" path="$5" hosts="$6" nhosts="$7" method="${8:-GET}" body="${9:-}"
    local pid="${PID[$target]}" before after out url="http://127.0.0.1:${PORT[$target]}$path"
    [ -n "${TLS_RUN:-}" ] && url="https://127.0.0.1:${TLS_PORT[$target]}$path"
    before=$(cpu_ticks "$pid")
    out=$(WRK_HOSTS="$hosts" WRK_NHOSTS="$nhosts" WRK_METHOD="$method" WRK_BODY="$body" WRK_DELAY_MS="${WRK_DELAY_MS:-0}" \
        taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 5s --latency -s "$LUA_DIR/hosts.lua" \
        "$url" 2>&1)
    after=$(cpu_ticks "$pid")
    printf '%s' "$out" | python3 "$HERE/parse_wrk.py" "$scenario" "$target" "$round" "$((after - before))" >> "$RAW"
    tail -n 1 "$RAW" | awk -F'\t' '{printf "  %-10s %-11s round %s: %9.0f req/s  p50 %8.0f us  p99 %8.0f us  non-2xx %s errors %s\n", $1, $2, $3, $4, $5, $6, $9, $10}' >&2
}

# run_h2 <scenario> <target> <round> <url>: h2load, $H2_CONNS connections x $H2_STREAMS streams, 1 KiB GETs
run_h2() {
    local scenario="$1" target="$2" round="$3" url="$4"
    local pid="${PID[$target]}" before after out log="$WORK/h2load.log"
    before=$(cpu_ticks "$pid")
    out=$(taskset -c "$LOAD_CPU" h2load -c"$H2_CONNS" -m"$H2_STREAMS" -D"$DURATION" -H ":authority: $ONE_HOST" \
        --log-file="$log" "$url" 2>&1)
    after=$(cpu_ticks "$pid")
    printf '%s' "$out" | python3 "$HERE/parse_h2load.py" "$scenario" "$target" "$round" "$((after - before))" "$log" >> "$RAW"
    rm -f "$log"
    tail -n 1 "$RAW" | awk -F'\t' '{printf "  %-10s %-11s round %s: %9.0f req/s  p50 %8.0f us  p99 %8.0f us  non-2xx %s errors %s\n", $1, $2, $3, $4, $5, $6, $9, $10}' >&2
}

warm() {  # an unmeasured run per target, so the JIT and the pools are warm
    local target seconds
    for target in "$@"; do
        seconds=3
        case "$target" in passerelle|before) seconds=$(( WARMUP > 3 ? WARMUP : 3 )) ;; esac
        # two thirds on the 1 KiB page, one third on the photo: the JIT compiles the paths it has seen run
        WRK_HOSTS="$WORK/hosts.txt" WRK_NHOSTS=1000 taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$(( seconds * 2 / 3 ))s" \
            -s "$LUA_DIR/hosts.lua" "http://127.0.0.1:${PORT[$target]}/page.html" >/dev/null 2>&1 || true
        WRK_HOSTS="$WORK/hosts.txt" WRK_NHOSTS=1000 taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$(( seconds - seconds * 2 / 3 ))s" \
            -s "$LUA_DIR/hosts.lua" "http://127.0.0.1:${PORT[$target]}/photo.jpg" >/dev/null 2>&1 || true
    done
}

# Moves the backend to a CPU (to measure it directly, alone on the proxy CPU, like the proxies).
backend_cpu() {
    local p
    for p in $(tree_pids "$BACKEND_PID"); do taskset -pc "$1" "$p" >/dev/null; done
}

HOSTS1="$WORK/one-host.txt"
echo "$ONE_HOST" > "$HOSTS1"
ROHOSTS="$WORK/ro-host.txt"
echo "$RO_HOST" > "$ROHOSTS"
FORM='method=pwg.images.setInfo&image_id=1234&name=Sunset'

log "warming up (the JVMs for ${WARMUP}s each)"
warm $HTTP1_TARGETS

for scenario in $SCENARIOS; do
    case "$scenario" in
    get1k)
        log "scenario get1k: GET 1 KiB, $CONNS connections"
        for r in $(seq 1 "$ROUNDS"); do for t in $HTTP1_TARGETS; do
            run get1k "$t" "$r" "$CONNS" /page.html "$HOSTS1" 1
        done; done ;;
    get100k)
        log "scenario get100k: GET 100 KiB, $CONNS connections"
        for r in $(seq 1 "$ROUNDS"); do for t in $HTTP1_TARGETS; do
            run get100k "$t" "$r" "$CONNS" /photo.jpg "$HOSTS1" 1
        done; done ;;
    onecon)
        log "scenario onecon: GET 1 KiB, 1 connection (latency added over the direct backend)"
        for r in $(seq 1 "$ROUNDS"); do for t in direct $HTTP1_TARGETS; do
            run onecon "$t" "$r" 1 /page.html "$HOSTS1" 1
        done; done ;;
    readonly)
        log "scenario readonly: POST to a read-only group, $CONNS connections (direct: backend GET 1 KiB, backend alone on CPU $PROXY_CPU)"
        for t in $HTTP1_TARGETS; do
            log "  $t answers the POST with: $(curl -s -o /dev/null -w '%{http_code}' -H "Host: $RO_HOST" -d "$FORM" "http://127.0.0.1:${PORT[$t]}/ws.php?format=json")"
            # unmeasured, like the GET warm-up: this path (classification, notice) is not warm yet in any target
            WRK_HOSTS="$ROHOSTS" WRK_NHOSTS=1 WRK_METHOD=POST WRK_BODY="$FORM" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d3s \
                -s "$LUA_DIR/hosts.lua" "http://127.0.0.1:${PORT[$t]}/ws.php?format=json" >/dev/null 2>&1 || true
        done
        for r in $(seq 1 "$ROUNDS"); do
            for t in $HTTP1_TARGETS; do
                run readonly "$t" "$r" "$CONNS" "/ws.php?format=json" "$ROHOSTS" 1 POST "$FORM"
            done
            backend_cpu "$PROXY_CPU"
            run readonly direct "$r" "$CONNS" /page.html "$HOSTS1" 1
            backend_cpu "$LOAD_CPU"
        done ;;
    paced)
        # Saturating the proxy's core also leaves the load generator idle more often for a slower proxy, and waking
        # it costs the proxy; at one offered load the targets are compared on the same footing.
        log "scenario paced: GET 1 KiB, $CONNS connections, each pausing ${PACED_DELAY_MS} ms before each request (the same offered load for every target)"
        for r in $(seq 1 "$ROUNDS"); do for t in $HTTP1_TARGETS; do
            WRK_DELAY_MS="$PACED_DELAY_MS" run paced "$t" "$r" "$CONNS" /page.html "$HOSTS1" 1
        done; done ;;
    hosts)
        log "scenario hosts: GET 1 KiB, $CONNS connections, Host rotating over 1,000 names vs one name"
        for r in $(seq 1 "$ROUNDS"); do for t in $HTTP1_TARGETS; do
            run hosts1 "$t" "$r" "$CONNS" /page.html "$HOSTS1" 1
            run hosts1000 "$t" "$r" "$CONNS" /page.html "$WORK/hosts.txt" 1000
        done; done ;;
    tls1k)
        log "scenario tls1k: GET 1 KiB over kept-alive TLS, $CONNS connections (the same certificate for both)"
        for t in passerelle nginx; do   # unmeasured: the TLS paths are not warm yet
            taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d3s -H "Host: $ONE_HOST" "https://127.0.0.1:${TLS_PORT[$t]}/page.html" >/dev/null 2>&1 || true
        done
        for r in $(seq 1 "$ROUNDS"); do for t in passerelle nginx; do
            TLS_RUN=1 run tls1k "$t" "$r" "$CONNS" /page.html "$HOSTS1" 1
        done; done ;;
    tlsnew)
        log "scenario tlsnew: a new TLS connection (full handshake) per request, 16 connections at a time"
        for t in passerelle nginx; do   # unmeasured: warms the handshake path
            taskset -c "$LOAD_CPU" wrk -t1 -c16 -d3s -H "Host: $ONE_HOST" -H "Connection: close" \
                "https://127.0.0.1:${TLS_PORT[$t]}/page.html" >/dev/null 2>&1 || true
        done
        for r in $(seq 1 "$ROUNDS"); do for t in passerelle nginx; do
            TLS_RUN=1 WRK_CLOSE=1 run tlsnew "$t" "$r" 16 /page.html "$HOSTS1" 1
        done; done ;;
    h2|h2c)
        if [ "$scenario" = h2 ]; then
            log "scenario h2: GET 1 KiB over HTTP/2 on TLS (ALPN h2, the same certificate), $H2_CONNS connections x $H2_STREAMS streams"
        else
            log "scenario h2c: GET 1 KiB over cleartext HTTP/2 (prior knowledge), $H2_CONNS connections x $H2_STREAMS streams"
        fi
        h2url() { if [ "$scenario" = h2 ]; then echo "https://127.0.0.1:${TLS_PORT[$1]}/page.html"; else echo "http://127.0.0.1:${H2C_PORT[$1]}/page.html"; fi; }
        for t in passerelle nginx; do   # unmeasured: the HTTP/2 paths are not warm yet (the JIT takes a while)
            taskset -c "$LOAD_CPU" h2load -c"$H2_CONNS" -m"$H2_STREAMS" -D8 -H ":authority: $ONE_HOST" "$(h2url "$t")" >/dev/null 2>&1 || true
        done
        for r in $(seq 1 "$ROUNDS"); do for t in passerelle nginx; do
            run_h2 "$scenario" "$t" "$r" "$(h2url "$t")"
        done; done ;;
    idle)
        log "scenario idle: $IDLE_CONNS idle keep-alive connections (each has done one request), resident memory"
        # A fresh Passerelle, so its figure is not inflated by the heap the load runs touched.
        pass_config "$P_PASS_IDLE"
        # shellcheck disable=SC2086
        start passerelle-idle "$PROXY_CPU" "$JAVA" $JVM_OPTS -jar "$JAR" --config "$WORK/passerelle-$P_PASS_IDLE.yml"
        wait_port "$P_PASS_IDLE" passerelle-idle
        PORT[passerelle-idle]=$P_PASS_IDLE
        PID[passerelle-idle]=$(cat "$WORK/passerelle-idle.pid")
        for t in passerelle-idle nginx haproxy; do
            before=$(rss_kib "${PID[$t]}")
            n=$IDLE_CONNS
            [ "$t" = haproxy ] && [ "$n" -gt $((HAPROXY_MAXCONN - 100)) ] && n=$((HAPROXY_MAXCONN - 100))
            python3 "$HERE/idle_conns.py" "${PORT[$t]}" "$ONE_HOST" "$n" "$WORK/idle-$t.ready" &
            client=$!
            PIDS+=("$client")
            for _ in $(seq 1 600); do [ -f "$WORK/idle-$t.ready" ] && break; sleep 0.1; done
            sleep 1
            after=$(rss_kib "${PID[$t]}")
            opened=$(cat "$WORK/idle-$t.ready" 2>/dev/null || echo 0)
            kill "$client" 2>/dev/null || true
            wait "$client" 2>/dev/null || true
            printf 'idle\t%s\t1\t0\t0\t0\t%s\t%s\t0\t0\t%s\n' "$t" "$before" "$after" "$opened" >> "$RAW"
            log "  $t: RSS $((before / 1024)) MiB before, $((after / 1024)) MiB with $opened idle connections"
            sleep 1
        done ;;
    *) log "unknown scenario $scenario"; exit 1 ;;
    esac
done

# ------------------------------------------------------------------ report
{
    echo "Passerelle load harness — $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
    echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1); kernel $(uname -r)"
    echo "versions: $("$JAVA" -version 2>&1 | head -1); $("$NGINX" -v 2>&1); $("$HAPROXY" -v | head -1 | cut -d' ' -f1-3); wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
    [ -n "$BASELINE_JAR" ] && echo "before: $BASELINE_JAR on $("$BASELINE_JAVA" -version 2>&1 | head -1), JVM: $BASELINE_JVM_OPTS, transport $BASELINE_TRANSPORT"
    echo "passerelle JVM: $JVM_OPTS; proxies on CPU $PROXY_CPU, wrk + backend on CPU $LOAD_CPU; $ROUNDS rounds x ${DURATION}s per target, alternated; JVMs warmed ${WARMUP}s first"
    echo
    python3 "$HERE/report.py" "$RAW"
} | tee "$RESULTS/latest.txt"
cp "$RAW" "$RESULTS/latest-raw.tsv"
