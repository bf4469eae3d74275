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
