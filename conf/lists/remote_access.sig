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
