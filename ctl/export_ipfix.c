/* IPFIX exporter (see export_ipfix.h). Facts from RFC 7011 (message, set
 * and template formats), RFC 5103 (reverse elements: PEN 29305, same
 * element ids), RFC 7270 (forwardingStatus: two status bits, six reason
 * bits, reduced to one byte) and the IANA IPFIX registry (element ids). */
#include "export_ipfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flowrec.h"

#define IPFIX_VERSION	  10
#define IPFIX_MSG_MAX	  1400 /* fits a 1500-byte MTU with IP/UDP headers */
#define IPFIX_TPL_V4	  256
#define IPFIX_TPL_V6	  257
#define IPFIX_TPL_AUDIT	  258 /* options template: the audit chain's head */
#define IPFIX_PEN_REVERSE 29305
#define IPFIX_VARLEN	  65535
#define IPFIX_COLLECTORS  8
#define IPFIX_TCP_BACKLOG (4u << 20)
#define IPFIX_RECONNECT_S 5
#define IPFIX_STR_MAX	  254 /* one-byte variable-length prefix */

/* RFC 7270 forwardingStatus, one byte: status in the top two bits. */
#define IPFIX_FWD_FORWARDED 0x40 /* 64: forwarded, reason unknown */
#define IPFIX_FWD_DROP	    0x80 /* 128: dropped, reason unknown */
#define IPFIX_FWD_DROP_ACL  0x81 /* 129: dropped, ACL deny */

/* flowEndReason (IANA). */
#define IPFIX_END_IDLE	 1
#define IPFIX_END_FLOW	 3
#define IPFIX_END_FORCED 4

struct ipfix_field {
	uint16_t id;
	uint16_t len;
	uint32_t pen; /* 0: IETF */
};

/* In encoding order; the address fields are replaced per family. The
 * enterprise fields get the operator's PEN at run time (pen 1 here). */
static const struct ipfix_field ipfix_fields[] = {
	{8, 4, 0},		   /* sourceIPv4Address / 27 sourceIPv6Address */
	{12, 4, 0},		   /* destinationIPv4Address / 28 destinationIPv6Address */
	{7, 2, 0},		   /* sourceTransportPort */
	{11, 2, 0},		   /* destinationTransportPort */
	{4, 1, 0},		   /* protocolIdentifier */
	{152, 8, 0},		   /* flowStartMilliseconds */
	{153, 8, 0},		   /* flowEndMilliseconds */
	{1, 8, 0},		   /* octetDeltaCount: initiator -> responder */
	{2, 8, 0},		   /* packetDeltaCount */
	{1, 8, IPFIX_PEN_REVERSE}, /* reverseOctetDeltaCount */
	{2, 8, IPFIX_PEN_REVERSE}, /* reversePacketDeltaCount */
	{136, 1, 0},		   /* flowEndReason */
	{89, 1, 0},		   /* forwardingStatus (RFC 7270, reduced size) */
	{61, 1, 0},		   /* flowDirection: 0 ingress, 1 egress (opened from inside) */
	{96, IPFIX_VARLEN, 0},	   /* applicationName */
	{1, IPFIX_VARLEN, 1},	   /* aduana zone */
	{2, IPFIX_VARLEN, 1},	   /* aduana class */
	{3, IPFIX_VARLEN, 1},	   /* aduana reason */
	{4, IPFIX_VARLEN, 1},	   /* aduana sni */
	{5, 4, 1},		   /* aduana policy version */
	{6, 8, 1},		   /* aduana dropped packets */
};
#define IPFIX_NFIELDS (sizeof(ipfix_fields) / sizeof(ipfix_fields[0]))

struct ipfix_collector {
	char spec[128];
	bool tcp;
	struct sockaddr_storage sa;
	socklen_t salen;
	int fd;
	bool connected; /* TCP: templates sent on this connection */
	uint64_t retry_at;
	uint32_t seq; /* data records sent in this session (RFC 7011 3.1) */
	uint8_t *out; /* TCP backlog */
	size_t out_len;
};

struct export_ipfix {
	uint32_t pen, domain;
	unsigned refresh_s;
	uint64_t tpl_sent_at;
	struct ipfix_collector col[IPFIX_COLLECTORS];
	unsigned n_col;
	/* The message being built, after its 16-byte header. */
	uint8_t msg[IPFIX_MSG_MAX];
	size_t len;	  /* bytes used, header included */
	size_t set_off;	  /* the open data set's header, 0 if none */
	uint16_t set_tpl; /* its template */
	uint32_t n_recs;  /* data records in the message */
	uint64_t records, messages, lost;
	uint64_t audits; /* audit head records sent */
};

