/* dns.h - just enough of a DNS response to learn endpoint addresses: the
 * question name and the A/AAAA records of the answer section.
 *
 * Pure C over the UDP payload; never reads past n. Any thread.
 */
#ifndef ADUANA_DNS_H
#define ADUANA_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_ANSWERS 16

struct dns_answer {
	uint8_t addr[16]; /* IPv4-mapped for A records */
	uint32_t ttl;
};

/* Parse a response (QR set, RCODE 0, one question). Writes the question
 * name (lower case, no trailing dot) into qname and up to max A/AAAA
 * answers into out. Returns the number of answers, or -EINVAL when the
 * payload is not such a response. */
int dns_parse_response(const uint8_t *p, size_t n, char *qname, size_t qsize,
		       struct dns_answer *out, unsigned max);

#endif
