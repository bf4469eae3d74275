# p2p payload signatures (hs.h, README.md "Payload signatures"). nDPI 4.2
# misses most Gnutella flows; these follow the Gnutella Protocol
# Specification v0.6 (rfc-gnutella.sourceforge.net, "GDF" draft).
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# Gnutella 0.6 handshake (spec 2.2): "GNUTELLA CONNECT/0.6", answered
# "GNUTELLA/0.6 200 OK"; 0.4 answered "GNUTELLA OK".
Gnutella     tcp  out                            re:^GNUTELLA CONNECT/\d
Gnutella     tcp  in                             re:^GNUTELLA(/\d\.\d \d{3}| OK)
# Push-initiated transfer (spec 3.3): "GIV <index>:<servent GUID hex>/<name>"
Gnutella     tcp  out                            re:^GIV \d+:[0-9A-Fa-f]{32}/
# Downloads by URN (HUGE, spec appendix): "GET /uri-res/N2R?urn:sha1:..."
Gnutella     tcp  out                            re:^GET /uri-res/N2R\?urn:
# A Gnutella descriptor over UDP (spec 2.3): 16-byte GUID whose byte 8 is
# 0xff and byte 15 is 0x00 (the mark of modern servents), payload type
# (ping 00, pong 01, bye 02, vendor 31/32, push 40, query 80, query hit 81),
# TTL and hops (at most 15 each), and a little-endian payload length that,
# with the 23-byte header, is the datagram.
Gnutella     udp  any  len=le32@19+23            re:^.{8}\xff.{6}\x00[\x00\x01\x02\x31\x32\x40\x80\x81][\x00-\x0f][\x00-\x0f]
# BitTorrent DHT (BEP 5): bencoded KRPC queries and answers start with a
# dictionary whose first key is "a" (query arguments) or "r" (response)
# holding the 20-byte node id.
BitTorrent   udp  any                            re:^d1:[ar]d2:id20:
# uTP (BEP 29) connection request: type ST_SYN (4) and version 1, no
# extension, a bare 20-byte header.
BitTorrent   udp  out  size=20 first             re:^\x41\x00
# eDonkey / eMule (Kulbak and Bickson, "The eMule Protocol Specification",
# 2005, section 6): a TCP message is a protocol byte (0xE3 eDonkey, 0xC5
# eMule extensions), a little-endian length of the rest, and an opcode;
# a connection opens with Hello (0x01, then the 16-byte user hash's size
# 16) or is answered with Hello answer (0x4C, the user hash).
eDonkey      tcp  any  len=le32@1+5              re:^[\xe3\xc5].{4}\x01\x10
eDonkey      tcp  any  len=le32@1+5              re:^\xe3.{4}\x4c
# BitTorrent UDP tracker (BEP 15): every exchange opens with a connect
# request of 16 bytes, the protocol id 0x41727101980 (a 64-bit magic
# constant), action 0 (connect) and a transaction id. libtorrent
# (qBittorrent, Deluge) and Transmission send it for udp:// trackers; nDPI
# 4.2 knows HTTP trackers only (red team, the seventeenth session).
BitTorrent   udp  out  size=16                   re:^\x00\x00\x04\x17\x27\x10\x19\x80\x00\x00\x00\x00
# eMule / aMule Kad 2 over UDP (the protocol byte 0xE4, then the opcode):
# KADEMLIA2_BOOTSTRAP_REQ (0x01) is the two bytes alone; KADEMLIA2_HELLO_REQ
# (0x11) carries the 16-byte Kad id, the TCP port (2) and the Kad version
# (1), then a tag count; KADEMLIA2_REQ (0x21) a type byte and two 16-byte
# ids, 35 bytes. A client reaches its nodes by address (nodes.dat): no name.
eMule        udp  out  size=2                    re:^\xe4\x01
eMule        udp  out                            re:^\xe4\x11.{18}[\x01-\x3f]
eMule        udp  out  size=35                   re:^\xe4\x21[\x01-\x3f]
# Soulseek (SoulseekQt, Nicotine+; the server at port 2242): each message
# is a little-endian length of the rest, then its code; the client opens
# with Login (code 1: user name, password, version, hash, minor version).
Soulseek     tcp  out  port=2242 len=le32@0+4    re:^.{4}\x01\x00\x00\x00[\x01-\x40]\x00\x00\x00
