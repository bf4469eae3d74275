# remote_access payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# NoMachine NX: the session opens with the client's "NXSH-<version>" and
# the server's "NXD-<version>" banner (NoMachine's NX protocol, port 4000).
NoMachine    tcp  any                            re:^NX(SH|D)-\d+\.\d+
# Radmin: the session setup request the public IDS rules describe (Emerging
# Threats "Radmin Remote Control Session Setup Initiate").
Radmin       tcp  out                            re:^\x01\x00\x00\x00\x01\x00\x00\x00\x08\x08
# BSD rsh (rshd(8), port 514): "[stderr port]\0local user\0remote
# user\0command\0"; rlogin (RFC 1282, port 513): "\0local user\0remote
# user\0terminal/speed\0".
RSH          tcp  out  port=514                  re:^\d{0,5}\x00[\x21-\x7e]{1,64}\x00[\x21-\x7e]{1,64}\x00[^\x00]+\x00
RSH          tcp  out  port=513                  re:^\x00[\x21-\x7e]{1,64}\x00[\x21-\x7e]{1,64}\x00[\x21-\x7e]+/\d+\x00
# AnyDesk's TLS: its client offers the ALPN protocol (RFC 7301 3.1: the
# application names itself) "anydesk/<version>/<os>" in the ClientHello.
AnyDesk      tcp  out                            re:^\x16\x03[\x01-\x04]..\x01.*[\x09-\x40]anydesk/\d+\.\d+
# Telnet (RFC 854, RFC 855): on port 23 a session opens with option
# negotiation, IAC (0xFF) then DO/DONT/WILL/WONT (0xFB-0xFE) and an option.
Telnet       tcp  any  port=23                   re:^\xff[\xfb-\xfe][\x00-\x2f]
# SSH (RFC 4253 4.2): each side opens with its identification string,
# "SSH-protoversion-softwareversion". nDPI 4.2 names SSH from a whole line
# in one segment; these lines are matched over the stream's first bytes
# joined too (a banner cut into small segments, red team round 20).
SSH          tcp  any                            re:^SSH-\d\.\d+-
# VNC (RFB, RFC 6143 7.1.1): the server's ProtocolVersion "RFB 003.008\n",
# echoed by the client.
VNC          tcp  any                            re:^RFB \d{3}\.\d{3}\n
# TeamViewer (its router, on 5938 or the fallback ports 443 and 80): each
# of the router's messages opens with 11 30, a command byte and 00, and
# carries 1b 00 00 00 at byte 16 (nDPI's teamviewer.pcap, every router
# message). nDPI 4.2 names TeamViewer from four messages that each open a
# segment; a client that sends each message's first byte alone passed the
# office (red team round 4, the nineteenth session: rt4_ra_tv_split).
TeamViewer   tcp  in                             re:^\x11\x30.\x00.{12}\x1b\x00\x00\x00
# TeamViewer's HTTP fallback (its "DynGate" client, when only port 80 goes
# out): the session is carried by GET /din.aspx and POST /dout.aspx
# requests to a router's address, each naming client=DynGate in its query
# string. nDPI 4.2 has no check for it (red team round 42, rt42_tv_dyngate).
TeamViewer   tcp  out                            re:^(?:GET|POST) /d(?:in|out)\.aspx\?[^\r\n]*client=DynGate
# RDP (MS-RDPBCGR 2.2.1.1): a TPKT header (version 3, reserved 0, length),
# the X.224 Connection Request TPDU (length indicator, code 0xE0, DST-REF 0,
# SRC-REF, class 0), then RDP's own data: a "Cookie: " line (mstshash, or a
# load balancer's routing token) or an RDP Negotiation Request (type 1,
# length 8). ISO-TSAP on port 102 (S7comm, MMS) opens with the same TPKT
# and X.224 header, followed by TSAP parameters (0xC0-0xC2): not RDP.
# The routing token comes first where a load balancer or a Connection
# Broker asked for one (MS-RDPBCGR 2.2.1.1 routingToken: any bytes up to a
# CRLF; mstsc's and FreeRDP's /load-balance-info send
# "tsv://MS Terminal Services Plugin.1.<collection>" as given): a printable
# line ending in CRLF, or, where the server's small MSS cut the request so
# that the 64 bytes joined end inside it, 32 printable bytes to their end
# (red team round 42, rt42_rdp_tsv_split: nDPI 4.2 named it RTMP, then
# TLS).
RDP          tcp  out                            re:^\x03\x00..[\x06-\xfe]\xe0\x00\x00..\x00(?:Cookie: |\x01[\x00-\x0f]\x08\x00|[\x20-\x7e]{1,255}\r\n|[\x20-\x7e]{32,}\z)
# RustDesk with its own server (hbbs on 21116, hbbr on 21117; the public
# ones are in remote_access.txt by name, a self-hosted one has none): the
# rendezvous protocol's protobuf messages (rustdesk-server, rendezvous.proto).
# Over UDP 21116 a RendezvousMessage whose first field is register_peer (6)
# or punch_hole_request (8), each opening with its id (field 1, a string).
# Over TCP, a 1- to 3-byte length header (its low two bits the header's
# size), then key_exchange (25) from either side or request_relay (18)
# from the client.
RustDesk     udp  out  port=21116                re:^[\x32\x42][\x02-\x7f]\x0a
RustDesk     tcp  any  port=21116,21117          re:^(?:[\x00-\xfc]|[\x01-\xfd].|[\x02-\xfe]..)(?:\xca\x01|\x92\x01)
# A relay moved to any other port (hbbr -p 443, as RustDesk's own guide
# shows for networks that let only 443 out: red team round 42,
# rt42_rustdesk_443): the client's request_relay alone, strict enough for
# any port: its id (field 1) and the session's UUID (field 2, 36
# characters), as the client sends them.
RustDesk     tcp  out                            re:^(?:[\x00-\xfc]|[\x01-\xfd].|[\x02-\xfe]..)\x92\x01(?:[\x00-\x7f]|[\x80-\xff][\x01-\x7f])(?:\x0a[\x01-\x7f][\x20-\x7e]{1,127})?\x12\x24[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}
