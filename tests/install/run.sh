#!/usr/bin/env bash
# The installed appliance: `make install DESTDIR=... PREFIX=/usr` into an
# empty root, then the installed aduana runs `--check` and a replay on the
# installed config, class map, lists and example capture. Also: the table of
# scripts/deps.sh names, for each package, a file that package ships.
#
# Then `make deb`, and the same for the Debian package, unpacked into an
# empty root with dpkg-deb: its files, conffiles, dependencies, maintainer
# scripts and libraries, and the same --check and replay from the unpacked
# paths. (Not dpkg -i: that would install it on this machine.)
#
# Ends with "install: N passed, N failed[, N skipped]".
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BUILD=${BUILD:-build}
# The ASan build (make SAN=1 test) must not get plain objects mixed in.
SAN=0
[ "${BUILD%/}" = build-san ] && SAN=1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0; skip=0

ok() { echo "PASS install/$1"; pass=$((pass + 1)); }
ko() { echo "FAIL install/$1: $2"; fail=$((fail + 1)); }
sk() { echo "SKIP install/$1: $2"; skip=$((skip + 1)); }
result() {
	if [ $skip -gt 0 ]; then
		echo "install: $pass passed, $fail failed, $skip skipped"
	else
		echo "install: $pass passed, $fail failed"
	fi
}

# --- deps.sh's table against dpkg's database ------------------------------
if command -v dpkg-query >/dev/null; then
	if out=$(scripts/deps.sh --verify 2>&1); then
		ok deps-table
	else
		ko deps-table "$(grep -v '^deps: ok' <<<"$out" | head -5 | tr '\n' ' ')"
	fi
else
	sk deps-table "no dpkg-query (not Debian)"
fi

# --- the installed tree ---------------------------------------------------

