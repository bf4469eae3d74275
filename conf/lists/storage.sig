# storage payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# UFTP (uftp-multicast.sourceforge.net, protocol document): every message
# starts with the protocol version (0x40 for 4.x, 0x50 for 5.x) and the
# message function (ANNOUNCE 1 ... ABORT 15); default port 1044.
UFTP         udp  any  port=1044                 re:^[\x40\x50][\x01-\x0f]
