#!/usr/bin/env bash
# End-to-end TLS check of a fresh build, as a user would do it (minutes, so not in the unit suite):
#   1. makes a CA and two customers' certificates with openssl (RSA, and EC in its SEC 1 form);
#   2. starts gateway/target/passerelle.jar with TLS listeners on 127.0.0.1 and ::1 (ports chosen by the kernel,
#      read from the log) and a python3 backend;
#   3. curl --resolve reaches both galleries over https on IPv4 and IPv6, each with its own certificate, and an
#      unknown name fails the handshake;
#   4. testssl.sh (Debian package testssl.sh) against the TLS listener: no protocol older than TLS 1.2, no weak
#      cipher, forward secrecy, a chain that verifies against the CA. Exit status 0 when all of that holds.
#
#   deploy/tls-check.sh            # SKIP_TESTSSL=1 for steps 1-3 only
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
JAR="$REPO/gateway/target/passerelle.jar"
WORK="$(mktemp -d /tmp/passerelle-tls-check.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "tls-check: FAILED: $*" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$REPO" && ./mvnw -q -B package -DskipTests)
command -v testssl >/dev/null || [ -n "${SKIP_TESTSSL:-}" ] || { echo "installing testssl.sh" >&2; apt-get install -y -qq testssl.sh >/dev/null; }

# ---- certificates
mkdir -p "$WORK/certs" && cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 365 -subj "/CN=tls-check CA" 2>/dev/null
issue() { # issue NAME KEYARGS SAN
  openssl req -new -newkey "$2" -nodes -keyout "certs/$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 90 -extfile "$1.ext" -out "$1.leaf" 2>/dev/null
  cat "$1.leaf" ca.crt > "certs/$1.crt"; chmod 600 "certs/$1.key"
}
issue alice rsa:2048 "DNS:alice.gallery.test"
openssl ecparam -name prime256v1 -genkey -noout -out certs/bob.key
openssl req -new -key certs/bob.key -out bob.csr -subj "/CN=bob" 2>/dev/null
printf 'subjectAltName=DNS:bob.gallery.test\nextendedKeyUsage=serverAuth\n' > bob.ext
openssl x509 -req -in bob.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 90 -extfile bob.ext -out bob.leaf 2>/dev/null
cat bob.leaf ca.crt > certs/bob.crt; chmod 600 certs/bob.key

# ---- backend and gateway
python3 -m http.server 0 --bind 127.0.0.1 > backend.log 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do grep -q "Serving HTTP" backend.log && break; sleep 0.1; done
BACKEND_PORT="$(sed -n 's/.*port \([0-9]*\).*/\1/p' backend.log | head -1)"
cat > passerelle.yml <<YML
listeners: ["127.0.0.1:0"]
admin: { enabled: false }
store: { url: "jdbc:h2:file:$WORK/data/passerelle", snapshot: "$WORK/data/snapshot.json" }
spool: { dir: "$WORK/data/spool" }
tls:
  listeners: ["127.0.0.1:0", "[::1]:0"]
  certificates: { dir: "$WORK/certs" }
seed:
  groups: { g: { backends: ["127.0.0.1:$BACKEND_PORT"] } }
  hosts:
    alice.gallery.test: { group: g, account: alice }
    bob.gallery.test: { group: g, account: bob }
YML
java -Dio.netty.leakDetection.level=disabled -jar "$JAR" --config passerelle.yml > gateway.log 2>&1 & PIDS+=($!)
for _ in $(seq 1 300); do grep -q "passerelle .* started" gateway.log && break; sleep 0.1; done
grep -q "passerelle .* started" gateway.log || { cat gateway.log; fail "the gateway did not start"; }
V4="$(sed -n 's|.*listening TLS on /127.0.0.1:\([0-9]*\).*|\1|p' gateway.log)"
V6="$(sed -n 's|.*listening TLS on /\[0:0:0:0:0:0:0:1\]:\([0-9]*\).*|\1|p' gateway.log)"
echo "TLS listeners: 127.0.0.1:$V4 and [::1]:$V6"

# ---- curl --resolve, both galleries, both families
for host in alice bob; do
  for addr in "127.0.0.1:$V4" "[::1]:$V6"; do
    port="${addr##*:}"; ip="${addr%:*}"
    out="$(curl -sS -v --cacert ca.crt --resolve "$host.gallery.test:$port:$ip" "https://$host.gallery.test:$port/" 2>&1)" \
      || fail "curl $host over $addr: $out"
    grep -q "subject: CN=$host" <<<"$out" || fail "$host over $addr: wrong certificate: $(grep subject: <<<"$out")"
    grep -qE "< HTTP/(1.1|2) 200" <<<"$out" || fail "$host over $addr: no 200: $(grep "^< HTTP" <<<"$out")"
    echo "ok: https://$host.gallery.test over $addr, $(grep -o 'SSL connection using [^ ]* / [^ ]*' <<<"$out")"
  done
done
if curl -sS --cacert ca.crt --resolve "mallory.gallery.test:$V4:127.0.0.1" "https://mallory.gallery.test:$V4/" >mallory.out 2>&1; then
  fail "an unknown name was served"
fi
grep -qi "unrecognized name" mallory.out || fail "unknown name: $(cat mallory.out)"
echo "ok: unknown name refused: $(cat mallory.out)"

[ -n "${SKIP_TESTSSL:-}" ] && exit 0
# ---- testssl.sh
testssl --quiet --color 0 --warnings off --add-ca "$WORK/ca.crt" --ip 127.0.0.1 -p -s -f -S -U \
  --jsonfile "$WORK/testssl.json" "https://alice.gallery.test:$V4" > testssl.txt 2>&1 || true
sed -n '/Testing protocols/,$p' testssl.txt
python3 - "$WORK/testssl.json" <<'PY'
import json, sys
findings = {f["id"]: f for f in json.load(open(sys.argv[1]))}
def finding(i): return findings.get(i, {}).get("finding", "")
bad = []
for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
    if "not offered" not in finding(p): bad.append(f"{p}: {finding(p)}")
for p in ("TLS1_2", "TLS1_3"):
    if "offered" not in finding(p) or "not offered" in finding(p): bad.append(f"{p}: {finding(p)}")
for c in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_OBSOLETED"):
    if c in findings and "not offered" not in finding(c): bad.append(f"{c}: {finding(c)}")
trust = [f for i, f in findings.items() if i.startswith("cert_trust") or i.startswith("cert_chain_of_trust")]
for f in trust:
    if f["severity"] in ("HIGH", "CRITICAL"): bad.append(f'{f["id"]}: {f["finding"]}')
# A private test CA publishes no revocation: not a property of the server under test.
vulns = [f for f in findings.values() if f["severity"] in ("HIGH", "CRITICAL") and f["id"] != "cert_revocation"]
bad += [f'{f["id"]}: {f["finding"]}' for f in vulns if f'{f["id"]}: {f["finding"]}' not in bad]
print("testssl summary:", "OK" if not bad else "PROBLEMS")
for b in bad: print("  -", b)
sys.exit(1 if bad else 0)
PY
