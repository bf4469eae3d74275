#!/usr/bin/env bash
# Install the Debian 12 packages aduana needs to build, run, test, package
# and benchmark it.
#
#   scripts/deps.sh            install what is missing, say what
#   scripts/deps.sh --quiet    the same, silent when nothing is missing
#   scripts/deps.sh --verify   check the table below against dpkg's database:
#                              every installed package must ship its file
#
# Each package is proved installed by a file that the package itself ships
# (`dpkg -L PKG` lists it; `--verify` checks it), never by a file that
# another package brings along. So once everything is in, a second run finds
# every file, runs no apt-get and makes no network access.
#
# The e2e suite's servers and clients (nginx, exim, sshd, ...) are not here:
# tests/e2e/lib.sh installs them with system services kept from starting.
# The collectors of tests/ctl (nfdump, rsyslog) are, and their services are
# kept from starting too: the tests run private instances.
set -euo pipefail
mode=${1:-}

# PACKAGE FILE-IT-SHIPS                      used by
TABLE='
build-essential /usr/share/build-essential/list  make, gcc, libc headers
pkgconf /usr/bin/pkg-config                      the Makefile
python3 /usr/share/doc/python3/copyright         scripts/flowtable.py, tests, pcaps/
libdpdk-dev /usr/lib/x86_64-linux-gnu/pkgconfig/libdpdk.pc
dpdk /usr/bin/dpdk-devbind.py                    README: binding NIC ports
dpdk-dev /usr/bin/dpdk-testpmd                   make bench; also dpdk-telemetry.py
libhyperscan-dev /usr/include/hs/hs.h
libndpi-dev /usr/include/ndpi/ndpi_api.h
libgcrypt20-dev /usr/include/gcrypt.h                 classifiers/quic.c (QUIC Initial keys)
libndpi-bin /usr/bin/ndpiReader                  tests/corpus, make bench
libconfig-dev /usr/include/libconfig.h
libcunit1-dev /usr/include/CUnit/CUnit.h
libpcap0.8-dev /usr/include/pcap/pcap.h
libsqlite3-dev /usr/include/sqlite3.h
sqlite3 /usr/bin/sqlite3
libnuma-dev /usr/include/numa.h
python3-scapy /usr/lib/python3/dist-packages/scapy/__init__.py   pcaps/gen_*.py
python3-cryptography /usr/lib/python3/dist-packages/cryptography/__init__.py   tests/evasion/gen.py (QUIC Initials)
python3-h2 /usr/lib/python3/dist-packages/h2/__init__.py   tests/e2e (an h2c client: curl 7.88 cannot reuse one)
tcpreplay /usr/bin/tcprewrite                    make bench
tshark /usr/bin/tshark                           tests/replay
wireshark-common /usr/bin/editcap                tests/replay, make bench
jq /usr/bin/jq                                   tests
iproute2 /bin/ip                                 tests/e2e
curl /usr/bin/curl                               tests/e2e
openssl /usr/bin/openssl                         tests/e2e
nftables /usr/sbin/nft                           tests/e2e/loss.sh, make bench-download (LOSS=N)
valgrind /usr/bin/valgrind                       tests/perf (callgrind)
dpkg-dev /usr/bin/dpkg-buildpackage              make deb
debhelper /usr/bin/dh                            make deb
nfdump /usr/bin/nfcapd                           tests/ctl: an IPFIX collector
rsyslog /usr/sbin/rsyslogd                       tests/ctl: an RFC 5424 syslog receiver
chromium /usr/bin/chromium                       tests/ctl: the HTML report in a headless browser
'

table() { sed -e '/^$/d' <<<"$TABLE" | awk '{print $1, $2}'; }

if [ "$mode" = --verify ]; then
  bad=0
  while read -r pkg file; do
    st=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
    if [ "$st" != installed ]; then
      echo "deps: $pkg is not installed; cannot check $file"
      continue
    fi
    # dpkg-query -S prints "pkg[:arch][, pkg...]: path" for the owners.
    if dpkg-query -S "$file" 2>/dev/null | cut -d: -f1 | tr ',' '\n' | tr -d ' ' |
      grep -qx "$pkg"; then
      echo "deps: ok $pkg ships $file"
    else
      echo "deps: BAD $file is not shipped by $pkg ($(dpkg-query -S "$file" 2>&1 | head -1))"
      bad=1
    fi
  done < <(table)
  exit $bad
fi

missing=()
while read -r pkg file; do
  [ -e "$file" ] || missing+=("$pkg")
done < <(table)
if [ ${#missing[@]} -eq 0 ]; then
  [ "$mode" = --quiet ] || echo "deps: everything is installed"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root may capture; the answer does not matter here.
# (debconf-set-selections comes with debconf, which every Debian has.)
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# Packages that ship services (nfdump, rsyslog) must not start them: a
# policy-rc.d that says no, for the length of the install, unless the
# machine already has one of its own.
rcd=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  rcd=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$rcd" >/dev/null
  $SUDO chmod 755 "$rcd"
  trap '$SUDO rm -f "$rcd"' EXIT
fi
# Try without a fresh package index first: it may already be current, and then
# a machine without network still gets what its apt cache holds.
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  if ! { $SUDO apt-get update -qq &&
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "deps: apt-get could not install ${missing[*]}." >&2
    echo "deps: the first run needs a Debian 12 mirror (main) in /etc/apt/sources.list." >&2
    exit 1
  fi
fi
still=()
while read -r pkg file; do
  [ -e "$file" ] || still+=("$pkg: $file")
done < <(table)
if [ ${#still[@]} -gt 0 ]; then
  echo "deps: installed, but these files are still missing: ${still[*]}" >&2
  exit 1
fi
echo "deps: done"
