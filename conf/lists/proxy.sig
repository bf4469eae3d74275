# proxy payload signatures (hs.h, README.md "Payload signatures"): a SOCKS
# handshake is proxy behaviour on any port (nDPI 4.2 misreads some as
# Cassandra). HTTP CONNECT and absolute-form targets are checked in code
# (hs_http_request_check), HTTP_Proxy from the port alone is not a proxy.
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# SOCKS5 (RFC 1928 3): version 5, NMETHODS, that many methods (IANA's
# 0-9 and the private 0x80-0xfe; any count up to 255: red team round 21's
# note, a greeting of 12 methods passed a line that wanted at most 9).
SOCKS5       tcp  out  len=u8@1+2                re:^\x05[\x01-\xff][\x00-\x09\x80-\xfe]+\z
# The same greeting with its request pipelined behind it in one payload
# (ssh -D and Dante read both from the stream): version 5, CONNECT, BIND
# or UDP ASSOCIATE, reserved 0, an address type (red team round 21,
# socks5_pipe: the line above wants the greeting alone).
SOCKS5       tcp  out                            re:^\x05(\x01.|\x02.{2}|\x03.{3}|\x04.{4}|\x05.{5}|\x06.{6}|\x07.{7}|\x08.{8}|\x09.{9})\x05[\x01-\x03]\x00[\x01\x03\x04]
# The same with 10 or more methods (their count is not tied to the bytes
# here: each a method of the set above), and with the user/password
# subnegotiation (RFC 1929 2: version 1, ULEN, user, PLEN, password)
# pipelined between greeting and request.
SOCKS5       tcp  out                            re:^\x05[\x0a-\xff][\x00-\x09\x80-\xfe]{10,255}\x05[\x01-\x03]\x00[\x01\x03\x04]
SOCKS5       tcp  out                            re:^\x05[\x01-\xff][\x00-\x09\x80-\xfe]{1,255}\x01[\x01-\xff].{1,255}[\x01-\xff].{1,255}\x05[\x01-\x03]\x00[\x01\x03\x04]
# SOCKS4 / 4a: version 4, CONNECT or BIND, port, IPv4, user id, NUL (4a:
# 0.0.0.x and a host name, NUL); alone, or with the tunnel's first bytes
# pipelined behind it (a TLS record, an HTTP request). A user id up to 255
# bytes (red team round 21, socks4_longuid: one of 100) of any value
# but NUL (ssh -D and Dante read to the NUL), then the end, a TLS record,
# an HTTP request or an SSH banner.
SOCKS4       tcp  out                            re:^\x04[\x01\x02].{6}[\x01-\xff]{0,255}\x00([A-Za-z0-9._-]{1,253}\x00)?(\z|\x16\x03|[A-Z]{3,7} |SSH-)
# SOCKS5 (RFC 1928 3): the server's method selection, version 5 and the
# method (none 0, GSSAPI 1, user/password 2, none acceptable 0xff). Two
# bytes say little alone: it only confirms nDPI's SOCKS (classes.conf).
SOCKS5       tcp  in   size=2 confirm            re:^\x05[\x00-\x02\xff]