static void ipfix_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void ipfix_put32(uint8_t *p, uint32_t v)
{
	ipfix_put16(p, (uint16_t)(v >> 16));
	ipfix_put16(p + 2, (uint16_t)v);
}

static void ipfix_put64(uint8_t *p, uint64_t v)
{
	ipfix_put32(p, (uint32_t)(v >> 32));
	ipfix_put32(p + 4, (uint32_t)v);
}

struct export_ipfix *export_ipfix_create(uint32_t pen, uint32_t domain, unsigned refresh_s)
{
	struct export_ipfix *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->pen = pen;
	x->domain = domain;
	x->refresh_s = refresh_s ? refresh_s : 60;
	x->len = 16;
	return x;
}

static void ipfix_close(struct ipfix_collector *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->connected = false;
	c->out_len = 0;
}

int export_ipfix_add(struct export_ipfix *x, const char *spec, char *err, size_t errlen)
{
	struct ipfix_collector *c;
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai;
	char host[96], *port;
	const char *rest;

	if (x->n_col == IPFIX_COLLECTORS) {
		snprintf(err, errlen, "at most %d collectors", IPFIX_COLLECTORS);
		return -EINVAL;
	}
	c = &x->col[x->n_col];
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strncmp(spec, "udp:", 4) == 0) {
		c->tcp = false;
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		c->tcp = true;
	} else {
		snprintf(err, errlen, "collector '%s': expected udp:HOST:PORT or tcp:HOST:PORT",
			 spec);
		return -EINVAL;
	}
	rest = spec + 4;
	snprintf(host, sizeof(host), "%s", rest);
	port = strrchr(host, ':');
	if (!port) {
		snprintf(err, errlen, "collector '%s': no port", spec);
		return -EINVAL;
	}
	*port++ = '\0';
	if (host[0] == '[') {
		size_t n = strlen(host);

		if (n < 2 || host[n - 1] != ']') {
			snprintf(err, errlen, "collector '%s': bad address", spec);
			return -EINVAL;
		}
		host[n - 1] = '\0';
		memmove(host, host + 1, n - 1);
	}
	hints.ai_socktype = c->tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		snprintf(err, errlen, "collector '%s': not an address and port", spec);
		return -EINVAL;
	}
	memcpy(&c->sa, ai->ai_addr, ai->ai_addrlen);
	c->salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(c->spec, sizeof(c->spec), "%s", spec);
	if (c->tcp)
		c->out = malloc(IPFIX_TCP_BACKLOG);
	if (c->tcp && !c->out) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	x->n_col++;
	return 0;
}

/* Both templates in one template set. */
static size_t ipfix_templates(const struct export_ipfix *x, uint8_t *buf)
{
	size_t off = 16 + 4;
	unsigned t, i;

	for (t = 0; t < 2; t++) {
		ipfix_put16(buf + off, t ? IPFIX_TPL_V6 : IPFIX_TPL_V4);
		ipfix_put16(buf + off + 2, IPFIX_NFIELDS);
		off += 4;
		for (i = 0; i < IPFIX_NFIELDS; i++) {
			struct ipfix_field f = ipfix_fields[i];

			if (t && i == 0)
				f = (struct ipfix_field){27, 16, 0};
			if (t && i == 1)
				f = (struct ipfix_field){28, 16, 0};
			ipfix_put16(buf + off, (uint16_t)(f.id | (f.pen ? 0x8000 : 0)));
			ipfix_put16(buf + off + 2, f.len);
			off += 4;
			if (f.pen) {
				ipfix_put32(buf + off, f.pen == 1 ? x->pen : f.pen);
				off += 4;
			}
		}
	}
	ipfix_put16(buf + 16, 2); /* template set id */
	ipfix_put16(buf + 18, (uint16_t)(off - 16));
	/* An options template set (RFC 7011 3.4.2.2): scope the observation
	 * domain; the audit log's head seq (PEN element 7, 8 bytes) and sha256
	 * (PEN element 8, 32 bytes). */
	{
		size_t set = off;

		ipfix_put16(buf + off, 3);
		off += 4;
		ipfix_put16(buf + off, IPFIX_TPL_AUDIT);
		ipfix_put16(buf + off + 2, 3);	 /* fields */
		ipfix_put16(buf + off + 4, 1);	 /* of which scope */
		ipfix_put16(buf + off + 6, 149); /* observationDomainId */
		ipfix_put16(buf + off + 8, 4);
		ipfix_put16(buf + off + 10, 0x8000 | 7);
		ipfix_put16(buf + off + 12, 8);
		ipfix_put32(buf + off + 14, x->pen);
		ipfix_put16(buf + off + 18, 0x8000 | 8);
		ipfix_put16(buf + off + 20, 32);
		ipfix_put32(buf + off + 22, x->pen);
		off += 26;
		ipfix_put16(buf + off, 0); /* padding to a 4-byte boundary */
		off += 2;
		ipfix_put16(buf + set + 2, (uint16_t)(off - set));
	}
	return off;
}

