#!/usr/bin/env bash
# pcaps/capture_clients.sh [SCENARIO...] - real client sessions, captured.
#
# Builds two network namespaces joined by one veth pair (no aduana between
# them: a plain capture), runs real servers in the "server" namespace and
# real clients in the "client" namespace, and records each client session
# with tcpdump into pcaps/clients/<scenario>.pcap (OUT=DIR to write
# elsewhere). `--list` prints the scenarios. The replay cases
# tests/replay/class_<scenario>/ replay these files (in.pcap -> symlink).
#
#   ns adcap-c-PID  c0  10.10.1.10/16 (zone e2m of conf/aduana.conf, the
#                       default source) and 10.20.1.20/16 (zone office;
#                       office clients bind to it explicitly)
#        | veth (fixed MACs, offloads off: real checksums, no super-frames)
#   ns adcap-s-PID  s0  every server address below, /32 each
#
#   198.51.100.5  nginx TLS :443 (e2m endpoint address), sshd :22
#   198.51.100.6  nginx plain HTTP on :443 (e2m address and port, foreign app)
#   192.0.2.25    exim :25 :587 (boc_mail endpoint address)
#   203.0.113.3   tinyproxy :8888 (CONNECT to 443 only)
#   203.0.113.22  sshd :22
#   203.0.113.25  exim :25 (an outside mail server)
#   203.0.113.80  nginx TLS :443 (not an E2M address: domain fronting)
#   203.0.113.90  nginx TLS :443 (social.example / www.facebook.com for curl)
#   203.0.113.91  nginx plain HTTP :80 (upload target)
#
# Servers run with configuration files of their own under a temporary
# directory; nothing of the host's /etc is changed. tinyproxy resolves
# social.example through a private /etc/hosts bind-mounted in a mount
# namespace of its own (unshare -m). The only host path touched is sshd's
# standard privilege-separation directory /run/sshd, made if missing (and
# left: other sshds use it). Every packet stays inside the two namespaces; every client
# runs under a timeout; an EXIT trap stops the servers (by PID) and deletes
# the namespaces.
#
# Timestamps, ports, TCP sequence numbers and TLS keys differ from run to
# run; what each expected.tsv checks does not depend on them.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/pcaps/clients}
SCENARIOS=(tls_e2m tls_foreign_sni tls_no_sni tls_fronting smtp_agency smtp_outside
	ssh_e2m ssh_office http_connect office_social document_upload document_upload_e2m)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${SCENARIOS[@]}"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "capture_clients: needs root (network namespaces, tcpdump)" >&2
	exit 2
fi
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${SCENARIOS[@]}")
for s in "${want[@]}"; do
	printf '%s\n' "${SCENARIOS[@]}" | grep -qx -- "$s" || {
		echo "capture_clients: unknown scenario '$s' (--list)" >&2
		exit 2
	}
done

# --------------------------------------------------------------- packages

