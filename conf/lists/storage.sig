# storage payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# UFTP (uftp-multicast.sourceforge.net, protocol document): every message
# starts with the protocol version (0x40 for 4.x, 0x50 for 5.x) and the
# message function (ANNOUNCE 1 ... ABORT 15); default port 1044.
UFTP         udp  any  port=1044 first           re:^[\x40\x50][\x01-\x0f]
# TFTP (RFC 1350 5): a read or write request to port 69 (opcode 1 or 2,
# file name, NUL, mode netascii/octet/mail, NUL), and the option
# acknowledgement from the server's own port (RFC 2347: opcode 6, then
# option and value pairs, each NUL-terminated; the options of RFC 2348,
# 2349 and 7440).
TFTP         udp  out  port=69                   re:^\x00[\x01\x02][\x20-\x7e]{1,255}\x00(?i:netascii|octet|mail)\x00
TFTP         udp  any                            re:^\x00\x06(?:(?i:blksize|tsize|timeout|windowsize)\x00\d{1,10}\x00)+\z
# FTP (RFC 959 4.2, 5.4): on port 21 the server greets with reply 220; the
# client logs in with USER or asks for TLS with AUTH (RFC 4217).
FTP          tcp  in   port=21                   re:^220[ -]
FTP          tcp  out  port=21                   re:^(?:USER |AUTH (?:TLS|SSL)\r\n|FEAT\r\n)
# rsync daemon (rsync's "rsyncd" protocol, port 873): both sides open with
# the greeting "@RSYNCD: <protocol version>".
RSYNC        tcp  any                            re:^@RSYNCD: \d+(?:\.\d+)?\n
# SMB over TCP (RFC 1001/1002 session message, then MS-SMB 2.2.3.1's
# 0xFF "SMB" or MS-SMB2 2.2.1's 0xFE "SMB" protocol id) on 445 and 139.
SMB          tcp  out  port=445,139              re:^\x00.{3}[\xfe\xff]SMB
