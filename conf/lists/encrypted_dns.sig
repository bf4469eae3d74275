# encrypted_dns payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# DNSCrypt v2 (dnscrypt.info/protocol): every encrypted answer starts with
# the resolver magic "r6fnvWj8"; over TCP after a 2-byte length.
DNSCrypt     udp  in                             re:^r6fnvWj8
DNSCrypt     tcp  in                             re:^..r6fnvWj8
# The certificate a client fetches first is a TXT record whose data starts
# with the cert magic "DNSC" and the es-version (1 or 2).
DNSCrypt     any  in                             re:DNSC\x00[\x01\x02]\x00\x00
# DNS over TLS (RFC 7858 3.1): TLS on TCP port 853, the port IANA gave it;
# a TLS handshake record carrying a ClientHello (RFC 8446 5.1, 4).
DoT          tcp  out  port=853                  re:^\x16\x03[\x01-\x04]..\x01
# DNS over QUIC (RFC 9250 4.1.1): QUIC on UDP port 853; a long-header
# packet (RFC 9000 17.2) of QUIC version 1 or 2 (RFC 9369).
DoQ          udp  out  port=853                  re:^[\xc0-\xff](?:\x00\x00\x00\x01|\x6b\x33\x43\xcf)
