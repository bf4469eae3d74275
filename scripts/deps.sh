#!/usr/bin/env bash
# Install the Debian 12 packages aduana needs to build, run and test.
# Idempotent: does nothing when everything is present. --quiet: silent then.
set -euo pipefail
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1

# Packages and the file that proves each is installed.
declare -A need=(
  [pkg-config]=/usr/bin/pkg-config
  [build-essential]=/usr/bin/make
  [libdpdk-dev]=/usr/lib/x86_64-linux-gnu/pkgconfig/libdpdk.pc
  [dpdk]=/usr/bin/dpdk-testpmd
  [libhyperscan-dev]=/usr/include/hs/hs.h
  [libndpi-dev]=/usr/include/ndpi/ndpi_api.h
  [libndpi-bin]=/usr/bin/ndpiReader
  [libconfig-dev]=/usr/include/libconfig.h
  [libcunit1-dev]=/usr/include/CUnit/CUnit.h
  [libpcap-dev]=/usr/include/pcap/pcap.h
  [libsqlite3-dev]=/usr/include/sqlite3.h
  [sqlite3]=/usr/bin/sqlite3
  [libnuma-dev]=/usr/include/numa.h
  [python3-scapy]=/usr/lib/python3/dist-packages/scapy/__init__.py
  [tcpreplay]=/usr/bin/tcprewrite
  [tshark]=/usr/bin/tshark
  [jq]=/usr/bin/jq
  [iproute2]=/usr/sbin/ip
  [curl]=/usr/bin/curl
  [openssl]=/usr/bin/openssl
  [valgrind]=/usr/bin/valgrind
  [nginx-light]=/usr/sbin/nginx
  [swaks]=/usr/bin/swaks
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh
  [nfdump]=/usr/bin/nfcapd
  [rsyslog]=/usr/sbin/rsyslogd
  [tinyproxy]=/usr/bin/tinyproxy
)
missing=()
for p in "${!need[@]}"; do
  [ -e "${need[$p]}" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  [ $quiet = 1 ] || echo "deps: everything is installed"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