static void ipfix_header(const struct export_ipfix *x, uint8_t *buf, size_t len, uint32_t seq)
{
	ipfix_put16(buf, IPFIX_VERSION);
	ipfix_put16(buf + 2, (uint16_t)len);
	ipfix_put32(buf + 4, (uint32_t)time(NULL));
	ipfix_put32(buf + 8, seq);
	ipfix_put32(buf + 12, x->domain);
}

static void ipfix_connect(struct ipfix_collector *c, uint64_t now)
{
	if (c->fd >= 0 || now < c->retry_at)
		return;
	c->retry_at = now + IPFIX_RECONNECT_S;
	c->fd = socket(c->sa.ss_family,
		       (c->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return;
	if (connect(c->fd, (struct sockaddr *)&c->sa, c->salen) != 0 && errno != EINPROGRESS) {
		ipfix_close(c);
		return;
	}
	c->seq = 0;
}

/* Write a whole message to one collector, or count it lost. */
static void ipfix_send(struct export_ipfix *x, struct ipfix_collector *c, const uint8_t *buf,
		       size_t len)
{
	ssize_t n;

	if (c->fd < 0) {
		x->lost++;
		return;
	}
	if (!c->tcp) {
		n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			x->messages++;
		else
			x->lost++; /* ICMP unreachable from an earlier send, full buffer */
		return;
	}
	if (c->out_len + len > IPFIX_TCP_BACKLOG) {
		x->lost++;
		return;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	x->messages++;
}

static void ipfix_tcp_write(struct ipfix_collector *c)
{
	ssize_t n;

	while (c->fd >= 0 && c->out_len) {
		n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			memmove(c->out, c->out + n, c->out_len - (size_t)n);
			c->out_len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOTCONN))
			return; /* connecting, or the collector is slow */
		ipfix_close(c);
	}
}

static void ipfix_send_templates(struct export_ipfix *x, struct ipfix_collector *c)
{
	uint8_t buf[IPFIX_MSG_MAX];
	size_t len = ipfix_templates(x, buf);

	ipfix_header(x, buf, len, c->seq);
	ipfix_send(x, c, buf, len);
}

static void ipfix_emit(struct export_ipfix *x)
{
	unsigned i;

	if (x->n_recs == 0)
		return;
	if (x->set_off)
		ipfix_put16(x->msg + x->set_off + 2, (uint16_t)(x->len - x->set_off));
	for (i = 0; i < x->n_col; i++) {
		struct ipfix_collector *c = &x->col[i];

		if (c->tcp && c->fd >= 0 && !c->connected) {
			ipfix_send_templates(x, c);
			c->connected = true;
		}
		ipfix_header(x, x->msg, x->len, c->seq);
		ipfix_send(x, c, x->msg, x->len);
		c->seq += x->n_recs;
	}
	x->len = 16;
	x->set_off = 0;
	x->n_recs = 0;
}

static size_t ipfix_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	if (n > IPFIX_STR_MAX)
		n = IPFIX_STR_MAX;
	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

void export_ipfix_record(struct export_ipfix *x, const struct flowrec *r)
{
	uint8_t rec[2 * 16 + 64 + 6 * (IPFIX_STR_MAX + 1)], *p = rec;
	uint16_t tpl = r->family == 6 ? IPFIX_TPL_V6 : IPFIX_TPL_V4;
	size_t alen = r->family == 6 ? 16 : 4, need;
	uint8_t fwd;

	if (x->n_col == 0)
		return;
	memcpy(p, r->family == 6 ? r->src : r->src + 12, alen);
	p += alen;
	memcpy(p, r->family == 6 ? r->dst : r->dst + 12, alen);
	p += alen;
	ipfix_put16(p, r->sport);
	ipfix_put16(p + 2, r->dport);
	p[4] = r->l4proto;
	p += 5;
	ipfix_put64(p, r->ms_start);
	ipfix_put64(p + 8, r->ms_end);
	ipfix_put64(p + 16, r->bytes_out);
	ipfix_put64(p + 24, r->pkts_out);
	ipfix_put64(p + 32, r->bytes_in);
	ipfix_put64(p + 40, r->pkts_in);
	p += 48;
	*p++ = strcmp(r->end, "end") == 0      ? IPFIX_END_FLOW
	       : strcmp(r->end, "forced") == 0 ? IPFIX_END_FORCED
					       : IPFIX_END_IDLE;
	if (strcmp(r->verdict, "drop") != 0)
		fwd = IPFIX_FWD_FORWARDED;
	else if (strncmp(r->reason, "class:", 6) == 0 || strncmp(r->reason, "default:", 8) == 0)
		fwd = IPFIX_FWD_DROP_ACL;
	else
		fwd = IPFIX_FWD_DROP;
	*p++ = fwd;
	*p++ = strcmp(r->dir, "out") == 0 ? 1 : 0;
	p += ipfix_str(p, r->app);
	p += ipfix_str(p, r->zone);
	p += ipfix_str(p, r->has_cls ? r->cls : "");
	p += ipfix_str(p, r->reason);
	p += ipfix_str(p, r->has_sni ? r->sni : "");
	ipfix_put32(p, r->policy_version);
	ipfix_put64(p + 4, r->dropped_pkts);
	p += 12;

	need = (size_t)(p - rec) + (x->set_off && x->set_tpl == tpl ? 0 : 4);
	if (x->len + need > IPFIX_MSG_MAX)
		ipfix_emit(x);
	if (!x->set_off || x->set_tpl != tpl) {
		if (x->set_off)
			ipfix_put16(x->msg + x->set_off + 2, (uint16_t)(x->len - x->set_off));
		x->set_off = x->len;
		x->set_tpl = tpl;
		ipfix_put16(x->msg + x->len, tpl);
		x->len += 4;
	}
	memcpy(x->msg + x->len, rec, (size_t)(p - rec));
	x->len += (size_t)(p - rec);
	x->n_recs++;
	x->records++;
}

void export_ipfix_audit(struct export_ipfix *x, uint64_t seq, const char *head)
{
	uint8_t buf[16 + 4 + 44];
	unsigned i;

	if (x->n_col == 0 || strlen(head) != 64)
		return;
	ipfix_emit(x); /* the flow records before it go first */
	ipfix_put16(buf + 16, IPFIX_TPL_AUDIT);
	ipfix_put16(buf + 18, 4 + 44);
	ipfix_put32(buf + 20, x->domain);
	ipfix_put64(buf + 24, seq);
	for (i = 0; i < 32; i++) {
		unsigned v;

		if (sscanf(head + 2 * i, "%2x", &v) != 1)
			return;
		buf[32 + i] = (uint8_t)v;
	}
	for (i = 0; i < x->n_col; i++) {
		struct ipfix_collector *c = &x->col[i];

		if (c->tcp && c->fd >= 0 && !c->connected) {
			ipfix_send_templates(x, c);
			c->connected = true;
		}
		ipfix_header(x, buf, sizeof(buf), c->seq);
		ipfix_send(x, c, buf, sizeof(buf));
		c->seq += 1;
		if (c->tcp)
			ipfix_tcp_write(c);
	}
	x->audits++;
}

void export_ipfix_flush(struct export_ipfix *x, uint64_t now)
{
	bool refresh = now >= x->tpl_sent_at + x->refresh_s || x->tpl_sent_at == 0;
	unsigned i;

	for (i = 0; i < x->n_col; i++) {
		struct ipfix_collector *c = &x->col[i];

		ipfix_connect(c, now);
		if (!c->tcp && refresh && c->fd >= 0)
			ipfix_send_templates(x, c);
		if (c->tcp && c->fd >= 0 && !c->connected) {
			ipfix_send_templates(x, c);
			c->connected = true;
		}
	}
	if (refresh)
		x->tpl_sent_at = now;
	ipfix_emit(x);
	for (i = 0; i < x->n_col; i++)
		if (x->col[i].tcp)
			ipfix_tcp_write(&x->col[i]);
}

void export_ipfix_stats(const struct export_ipfix *x, uint64_t *records, uint64_t *messages,
			uint64_t *lost)
{
	*records = x->records;
	*messages = x->messages;
	*lost = x->lost;
}

void export_ipfix_destroy(struct export_ipfix *x)
{
	unsigned i;

	if (!x)
		return;
	for (i = 0; i < x->n_col; i++) {
		ipfix_tcp_write(&x->col[i]);
		ipfix_close(&x->col[i]);
		free(x->col[i].out);
	}
	free(x);
}
