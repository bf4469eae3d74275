# perf/e2m-conf.sh - the config of perf/bench.sh's flood and lifelong
# conformance rows, which perf/callgrind.sh counts too (sourced by both).
#
# e2m_conf FILE FLOWS LISTS E2M_EXTRA: one worker with FLOWS flows, a strict
# zone (10.10.0.0/16) whose profile allows two endpoints: "sink" (UDP 4000)
# and "e2m" (198.51.100.0/28, TCP 443) with E2M_EXTRA (its hosts and apps,
# or nothing: allowed at its first packet, never looked at again).
e2m_conf() {
	cat >"$1" <<-EOF
	# perf: $(basename "$1")
	version = 1;
	dataplane = { workers = 1; flows_per_worker = $2; classify_packets = 32;
	  timeouts = { tcp = 3600; tcp_closed = 10; tcp_syn = 10; dropped = 10; udp = 120; icmp = 30; other = 60; }; };
	log = { flow_log = ""; };
	classes = "$ROOT/conf/classes.conf";
	lists = "$3";
	endpoints = ( { name = "sink"; addresses = [ "198.51.100.0/24" ]; ports = [ 4000 ]; },
	  { name = "e2m"; addresses = [ "198.51.100.0/28" ]; ports = [ 443 ]; $4 } );
	profiles = ( { name = "strict"; default = "drop"; inbound = "drop"; on_giveup = "drop"; on_exception = "drop";
	    allow = [ "sink", "e2m" ]; block = [ ]; } );
	zones = ( { name = "bench"; subnets = [ "10.10.0.0/16" ]; profile = "strict"; } );
	EOF
}
