# shellcheck shell=bash
# tests/e2e/lib.sh - the end-to-end world, shared by run.sh (the tests) and
# capture.sh (the same sessions recorded as pcaps). Sourced, not run.
#
#   ns ad-cli-PID   an E2M workstation behind a router: 10.10.9.10, MTU 1500
#        | veth: "c" <-> "r" (the router's end has MTU 1280: path-MTU discovery)
#   ns ad-in-PID    inside hosts: 10.10.1.10 + 2001:db8:e2::10 (zone e2m),
#                   10.20.1.10 (zone office), 2001:db8:99::10 (no zone); it
#                   routes for 10.10.9.0/24
#        | veth: "host" <-> "in"
#   ns ad-mid-PID   aduana: net_af_packet0 on "in", net_af_packet1 on "out"
#        | veth: "out" <-> "host"
#   ns ad-out-PID   outside servers, every address on one interface:
#                   nginx (TLS, SNI: e2m.customs.example and *.e2m..., evil.example,
#                   mail.customs.example, a default name) on 198.51.100.5,
#                   203.0.113.80 and 2001:db8:ff::80 port 443; exim (SMTP 25,
#                   submission 587 with STARTTLS, SMTPS 465) on 192.0.2.25; sshd on
#                   198.51.100.5:22 and 198.51.100.6:443; dnsmasq on 192.0.2.53;
#                   tinyproxy on 203.0.113.80:8888; 203.0.113.9 is a plain client
#
# aduana is a bump in the wire: both sides share one L2 segment through it.
# The hosts have on-link routes to each other's prefixes, so ARP and IPv6
# neighbour discovery cross aduana (they pass, DESIGN 8). In "direct" mode
# (capture.sh) the two hosts share one veth pair and there is no aduana.
#
# Every address is a documentation range that exists only inside these
# namespaces, and /etc/netns/<ns>/resolv.conf sends all name look-ups in them
# to the test's own dnsmasq: no packet leaves. Servers run with their own
# configuration files under the work directory $T and touch nothing of the
# host's, except sshd's standard /run/sshd privilege-separation directory.
#
# The caller sets E2E_TAG (unique, e.g. $$) and defines err NAME MESSAGE and
# client NAME NSFUNC TIMEOUT CMD... before using e2e_clients.

E2E_NS_IN=ad-in-$E2E_TAG
E2E_NS_MID=ad-mid-$E2E_TAG
E2E_NS_OUT=ad-out-$E2E_TAG
E2E_NS_CLI=ad-cli-$E2E_TAG
E2E_PIDS=()
# shellcheck disable=SC2034 # read by the caller after e2e_install fails
E2E_MISSING=

nsi() { ip netns exec "$E2E_NS_IN" "$@"; }
nsm() { ip netns exec "$E2E_NS_MID" "$@"; }
nso() { ip netns exec "$E2E_NS_OUT" "$@"; }
ncl() { ip netns exec "$E2E_NS_CLI" "$@"; }

# Debian packages the servers and clients need, and a file each one itself
# ships (dpkg -L), proving it installed. scripts/deps.sh leaves these to us.
declare -A E2E_NEED=(
	[nginx]=/usr/sbin/nginx
	[exim4-daemon-light]=/usr/sbin/exim4
	[openssh-server]=/usr/sbin/sshd
	[openssh-client]=/usr/bin/ssh
	[dnsmasq-base]=/usr/sbin/dnsmasq
	[tinyproxy-bin]=/usr/bin/tinyproxy
	[bind9-dnsutils]=/usr/bin/dig
	[swaks]=/usr/bin/swaks
	[curl]=/usr/bin/curl
	[openssl]=/usr/bin/openssl
	[netcat-openbsd]=/bin/nc.openbsd
	[iputils-ping]=/bin/ping
	[ethtool]=/usr/sbin/ethtool
	[jq]=/usr/bin/jq
)

