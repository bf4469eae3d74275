# proxy payload signatures (hs.h, README.md "Payload signatures"): a SOCKS
# handshake is proxy behaviour on any port (nDPI 4.2 misreads some as
# Cassandra). HTTP CONNECT and absolute-form targets are checked in code
# (hs_http_request_check), HTTP_Proxy from the port alone is not a proxy.
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# SOCKS5 (RFC 1928 3): version 5, NMETHODS, that many methods.
SOCKS5       tcp  out  len=u8@1+2                re:^\x05[\x01-\x09]
# The same greeting with its request pipelined behind it in one payload
# (ssh -D and Dante read both from the stream): version 5, CONNECT, BIND
# or UDP ASSOCIATE, reserved 0, an address type (red team round 21,
# rt_socks5_pipe: the line above wants the greeting alone).
SOCKS5       tcp  out                            re:^\x05(\x01.|\x02.{2}|\x03.{3}|\x04.{4}|\x05.{5}|\x06.{6}|\x07.{7}|\x08.{8}|\x09.{9})\x05[\x01-\x03]\x00[\x01\x03\x04]
# SOCKS4 / 4a: version 4, CONNECT or BIND, port, IPv4, user id, NUL (4a:
# 0.0.0.x and a host name, NUL); alone, or with the tunnel's first bytes
# pipelined behind it (a TLS record, an HTTP request). A user id up to 255
# bytes (red team round 21, rt_socks4_longuid: one of 100).
SOCKS4       tcp  out                            re:^\x04[\x01\x02].{6}[\x21-\x7e]{0,255}\x00([A-Za-z0-9._-]{1,253}\x00)?(\z|\x16\x03|[A-Z]{3,7} )
# SOCKS5 (RFC 1928 3): the server's method selection, version 5 and the
# method (none 0, GSSAPI 1, user/password 2, none acceptable 0xff). Two
# bytes say little alone: it only confirms nDPI's SOCKS (classes.conf).
SOCKS5       tcp  in   size=2 confirm            re:^\x05[\x00-\x02\xff]
