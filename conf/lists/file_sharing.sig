# file_sharing payload signatures (hs.h, README.md "Payload signatures").
#
# FAMILY     TRANSPORT DIR  [options]            re:REGEX
# Usenet: NNTP (RFC 3977) on port 119. The server's greeting is status 200
# (posting allowed) or 201 (no posting) and text, ending in CRLF (5.1);
# the reader's first commands are MODE READER, CAPABILITIES or AUTHINFO
# (RFC 4643).
NNTP         tcp  any  port=119                  re:^20[01] [\x20-\x7e]*\r\n
NNTP         tcp  out  port=119                  re:^(?:MODE READER|CAPABILITIES|AUTHINFO (?:USER|PASS|SASL) )