declare -A NEED=(
	[tcpdump]=/usr/bin/tcpdump
	[nginx-light]=/usr/sbin/nginx
	[exim4-daemon-light]=/usr/sbin/exim4
	[openssh-server]=/usr/sbin/sshd
	[openssh-client]=/usr/bin/ssh
	[tinyproxy]=/usr/bin/tinyproxy
	[swaks]=/usr/bin/swaks
	[curl]=/usr/bin/curl
	[openssl]=/usr/bin/openssl
	[ethtool]=/usr/sbin/ethtool
	[iproute2]=/usr/sbin/ip
)
missing=()
for p in "${!NEED[@]}"; do
	[ -e "${NEED[$p]}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "capture_clients: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# Keep the packages from starting system-wide services while they
	# install; the servers only ever run inside our namespace.
	made_policy=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }
	rc=$?
	[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
	if [ $rc != 0 ]; then
		echo "capture_clients: could not install ${missing[*]}" >&2
		exit 2
	fi
fi

# ------------------------------------------------------------ the world

TAG=$$
NS_C=adcap-c-$TAG
NS_S=adcap-s-$TAG
T=$(mktemp -d /tmp/aduana-capture.XXXXXX)
chmod 755 "$T"
PIDS=()

nsc() { ip netns exec "$NS_C" "$@"; }
nss() { ip netns exec "$NS_S" "$@"; }

stop_pid() {
	local pid=$1 end
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	end=$((SECONDS + 5))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local pid ns
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	# Whatever still runs in our namespaces is a child of something we
	# started (exim's and sshd's forks).
	for ns in "$NS_C" "$NS_S"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "capture_clients: $*" >&2
	exit 1
}

wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

topology() {
	local a
	ip netns add "$NS_C" || return 1
	ip netns add "$NS_S" || return 1
	ip link add c0 netns "$NS_C" type veth peer s0 netns "$NS_S" || return 1
	for ns in "$NS_C" "$NS_S"; do
		# IPv4 only: no router solicitations or MLD reports in the way.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_C" link set c0 address 02:00:0a:0a:01:0a
	ip -n "$NS_S" link set s0 address 02:00:c6:33:64:05
	# With TX checksum offload a veth capture shows unfinished checksums, and
	# with TSO/GSO 64 KiB super-frames: not what a wire carries.
	nsc ethtool -K c0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || nsc ethtool -K c0 tx off >/dev/null
	nss ethtool -K s0 tx off rx off tso off gso off gro off >/dev/null 2>&1 || nss ethtool -K s0 tx off >/dev/null

	ip -n "$NS_C" addr add 10.10.1.10/16 dev c0
	ip -n "$NS_C" addr add 10.20.1.20/16 dev c0
	ip -n "$NS_C" link set c0 up
	for a in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24; do
		ip -n "$NS_C" route add "$a" dev c0 src 10.10.1.10 || return 1
	done
	for a in 198.51.100.5 198.51.100.6 192.0.2.25 203.0.113.3 203.0.113.22 203.0.113.25 \
		203.0.113.80 203.0.113.90 203.0.113.91; do
		ip -n "$NS_S" addr add "$a/32" dev s0 || return 1
	done
	ip -n "$NS_S" link set s0 up
	ip -n "$NS_S" route add 10.10.0.0/16 dev s0
	ip -n "$NS_S" route add 10.20.0.0/16 dev s0
}

# A test CA and one server certificate (ECDSA P-256: small handshakes).
pki() {
	local d=$T/pki
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=aduana capture CA" -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=e2m.customs.example" \
		-keyout "$d/srv.key" -out "$d/srv.csr" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=%s\n' \
		"DNS:e2m.customs.example,DNS:*.e2m.customs.example,DNS:mail.customs.example,DNS:social.example,DNS:www.facebook.com" \
		>"$d/srv.ext"
	openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
		-extfile "$d/srv.ext" -out "$d/srv.crt" >/dev/null 2>&1 || return 1
	chmod 644 "$d"/*
	CA=$d/ca.crt
}

# A small PDF (a customs declaration), the document of the upload sessions
# and the attachment of the agency mail.
make_pdf() {
	PDF=$T/declaration.pdf
	printf '%s\n' '%PDF-1.4' '%aduana' \
		'1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj' \
		'2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj' \
		'3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj' \
		'4 0 obj << /Length 44 >> stream' 'BT /F1 12 Tf 72 770 Td (Declaration E2M) Tj ET' \
		'endstream endobj' 'trailer << /Root 1 0 R >>' '%%EOF' >"$PDF"
}

start_nginx() {
	local d=$T/nginx
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<-EOF
		worker_processes 1;
		pid $d/nginx.pid;
		error_log $d/error.log info;
		daemon off;
		user root;
		events { worker_connections 64; }
		http {
		    access_log $d/access.log;
		    client_body_temp_path $d/body;
		    proxy_temp_path $d/proxy;
		    fastcgi_temp_path $d/fastcgi;
		    uwsgi_temp_path $d/uwsgi;
		    scgi_temp_path $d/scgi;
		    default_type text/plain;
		    ssl_protocols TLSv1.2 TLSv1.3;
		    ssl_certificate $T/pki/srv.crt;
		    ssl_certificate_key $T/pki/srv.key;
		    server {
		        listen 198.51.100.5:443 ssl;
		        listen 203.0.113.80:443 ssl;
		        listen 203.0.113.90:443 ssl;
		        return 200 "ok\n";
		    }
		    server {
		        listen 198.51.100.6:443;
		        listen 203.0.113.91:80;
		        client_max_body_size 1m;
		        return 200 "stored\n";
		    }
		}
	EOF
	ip netns exec "$NS_S" /usr/sbin/nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" >"$d/stdout" 2>&1 &
	PIDS+=($!)
}

# exim with its own configuration (-C): spool and logs under $T. It accepts
# mail for customs.example and outside.example and only queues it. It
# greets as mail.customs.example on 192.0.2.25, as mx.outside.example on
# 203.0.113.25.
start_exim() {
	local d=$T/exim
	mkdir -p "$d/spool"
	chmod 777 "$d" "$d/spool"
	cat >"$d/exim.conf" <<-EOF
		primary_hostname = mail.customs.example
		# the outside server greets with a name of its own
		smtp_banner = \${if eq{\$received_ip_address}{203.0.113.25}{mx.outside.example}{mail.customs.example}} ESMTP
		spool_directory = $d/spool
		log_file_path = $d/%slog
		pid_file_path = $d/exim.pid
		local_interfaces = 192.0.2.25 : 203.0.113.25
		daemon_smtp_ports = 25 : 587
		tls_advertise_hosts =
		host_lookup =
		rfc1413_hosts =
		rfc1413_query_timeout = 0s
		domainlist local_domains = customs.example : outside.example
		acl_smtp_rcpt = acl_rcpt
		queue_only
		begin acl
		acl_rcpt:
		  accept domains = +local_domains
		  deny message = relay not permitted
		begin routers
		begin transports
	EOF
	ip netns exec "$NS_S" /usr/sbin/exim4 -C "$d/exim.conf" -bdf >"$d/stdout" 2>&1 &
	PIDS+=($!)
}

start_sshd() {
	local d=$T/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -C aduana-capture-host -f "$d/host_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N '' -C aduana-capture-client -f "$d/client_ed25519" || return 1
	cp "$d/client_ed25519.pub" "$d/authorized_keys"
	cat >"$d/sshd_config" <<-EOF
		ListenAddress 198.51.100.5:22
		ListenAddress 203.0.113.22:22
		HostKey $d/host_ed25519
		PidFile $d/sshd.pid
		AuthorizedKeysFile $d/authorized_keys
		StrictModes no
		UsePAM no
		UseDNS no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin prohibit-password
		ForceCommand /bin/true
		PrintMotd no
	EOF
	# sshd's standard privilege-separation directory (the package's service
	# makes it at boot; left in place, other sshds may use it).
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd
	ip netns exec "$NS_S" /usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/log" 2>&1 &
	PIDS+=($!)
	SSH=(ssh -F /dev/null -i "$d/client_ed25519" -o BatchMode=yes -o StrictHostKeyChecking=no
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=5 -o LogLevel=ERROR)
}

start_tinyproxy() {
	local d=$T/proxy
	mkdir -p "$d"
	chmod 777 "$d"
	printf '127.0.0.1 localhost\n203.0.113.90 social.example\n' >"$d/hosts"
	cat >"$d/tinyproxy.conf" <<-EOF
		Listen 203.0.113.3
		Port 8888
		Timeout 30
		MaxClients 16
		LogFile "$d/log"
		LogLevel Info
		PidFile "$d/pid"
		Allow 10.0.0.0/8
		Allow 203.0.113.0/24
		ConnectPort 443
	EOF
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$NS_S" unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec /usr/bin/tinyproxy -d -c "$2"' \
		sh "$d/hosts" "$d/tinyproxy.conf" >"$d/stdout" 2>&1 &
	PIDS+=($!)
}

servers_ready() {
	wait_until 10 nss curl -sf --max-time 2 --cacert "$CA" \
		--resolve e2m.customs.example:443:198.51.100.5 https://e2m.customs.example/ ||
		die "nginx does not answer on 198.51.100.5:443: $(tail -c 300 "$T/nginx/error.log")"
	wait_until 10 nss curl -sf --max-time 2 http://203.0.113.91/ ||
		die "nginx does not answer on 203.0.113.91:80"
	wait_until 10 nss bash -c 'exec 3<>/dev/tcp/192.0.2.25/587 && head -c 3 <&3 | grep -q 220' ||
		die "exim does not answer on 192.0.2.25:587: $(tail -c 300 "$T/exim/stdout" "$T"/exim/paniclog 2>/dev/null)"
	wait_until 10 nss bash -c 'exec 3<>/dev/tcp/198.51.100.5/22 && head -c 4 <&3 | grep -q SSH-' ||
		die "sshd does not answer on 198.51.100.5:22: $(tail -c 300 "$T/ssh/log")"
	wait_until 10 nss curl -sf --max-time 2 --cacert "$CA" -x http://203.0.113.3:8888 https://social.example/ ||
		die "tinyproxy does not relay social.example: $(tail -c 300 "$T/proxy/stdout" "$T/proxy/log" 2>/dev/null)"
}

# capture NAME SERVER PORT TIMEOUT CMD...: record CMD's session with
# SERVER:PORT (TCP) as seen on the client's veth. CMD must succeed.
capture() {
	local name=$1 srv=$2 port=$3 tmo=$4
	shift 4
	local d=$T/cap/$name rc tpid n
	mkdir -p "$d"
	ip netns exec "$NS_C" tcpdump -i c0 -n -s 0 -U --immediate-mode -w "$d/raw.pcap" \
		"tcp and host $srv and port $port" >"$d/tcpdump.out" 2>&1 &
	tpid=$!
	wait_until 5 grep -q "listening on" "$d/tcpdump.out" || die "$name: tcpdump did not start: $(cat "$d/tcpdump.out")"
	nsc timeout -k 2 "$tmo" "$@" </dev/null >"$d/client.out" 2>&1
	rc=$?
	sleep 1 # the last ACK of the close
	kill -TERM "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	if [ $rc != 0 ]; then
		sed 's/^/    /' "$d/client.out" | tail -20 >&2
		die "$name: the client failed (exit $rc): $*"
	fi
	n=$(tcpdump -r "$d/raw.pcap" -n 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || die "$name: nothing captured"
	mkdir -p "$OUT"
	cp "$d/raw.pcap" "$OUT/$name.pcap"
	printf '%-20s %3d frames %6d bytes  %s\n' "$name" "$n" "$(stat -c %s "$OUT/$name.pcap")" "$*"
}

# --------------------------------------------------------------- sessions

OFFICE=10.20.1.20

scenario() {
	case $1 in
	tls_e2m) # the E2M client: address, port, TLS and SNI all match e2m
		capture tls_e2m 198.51.100.5 443 10 curl -sS --max-time 8 --cacert "$CA" \
			--resolve e2m.customs.example:443:198.51.100.5 https://e2m.customs.example/ ;;
	tls_foreign_sni) # E2M's address and port, an SNI e2m does not list
		capture tls_foreign_sni 198.51.100.5 443 10 openssl s_client -connect 198.51.100.5:443 \
			-servername evil.example ;;
	tls_no_sni) # E2M's address and port, no SNI at all
		capture tls_no_sni 198.51.100.5 443 10 openssl s_client -connect 198.51.100.5:443 -noservername ;;
	tls_fronting) # E2M's name, someone else's address
		capture tls_fronting 203.0.113.80 443 10 curl -sS --max-time 8 --cacert "$CA" \
			--resolve e2m.customs.example:443:203.0.113.80 https://e2m.customs.example/ ;;
	smtp_agency) # submission to the agency relay, a PDF attached
		capture smtp_agency 192.0.2.25 587 15 swaks --server 192.0.2.25 --port 587 \
			--helo ws10.customs.example --from clerk@customs.example --to desk@customs.example \
			--header "Subject: E2M declaration" --body "Declaration attached." \
			--attach-type application/pdf --attach "@$PDF" --timeout 10 ;;
	smtp_outside) # the same client, an outside mail server
		capture smtp_outside 203.0.113.25 25 15 swaks --server 203.0.113.25 --port 25 \
			--helo ws10.customs.example --from clerk@customs.example --to friend@outside.example \
			--header "Subject: hello" --body "Hello from the E2M desk." --timeout 10 ;;
	ssh_e2m) # ssh to the E2M server's address (port 22 is not an e2m port)
		capture ssh_e2m 198.51.100.5 22 15 "${SSH[@]}" root@198.51.100.5 true ;;
	ssh_office) # ssh from an office machine to an outside host
		capture ssh_office 203.0.113.22 22 15 "${SSH[@]}" -b "$OFFICE" root@203.0.113.22 true ;;
	http_connect) # an office machine tunnels TLS through an HTTP proxy
		capture http_connect 203.0.113.3 8888 10 curl -sS --max-time 8 --interface "$OFFICE" \
			--cacert "$CA" -x http://203.0.113.3:8888 https://social.example/ ;;
	office_social) # an office machine on Facebook (by SNI)
		capture office_social 203.0.113.90 443 10 curl -sS --max-time 8 --interface "$OFFICE" \
			--cacert "$CA" --resolve www.facebook.com:443:203.0.113.90 https://www.facebook.com/ ;;
	document_upload) # an office machine POSTs a PDF to an outside web server
		capture document_upload 203.0.113.91 80 10 curl -sS --max-time 8 --interface "$OFFICE" \
			-H "Content-Type: application/pdf" --data-binary "@$PDF" http://203.0.113.91/upload ;;
	document_upload_e2m) # the E2M client POSTs it in clear HTTP to E2M's address and port 443
		capture document_upload_e2m 198.51.100.6 443 10 curl -sS --max-time 8 \
			-H "Content-Type: application/pdf" --data-binary "@$PDF" http://198.51.100.6:443/upload ;;
	esac
}

topology || die "could not build the namespaces"
pki || die "could not make the certificates"
make_pdf
start_nginx
start_exim
start_sshd || die "ssh-keygen failed"
start_tinyproxy
servers_ready
for s in "${want[@]}"; do
	scenario "$s"
done
echo "capture_clients: ${#want[@]} capture(s) in $OUT"
