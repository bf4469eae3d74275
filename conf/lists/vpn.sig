# vpn payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY         TRANSPORT DIR  [options]                 re:REGEX
# Cloudflare WARP is WireGuard (wireguard.com/protocol) whose three reserved
# header bytes carry a client id, so a WireGuard check that wants them zero
# misses it. Handshake initiation (type 1, 148 bytes) and response (type 2,
# 92 bytes) on WARP's ports (developers.cloudflare.com, WARP firewall ports).
CloudflareWarp   udp  out  size=148 port=2408,500,1701,4500 first re:^\x01
CloudflareWarp   udp  in   size=92  port=2408,500,1701,4500 first re:^\x02
# IKE (RFC 7296 section 3.1; IKEv1 RFC 2408): initiator and responder SPIs,
# next payload (a payload type of RFC 7296 3.2 and RFC 7383: at most 53,
# so IKE_AUTH's encrypted payload 46 too), version 0x20 (IKEv2) or 0x10
# (IKEv1), exchange type
# (IKEv1 main 2, aggressive 4, informational 5; IKEv2 34-37), and a
# big-endian length that is the whole message. On 4500 (RFC 3948) a
# 4-byte zero non-ESP marker comes first.
IKE              udp  any  port=500 len=be32@24+0           re:^.{16}[\x00-\x35][\x10\x20][\x02\x04\x05\x22-\x25]
IKE              udp  any  port=4500 len=be32@28+4          re:^\x00\x00\x00\x00.{16}[\x00-\x35][\x10\x20][\x02\x04\x05\x22-\x25]
# OpenVPN (the OpenVPN wire protocol: openvpn.net "OpenVPN protocol" and
# github.com/OpenVPN/openvpn-rfc). A session opens with
# P_CONTROL_HARD_RESET_CLIENT_V2 (opcode 7, key id 0: byte 0x38) carrying
# the client's 8-byte session id; with --tls-auth an HMAC (MD5 16, SHA1 20,
# SHA224 28, SHA256 32, SHA384 48 or SHA512 64 bytes) and the replay packet
# id 1 and a timestamp follow; then an empty ack array (0) and message
# packet id 0, and nothing else. The server answers
# P_CONTROL_HARD_RESET_SERVER_V2 (opcode 8: 0x40) acking message 0 of the
# client's session (ack count 1, id 0, the client's session id) with its
# own message id 0. With --tls-crypt the ack array and message id are
# encrypted after the packet id 1, a timestamp and a 32-byte tag, so only
# the sizes are left (54 bytes, the server's at least 66); --tls-crypt-v2
# clients open with P_CONTROL_HARD_RESET_CLIENT_V3 (opcode 10: 0x50) in the
# same framing plus their wrapped key. Over TCP each packet follows a
# 2-byte big-endian length.
OpenVPN          udp  any                            re:^\x38.{8}\x00\x00\x00\x00\x00\z
OpenVPN          udp  any                            re:^\x38.{8}(?:.{16}|.{20}|.{28}|.{32}|.{48}|.{64})\x00\x00\x00\x01[\x4f-\x7f].{3}\x00\x00\x00\x00\x00\z
OpenVPN          udp  any                            re:^\x40.{8}\x01\x00\x00\x00\x00.{8}\x00\x00\x00\x00\z
OpenVPN          udp  any                            re:^\x40.{8}(?:.{16}|.{20}|.{28}|.{32}|.{48}|.{64})\x00\x00\x00\x01[\x4f-\x7f].{3}\x01\x00\x00\x00\x00.{8}\x00\x00\x00\x00\z
OpenVPN          udp  any  size=54                   re:^\x38.{8}\x00\x00\x00\x01[\x4f-\x7f].{3}
OpenVPN          udp  any                            re:^\x40.{8}\x00\x00\x00\x01[\x4f-\x7f].{52}
OpenVPN          udp  out                            re:^\x50.{8}\x00\x00\x00\x01[\x4f-\x7f].{52}
OpenVPN          tcp  any  len=be16@0+2              re:^..\x38.{8}\x00\x00\x00\x00\x00\z
OpenVPN          tcp  any  len=be16@0+2              re:^..\x38.{8}(?:.{16}|.{20}|.{28}|.{32}|.{48}|.{64})\x00\x00\x00\x01[\x4f-\x7f].{3}\x00\x00\x00\x00\x00\z
OpenVPN          tcp  any  len=be16@0+2              re:^..\x40.{8}\x01\x00\x00\x00\x00.{8}\x00\x00\x00\x00\z
OpenVPN          tcp  any  len=be16@0+2              re:^..\x40.{8}(?:.{16}|.{20}|.{28}|.{32}|.{48}|.{64})\x00\x00\x00\x01[\x4f-\x7f].{3}\x01\x00\x00\x00\x00.{8}\x00\x00\x00\x00\z
OpenVPN          tcp  any  size=56 len=be16@0+2      re:^..\x38.{8}\x00\x00\x00\x01[\x4f-\x7f].{3}
OpenVPN          tcp  any  len=be16@0+2              re:^..\x40.{8}\x00\x00\x00\x01[\x4f-\x7f].{52}
OpenVPN          tcp  out  len=be16@0+2              re:^..\x50.{8}\x00\x00\x00\x01[\x4f-\x7f].{52}
# WireGuard (wireguard.com/protocol, the whitepaper section 5.4): a
# message type byte (1 initiation, 148 bytes; 2 response, 92; 3 cookie
# reply, 64; 4 transport data) and three reserved zero bytes; transport
# data is a 16-byte header and the encrypted packet, padded to 16 bytes,
# with its 16-byte tag, so its size is a multiple of 16 and at least 32.
# The handshake messages (fixed size, zero reserved bytes) classify on
# their own, at the first packet; transport data only on WireGuard's port
# 51820. nDPI 4.2 also calls other UDP traffic WireGuard (a game's packets
# on 15007): classes.conf lists WireGuard under "confirm", and the confirm
# lines (cookie replies, transport data on any port) only confirm it.
WireGuard        udp  any  size=148                  re:^\x01\x00\x00\x00
WireGuard        udp  any  size=92                   re:^\x02\x00\x00\x00
WireGuard        udp  any  size=64 confirm           re:^\x03\x00\x00\x00
WireGuard        udp  any  port=51820                re:^\x04\x00\x00\x00.{12}(?:.{16})+\z
WireGuard        udp  any  confirm                   re:^\x04\x00\x00\x00.{12}(?:.{16})+\z
# Tailscale (tailscale.com/blog/how-nat-traversal-works and the disco
# package of github.com/tailscale/tailscale): its peer discovery ("disco")
# messages over UDP start with the magic "TS" U+1F4AC (UTF-8 F0 9F 92 AC),
# then the sender's 32-byte disco key and a 24-byte nonce.
Tailscale        udp  any                            re:^TS\xf0\x9f\x92\xac.{56}
# SoftEther VPN (softether.org, "SoftEther VPN protocol" and its UDP
# acceleration / NAT traversal): the server answers a client's one-byte
# probe with its view of the client's address, "IP=a.b.c.d,PORT=n"; a
# session's parameters travel as a PACK (count, then named elements:
# 4-byte name length with its NUL, name, type, value count), starting with
# elements such as "host_name" or "hub_name".
SoftEther        udp  in                             re:^IP=\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3},PORT=\d{1,5}\z
SoftEther        any  any                            re:^\x00\x00\x00[\x01-\x40]\x00\x00\x00[\x05-\x40](?:host_name|hub_name|method|my_ip|isret|client_str|protocol)
