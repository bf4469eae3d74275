#!/usr/bin/env bash
# tests/e2e/variety.sh - honest TLS sessions of real stacks to the E2M server
# (e2m.customs.example, the strict zone, shipped policy: allow:e2m, checked
# for its whole life) that use the corners of TLS and TCP: a HelloRetryRequest,
# 0-RTT early data, KeyUpdate, many session tickets, TLS 1.2 client
# certificates, renegotiation and resumption, large transfers, half-close,
# RST at the end, and path conditions (random loss, reordering, duplication,
# small MTU). Each must work through aduana, as it works without it. The
# world is tests/e2e/lib.sh's; aduana runs live on net_af_packet.
#
# The servers: nginx on 198.51.100.5:443 (lib.sh: uploads by PUT to /up/,
# /big.bin); openssl s_server on 198.51.100.7:443 (one per session, with that
# session's options); a Python (OpenSSL) server on 198.51.100.8:443 for the
# ends of a connection (its script is written into the work directory). Both
# addresses are in the E2M endpoint's /28, port 443. The clients: curl,
# openssl s_client and Python's ssl on the E2M workstation 10.10.1.10, each
# connection from its own source port.
#
# A session passes when its client completes with the data's sha256 at the
# other end (both ways where it sends both ways), when every flow record of
# its source ports says allow:e2m (and one has the server's bytes), and when
# the dataplane's counters that moved during it (read from the control
# socket before and after) show no stream exception, no TLS hello refused and
# no drop other than of segments past a gap (drops.reordered, on the
# sessions with a damaged path) or of frames the veth would not take
# (tx_failed). At the end the summary must balance (rx = tx + dropped).
#
# Sessions that aduana refuses today are kept: VARIETY_OPEN (default below)
# names them, and each such failure prints "OPEN variety/<name>: why" instead
# of FAIL (not counted as failed). VARIETY_OPEN= runs them as must-pass. A
# listed session that passes says so (remove it from the list).
#
# Prints "PASS variety/<name>", "FAIL variety/<name>: detail" or "OPEN ...",
# and ends with "variety: N passed, N failed[, N skipped][, N open]". Each
# session's counters, times and flow records go to stderr. Needs root,
# nftables (installed when missing); skips like tests/e2e/run.sh where
# namespaces cannot be made. Path conditions use nftables (random drop,
# steal, copy; tests/e2e/late.py), not netem: sch_netem is often not built.
# Environment: BUILD (default build), VARIETY_OPEN, VARIETY_SESSIONS="a b"
# (only those), VARIETY_CAPS (default /tmp/variety-caps: the pcaps, taken on
# the inside host's interface, of the sessions that failed or are open;
# tcpdump or dumpcap, when there), E2E_KEEP=1 keeps the work directory (kept
# after a failure).
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
case $BUILD in /*) BIN=$BUILD/aduana ;; *) BIN=$ROOT/$BUILD/aduana ;; esac
# shellcheck disable=SC2034 # read by lib.sh
E2E_TAG=va$$
# shellcheck source=tests/e2e/lib.sh
. "$ROOT/tests/e2e/lib.sh"

SESSIONS=(tls13_hrr tls13_tickets early_1k early_16k early_hrr_1k early_hrr_16k
	keyupdate tls12_client_cert tls12_reneg_client tls12_reneg_server
	tls12_resume_ticket tls12_resume_id upload_12m upload_12m_tls12 download_12m
	close_notify_fin half_close rst_client rst_server zero_window keepalive
	small_records record_padding tls12_maxfraglen
	loss_up loss_down loss_after reorder_up reorder_down dup
	mtu_1280 mtu_576 no_sack_up no_ts_up ecn)
# The sessions aduana breaks today (found by this script, 2026-12-07):
#   no_ts_up       a client without TCP timestamps (Windows' default), 1%
#                  loss before aduana: the upload stalled (RTO after RTO);
#                  about 8 to 10 s since the thirty-fifth session; 0.1 s
#                  without aduana
#   reorder_up     5% of packets 30 ms late: 2 MB up took about 17 s, 4 to
#                  10 s since the thirty-fifth session (0.15 s without aduana)
#   reorder_down   the same down: 4 to 10 s (0.09 s without aduana)
# (loss_up, 2% loss before aduana, took about 15 s for 2 MB: 1.3 to 2.6 s
# since the thirty-fifth session, which passes the client's gap inside a
# record's body over as the server's was; 0.5 s without aduana.)
# The last three are one cause: segments past a gap that holds a record
# header are held (16 a flow) or dropped (drops.reordered), so the receiver
# sees no data past the hole, sends no duplicate ACK or SACK, and the
# sender waits for its retransmission timeout, then sends the whole window
# again. Their times vary with the machine's load.
# (early_hrr_16k, 0-RTT with 15.6 KiB of early data rejected by an HRR, was
# refused until the thirty-sixth session: its second hello lay past the
# first-bytes slot's 16 KiB; the slot holds 32 KiB since.)
VARIETY_OPEN=${VARIETY_OPEN-no_ts_up reorder_up reorder_down}
[ -n "${VARIETY_SESSIONS:-}" ] && read -r -a SESSIONS <<<"$VARIETY_SESSIONS"
CAPS=${VARIETY_CAPS:-/tmp/variety-caps}

passed=0
failed=0
skipped=0
opened=0
pass() { echo "PASS variety/$1${2:+ ($2)}"; passed=$((passed + 1)); }
fail() { echo "FAIL variety/$1: $(cut -c1-1500 <<<"$2")"; failed=$((failed + 1)); }
open_() { echo "OPEN variety/$1: $(cut -c1-1500 <<<"$2")"; opened=$((opened + 1)); }
is_open() { [[ " $VARIETY_OPEN " == *" $1 "* ]]; }
result_line() {
	local l="variety: $passed passed, $failed failed"
	[ $skipped -gt 0 ] && l="$l, $skipped skipped"
	[ $opened -gt 0 ] && l="$l, $opened open"
	echo "$l"
}
skip_all() {
	echo "SKIP variety: $1 (all ${#SESSIONS[@]} sessions skipped)"
	skipped=${#SESSIONS[@]}
	result_line
	exit 0
}
fail_all() {
	fail setup "$1 (none of the ${#SESSIONS[@]} sessions could run)"
	result_line
	exit 1
}
err() { echo "variety: $1: $2" >&2; }

[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces, af_packet)"
command -v ip >/dev/null || skip_all "no iproute2 (ip)"
probe_err=$(e2e_netns_check) || skip_all "$probe_err"
[ -x "$BIN" ] || fail_all "$BIN does not exist; build it first (make)"
e2e_install nftables=/usr/sbin/nft || skip_all "cannot install $E2E_MISSING"
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

T=$(mktemp -d /tmp/aduana-variety.XXXXXX)
chmod 755 "$T"
mkdir -p "$T/s" "$T/caps"
ADUANA_PID=
SINKS=()
cleanup() {
	trap - EXIT INT TERM
	[ -n "$ADUANA_PID" ] && stop_pid "$ADUANA_PID" INT
	local s
	for s in "${SINKS[@]}"; do ip netns del "$s" 2>/dev/null; done
	e2e_teardown
	if [ "${E2E_KEEP:-0}" = 1 ] || [ $failed -gt 0 ]; then
		echo "variety: work directory kept: $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_topology aduana || fail_all "cannot create the namespaces and veths"
e2e_pki || fail_all "openssl could not make the test certificates"
P=$T/pki
# A client certificate from the test CA (TLS 1.2 client authentication).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=ws1.e2m.customs.example" \
	-keyout "$P/client.key" -out "$P/client.csr" >/dev/null 2>&1 &&
	openssl x509 -req -in "$P/client.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
		-out "$P/client.crt" >/dev/null 2>&1 || fail_all "cannot make the client certificate"
chmod 644 "$P"/*
e2e_start_nginx
# The openssl and Python servers' addresses, in the E2M endpoint's /28.
ip -n "$E2E_NS_OUT" addr add 198.51.100.7/32 dev host
ip -n "$E2E_NS_OUT" addr add 198.51.100.8/32 dev host

# The data. Binary goes only where nothing reads commands from it. What an
# s_client or s_server sends from its standard input is hex text in lines of
# 60 (a line that starts a read with Q, R, k or K would be a command).
rnd() { head -c "$1" /dev/urandom; }
hexlines() { od -An -v -tx1 | tr -d ' \n' | fold -w 60; echo; }
rnd 12000000 >"$T/nginx/big.bin"
rnd 12000000 >"$T/up12m.bin"
rnd 4000000 >"$T/d4m.bin"
rnd 2000000 >"$T/d2m.bin"
mkdir -p "$T/nginx/up"
cp "$T/d2m.bin" "$T/nginx/up/d2m.bin"
rnd 3000000 >"$T/up3m.bin"
rnd 150000 | hexlines >"$T/hexA"
rnd 150000 | hexlines >"$T/hexB"
rnd 90000 | hexlines >"$T/hexC"
rnd 510 | hexlines >"$T/early1k"
# 15.6 KiB of early data: with the hello, past the first 16 KiB of the stream
rnd 7980 | hexlines >"$T/early16k"
sha() { sha256sum <"$1" | cut -d' ' -f1; }
# the hex lines of an s_server's output, as sent: its own lines taken out
# first (printed as they happen, stdbuf -o0: one may fall inside a line of
# the data)
hexof() {
	/usr/bin/python3 -c '
import re, sys
t = open(sys.argv[1], "rb").read()
t = re.sub(rb"(SSL_do_handshake -> -?[0-9]+|Read BLOCK|Write BLOCK|Read R BLOCK|KEYUPDATE|RENEGOTIATING|DONE|shutting down SSL|CONNECTION CLOSED|Early data received:)\n", b"", t)
sys.stdout.buffer.write(b"".join(l + b"\n" for l in t.split(b"\n") if re.fullmatch(rb"[0-9a-f]{1,60}", l)))
' "$1" | sha256sum | cut -d' ' -f1
}

wait_until 10 nso curl -sf --max-time 2 --cacert "$CA" --resolve e2m.customs.example:443:198.51.100.5 \
	https://e2m.customs.example/ >/dev/null || fail_all "nginx does not answer"

# The Python end: one connection per run, the ends of a connection under
# control (a memory BIO over a plain socket: close_notify, FIN and RST each
# when chosen). The client sends an 8-byte length and its data; the server
# answers with the data's sha256 in hex and a newline, an 8-byte length and
# its own data. Then, by mode:
#   close_notify_fin  the client sends close_notify then FIN after reading
#                     all; the server answers close_notify, then FIN
#   half_close        the client sends close_notify and FIN (shutdown
#                     SHUT_WR) right after its data, before the answer; the
#                     server reads to the close_notify, then answers
#   rst_client        the client resets (SO_LINGER 0) after reading all,
#                     without close_notify
#   rst_server        the client sends one byte after reading all; the server
#                     resets on it, without close_notify
#   zero_window       as close_notify_fin, but the server reads the upload only
#                     2 s after the handshake and the client the answer only
#                     2 s after its upload: each receive window fills (zero
#                     window, the sender's probes)
#   keepalive         as close_notify_fin, with TCP keepalive after 1 s idle
#                     each 1 s on both ends, and 2.5 s idle on each side
#                     (the client before its upload, the server before its
#                     answer)
cat >"$T/ends.py" <<'PY'
import hashlib, os, socket, ssl, struct, sys, time

class Tls:
    def __init__(self, sock, ctx, server, sni=None):
        self.s, self.i, self.o = sock, ssl.MemoryBIO(), ssl.MemoryBIO()
        self.t = ctx.wrap_bio(self.i, self.o, server_side=server, server_hostname=sni)
        self.eof = False
        self.buf = b""
    def flush(self):
        d = self.o.read()
        if d:
            self.s.sendall(d)
    def fill(self):
        if self.eof:
            raise ConnectionError("TCP end without close_notify")
        d = self.s.recv(65536)
        if d:
            self.i.write(d)
        else:
            self.eof = True
            self.i.write_eof()
    def handshake(self):
        while True:
            try:
                self.t.do_handshake()
                self.flush()
                return
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()
    def send(self, data):
        mv = memoryview(data)
        while mv:
            n = self.t.write(mv[:16384])
            mv = mv[n:]
            self.flush()
    def recv(self):
        while True:
            try:
                return self.t.read(65536)
            except ssl.SSLWantReadError:
                self.flush()
                self.fill()
            except ssl.SSLZeroReturnError:
                return b""
    def exact(self, n):
        b = bytearray(self.buf)
        while len(b) < n:
            d = self.recv()
            if not d:
                raise ConnectionError("close_notify after %d of %d bytes" % (len(b), n))
            b += d
        self.buf = bytes(b[n:])
        return bytes(b[:n])
    def more(self):
        if self.buf:
            d, self.buf = self.buf, b""
            return d
        return self.recv()
    def close_notify(self):
        try:
            self.t.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            pass
        self.flush()

def keepalive(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)

def rst(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

def server(mode, addr, cert, key, out):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, 443))
    ls.listen(1)
    print("ready", flush=True)
    s, _ = ls.accept()
    if mode == "keepalive":
        keepalive(s)
    t = Tls(s, ctx, True)
    t.handshake()
    if mode == "zero_window":
        time.sleep(2)
    n = struct.unpack(">Q", t.exact(8))[0]
    got = t.exact(n)
    if mode == "keepalive":
        time.sleep(2.5)
    if mode == "half_close":
        if t.more() != b"":
            raise ConnectionError("data past the upload")
        print("close_notify read; TCP end %s" % t.eof, flush=True)
    data = open(out, "rb").read()
    t.send(hashlib.sha256(got).hexdigest().encode() + b"\n" + struct.pack(">Q", len(data)) + data)
    if mode == "rst_server":
        t.exact(1)
        rst(s)
    elif mode == "half_close":
        t.close_notify()
        s.close()
    elif mode in ("close_notify_fin", "zero_window", "keepalive"):
        if t.more() != b"":
            raise ConnectionError("data past the end")
        t.close_notify()
        s.close()
    else:  # rst_client: read to the reset
        try:
            while t.more():
                pass
        except (ConnectionError, ssl.SSLError) as e:
            print("end: %s" % e, flush=True)
    print("done %d" % n, flush=True)

def client(mode, addr, sport, ca, up, down):
    ctx = ssl.create_default_context(cafile=ca)
    s = socket.socket()
    s.bind(("10.10.1.10", sport))
    s.settimeout(20)
    if mode == "keepalive":
        keepalive(s)
    s.connect((addr, 443))
    t = Tls(s, ctx, False, "e2m.customs.example")
    t.handshake()
    if mode == "keepalive":
        time.sleep(2.5)
    data = open(up, "rb").read()
    t.send(struct.pack(">Q", len(data)) + data)
    if mode == "zero_window":
        time.sleep(2)
    if mode == "half_close":
        t.close_notify()
        s.shutdown(socket.SHUT_WR)
    line = bytearray()
    while not line.endswith(b"\n"):
        line += t.exact(1)
    n = struct.unpack(">Q", t.exact(8))[0]
    open(down, "wb").write(t.exact(n))
    if mode in ("close_notify_fin", "zero_window", "keepalive"):
        t.close_notify()
        s.shutdown(socket.SHUT_WR)
        if t.more() != b"":
            raise ConnectionError("data past the end")
        s.close()
    elif mode == "half_close":
        if t.more() != b"":
            raise ConnectionError("data past the end")
        s.close()
    elif mode == "rst_client":
        rst(s)
    else:  # rst_server
        t.send(b"!")
        try:
            while t.more():
                pass
        except (ConnectionError, ssl.SSLError, OSError) as e:
            print("end: %s" % e)
    print(line.decode().strip())

if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(*sys.argv[2:])
    else:
        client(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
PY

# Where stolen packets go (lib.sh's loss.sh does the same): "hole" into a
# namespace that drops them (random loss before aduana), "sink" into one
# where tests/e2e/late.py sends each back LATE_MS later (reordered) or a copy
# of it (duplicated). One segment a packet (gso_max_segs 1: see loss.sh).
for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
	ip -n "$ns" link set host gso_max_segs 1 || fail_all "cannot set gso_max_segs in $ns"
	for k in sink hole; do
		e2e_sink "$ns" "$k" || fail_all "cannot make the $k veth in $ns"
	done
	e2e_late "$ROOT" "$ns" "$T/late-$ns.log" || fail_all "late.py does not start in $ns-sink"
done

CONF=$T/aduana.conf
e2e_conf "$ROOT" "$CONF" "$T/flows.jsonl"
lcores="-l 0-1"
[ "$(nproc)" -lt 2 ] && lcores="--lcores=(0-1)@0"
# shellcheck disable=SC2086
ip netns exec "$E2E_NS_MID" "$BIN" $lcores --no-huge --no-pci --no-shconf \
	--file-prefix "va$$" -m 512 --log-level='*:warning' \
	--vdev net_af_packet0,iface=in --vdev net_af_packet1,iface=out \
	-- -c "$CONF" --inside net_af_packet0 --outside net_af_packet1 --ctl "$T/dp.sock" \
	>"$T/aduana.out" 2>"$T/aduana.err" &
ADUANA_PID=$!
wait_until 60 nsi ping -n -c 1 -W 1 -I 10.20.1.10 203.0.113.80 >/dev/null ||
	fail_all "aduana does not bridge: $(tail -c 300 "$T/aduana.err" | tr '\n' ' ')"

# The dataplane's counters, from its control socket (docs/control.md: a
# status request, type 0x01).
counters() {
	/usr/bin/python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"AD\x01\x01" + struct.pack(">I", 0))
b = b""
while len(b) < 8 or len(b) < 8 + struct.unpack(">I", b[4:8])[0]:
    d = s.recv(65536)
    if not d:
        break
    b += d
sys.stdout.write(b[8:].decode())
' "$T/dp.sock"
}
wait_until 10 counters >/dev/null || fail_all "the control socket does not answer"
# What moved between two status answers (not the clocks and cycle counts).
# shellcheck disable=SC2016 # jq
JQ_DELTA='with_entries(select(.value | type == "number"))
	| with_entries(select(.key | test("^(cycles|stage_|pkts_|ndpi_heap|stream_|policy|flows_open|classified|l2_pass|nd_pass|link_pass|seconds|pps)") | not))'

# --- nftables path conditions ------------------------------------------------
path_clear() {
	local ns
	for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
		ip netns exec "$ns" nft delete table inet vap 2>/dev/null
		ip netns exec "$ns" nft delete table netdev vap 2>/dev/null
	done
	return 0
}
# path_egress VERB N: of each side's packets of port 443, every N-th (the
# N/2-th, then every N-th after it: the same ones each run) is stolen into
# the hole (lost before aduana), the sink (sent on LATE_MS later:
# reordered) or copied into the sink (duplicated), after the sender's stack
# let it go.
path_egress() {
	local act=$1 n=$2 ns
	for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
		ip netns exec "$ns" nft -f - <<-EOF || return 1
			table netdev vap {
				chain e {
					type filter hook egress device "host" priority 0;
					tcp sport 443 numgen inc mod $n == $((n / 2)) $act
					tcp dport 443 numgen inc mod $n == $((n / 2)) $act
				}
			}
		EOF
	done
}
# path_ingress N: every N-th lost after aduana (dropped as the receiver
# gets it)
path_ingress() {
	local n=$1 ns
	for ns in "$E2E_NS_OUT" "$E2E_NS_IN"; do
		ip netns exec "$ns" nft -f - <<-EOF || return 1
			table inet vap {
				chain p {
					type filter hook prerouting priority -150;
					tcp sport 443 numgen inc mod $n == $((n / 2)) counter drop
					tcp dport 443 numgen inc mod $n == $((n / 2)) counter drop
				}
			}
		EOF
	done
}
if ! probe_err=$(path_egress 'fwd to "hole"' 2 2>&1 && path_egress 'dup to "sink"' 2 2>&1 && path_ingress 2 2>&1); then
	path_clear
	PATH_ERR="nftables cannot set the path rules here: $(head -c 200 <<<"$probe_err" | tr '\n' ' ')"
else
	PATH_ERR=
fi
path_clear

# --- the servers ------------------------------------------------------------
SRV_PID=
# srv NAME FEED ARGS...: openssl s_server on 198.51.100.7:443 with the E2M
# certificate, its standard input from the shell command FEED, its output
# in $T/s/NAME.srv.
srv() {
	local name=$1 feed=$2
	shift 2
	ip netns exec "$E2E_NS_OUT" timeout -k 1 40 bash -c "exec stdbuf -o0 openssl s_server -accept 198.51.100.7:443 \
		-cert $P/e2m.customs.example.crt -key $P/e2m.customs.example.key $* < <($feed)" \
		>"$T/s/$name.srv" 2>"$T/s/$name.srv.err" &
	SRV_PID=$!
	wait_until 5 sh -c "ip netns exec $E2E_NS_OUT ss -Hltn | grep -q '198.51.100.7:443 '"
}
# pysrv NAME MODE DOWNLOAD: tls ends server on 198.51.100.8:443
pysrv() {
	ip netns exec "$E2E_NS_OUT" timeout -k 1 40 /usr/bin/python3 -u "$T/ends.py" server "$2" 198.51.100.8 \
		"$P/e2m.customs.example.crt" "$P/e2m.customs.example.key" "$3" >"$T/s/$1.srv" 2>&1 &
	SRV_PID=$!
	wait_until 5 grep -q ready "$T/s/$1.srv"
}
# srv_end: the server has ended (it ends after its connections), or is
# stopped 3 s on.
srv_end() {
	local end=$((SECONDS + 3))
	while kill -0 "$SRV_PID" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
	stop_pid "$SRV_PID"
	SRV_PID=
}
# cli NAME LIMIT CMD...: a client on the E2M workstation; its exit status in
# CRC, its output in $T/s/NAME.cli (stderr: .cli.err).
cli() {
	local name=$1 limit=$2
	shift 2
	nsi timeout -k 2 "$limit" "$@" >"$T/s/$name.cli" 2>"$T/s/$name.cli.err"
	CRC=$?
}
SCLI="openssl s_client -servername e2m.customs.example -verify_return_error"
# s_client to the openssl server from port $1; the rest are its options.
scli() {
	local port=$1
	shift
	echo "$SCLI -CAfile $CA -connect 198.51.100.7:443 -bind 10.10.1.10:$port $*"
}
CRC=0
# detail: the first reason a session did not work
D=
bad() { [ -n "$D" ] || D=$1; }
want_rc() { [ "$CRC" = 0 ] || bad "$1 exit $CRC: $(tail -c 300 "$2" | tr '\n' ' ')"; }
want_sha() { [ "$2" = "$3" ] || bad "$1: sha256 differs (${2:0:12} for ${3:0:12})"; }
want_grep() { grep -aq -- "$2" "$3" || bad "$1: no '$2' in $(basename "$3")"; }

# --- the sessions ------------------------------------------------------------
# Each s_NAME runs one session from client port $PORT (and $PORT+1, +2 for
# more connections), setting D to what did not work (empty: it worked).

# TLS 1.3, the client's first key share (X25519) is not the server's group
# (P-256 only): HelloRetryRequest, a second ClientHello, then 300 kB up.
s_tls13_hrr() {
	srv "$1" "sleep 30" -naccept 1 -quiet -groups P-256
	cli "$1" 15 bash -c "$(scli "$PORT" -groups X25519:P-256 -brief) <$T/hexA"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_grep client "Server Temp Key: ECDH, prime256v1" "$T/s/$1.cli.err"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.3, eight NewSessionTickets, data both ways, then a resumption with
# the last ticket.
s_tls13_tickets() {
	srv "$1" "sleep 1; cat $T/hexB; sleep 30" -naccept 2 -num_tickets 8
	cli "$1" 15 bash -c "(cat $T/hexA; sleep 2) | $(scli "$PORT" -quiet -no_ign_eof -sess_out "$T/s/$1.sess")"
	want_rc client "$T/s/$1.cli.err"
	want_sha download "$(sha "$T/s/$1.cli")" "$(sha "$T/hexB")"
	cli "$1.2" 15 bash -c "(echo resumed; sleep 1) | $(scli $((PORT + 1)) -quiet -no_ign_eof -sess_in "$T/s/$1.sess")"
	srv_end
	want_rc resumption "$T/s/$1.2.cli.err"
	want_grep resumption "Reused session-id" "$T/s/$1.srv"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.3 resumption with 0-RTT early data (SIZE: early1k or early16k),
# the server accepting it (or, with HRR=1, preferring P-256 to the
# client's first key share: an HRR, and the early data rejected).
early() {
	local name=$1 file=$2 hrr=${3:-0} g=() sg=()
	[ "$hrr" = 1 ] && g=(-groups X25519:P-256) sg=(-groups P-256)
	srv "$name" "sleep 30" -naccept 2 -early_data -max_early_data 16384 "${sg[@]}"
	cli "$name" 15 bash -c "(echo first; sleep 1) | $(scli "$PORT" -quiet -no_ign_eof -sess_out "$T/s/$name.sess" "${g[@]}")"
	want_rc ticket "$T/s/$name.cli.err"
	[ -s "$T/s/$name.sess" ] || bad "no ticket for the resumption"
	cli "$name.2" 8 bash -c "(echo second; sleep 1) | $(scli $((PORT + 1)) -quiet -no_ign_eof -sess_in "$T/s/$name.sess" -early_data "$file" "${g[@]}")"
	srv_end
	want_rc "0-RTT client" "$T/s/$name.2.cli.err"
	want_grep "0-RTT client" second "$T/s/$name.srv"
	if [ "$hrr" = 1 ]; then
		want_grep server "Early data was rejected" "$T/s/$name.srv"
	else
		want_grep server "Early data received" "$T/s/$name.srv"
		want_sha "early data" "$(hexof "$T/s/$name.srv")" "$(sha "$file")"
	fi
}
s_early_1k() { early "$1" "$T/early1k"; }
s_early_16k() { early "$1" "$T/early16k"; }
s_early_hrr_1k() { early "$1" "$T/early1k" 1; }
s_early_hrr_16k() { early "$1" "$T/early16k" 1; }
# TLS 1.3 KeyUpdate both ways, each side once without and once with
# update_requested (s_client and s_server commands k and K), data between.
s_keyupdate() {
	srv "$1" "sleep 1; echo k; sleep 0.3; head -n 2500 $T/hexB; sleep 0.3; echo K; sleep 0.3; tail -n +2501 $T/hexB; sleep 30" \
		-naccept 1
	cli "$1" 15 bash -c "(sleep 0.5; echo k; sleep 0.3; head -n 2500 $T/hexA; sleep 0.3; echo K; sleep 0.3; \
		tail -n +2501 $T/hexA; sleep 2) | $(scli "$PORT" -quiet -no_ign_eof)"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	[ "$(grep -c KEYUPDATE "$T/s/$1.cli.err")" = 2 ] || bad "the client did not send two KeyUpdates"
	[ "$(grep -c 'SSL_do_handshake -> 1' "$T/s/$1.srv")" = 2 ] || bad "the server did not send two KeyUpdates"
	want_sha download "$(sha "$T/s/$1.cli")" "$(sha "$T/hexB")"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.2 with a client certificate the server requires.
s_tls12_client_cert() {
	srv "$1" "sleep 30" -naccept 1 -tls1_2 -Verify 1 -verifyCAfile "$CA"
	cli "$1" 15 bash -c "(cat $T/hexA; sleep 1) | $(scli "$PORT" -tls1_2 -quiet -no_ign_eof \
		-cert "$P/client.crt" -key "$P/client.key")"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_grep server "subject=CN = ws1.e2m.customs.example" "$T/s/$1.srv"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.2 renegotiation asked by the client (s_client R), data before and after.
s_tls12_reneg_client() {
	srv "$1" "sleep 30" -naccept 1 -tls1_2 -client_renegotiation
	cli "$1" 15 bash -c "(head -n 2500 $T/hexA; sleep 0.5; echo R; sleep 0.5; tail -n +2501 $T/hexA; sleep 1) | \
		$(scli "$PORT" -tls1_2 -quiet -no_ign_eof)"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_grep client RENEGOTIATING "$T/s/$1.cli.err"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.2 renegotiation asked by the server (HelloRequest, s_server R: with
# a certificate request), data both ways before and after.
s_tls12_reneg_server() {
	srv "$1" "sleep 1; head -n 2500 $T/hexB; sleep 0.5; echo R; sleep 0.5; tail -n +2501 $T/hexB; sleep 30" \
		-naccept 1 -tls1_2 -verifyCAfile "$CA"
	cli "$1" 15 bash -c "(head -n 2500 $T/hexA; sleep 1.5; tail -n +2501 $T/hexA; sleep 1.5) | \
		$(scli "$PORT" -tls1_2 -quiet -no_ign_eof -cert "$P/client.crt" -key "$P/client.key")"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_grep server "SSL_do_handshake -> 1" "$T/s/$1.srv"
	want_sha download "$(sha "$T/s/$1.cli")" "$(sha "$T/hexB")"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.2 resumption: by ticket (RFC 5077), by session ID (-no_ticket).
resume12() {
	local name=$1 opt=${2:-}
	srv "$name" "sleep 30" -naccept 2 -tls1_2 $opt
	cli "$name" 15 bash -c "(cat $T/hexC; sleep 1) | $(scli "$PORT" -tls1_2 $opt -quiet -no_ign_eof -sess_out "$T/s/$name.sess")"
	want_rc first "$T/s/$name.cli.err"
	cli "$name.2" 15 bash -c "(cat $T/hexC; sleep 1) | $(scli $((PORT + 1)) -tls1_2 $opt -quiet -no_ign_eof -sess_in "$T/s/$name.sess")"
	srv_end
	want_rc resumption "$T/s/$name.2.cli.err"
	want_grep server "Reused session-id" "$T/s/$name.srv"
	[ "$(grep -ax '[0-9a-f]\{1,60\}' "$T/s/$name.srv" | wc -l)" = $((2 * $(wc -l <"$T/hexC"))) ] ||
		bad "the server did not get both uploads"
}
s_tls12_resume_ticket() { resume12 "$1"; }
s_tls12_resume_id() { resume12 "$1" -no_ticket; }
# curl to nginx: 12 MB up (PUT), TLS 1.3 and 1.2; 12 MB down.
curl_up() {
	local name=$1 file=$2 limit=$3
	shift 3
	rm -f "$T/nginx/up/$name.bin"
	cli "$name" "$limit" curl -sS --max-time $((limit - 2)) --cacert "$CA" --interface 10.10.1.10 --local-port "$PORT" \
		--resolve e2m.customs.example:443:198.51.100.5 -T "$file" -o /dev/null -f \
		-w "%{time_total} %{size_upload} $(stat -c %s "$file")" "$@" \
		"https://e2m.customs.example/up/$name.bin"
	[ "$CRC" = 0 ] || bad "curl exit $CRC after $(awk '{ printf "%s s, %s of %s bytes sent", $1, $2, $3 }' "$T/s/$name.cli"): $(tail -c 200 "$T/s/$name.cli.err" | tr '\n' ' ')"
	want_sha upload "$(sha256sum 2>/dev/null <"$T/nginx/up/$name.bin" | cut -d' ' -f1)" "$(sha "$file")"
}
# curl_down NAME LIMIT URLPATH FILE (nginx serves $T/nginx/up/ by GET too)
curl_down() {
	local name=$1 limit=$2 path=$3 file=$4
	shift 4
	cli "$name" "$limit" curl -sS --max-time $((limit - 2)) --cacert "$CA" --interface 10.10.1.10 --local-port "$PORT" \
		--resolve e2m.customs.example:443:198.51.100.5 -o "$T/s/$name.dl" -w '%{time_total}' "$@" \
		"https://e2m.customs.example$path"
	want_rc curl "$T/s/$name.cli.err"
	want_sha download "$(sha "$T/s/$name.dl")" "$(sha "$file")"
	rm -f "$T/s/$name.dl"
}
s_upload_12m() { curl_up "$1" "$T/up12m.bin" 30; }
s_upload_12m_tls12() { curl_up "$1" "$T/up12m.bin" 30 --tls-max 1.2; }
s_download_12m() { curl_down "$1" 30 /big.bin "$T/nginx/big.bin"; }
# The ends of a connection (Python's ssl, both sides; ends.py above):
# 3 MB up, 4 MB down.
ends() {
	local name=$1
	pysrv "$name" "$name" "$T/d4m.bin"
	cli "$name" 25 /usr/bin/python3 "$T/ends.py" client "$name" 198.51.100.8 "$PORT" "$CA" \
		"$T/up3m.bin" "$T/s/$name.dl"
	srv_end
	want_rc client "$T/s/$name.cli.err"
	want_grep "server's sha256 of the upload" "$(sha "$T/up3m.bin")" "$T/s/$name.cli"
	want_sha download "$(sha "$T/s/$name.dl" 2>/dev/null)" "$(sha "$T/d4m.bin")"
	want_grep server "^done " "$T/s/$name.srv"
	rm -f "$T/s/$name.dl"
}
s_close_notify_fin() { ends "$1"; }
s_half_close() { ends "$1"; }
s_rst_client() { ends "$1"; }
s_rst_server() { ends "$1"; }
s_zero_window() { ends "$1"; }
s_keepalive() { ends "$1"; }
# TLS 1.3 records of at most 512 bytes from the client (-max_send_frag),
# its ClientHello too (two records); then 1 KiB record padding both ways.
s_small_records() {
	srv "$1" "sleep 30" -naccept 1 -quiet
	cli "$1" 15 bash -c "$(scli "$PORT" -max_send_frag 512 -brief) <$T/hexC"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexC")"
}
s_record_padding() {
	srv "$1" "sleep 1; cat $T/hexB; sleep 30" -naccept 1 -record_padding 1024
	cli "$1" 15 bash -c "(cat $T/hexA; sleep 2) | $(scli "$PORT" -record_padding 1024 -quiet -no_ign_eof)"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_sha download "$(sha "$T/s/$1.cli")" "$(sha "$T/hexB")"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# TLS 1.2 with the max_fragment_length extension (RFC 6066): 512-byte
# records both ways.
s_tls12_maxfraglen() {
	srv "$1" "sleep 1; cat $T/hexB; sleep 30" -naccept 1 -tls1_2
	cli "$1" 15 bash -c "(cat $T/hexA; sleep 2) | $(scli "$PORT" -tls1_2 -maxfraglen 512 -quiet -no_ign_eof)"
	srv_end
	want_rc client "$T/s/$1.cli.err"
	want_sha download "$(sha "$T/s/$1.cli")" "$(sha "$T/hexB")"
	want_sha upload "$(hexof "$T/s/$1.srv")" "$(sha "$T/hexA")"
}
# Path conditions on both sides' packets, before aduana unless said: 2 MB
# up (PUT) and/or down, each within LIMIT seconds (VARIETY_LIMIT, default
# 12; the same transfers take under 0.6 s without aduana).
LIMIT=${VARIETY_LIMIT:-12}
updown() {
	local name=$1 dirs=$2
	case $dirs in *up*) curl_up "$name" "$T/d2m.bin" "$LIMIT" ;; esac
	case $dirs in *down*) PORT=$((PORT + 1)) curl_down "$name.2" "$LIMIT" /up/d2m.bin "$T/d2m.bin" ;; esac
}
impaired() {
	local name=$1 kind=$2 n=$3 dirs=$4
	[ -n "$PATH_ERR" ] && { bad "$PATH_ERR"; return; }
	case $kind in
	loss) path_egress 'fwd to "hole"' "$n" ;;
	after) path_ingress "$n" ;;
	reorder) path_egress 'fwd to "sink"' "$n" ;;
	dup) path_egress 'dup to "sink"' "$n" ;;
	esac
	updown "$name" "$dirs"
	path_clear
}
# 2% lost before aduana; 2% lost after it; 5% 30 ms late; 5% twice
s_loss_up() { impaired "$1" loss 50 up; }
s_loss_down() { impaired "$1" loss 50 down; }
s_loss_after() { impaired "$1" after 50 up,down; }
s_reorder_up() { impaired "$1" reorder 20 up; }
s_reorder_down() { impaired "$1" reorder 20 down; }
s_dup() { impaired "$1" dup 20 up,down; }
# A small MTU on both hosts' links (the veths of aduana take 1500): 2 MB
# up and down.
mtu() {
	local name=$1 m=$2
	ip -n "$E2E_NS_IN" link set host mtu "$m" && ip -n "$E2E_NS_OUT" link set host mtu "$m" ||
		{ bad "cannot set MTU $m"; return; }
	updown "$name" up,down
	ip -n "$E2E_NS_IN" link set host mtu 1500
	ip -n "$E2E_NS_OUT" link set host mtu 1500
}
s_mtu_1280() { mtu "$1" 1280; }
# The workstation's TCP without SACK, or without timestamps (sysctl), 1%
# of both sides' packets lost before aduana: 2 MB up.
tcpopt() {
	local name=$1 key=$2
	[ -n "$PATH_ERR" ] && { bad "$PATH_ERR"; return; }
	nsi sysctl -qw "net.ipv4.$key=0" || { bad "cannot set $key"; return; }
	path_egress 'fwd to "hole"' 100
	updown "$name" up
	path_clear
	nsi sysctl -qw "net.ipv4.$key=1"
}
s_no_sack_up() { tcpopt "$1" tcp_sack; }
s_no_ts_up() { tcpopt "$1" tcp_timestamps; }
# ECN asked by the workstation (SYN with ECE and CWR, ECT on the data)
s_ecn() {
	nsi sysctl -qw net.ipv4.tcp_ecn=1 || { bad "cannot set tcp_ecn"; return; }
	updown "$1" up,down
	nsi sysctl -qw net.ipv4.tcp_ecn=2
}
s_mtu_576() { mtu "$1" 576; }

# --- run them -----------------------------------------------------------------
declare -A PORT_OF DETAIL DELTA T0 T1
port=44000
capture() {
	if command -v tcpdump >/dev/null; then
		ip netns exec "$E2E_NS_IN" tcpdump -q -n -i host -s 0 -w "$T/caps/$1.pcap" tcp port 443 2>/dev/null &
	elif command -v dumpcap >/dev/null; then
		ip netns exec "$E2E_NS_IN" dumpcap -q -i host -w "$T/caps/$1.pcap" -f "tcp port 443" 2>/dev/null &
	else
		CAP_PID=
		return
	fi
	CAP_PID=$!
	sleep 0.3
}
for name in "${SESSIONS[@]}"; do
	if ! declare -F "s_$name" >/dev/null; then
		DETAIL[$name]="no such session"
		continue
	fi
	port=$((port + 10))
	PORT=$port
	PORT_OF[$name]=$port
	D=
	before=$(counters)
	capture "$name"
	T0[$name]=$(date +%s.%N)
	"s_$name" "$name"
	T1[$name]=$(date +%s.%N)
	# the connection's last packets (FIN, its ACK) inside the session;
	# a refused one's sockets are taken down (no more of their packets
	# in the next session's counters)
	sleep 0.5
	if [ -n "$D" ]; then
		nsi ss -K -t "( sport >= :$port and sport < :$((port + 10)) )" >/dev/null 2>&1
		nso ss -K -t "( dport >= :$port and dport < :$((port + 10)) )" >/dev/null 2>&1
		sleep 0.5
	fi
	[ -n "$CAP_PID" ] && stop_pid "$CAP_PID"
	after=$(counters)
	DELTA[$name]=$(jq -c -n --argjson a "$before" --argjson b "$after" \
		"\$b | $JQ_DELTA | with_entries(.value -= (\$a[.key] // 0)) | with_entries(select(.value != 0))")
	DETAIL[$name]=${D:-ok}
	printf 'variety: %s: %.1fs, counters moved %s\n' "$name" \
		"$(awk -v a="${T0[$name]}" -v b="${T1[$name]}" 'BEGIN { print b - a }')" "${DELTA[$name]}" >&2
done
path_clear
# aduana writes the flows still open and its summary (it may take a while
# on a loaded machine)
kill -INT "$ADUANA_PID" 2>/dev/null
wait_until 30 sh -c "! kill -0 $ADUANA_PID"
stop_pid "$ADUANA_PID" KILL
ADUANA_PID=

# --- the checks ---------------------------------------------------------------
mkdir -p "$CAPS" 2>/dev/null
for name in "${SESSIONS[@]}"; do
	d=${DETAIL[$name]}
	p=${PORT_OF[$name]:-0}
	# every record from the session's ports (the first connection's and
	# the ones after it)
	rec=$(jq -c --argjson p "$p" 'select(.proto=="tcp" and .src=="10.10.1.10" and .sport >= $p and .sport < $p + 10)' \
		"$T/flows.jsonl" 2>/dev/null)
	echo "variety: $name: flows $(jq -c -s '[.[] | {sport, dst, verdict, reason, "end": .["end"], pkts_out, pkts_in, dropped_pkts}]' <<<"$rec")" >&2
	if [ "$d" = ok ]; then
		if [ -z "$rec" ]; then
			d="no flow record for client ports $p.."
		elif ! jq -e -s 'all(.verdict=="allow" and .reason=="allow:e2m" and .zone=="e2m")' <<<"$rec" >/dev/null; then
			d="a flow is not allow:e2m: $(jq -c -s '[.[] | select(.reason != "allow:e2m") | {sport, dst, verdict, reason, app, sni, pkts_to_verdict, pkts_out, pkts_in, dropped_pkts}]' <<<"$rec" | cut -c1-600)"
		elif ! jq -e -s 'any(.bytes_in > 0)' <<<"$rec" >/dev/null; then
			d="no flow record with the server's bytes"
		fi
	fi
	if [ "$d" = ok ] && [ -n "${DELTA[$name]:-}" ]; then
		# counters: no stream exception, no hello refused, no drop but
		# reordered / tx_failed
		# (and not frames of no zone: a link's MLD report from "::" when
		# the MTU changes)
		if ! jq -e '(.stream_exceptions // 0) == 0 and (.tls_malformed // 0) == 0
				and (.dropped // 0) - (.drop_unzoned // 0) == (.drop_reordered // 0) + (.drop_tx_failed // 0)' <<<"${DELTA[$name]}" >/dev/null; then
			d="counters: $(jq -c 'with_entries(select(.key | test("exception|malformed|drop|conform|held|refused|reopen|ambiguous")))' <<<"${DELTA[$name]}")"
		fi
	fi
	# the flows' verdicts and the counters that say why, after the
	# client's reason
	if [ "$d" != ok ] && [ -n "$rec" ]; then
		d="$d [flows: $(jq -r -s '[.[] | "\(.sport) \(.verdict) \(.reason) dropped_pkts \(.dropped_pkts)"] | join(", ")' <<<"$rec")]"
	fi
	if [ "$d" != ok ] && [ -n "${DELTA[$name]:-}" ]; then
		d="$d [counters: $(jq -c 'with_entries(select(.key | test("^(dropped|stream_exceptions|tls_malformed|drop_|conform_|hello_|answer_|early_|seal_|unsent)")))' <<<"${DELTA[$name]}")]"
	fi
	if [ "$d" != ok ] && [ -s "$T/caps/$name.pcap" ]; then
		cp "$T/caps/$name.pcap" "$CAPS/$name.pcap" 2>/dev/null && d="$d (pcap $CAPS/$name.pcap)"
	fi
	if [ "$d" = ok ]; then
		if is_open "$name"; then
			pass "$name" "listed in VARIETY_OPEN, works this run"
		else
			pass "$name"
		fi
	elif is_open "$name"; then
		open_ "$name" "$d"
	else
		fail "$name" "$d"
	fi
done

summary=$(grep -m1 '^{"summary"' "$T/aduana.out")
if [ -z "$summary" ]; then
	fail summary "aduana printed no summary: $(tail -c 300 "$T/aduana.err" | tr '\n' ' ')"
elif ! jq -e '.summary as $s | $s.rx == $s.tx + $s.dropped' <<<"$summary" >/dev/null; then
	fail summary "rx != tx + dropped: $(jq -c '.summary | {rx, tx, dropped}' <<<"$summary")"
else
	pass summary
fi
result_line
[ $failed -eq 0 ]
