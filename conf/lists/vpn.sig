# vpn payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY         TRANSPORT DIR  [options]                 re:REGEX
# Cloudflare WARP is WireGuard (wireguard.com/protocol) whose three reserved
# header bytes carry a client id, so a WireGuard check that wants them zero
# misses it. Handshake initiation (type 1, 148 bytes) and response (type 2,
# 92 bytes) on WARP's ports (developers.cloudflare.com, WARP firewall ports).
CloudflareWarp   udp  out  size=148 port=2408,500,1701,4500  re:^\x01
CloudflareWarp   udp  in   size=92  port=2408,500,1701,4500  re:^\x02
# IKE (RFC 7296 section 3.1; IKEv1 RFC 2408): initiator and responder SPIs,
# next payload, version 0x20 (IKEv2) or 0x10 (IKEv1), exchange type
# (IKEv1 main 2, aggressive 4, informational 5; IKEv2 34-37), and a
# big-endian length that is the whole message. On 4500 (RFC 3948) a
# 4-byte zero non-ESP marker comes first.
IKE              udp  any  port=500 len=be32@24+0           re:^.{16}[\x00-\x30][\x10\x20][\x02\x04\x05\x22-\x25]
IKE              udp  any  port=4500 len=be32@28+4          re:^\x00\x00\x00\x00.{16}[\x00-\x30][\x10\x20][\x02\x04\x05\x22-\x25]