# e2e_install [PKG=FILE...]: install what is missing. Returns 1 (and prints
# what) when that fails.
e2e_install() {
	local p missing=() made_policy=0 ok=0 kv
	for kv in "$@"; do
		E2E_NEED[${kv%%=*}]=${kv#*=}
	done
	for p in "${!E2E_NEED[@]}"; do
		[ -e "${E2E_NEED[$p]}" ] || missing+=("$p")
	done
	# swaks speaks TLS (STARTTLS, SMTPS) through Net::SSLeay.
	perl -MNet::SSLeay -e 1 2>/dev/null || missing+=(libnet-ssleay-perl)
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "e2e: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	# The servers run only inside the test's namespaces: keep the packages
	# from starting system-wide services (exim, ...) while they install. A
	# policy-rc.d that is already there is left alone.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	if apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }; then
		ok=1
	fi
	[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
	[ $ok = 1 ] && return 0
	# shellcheck disable=SC2034 # read by the caller
	E2E_MISSING="${missing[*]}"
	return 1
}

# Wait until CMD succeeds, for at most SECONDS.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}

# Stop one process we started: SIG (default TERM), then KILL after 5 s.
stop_pid() {
	local pid=$1 sig=${2:-TERM} end
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null
	end=$((SECONDS + 5))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Stop every server, remove the namespaces (their veths go with them).
e2e_teardown() {
	local pid ns
	for pid in "${E2E_PIDS[@]}"; do
		stop_pid "$pid"
	done
	E2E_PIDS=()
	# Anything still running in our namespaces was started by us (a
	# client's or a server's child).
	for ns in "$E2E_NS_IN" "$E2E_NS_MID" "$E2E_NS_OUT" "$E2E_NS_CLI"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
}

# af_packet hands aduana each frame exactly as the sending veth queued it:
# with TX checksum offload the TCP/UDP checksum is still unfinished (a veth
# never finishes it), and with TSO/GSO a "frame" can be a 64 KiB
# super-packet. Forwarded like that, the receiver drops it (checked: with
# the offloads left on no TCP handshake completes). Real NICs finish both
# before the wire; on veths the kernel must do it in software, so every end
# has them off. E2E_OFFLOADS=keep leaves them on, to see the difference.
e2e_offloads_off() {
	[ "${E2E_OFFLOADS:-off}" = keep ] && return 0
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
		ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
}

# e2e_netns_check: whether network namespaces can be made and entered here
# (a container without the rights cannot); if not, the reason on stdout and
# status 1, for the caller's SKIP line.
e2e_netns_check() {
	local err

	if ! err=$(ip netns add "ad-probe-$$" 2>&1); then
		echo "ip netns add fails here: $(head -c 200 <<<"$err")"
		return 1
	fi
	if ! err=$(ip netns exec "ad-probe-$$" ip link set lo up 2>&1); then
		ip netns del "ad-probe-$$" 2>/dev/null
		echo "ip netns exec fails here: $(head -c 200 <<<"$err" | tr '\n' ' ' | sed 's/ *$//')"
		return 1
	fi
	ip netns del "ad-probe-$$"
}

# e2e_sink NS K: a veth K from namespace NS into a namespace NS-K of its own
# (added to the caller's SINKS, which it removes), where packets stolen into
# it go no further: a loss, as on the wire. Checksum offload off on K: TCP's
# sum is still to be made at the egress hook, and a copy sent back from NS-K
# (e2e_late) would keep the unfinished sum, which its receiver drops (until
# the thirty-fifth session loss.sh's late copies were so: losses).
e2e_sink() {
	local ns=$1 k=$2

	ip netns add "$ns-$k" || return 1
	SINKS+=("$ns-$k")
	ip -n "$ns" link add "$k" type veth peer "${k}p" netns "$ns-$k" &&
		ip -n "$ns" link set "$k" up && ip -n "$ns-$k" link set "${k}p" up &&
		ip netns exec "$ns" ethtool -K "$k" tx off >/dev/null 2>&1
}

# e2e_late ROOT NS LOG: tests/e2e/late.py in NS-sink (e2e_sink NS sink) sends
# each packet it gets back LATE_MS (default 30) ms later, or it and a copy,
# and what comes back on "sink" leaves NS by "host", unmarked; LOG is its
# output. Returns once it is ready.
e2e_late() {
	local root=$1 ns=$2 log=$3

	ip netns exec "$ns-sink" /usr/bin/python3 -u "$root/tests/e2e/late.py" sinkp "${LATE_MS:-30}" \
		>"$log" 2>&1 &
	E2E_PIDS+=($!)
	ip netns exec "$ns" nft -f - <<-EOF || return 1
		table netdev e2e_back {
			chain i {
				type filter hook ingress device "sink" priority 0;
				fwd to "host"
			}
		}
	EOF
	wait_until 10 grep -q ready "$log"
}

# e2e_conf ROOT OUT FLOWLOG: the shipped policy (ROOT/conf/aduana.conf) as
# a case config in OUT, its classes and lists paths made absolute and its
# flow log at FLOWLOG (run.sh, loss.sh, perf/download.sh).
e2e_conf() {
	sed -e "s|^classes = \"[^\"]*\"|classes = \"$1/conf/classes.conf\"|" \
		-e "s|^lists = \"[^\"]*\"|lists = \"$1/conf/lists\"|" \
		-e "s|flow_log = \"[^\"]*\"|flow_log = \"$3\"|" "$1/conf/aduana.conf" >"$2"
}

# e2e_topology aduana|direct
e2e_topology() {
	local mode=$1 ns a
	local all=("$E2E_NS_IN" "$E2E_NS_OUT" "$E2E_NS_CLI")
	[ "$mode" = aduana ] && all+=("$E2E_NS_MID")
	for ns in "${all[@]}"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		# Name look-ups in the namespaces go to the test's own resolver.
		mkdir -p "/etc/netns/$ns"
		echo "nameserver 192.0.2.53" >"/etc/netns/$ns/resolv.conf"
	done
	if [ "$mode" = aduana ]; then
		ip link add host netns "$E2E_NS_IN" type veth peer in netns "$E2E_NS_MID" || return 1
		ip link add out netns "$E2E_NS_MID" type veth peer host netns "$E2E_NS_OUT" || return 1
		# The appliance's ends have no addresses and say nothing themselves.
		nsm sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv6.conf.in.disable_ipv6=1 net.ipv6.conf.out.disable_ipv6=1 >/dev/null
		e2e_offloads_off "$E2E_NS_MID" in
		e2e_offloads_off "$E2E_NS_MID" out
		ip -n "$E2E_NS_MID" link set in up
		ip -n "$E2E_NS_MID" link set out up
	else
		ip link add host netns "$E2E_NS_IN" type veth peer host netns "$E2E_NS_OUT" || return 1
	fi
	e2e_offloads_off "$E2E_NS_IN" host
	e2e_offloads_off "$E2E_NS_OUT" host

	# Inside: the E2M workstation, an office machine, a zoneless v6 host.
	ip -n "$E2E_NS_IN" addr add 10.10.1.10/16 dev host
	ip -n "$E2E_NS_IN" addr add 10.20.1.10/16 dev host
	ip -n "$E2E_NS_IN" addr add 2001:db8:e2::10/48 dev host nodad
	ip -n "$E2E_NS_IN" addr add 2001:db8:99::10/64 dev host nodad
	ip -n "$E2E_NS_IN" link set host up
	ip -n "$E2E_NS_IN" route add 192.0.2.0/24 dev host
	ip -n "$E2E_NS_IN" route add 198.51.100.0/24 dev host
	ip -n "$E2E_NS_IN" route add 203.0.113.0/24 dev host
	ip -n "$E2E_NS_IN" -6 route add 2001:db8:ff::/64 dev host

	# Outside: every server address on one interface.
	for a in 192.0.2.25 192.0.2.53 198.51.100.5 198.51.100.6 203.0.113.80 203.0.113.9; do
		ip -n "$E2E_NS_OUT" addr add "$a/32" dev host
	done
	ip -n "$E2E_NS_OUT" addr add 2001:db8:ff::80/64 dev host nodad
	ip -n "$E2E_NS_OUT" link set host up
	ip -n "$E2E_NS_OUT" route add 10.10.0.0/16 dev host
	ip -n "$E2E_NS_OUT" route add 10.20.0.0/16 dev host
	ip -n "$E2E_NS_OUT" -6 route add 2001:db8:e2::/48 dev host
	ip -n "$E2E_NS_OUT" -6 route add 2001:db8:99::/64 dev host

	# A workstation behind a router on the inside, on a narrower link: the
	# router's end takes 1280 bytes, the workstation's 1500, so the
	# workstation asks for full-size segments and the router must send
	# "fragmentation needed" back across aduana to the server.
	ip link add r netns "$E2E_NS_IN" type veth peer c netns "$E2E_NS_CLI" || return 1
	e2e_offloads_off "$E2E_NS_IN" r
	e2e_offloads_off "$E2E_NS_CLI" c
	ip -n "$E2E_NS_IN" link set r mtu 1280 up
	ip -n "$E2E_NS_IN" addr add 10.10.9.1/24 dev r
	nsi sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 >/dev/null
	ip -n "$E2E_NS_CLI" link set c up
	ip -n "$E2E_NS_CLI" addr add 10.10.9.10/24 dev c
	ip -n "$E2E_NS_CLI" route add default via 10.10.9.1
	ip -n "$E2E_NS_OUT" route add 10.10.9.0/24 via 10.10.1.10 dev host
}

# A test CA and one certificate per server name, under $T/pki.
e2e_pki() {
	local d=$T/pki name san
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=aduana e2e test CA" -keyout "$d/ca.key" -out "$d/ca.crt" \
		>/dev/null 2>&1 || return 1
	while read -r name san; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-subj "/CN=$name" -keyout "$d/$name.key" -out "$d/$name.csr" \
			>/dev/null 2>&1 || return 1
		printf 'subjectAltName=%s\n' "$san" >"$d/$name.ext"
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -extfile "$d/$name.ext" -out "$d/$name.crt" \
			>/dev/null 2>&1 || return 1
	done <<-EOF
		e2m.customs.example DNS:e2m.customs.example,DNS:*.e2m.customs.example
		mail.customs.example DNS:mail.customs.example
		evil.example DNS:evil.example
		outside.example DNS:outside.example,IP:203.0.113.80,IP:2001:db8:ff::80
	EOF
	chmod 644 "$d"/*
	CA=$d/ca.crt
}

e2e_start_nginx() {
	local d=$T/nginx p=$T/pki
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
		    # A handshake that aduana cut stays silent until the test ends
		    # (nginx 1.22 times a handshake out with client_header_timeout).
		    client_header_timeout 600s;
		    server {
		        listen 198.51.100.5:443 ssl default_server;
		        listen 203.0.113.80:443 ssl default_server;
		        listen [2001:db8:ff::80]:443 ssl default_server;
		        server_name outside.example;
		        ssl_certificate $p/outside.example.crt;
		        ssl_certificate_key $p/outside.example.key;
		        location / { return 200 "outside ok\n"; }
		        location = /big.bin { alias $d/big.bin; }
		    }
		    server {
		        listen 198.51.100.5:443 ssl;
		        server_name e2m.customs.example *.e2m.customs.example;
		        ssl_certificate $p/e2m.customs.example.crt;
		        ssl_certificate_key $p/e2m.customs.example.key;
		        location / { return 200 "e2m ok\n"; }
		        location = /big.bin { alias $d/big.bin; }
		        # Paced by the server, so that what is in flight when a
		        # test cuts the flow is bounded by the rate, not by the
		        # client's receive buffer (reload_cut).
		        location = /slow.bin { alias $d/big.bin; limit_rate 400k; }
		        # Uploads (tests/e2e/loss.sh): PUT /up/NAME stores $d/up/NAME
		        location /up/ {
		            root $d;
		            dav_methods PUT;
		            create_full_put_path on;
		            client_max_body_size 64m;
		        }
		    }
		    server {
		        listen 198.51.100.5:443 ssl;
		        listen 203.0.113.80:443 ssl;
		        server_name evil.example;
		        ssl_certificate $p/evil.example.crt;
		        ssl_certificate_key $p/evil.example.key;
		        return 200 "evil ok\n";
		    }
		    # HTTP/2 with prior knowledge (h2c) for office_h2c: any host
		    server {
		        listen 203.0.113.80:81 http2 default_server;
		        server_name _;
		        return 200 "h2c ok \$host\n";
		    }
		    # TCP Fast Open (RFC 7413) for office_tfo: plain HTTP
		    server {
		        listen 203.0.113.80:80 fastopen=16;
		        server_name tfo.example;
		        return 200 "tfo ok\n";
		    }
		    # Plain HTTP downloads and uploads from the office (loss.sh)
		    server {
		        listen 203.0.113.80:80;
		        server_name web.example;
		        location = /big.bin { alias $d/big.bin; }
		        location /up/ {
		            root $d;
		            dav_methods PUT;
		            create_full_put_path on;
		            client_max_body_size 64m;
		        }
		    }
		    server {
		        listen 198.51.100.5:443 ssl;
		        server_name mail.customs.example;
		        ssl_certificate $p/mail.customs.example.crt;
		        ssl_certificate_key $p/mail.customs.example.key;
		        return 200 "webmail ok\n";
		    }
		}
	EOF
	# A download for path-MTU discovery (run.sh checks its sha256).
	head -c 4194304 /dev/urandom >"$d/big.bin"
	# its server side of Fast Open (the client side is on by default)
	ip netns exec "$E2E_NS_OUT" sysctl -qw net.ipv4.tcp_fastopen=3 >/dev/null
	ip netns exec "$E2E_NS_OUT" /usr/sbin/nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" \
		>"$d/stdout" 2>&1 &
	E2E_PIDS+=($!)
}

# exim with a configuration of its own (-C): spool and logs under $T; it
# accepts mail for customs.example and only queues it (nothing is ever
# delivered); no DNS or ident look-ups.
e2e_start_exim() {
	local d=$T/exim p=$T/pki
	mkdir -p "$d/spool"
	chmod 777 "$d" "$d/spool"
	cat >"$d/exim.conf" <<-EOF
		primary_hostname = mail.customs.example
		spool_directory = $d/spool
		log_file_path = $d/%slog
		pid_file_path = $d/exim.pid
		local_interfaces = <; 192.0.2.25
		daemon_smtp_ports = 25 : 465 : 587
		tls_on_connect_ports = 465
		tls_certificate = $p/mail.customs.example.crt
		tls_privatekey = $p/mail.customs.example.key
		tls_advertise_hosts = *
		host_lookup =
		rfc1413_hosts =
		rfc1413_query_timeout = 0s
		domainlist local_domains = customs.example
		acl_smtp_rcpt = acl_rcpt
		queue_only
		begin acl
		acl_rcpt:
		  accept domains = +local_domains
		  deny message = relay not permitted
		begin routers
		begin transports
	EOF
	ip netns exec "$E2E_NS_OUT" /usr/sbin/exim4 -C "$d/exim.conf" -bdf >"$d/stdout" 2>&1 &
	E2E_PIDS+=($!)
}

e2e_start_sshd() {
	local d=$T/ssh
	mkdir -p "$d"
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_ed25519" || return 1
	cat >"$d/sshd_config" <<-EOF
		ListenAddress 198.51.100.5:22
		ListenAddress 198.51.100.6:443
		HostKey $d/host_ed25519
		PidFile $d/sshd.pid
		UsePAM no
		UseDNS no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PermitRootLogin no
		LoginGraceTime 0
	EOF
	# sshd's privilege-separation directory (made at boot when the
	# package's service runs; not here).
	[ -d /run/sshd ] || { mkdir -p /run/sshd && chmod 755 /run/sshd; }
	ip netns exec "$E2E_NS_OUT" /usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/log" 2>&1 &
	E2E_PIDS+=($!)
}

e2e_start_dnsmasq() {
	local d=$T/dns
	mkdir -p "$d"
	ip netns exec "$E2E_NS_OUT" /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --user=nobody --listen-address=192.0.2.53 --bind-interfaces \
		--pid-file="$d/dnsmasq.pid" --log-queries --log-facility="$d/log" \
		--address=/e2m.customs.example/198.51.100.5 \
		--address=/mail.customs.example/192.0.2.25 \
		--address=/evil.example/203.0.113.80 >"$d/stdout" 2>&1 &
	E2E_PIDS+=($!)
}

# An HTTP proxy outside (CONNECT to 443 only).
e2e_start_tinyproxy() {
	local d=$T/proxy
	mkdir -p "$d"
	chmod 777 "$d"
	cat >"$d/tinyproxy.conf" <<-EOF
		Listen 203.0.113.80
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
	ip netns exec "$E2E_NS_OUT" /usr/bin/tinyproxy -d -c "$d/tinyproxy.conf" >"$d/stdout" 2>&1 &
	E2E_PIDS+=($!)
}

# The inside host's listener, for the inbound session.
e2e_start_listener() {
	ip netns exec "$E2E_NS_IN" nc.openbsd -k -l 10.10.1.10 22 >"$T/listener.log" 2>&1 </dev/null &
	E2E_PIDS+=($!)
}

e2e_servers() {
	e2e_start_nginx
	e2e_start_exim
	e2e_start_sshd
	e2e_start_dnsmasq
	e2e_start_tinyproxy
	e2e_start_listener
}

# Every server answers locally, inside its own namespace (err servers ...
# otherwise): a client failing later is then not a dead server's doing.
e2e_servers_ready() {
	wait_until 10 nso curl -sf --max-time 2 --cacert "$CA" \
		--resolve e2m.customs.example:443:198.51.100.5 https://e2m.customs.example/ ||
		err servers "nginx does not answer on 198.51.100.5:443 ($(tail -c 300 "$T/nginx/error.log" | tr '\n' ' '))"
	wait_until 10 nso sh -c 'echo QUIT | nc.openbsd -w 2 192.0.2.25 587 | grep -q "^220"' ||
		err servers "exim does not answer on 192.0.2.25:587 ($(tail -c 300 "$T/exim/stdout" "$T"/exim/paniclog 2>/dev/null | tr '\n' ' '))"
	wait_until 10 nso sh -c 'nc.openbsd -w 2 198.51.100.5 22 </dev/null | grep -q "^SSH-"' ||
		err servers "sshd does not answer on 198.51.100.5:22 ($(tail -c 300 "$T/ssh/log" | tr '\n' ' '))"
	wait_until 5 nso sh -c 'nc.openbsd -w 2 198.51.100.6 443 </dev/null | grep -q "^SSH-"' ||
		err servers "sshd does not answer on 198.51.100.6:443"
	wait_until 10 nso sh -c 'dig +time=1 +tries=1 +short @192.0.2.53 e2m.customs.example | grep -qx 198.51.100.5' ||
		err servers "dnsmasq does not answer on 192.0.2.53 ($(tail -c 300 "$T/dns/stdout" | tr '\n' ' '))"
	wait_until 10 nso curl -sf --max-time 2 --cacert "$CA" -x http://203.0.113.80:8888 https://203.0.113.80/ ||
		err servers "tinyproxy does not relay on 203.0.113.80:8888 ($(tail -c 300 "$T/proxy/stdout" | tr '\n' ' '))"
	nso curl -sf --max-time 3 --cacert "$CA" "https://[2001:db8:ff::80]/" >/dev/null ||
		err servers "nginx does not answer on [2001:db8:ff::80]:443"
	nso openssl s_client -connect 198.51.100.5:443 -servername evil.example -CAfile "$CA" \
		</dev/null 2>/dev/null | grep -q 'CN = evil.example' ||
		err servers "nginx does not serve evil.example on 198.51.100.5:443"
	wait_until 5 nsi nc.openbsd -z -w 1 10.10.1.10 22 ||
		err servers "the inside listener does not answer on 10.10.1.10:22"
}

# The sessions of the trust checks (DESIGN 4.1), under aduana only (they need
# the router namespace, and one forges frames).
e2e_clients_trust() {
	# An allowed download through a link that needs path-MTU discovery.
	client pmtu_download ncl 20 curl -sS --max-time 18 --cacert "$CA" -o "$T/big.dl" \
		--resolve e2m.customs.example:443:198.51.100.5 https://e2m.customs.example/big.bin
	# The E2M host forges the resolver's answer itself (the site resolver
	# answers too), then uses the forged address with the E2M name.
	client dns_forged_inside nsi 10 /usr/bin/python3 "$ROOT/tests/e2e/forge_dns.py" \
		"$(nso cat /sys/class/net/host/address)" 10.10.1.10 192.0.2.53 e2m.customs.example 203.0.113.80
	client dns_forged_use nsi 5 curl -sS --max-time 3 --cacert "$CA" --local-port 40443 \
		--resolve e2m.customs.example:443:203.0.113.80 https://e2m.customs.example/
}

# The client sessions, in order. Each is "client NAME NSFUNC TIMEOUT CMD...";
# the caller's client() runs it (run.sh: under aduana, capture.sh: recorded).
# Timeouts bound a session that aduana drops; allowed ones end in a second.
e2e_clients() {
	# TLS to the E2M server with its name: allowed.
	client tls_e2m nsi 8 curl -sS --max-time 6 --cacert "$CA" \
		--resolve e2m.customs.example:443:198.51.100.5 https://e2m.customs.example/
	# A name below it (*.e2m.customs.example): allowed.
	client tls_e2m_wildcard nsi 8 curl -sS --max-time 6 --cacert "$CA" \
		--resolve app.e2m.customs.example:443:198.51.100.5 https://app.e2m.customs.example/
	# A foreign SNI to the E2M address: the ClientHello is dropped.
	client tls_foreign_sni nsi 4 openssl s_client -connect 198.51.100.5:443 \
		-servername evil.example -CAfile "$CA"
	# No SNI at all to the E2M address.
	client tls_no_sni nsi 4 openssl s_client -connect 198.51.100.5:443 -noservername \
		-CAfile "$CA"
	# A social network's name to the E2M address: nDPI knows it (TLS.Facebook).
	client tls_social_sni nsi 4 openssl s_client -connect 198.51.100.5:443 \
		-servername www.facebook.com -CAfile "$CA"
	# A name from conf/lists/social.txt that nDPI 4.2 does not know.
	client tls_listed_sni nsi 4 openssl s_client -connect 198.51.100.5:443 \
		-servername mastodon.social -CAfile "$CA"
	# Any other address: dropped at the SYN.
	client tls_other_address nsi 5 curl -sS --max-time 3 --cacert "$CA" https://203.0.113.80/
	# Cleartext HTTP to the E2M server's TLS port, with its name: the
	# endpoint declares TLS only.
	client http_on_tls_port nsi 5 curl -sS --max-time 3 \
		--resolve e2m.customs.example:443:198.51.100.5 http://e2m.customs.example:443/
	# SSH on port 443 of an E2M address: still remote access (DESIGN 4).
	client ssh_on_tls_port nsi 6 ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=4 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p 443 e2e@198.51.100.6 true
	# Mail submission to the agency relay: plain SMTP, STARTTLS, SMTPS. The
	# fixed source ports tell the two flows to 587 apart.
	client smtp_submission nsi 12 swaks --server 192.0.2.25 --port 587 --local-port 40587 \
		--timeout 5 --helo ws1.e2m.customs.example --from e2m@customs.example --to x@customs.example
	client smtp_starttls nsi 12 swaks --server 192.0.2.25 --port 587 --local-port 41587 \
		--timeout 5 -tls --tls-sni mail.customs.example \
		--helo ws1.e2m.customs.example --from e2m@customs.example --to x@customs.example
	client smtps nsi 12 swaks --server 192.0.2.25 --port 465 --timeout 5 --tls-on-connect \
		--tls-sni mail.customs.example \
		--helo ws1.e2m.customs.example --from e2m@customs.example --to x@customs.example
	# SSH to the E2M server: port 22 is not declared.
	client ssh_e2m nsi 6 ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=3 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null e2e@198.51.100.5 true
	# DNS to the site resolver, and to another server.
	client dns_resolver nsi 5 dig +time=3 +tries=1 +short @192.0.2.53 e2m.customs.example A
	client dns_other_resolver nsi 4 dig +time=2 +tries=1 @203.0.113.80 e2m.customs.example A
	# A connection opened from outside to the E2M workstation.
	client inbound nso 5 nc.openbsd -z -v -w 3 -s 203.0.113.9 10.10.1.10 22
	# ICMP echo out of the strict zone.
	client icmp_out nsi 5 ping -n -c 2 -W 2 -I 10.10.1.10 203.0.113.80
	# IPv6 from the strict zone, and from a zoneless inside address.
	client ipv6_out nsi 5 curl -sS --max-time 3 --cacert "$CA" --interface 2001:db8:e2::10 \
		"https://[2001:db8:ff::80]/"
	client ipv6_unzoned nsi 5 curl -sS --max-time 6 --cacert "$CA" \
		--interface 2001:db8:99::10 "https://[2001:db8:ff::80]/"
	# The office zone browses anywhere (default allow), but not through a proxy.
	client office_web nsi 8 curl -sS --max-time 6 --cacert "$CA" --interface 10.20.1.10 \
		https://203.0.113.80/
	client office_proxy nsi 6 curl -sS --max-time 4 --cacert "$CA" --interface 10.20.1.10 \
		-x http://203.0.113.80:8888 https://203.0.113.80/
	# TCP Fast Open from the office: the first connection gets the
	# server's cookie; the second sends its request in the SYN, which
	# aduana drops with its data (docs/stream.md), and Linux sends the SYN
	# again without data and the request after the handshake.
	nsi sysctl -qw net.ipv4.tcp_fastopen=1 >/dev/null
	# h2c with prior knowledge (tests/e2e/h2c_client.py, python3-h2's
	# HPACK: Huffman and its dynamic table): three requests for
	# www.example.org on one connection, each answered, then one for
	# www.torproject.org (conf/lists/proxy.txt: a class the shipped office
	# blocks) on the same one: read as it comes, the flow cut there.
	client office_h2c nsi 12 /usr/bin/python3 "$ROOT/tests/e2e/h2c_client.py" 203.0.113.80 81 \
		10.20.1.10 40813 www.example.org/a www.example.org/b www.example.org/c www.torproject.org/download
	client office_tfo_cookie nsi 8 curl -sS --max-time 6 --tcp-fastopen --interface 10.20.1.10 \
		--local-port 40811 http://203.0.113.80/
	client office_tfo nsi 12 curl -sS --max-time 10 --tcp-fastopen --interface 10.20.1.10 \
		--local-port 40812 http://203.0.113.80/
}
