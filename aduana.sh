#!/bin/sh
# aduana.sh - the first command on a fresh Debian 12 machine (as root, or a
# user with sudo). A bare Debian has neither make nor a compiler: this needs
# only sh and bash, which every Debian has. It installs the packages that are
# missing (scripts/deps.sh; nothing, and no network, once they are in) and
# then runs make with the same arguments.
#
#   ./aduana.sh run       build, replay pcaps/demo.pcap, print the verdicts
#   ./aduana.sh test      build, run every test; ends "N passed, N failed"
#   ./aduana.sh TARGET    any other make target: install, deb, bench, help...
set -e
cd "$(dirname "$0")"
case ${1:-} in
'' | -h | --help)
	sed -n '2,10s/^# \{0,1\}//p' "$0"
	[ $# -gt 0 ] && exit 0
	exit 2
	;;
esac
scripts/deps.sh --quiet
exec make --no-print-directory "$@"