# check_tree NAME ROOT SBIN DOC UNITDIR: the files an install must hold, with
# the paths of that install inside them.
check_tree() {
	local name=$1 r=$2 sbin=$3 doc=$4 unitdir=$5 errs=() f mode
	[ -x "$r$sbin/aduana" ] || errs+=("no executable $sbin/aduana")
	[ -x "$r$sbin/aduanad" ] || errs+=("no executable $sbin/aduanad")
	[ -x "$r${sbin%/sbin}/bin/aduanactl" ] || errs+=("no executable ${sbin%/sbin}/bin/aduanactl")
	f=$r$unitdir/aduanad.service
	if [ ! -s "$f" ]; then
		errs+=("no $unitdir/aduanad.service")
	else
		grep -q "^ExecStart=$sbin/aduanad -c /etc/aduana/aduanad.conf$" "$f" ||
			errs+=("aduanad.service's ExecStart is not $sbin/aduanad -c /etc/aduana/aduanad.conf")
		grep -q '^User=aduana$' "$f" || errs+=("aduanad.service does not run as aduana")
		! grep -n '@[A-Z]*@' "$f" >/dev/null || errs+=("unsubstituted paths in aduanad.service")
	fi
	for f in aduana.conf classes.conf aduanad.conf; do
		cmp -s "conf/$f" "$r/etc/aduana/$f" || errs+=("/etc/aduana/$f differs from conf/$f or is missing")
	done
	for f in conf/lists/*.txt conf/lists/*.sig; do
		cmp -s "$f" "$r/etc/aduana/lists/${f##*/}" || errs+=("/etc/aduana/lists/${f##*/} missing or differs")
	done
	[ -s "$r/etc/default/aduana" ] || errs+=("no /etc/default/aduana")
	grep -qx 'ADUANA_CONF=/etc/aduana/aduana.conf' "$r/etc/default/aduana" 2>/dev/null ||
		errs+=("/etc/default/aduana does not set ADUANA_CONF=/etc/aduana/aduana.conf")
	f=$r$unitdir/aduana.service
	if [ ! -s "$f" ]; then
		errs+=("no $unitdir/aduana.service")
	else
		grep -q "^ExecStart=$sbin/aduana " "$f" || errs+=("the unit's ExecStart is not $sbin/aduana")
		grep -q "^ExecStartPre=$sbin/aduana --check " "$f" || errs+=("the unit does not --check first")
		grep -q '^EnvironmentFile=/etc/default/aduana$' "$f" || errs+=("the unit does not read /etc/default/aduana")
		! grep -n '@[A-Z]*@' "$f" >/dev/null || errs+=("unsubstituted paths in the unit: $(grep -o '@[A-Z]*@' "$f" | sort -u | tr '\n' ' ')")
	fi
	f=$(ls "$r"/usr/share/man/man8/aduana.8* "$r"/usr/local/share/man/man8/aduana.8* 2>/dev/null | head -1)
	if [ -z "$f" ]; then
		errs+=("no man page aduana.8")
	elif zcat -f "$f" | grep -q '@[A-Z]*@'; then
		errs+=("unsubstituted paths in ${f#"$r"}")
	elif command -v man >/dev/null && ! zcat -f "$f" | man -l - >/dev/null 2>&1; then
		errs+=("man cannot render ${f#"$r"}")
	fi
	[ -s "$r$doc/README.md" ] || errs+=("no $doc/README.md")
	[ -s "$r$doc/examples/demo.pcap" ] || errs+=("no $doc/examples/demo.pcap")
	if [ ! -d "$r/var/log/aduana" ]; then
		errs+=("no /var/log/aduana")
	else
		mode=$(stat -c %a "$r/var/log/aduana")
		[ "$mode" = 750 ] || errs+=("/var/log/aduana has mode $mode, want 750")
	fi
	if [ ${#errs[@]} -eq 0 ]; then
		ok "$name"
	else
		ko "$name" "$(printf '%s; ' "${errs[@]}")"
	fi
}

# check_run NAME ROOT SBIN DOC: the installed binary checks the installed
# config, refuses it without its class map and lists beside it, and replays
# the installed example through it with balanced counters.
check_run() {
	local name=$1 r=$2 sbin=$3 doc=$4 out rc s n
	out=$("$r$sbin/aduana" --check -c "$r/etc/aduana/aduana.conf" 2>&1); rc=$?
	if [ $rc = 0 ] && grep -q 'aduana.conf: ok: 2 zones' <<<"$out"; then
		ok "$name-check"
	else
		ko "$name-check" "exit $rc: $(head -c 300 <<<"$out")"
	fi
	# Alone in a directory, the config cannot find classes.conf: exit 2, named.
	mkdir -p "$T/$name-alone"
	cp "$r/etc/aduana/aduana.conf" "$T/$name-alone/"
	out=$("$r$sbin/aduana" --check -c "$T/$name-alone/aduana.conf" 2>&1); rc=$?
	if [ $rc = 2 ] && grep -q 'classes.conf' <<<"$out"; then
		ok "$name-check-needs-beside"
	else
		ko "$name-check-needs-beside" "exit $rc (want 2, naming classes.conf): $(head -c 300 <<<"$out")"
	fi
	out=$("$r$sbin/aduana" --replay "$r$doc/examples/demo.pcap" -c "$r/etc/aduana/aduana.conf" \
		--flow-log "$T/$name-flows.jsonl" -q 2>"$T/$name-replay.err"); rc=$?
	s=$(grep '^{"summary"' <<<"$out" | tail -1)
	n=$(wc -l <"$T/$name-flows.jsonl" 2>/dev/null || echo 0)
	if [ $rc != 0 ] || [ -z "$s" ]; then
		ko "$name-replay" "exit $rc, no summary: $(tail -c 300 "$T/$name-replay.err")"
	elif ! jq -e --argjson n "$n" '.summary | .rx > 0 and .rx == .tx + .dropped and .dropped > 0
		and .flow_records == $n' <<<"$s" >/dev/null; then
		ko "$name-replay" "summary does not balance or lacks the flows ($n records): $(head -c 300 <<<"$s")"
	else
		ok "$name-replay"
	fi
}

if ! make -s --no-print-directory SAN=$SAN BUILD="$BUILD" PREFIX=/usr DESTDIR="$T/root" install \
	>"$T/install.log" 2>&1; then
	ko make-install "$(tail -5 "$T/install.log" | tr '\n' ' ')"
else
	ok make-install
	check_tree tree "$T/root" /usr/sbin /usr/share/doc/aduana /usr/lib/systemd/system
	check_run installed "$T/root" /usr/sbin /usr/share/doc/aduana
fi

# --- the Debian package ---------------------------------------------------
# `make deb` builds in a copy of the tree under $BUILD/deb/, incrementally.
deb=
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	sk deb-build "no dpkg-buildpackage or debhelper (scripts/deps.sh installs them)"
elif ! make -s --no-print-directory SAN=$SAN BUILD="$BUILD" deb >"$T/deb.log" 2>&1; then
	ko deb-build "$(tail -8 "$T/deb.log" | tr '\n' ' ')"
else
	ok deb-build
	deb=$(ls "$BUILD"/deb/aduana_*_amd64.deb | head -1)
fi
if [ -z "$deb" ]; then
	sk deb "no package to check"
else
	echo "install: checking $deb"
	R=$T/debroot
	mkdir -p "$R" "$T/debctl"
	dpkg-deb -x "$deb" "$R" && dpkg-deb -e "$deb" "$T/debctl"
	check_tree deb-tree "$R" /usr/sbin /usr/share/doc/aduana /lib/systemd/system
	errs=()
	for f in /etc/aduana/aduana.conf /etc/aduana/classes.conf /etc/aduana/lists/social.txt \
		/etc/default/aduana; do
		grep -qx "$f" "$T/debctl/conffiles" 2>/dev/null || errs+=("$f is not a conffile")
	done
	dep=$(dpkg-deb -f "$deb" Depends)
	for p in librte-eal23 librte-ethdev23 libndpi4.2 libhyperscan5 libconfig9 librte-net-pcap23 \
		librte-mempool-ring23; do
		grep -q "\b$p\b" <<<"$dep" || errs+=("Depends lacks $p")
	done
	for f in "$T"/debctl/postinst "$T"/debctl/prerm "$T"/debctl/postrm; do
		[ -f "$f" ] && ! sh -n "$f" && errs+=("${f##*/} is not valid sh")
	done
	grep -q 'deb-systemd-helper' "$T/debctl/postinst" 2>/dev/null || errs+=("postinst does not register the unit")
	grep -q 'deb-systemd-invoke start' "$T/debctl/postinst" 2>/dev/null &&
		errs+=("postinst starts the unit before its ports are set")
	if [ ${#errs[@]} -eq 0 ]; then
		ok deb-control
	else
		ko deb-control "$(printf '%s; ' "${errs[@]}")"
	fi
	# The packaged binary resolves every library it links on this machine.
	if ldd "$R/usr/sbin/aduana" 2>&1 | grep -q 'not found'; then
		ko deb-libs "$(ldd "$R/usr/sbin/aduana" | grep 'not found' | head -3 | tr '\n' ' ')"
	else
		ok deb-libs
	fi
	check_run deb "$R" /usr/sbin /usr/share/doc/aduana
fi

result
[ $fail -eq 0 ]
