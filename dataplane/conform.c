/* Lifelong conformance of allowed flows (see conform.h). */
#include "conform.h"

#include <string.h>

/* The DNS stream lives in a direction's 8 bytes: a flow has no more. */
_Static_assert(sizeof(struct conform_dir) == 8 && sizeof(struct dns_wire_stream) == 8,
	       "a direction's state is 8 bytes");

enum { SMTP_PLAIN = 0, SMTP_SENT };

#define CONFORM_B_GREETED 0x04 /* the server's greeting has been read */
#define CONFORM_B_CHUNKING 0x08 /* the server announced CHUNKING (RFC 3030): BDAT has chunks */
#define CONFORM_B_SMTP	  0x10 /* the endpoint declares SMTP */
#define CONFORM_B_DNS	  0x20 /* the endpoint declares DNS (over TCP) */

void conform_declare_smtp(struct conform *c)
{
	if (c->mode != CONFORM_TLS)
		c->bol |= CONFORM_B_SMTP;
}

/* From here on the flow speaks TLS (or DNS): SMTP's state gives its place
 * to judge.c's window bounds, which start from nothing known. */
static inline void conform_to(struct conform *c, enum conform_mode mode)
{
	c->mode = (uint8_t)mode;
	c->wmax[0] = c->wmax[1] = 0;
}

static inline void conform_to_tls(struct conform *c)
{
	conform_to(c, CONFORM_TLS);
}

void conform_declare_dns(struct conform *c, bool dns_only)
{
	if (c->mode != CONFORM_UNSET)
		return;
	if (dns_only)
		conform_to(c, CONFORM_DNS);
	else
		c->bol |= CONFORM_B_DNS;
}

bool conform_is_dns(const struct conform *c)
{
	return c->mode == CONFORM_DNS || (c->mode == CONFORM_UNSET && (c->bol & CONFORM_B_DNS));
}

bool conform_early_smtp(const struct conform *c, uint8_t b0)
{
	return c->mode == CONFORM_UNSET && (c->bol & CONFORM_B_SMTP) && !(c->bol & CONFORM_B_DNS) &&
	       b0 != 0x16;
}

struct conform_dns_marks {
	const struct conform_marks *mk;
	const uint8_t *p;
};

/* A run the DNS reading depends on, to the log in pieces of 5 bytes at
 * most (an entry's, hlog.h). */
static void conform_dns_mark(void *arg, size_t off, size_t len)
{
	const struct conform_dns_marks *a = arg;

	while (len) {
		unsigned k = len < 5 ? (unsigned)len : 5u;

		a->mk->mark(a->mk->arg, (uint32_t)off, a->p + off, k);
		off += k;
		len -= k;
	}
}

/* DNS over TCP, one direction (query: from the client): each message
 * after its 2-byte length, parsed whole as it streams past (dns.h,
 * dns_wire_feed): the header as the first payload's check has it
 * (policy_dns_plausible), then exactly the questions and records it
 * counts, each whole, and nothing more. An answer may have no question
 * (the later messages of a zone transfer, RFC 5936 2.2). A header
 * followed by anything but DNS breaches at its first byte that no
 * resolver would read as the message's next part. mk: told of the bytes
 * the reading depends on (dns_wire_feed_marked), for the header log. */
static enum conform_reason conform_dns(struct conform_dir *d, bool query, const uint8_t *p,
				       size_t n, const struct conform_marks *mk)
{
	unsigned flags = (query ? DNS_WIRE_QUERY : 0) | DNS_WIRE_NOQ;
	struct conform_dns_marks a = {mk, p};

	switch (mk ? dns_wire_feed_marked(&d->dns, flags, p, n, conform_dns_mark, &a)
		   : dns_wire_feed(&d->dns, flags, p, n)) {
	case DNS_WIRE_OK:
		return CONFORM_OK;
	case DNS_WIRE_LENGTH:
		return CONFORM_R_dns_length;
	case DNS_WIRE_HEADER:
		return CONFORM_R_dns_header;
	case DNS_WIRE_NAME:
		return CONFORM_R_dns_name;
	case DNS_WIRE_TRAILING:
		return CONFORM_R_dns_trailing;
	default:
		return CONFORM_R_dns_record;
	}
}

/* clang-format off */
static const char *const conform_reason_names[CONFORM_R_COUNT] = {
	[CONFORM_OK] = "ok",
#define X(n) [CONFORM_R_##n] = #n,
	CONFORM_REASONS(X)
#undef X
};
/* clang-format on */

const char *conform_reason_name(unsigned r)
{
	return r < CONFORM_R_COUNT ? conform_reason_names[r] : NULL;
}

void conform_init(struct conform *c, bool tls_only)
{
	memset(c, 0, sizeof(*c));
	if (tls_only) {
		conform_to_tls(c);
	} else {
		c->mode = CONFORM_UNSET;
		c->bol = 3;
	}
}

/* A whole record header read (type in hdr[0], the length's bytes given):
 * its length checked, the body to come. early: a client's record before
 * the server sent a byte, whose application data is 0-RTT early data
 * (RFC 8446 4.2.10): the handshake goes on after it (a second hello after
 * a HelloRetryRequest that rejected it: red team, the seventeenth session,
 * a false block), and judge.c's first-bytes slot reads every client
 * record until the responder answers (judge_hello_tail). */
static inline enum conform_reason conform_tls_header(struct conform_dir *d, unsigned len,
						     bool early)
{
	d->hdr_have = 0;
	if (len > CONFORM_TLS_MAX || (len == 0 && d->hdr[0] != 23))
		return CONFORM_R_tls_length;
	d->left = (uint16_t)len;
	d->flags &= (uint8_t)~CONFORM_D_CHECKBODY;
	if (d->hdr[0] == 23 && !early)
		d->flags |= CONFORM_D_APPDATA;
	else if (d->hdr[0] == 22 && (d->flags & CONFORM_D_APPDATA)) {
		d->flags |= CONFORM_D_CHECKBODY;
		d->hdr[1] = 0; /* body bytes looked at (conform_tls) */
	}
	return CONFORM_OK;
}

/* TLS record framing of one direction over n bytes. mk (or NULL) is told
 * of every byte read that decides what is read next (conform.h). */
static enum conform_reason conform_tls(struct conform_dir *d, bool client, const uint8_t *p,
				       size_t n, const struct conform_marks *mk, bool early)
{
	size_t i = 0;

	while (i < n) {
		if (d->left) {
			size_t take = n - i < d->left ? n - i : d->left;

			/* A handshake record after application data is a
			 * renegotiation (encrypted) or, if it reads as a
			 * plaintext ClientHello (or ServerHello from the
			 * server), a second handshake in clear on a flow
			 * already allowed: another name, another session. A
			 * hello's first six bytes: its type (1, or 2 from the
			 * server), a length, a legacy version 3.1 to 3.3. An
			 * encrypted body's bytes are random: one byte alone
			 * matched 1 record in 256 (TLS 1.2 renegotiation was
			 * refused for it); six match 1 in 2^22. A record that
			 * ends while they still match (a hello cut into
			 * records; no encrypted one is that short) counts.
			 * hdr[1]: the body bytes looked at so far. */
			if (d->flags & CONFORM_D_CHECKBODY) {
				size_t k, lim = 6u - d->hdr[1];
				bool any = d->flags & CONFORM_D_ANYHELLO;

				if (lim > take)
					lim = take;
				for (k = 0; k < lim; k++) {
					unsigned pos = d->hdr[1]++;
					uint8_t b = p[i + k];
					bool ok = pos == 0   ? b == (client ? 1 : 2)
						  : pos == 1 ? !any || b <= 2
						  : pos == 4 ? any || b == 3
						  : pos == 5 ? any || (b >= 1 && b <= 3)
							     : true;

					if (mk)
						mk->mark(mk->arg, (uint32_t)(i + k), p + i + k, 1);
					if (!ok) {
						d->flags &= (uint8_t)~CONFORM_D_CHECKBODY;
						break;
					}
				}
				if ((d->flags & CONFORM_D_CHECKBODY) && (d->hdr[1] == 6 || take == d->left))
					return CONFORM_R_tls_rehello;
			}
			d->left = (uint16_t)(d->left - take);
			i += take;
			continue;
		}
		if (d->hdr_have == 0 && n - i >= 5) {
			/* A whole header in this run (the common case): the
			 * same checks, in the same order, as byte by byte. */
			const uint8_t *h = p + i;
			enum conform_reason e;

			if (mk)
				mk->mark(mk->arg, (uint32_t)i, h, 5);
			if (h[0] < 20 || h[0] > 23)
				return CONFORM_R_tls_type;
			if (h[1] != 3 || h[2] < 1 || h[2] > 4)
				return CONFORM_R_tls_version;
			memcpy(d->hdr, h, 4);
			i += 5;
			e = conform_tls_header(d, (unsigned)h[3] << 8 | h[4], early);
			if (e != CONFORM_OK)
				return e;
			continue;
		}
		/* A header cut by the end of a run, or begun in an earlier
		 * one: its bytes in this run are marked at once, the rest
		 * with the next run. */
		if (mk && (i == 0 || d->hdr_have == 0)) {
			size_t k = 5u - d->hdr_have;

			mk->mark(mk->arg, (uint32_t)i, p + i, (unsigned)(n - i < k ? n - i : k));
		}
		if (d->hdr_have < 4) {
			d->hdr[d->hdr_have++] = p[i++];
			if (d->hdr_have == 1 && (d->hdr[0] < 20 || d->hdr[0] > 23))
				return CONFORM_R_tls_type;
			if (d->hdr_have == 3 && (d->hdr[1] != 3 || d->hdr[2] < 1 || d->hdr[2] > 4))
				return CONFORM_R_tls_version;
			continue;
		}
		/* The fifth byte completes the header. */
		{
			enum conform_reason e =
				conform_tls_header(d, (unsigned)d->hdr[3] << 8 | p[i++], early);

			if (e != CONFORM_OK)
				return e;
		}
	}
	return CONFORM_OK;
}

static inline uint8_t conform_upper(uint8_t b)
{
	return b >= 'a' && b <= 'z' ? (uint8_t)(b - 32) : b;
}

/* SMTP, for the flow's whole life (RFC 5321): the client's bytes are
 * command lines (d[0]: SMTP_C_*, as below), a message's content after DATA
 * and the server's 354, or a BDAT chunk (RFC 3030); the server's are reply
 * lines. A byte that no SMTP line has (a control character, DEL), or a line
 * longer than any server takes, is a foreign protocol. Content is never
 * read as commands, and its end is found however a server could read it.
 *
 * Client state in d[0] (unused by SMTP otherwise): hdr_have the mode,
 * left the line's length (command mode) or where the end of data stands
 * (content), hdr[] a BDAT chunk's size, then what is left of it, flags
 * where the BDAT line's arguments stand (SMTP_B_*).
 * match: the line's first bytes against the verbs that change the mode. */
enum {
	SMTP_C_CMD = 0,	  /* command lines */
	SMTP_C_DATA = 1,  /* DATA sent: its reply (354) opens the content */
	SMTP_C_BODY = 2,  /* content until a line of one dot */
	SMTP_C_CHUNK = 3, /* a BDAT chunk's bytes */
};

#define SMTP_LINE_MAX 16384 /* a line's bytes with its end (AUTH's 12288, RFC 4954, and more) */

/* In the server's d[1].flags, beside CONFORM_D_SEEN: the client's line
 * is past its verb; the last final reply was 334 (AUTH goes on: the
 * client's next line is an answer, not a command). */
#define SMTP_S_VERB 0x40
#define SMTP_S_AUTH 0x80
#define SMTP_S_CHUNK 0x08 /* this 250 line's text is CHUNKING so far */

#define SMTP_M_POS	0x0f /* bytes of the line seen (at most 15) */
#define SMTP_M_STARTTLS 0x10
#define SMTP_M_DATA	0x20
#define SMTP_M_BDAT	0x40
#define SMTP_M_XANON	0x80 /* Exchange's X-ANONYMOUSTLS: STARTTLS by another name */

/* A BDAT line's arguments (RFC 3030 2: "BDAT" SP size [SP "LAST"]), in
 * d[0].flags, read as leniently as servers read them: Postfix splits
 * them at any run of blanks, Exim's sscanf skips any, and both take
 * "LAST" in any case (red team round 22, smtp_bdat_2sp, smtp_bdat_tab:
 * "BDAT 40  LAST" was a command line to us and a 40-byte chunk to them).
 * A line that starts "BDAT" and a blank but is no such line (a size
 * past 32 bits, a word that is not LAST, a byte after them) is one a
 * server may read a chunk from or not: refused where CHUNKING was
 * announced (smtp_bdat). */
enum {
	SMTP_B_SP1 = 1,	 /* blanks before the size */
	SMTP_B_SIZE,	 /* its digits */
	SMTP_B_SP2,	 /* blanks after it */
	SMTP_B_LAST,	 /* + 1 .. 3: "L", "LA", "LAS" read */
	SMTP_B_END = SMTP_B_LAST + 4, /* "LAST" read, blanks after it */
	SMTP_B_CR,	 /* the line's CR */
	SMTP_B_BAD,	 /* no BDAT line a server reads one way */
};

/* The end of content (RFC 5321 4.1.1.4): a line of one dot. Read as the
 * most lenient server reads it, line ends of LF or CR LF either side
 * (SMTP smuggling: a server that ends content where we do not would read
 * the rest as commands we never looked at; ending it too early only looks
 * at more). A dot next to a bare CR (CR . CR, CR . LF, LF . CR and then
 * no LF) ends it for a server that ends lines at a CR and not for others,
 * and neither reading holds for both: refused (smtp_dot). RFC 5321 2.3.8
 * allows no bare CR, so no honest content has one there. */
enum { SMTP_E_MID = 0, SMTP_E_BOL, SMTP_E_DOT, SMTP_E_DOTCR, SMTP_E_CR, SMTP_E_CRDOT };

static inline bool smtp_line_byte(uint8_t b)
{
	return b >= 0x20 ? b != 0x7f : (b == '\t' || b == '\r' || b == '\n');
}

static inline uint32_t smtp_chunk(const struct conform_dir *d)
{
	uint32_t v;

	memcpy(&v, d->hdr, sizeof(v));
	return v;
}

static inline void smtp_chunk_set(struct conform_dir *d, uint32_t v)
{
	memcpy(d->hdr, &v, sizeof(v));
}

/* One byte of a command line: the verbs that change the mode, matched
 * in upper case at the line's start. */
static void smtp_verb(struct conform *c, struct conform_dir *d, uint8_t b)
{
	static const char starttls[] = "STARTTLS", data[] = "DATA", bdat[] = "BDAT",
			  xanon[] = "X-ANONYMOUSTLS";
	unsigned pos = c->match & SMTP_M_POS, m = c->match & 0xf0;
	uint8_t u = conform_upper(b);

	if (pos < 14 && (m & SMTP_M_XANON) && u != (uint8_t)xanon[pos])
		m &= ~SMTP_M_XANON;
	if (pos >= 14 && (m & SMTP_M_XANON) && b != '\r' && b != ' ')
		m &= ~SMTP_M_XANON;

	if (pos < 8 && (m & SMTP_M_STARTTLS) && u != (uint8_t)starttls[pos])
		m &= ~SMTP_M_STARTTLS;
	if (pos >= 8 && (m & SMTP_M_STARTTLS) && b != '\r' && b != ' ' && b != '\t')
		m &= ~SMTP_M_STARTTLS;
	if (pos < 4 && (m & SMTP_M_DATA) && u != (uint8_t)data[pos])
		m &= ~SMTP_M_DATA;
	/* "DATA" and blanks: Postfix splits a command at blanks, Exim strips
	 * them, and both read it as DATA (red team round 5, the nineteenth
	 * session: "DATA " was a command line to us and content's start to
	 * them, rt5_smtp_data_sp_bdat) */
	if (pos >= 4 && (m & SMTP_M_DATA) && b != '\r' && b != ' ' && b != '\t')
		m &= ~SMTP_M_DATA;
	if (m & SMTP_M_BDAT) {
		bool blank = b == ' ' || b == '\t';

		if (pos < 4) {
			if (u != (uint8_t)bdat[pos])
				m &= ~SMTP_M_BDAT;
		} else if (pos == 4) {
			if (blank)
				d->flags = SMTP_B_SP1;
			else
				m &= ~SMTP_M_BDAT; /* another verb, or no argument (501) */
			smtp_chunk_set(d, 0);
		} else {
			switch (d->flags) {
			case SMTP_B_SP1:
				if (b >= '0' && b <= '9') {
					smtp_chunk_set(d, (uint32_t)(b - '0'));
					d->flags = SMTP_B_SIZE;
				} else if (b == '\r') {
					m &= ~SMTP_M_BDAT; /* no size: 501, nothing skipped */
				} else if (!blank) {
					d->flags = SMTP_B_BAD;
				}
				break;
			case SMTP_B_SIZE:
				if (b >= '0' && b <= '9') {
					uint32_t v = smtp_chunk(d);

					/* Past 32 bits: Postfix refuses it (501)
					 * and reads the bytes after as commands;
					 * another server may take it. */
					if (v > (UINT32_MAX - (uint32_t)(b - '0')) / 10)
						d->flags = SMTP_B_BAD;
					else
						smtp_chunk_set(d, v * 10 + (uint32_t)(b - '0'));
				} else {
					d->flags = blank ? SMTP_B_SP2 : b == '\r' ? SMTP_B_CR : SMTP_B_BAD;
				}
				break;
			case SMTP_B_SP2:
				if (u == 'L')
					d->flags = SMTP_B_LAST + 1;
				else if (!blank)
					d->flags = b == '\r' ? SMTP_B_CR : SMTP_B_BAD;
				break;
			case SMTP_B_LAST + 1:
			case SMTP_B_LAST + 2:
			case SMTP_B_LAST + 3:
				d->flags = u == (uint8_t) "LAST"[d->flags - SMTP_B_LAST]
						   ? (uint8_t)(d->flags + 1)
						   : SMTP_B_BAD;
				break;
			case SMTP_B_END:
				if (!blank)
					d->flags = b == '\r' ? SMTP_B_CR : SMTP_B_BAD;
				break;
			default: /* a byte after CR, or already bad */
				d->flags = SMTP_B_BAD;
				break;
			}
		}
	}
	c->match = (uint8_t)(m | (pos < SMTP_M_POS ? pos + 1 : pos));
}

/* The client side of SMTP. */
static enum conform_reason conform_smtp_client(struct conform *c, const uint8_t *p, size_t n)
{
	struct conform_dir *d = &c->d[0];
	size_t i = 0;

	while (i < n) {
		uint8_t b;

		/* RFC 3207: after STARTTLS the client waits for the reply. */
		if (c->smtp != SMTP_PLAIN)
			return CONFORM_R_smtp_pipeline;
		/* RFC 2920 3.1: DATA ends a pipelined group, and the content
		 * waits for its 354. A server that reads bytes sent before it
		 * takes them as content (Postfix, "improper pipelining"), where
		 * we would read commands: a BDAT there skipped what followed
		 * unread (red team round 5, the nineteenth session,
		 * rt5_smtp_data_pipe_bdat). */
		if (d->hdr_have == SMTP_C_DATA)
			return CONFORM_R_smtp_pipeline;
		if (d->hdr_have == SMTP_C_CHUNK) {
			uint32_t left = smtp_chunk(d);
			size_t k = n - i < left ? n - i : left;

			left -= (uint32_t)k;
			i += k;
			smtp_chunk_set(d, left);
			if (left == 0) {
				d->hdr_have = SMTP_C_CMD;
				c->bol |= 1;
			}
			continue;
		}
		b = p[i++];
		if (d->hdr_have == SMTP_C_BODY) {
			switch (d->left) {
			case SMTP_E_BOL:
				d->left = b == '.'    ? SMTP_E_DOT
					  : b == '\n' ? SMTP_E_BOL
					  : b == '\r' ? SMTP_E_CR
						      : SMTP_E_MID;
				break;
			case SMTP_E_DOT:
				d->left = b == '\r' ? SMTP_E_DOTCR : SMTP_E_MID;
				if (b != '\n')
					break;
				/* fall through */
			case SMTP_E_DOTCR:
				if (b == '\n') {
					/* The end: answered like a command. */
					d->hdr_have = SMTP_C_CMD;
					d->left = 0;
					c->bol |= 1;
					if (c->unanswered < UINT8_MAX)
						c->unanswered++;
				} else {
					/* A dot, then a bare CR: a server that
					 * ends lines at a CR ends the content. */
					return CONFORM_R_smtp_dot;
				}
				break;
			case SMTP_E_CR:
				d->left = b == '\n' ? SMTP_E_BOL : b == '.' ? SMTP_E_CRDOT
					  : b == '\r' ? SMTP_E_CR
						      : SMTP_E_MID;
				break;
			case SMTP_E_CRDOT:
				/* A bare CR, a dot, a line end: the content's
				 * end to a server that ends lines at a CR
				 * (SMTP smuggling: red team round 22,
				 * smtp_smuggle_crdotcr), not to others. */
				if (b == '\r' || b == '\n')
					return CONFORM_R_smtp_dot;
				d->left = SMTP_E_MID;
				break;
			default:
				if (b == '\n')
					d->left = SMTP_E_BOL;
				else if (b == '\r')
					d->left = SMTP_E_CR;
				break;
			}
			continue;
		}
		/* A command line (or an answer to AUTH's 334: a line, too). */
		if (!smtp_line_byte(b))
			return CONFORM_R_smtp_line;
		if (c->bol & 1) {
			c->match = SMTP_M_STARTTLS | SMTP_M_DATA | SMTP_M_BDAT | SMTP_M_XANON;
			d->left = 0;
			c->d[1].flags &= (uint8_t)~SMTP_S_VERB;
			c->bol &= (uint8_t)~1;
		}
		if (++d->left > SMTP_LINE_MAX)
			return CONFORM_R_smtp_line;
		/* A command starts with its verb (RFC 5321 4.1.2's Keyword, an
		 * Ldh-str: letters, digits and hyphens inside, as in Exchange's
		 * X-EXPS and X-ANONYMOUSTLS), ended by a space or the line's
		 * end; an answer to AUTH's 334 is any line (RFC 4954 4). */
		if (!(c->d[1].flags & (SMTP_S_VERB | SMTP_S_AUTH))) {
			if (b == ' ' || b == '\r' || b == '\n')
				c->d[1].flags |= SMTP_S_VERB;
			else if (!((b | 0x20) >= 'a' && (b | 0x20) <= 'z') &&
				 !(b >= '0' && b <= '9') && !(b == '-' && d->left > 1))
				return CONFORM_R_smtp_line;
		}
		if (b != '\n') {
			smtp_verb(c, d, b);
			continue;
		}
		c->d[1].flags &= (uint8_t)~SMTP_S_AUTH;
		/* One more command waiting for its reply (pipelining, RFC
		 * 2920: STARTTLS may follow EHLO in one go). */
		if (c->unanswered < UINT8_MAX)
			c->unanswered++;
		c->bol |= 1;
		if (((c->match & SMTP_M_STARTTLS) && (c->match & SMTP_M_POS) >= 8) ||
		    ((c->match & SMTP_M_XANON) && (c->match & SMTP_M_POS) >= 14)) {
			c->smtp = SMTP_SENT;
		} else if ((c->match & SMTP_M_DATA) && (c->match & SMTP_M_POS) >= 4) {
			d->hdr_have = SMTP_C_DATA; /* the content waits for the 354 */
		} else if ((c->match & SMTP_M_BDAT) && d->flags == SMTP_B_BAD &&
			   (c->bol & CONFORM_B_CHUNKING)) {
			return CONFORM_R_smtp_bdat;
		} else if ((c->match & SMTP_M_BDAT) &&
			   (d->flags == SMTP_B_SIZE || d->flags == SMTP_B_SP2 ||
			    d->flags == SMTP_B_END || d->flags == SMTP_B_CR) &&
			   smtp_chunk(d) > 0 && (c->bol & CONFORM_B_CHUNKING)) {
			/* Only where the server announced CHUNKING: one that
			 * did not (Sendmail; Postfix with it discarded) reads
			 * what follows BDAT as command lines, and so do we. */
			d->hdr_have = SMTP_C_CHUNK; /* its bytes follow at once */
		}
		d->flags = 0;
	}
	return CONFORM_OK;
}

/* The server side of SMTP: reply lines, each a code of three digits (the
 * first 2 to 5) then a space, a hyphen or the line's end; after STARTTLS a
 * final "220" line switches both directions to TLS, and what follows it is
 * TLS. A final reply to DATA of 354 opens the client's content. */
static enum conform_reason conform_smtp_server(struct conform *c, const uint8_t *p, size_t n)
{
	struct conform_dir *d = &c->d[1];
	struct conform_dir *cl = &c->d[0];
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (c->bol & 2) {
			d->hdr_have = 0;
			d->left = 0;
			c->bol &= (uint8_t)~2;
		}
		if (!smtp_line_byte(b) || ++d->left > SMTP_LINE_MAX)
			return (d->flags & CONFORM_D_SEEN) ? CONFORM_R_smtp_reply
							   : CONFORM_R_smtp_greeting;
		if (d->hdr_have < 4) {
			bool ok;

			d->hdr[d->hdr_have] = b;
			switch (d->hdr_have++) {
			case 0:
				ok = b >= '2' && b <= '5';
				break;
			case 1:
			case 2:
				ok = b >= '0' && b <= '9';
				break;
			default:
				ok = b == ' ' || b == '-' || b == '\r' || b == '\n';
				break;
			}
			if (!ok)
				return (d->flags & CONFORM_D_SEEN) ? CONFORM_R_smtp_reply
								   : CONFORM_R_smtp_greeting;
		}
		/* CHUNKING in a 250 line (an EHLO reply's, RFC 3030 2),
		 * matched without regard to case, ended by a space or the
		 * line's end. */
		if (d->left == 4) {
			if (memcmp(d->hdr, "250", 3) == 0 && (b == ' ' || b == '-'))
				d->flags |= SMTP_S_CHUNK;
			else
				d->flags &= (uint8_t)~SMTP_S_CHUNK;
		} else if (d->left > 4 && (d->flags & SMTP_S_CHUNK)) {
			if (d->left - 5 < 8) {
				if ((b & 0xdf) != (uint8_t)"CHUNKING"[d->left - 5])
					d->flags &= (uint8_t)~SMTP_S_CHUNK;
			} else {
				if (b == ' ' || b == '\r' || b == '\n')
					c->bol |= CONFORM_B_CHUNKING;
				d->flags &= (uint8_t)~SMTP_S_CHUNK;
			}
		}
		if (b != '\n')
			continue;
		if (d->hdr_have < 4) /* "25\n": no code */
			return (d->flags & CONFORM_D_SEEN) ? CONFORM_R_smtp_reply
							   : CONFORM_R_smtp_greeting;
		d->flags |= CONFORM_D_SEEN;
		c->bol |= 2;
		if (d->hdr[3] == '-')
			continue; /* a multi-line reply goes on */
		/* A final reply line: the greeting first, then one per command,
		 * in order. STARTTLS's is the one that answers the last command. */
		if (!(c->bol & CONFORM_B_GREETED)) {
			c->bol |= CONFORM_B_GREETED;
			continue;
		}
		if (c->unanswered)
			c->unanswered--;
		if (memcmp(d->hdr, "334", 3) == 0)
			d->flags |= SMTP_S_AUTH;
		if (cl->hdr_have == SMTP_C_DATA && !c->unanswered) {
			/* DATA's answer: 354 opens the content, at a line's
			 * start; anything else leaves commands. */
			if (memcmp(d->hdr, "354", 3) == 0) {
				cl->hdr_have = SMTP_C_BODY;
				cl->left = SMTP_E_BOL;
			} else {
				cl->hdr_have = SMTP_C_CMD;
			}
			continue;
		}
		if (c->smtp != SMTP_SENT || c->unanswered)
			continue;
		if (memcmp(d->hdr, "220", 3) != 0) {
			c->smtp = SMTP_PLAIN; /* STARTTLS refused: still SMTP */
			continue;
		}
		/* From the next byte on, both directions speak TLS. The rest
		 * of this run is the server's first TLS bytes: fed as if they
		 * came apart, so that their first byte is checked (and marked
		 * seen) whatever the segmentation. */
		conform_to_tls(c);
		memset(c->d, 0, sizeof(c->d));
		return conform_feed(c, false, p + i + 1, n - i - 1);
	}
	return CONFORM_OK;
}

enum conform_reason conform_feed(struct conform *c, bool from_init, const uint8_t *p, size_t n)
{
	return conform_feed_marked(c, from_init, p, n, NULL);
}

enum conform_reason conform_feed_marked(struct conform *c, bool from_init, const uint8_t *p,
					size_t n, const struct conform_marks *mk)
{
	if (n == 0)
		return CONFORM_OK;
	if (c->mode == CONFORM_UNSET) {
		/* The first byte chooses: a client speaking TLS first, or a
		 * server greeting with a reply code (SMTP). */
		if (from_init && p[0] == 0x16)
			conform_to_tls(c);
		else if (c->bol & CONFORM_B_DNS)
			conform_to(c, CONFORM_DNS);
		else if (!from_init && p[0] >= '2' && p[0] <= '5')
			c->mode = CONFORM_SMTP;
		else if (c->bol & CONFORM_B_SMTP)
			c->mode = CONFORM_SMTP; /* an early talker: still SMTP, still checked */
		else
			c->mode = CONFORM_OFF;
	}
	switch (c->mode) {
	case CONFORM_TLS:
		if (!(c->d[from_init ? 0 : 1].flags & CONFORM_D_SEEN) && p[0] != 0x16 &&
		    (from_init || p[0] != 0x15))
			return CONFORM_R_not_tls;
		c->d[from_init ? 0 : 1].flags |= CONFORM_D_SEEN;
		return conform_tls(&c->d[from_init ? 0 : 1], from_init, p, n, mk,
				   from_init && !(c->d[1].flags & CONFORM_D_SEEN));
	case CONFORM_SMTP:
		return from_init ? conform_smtp_client(c, p, n) : conform_smtp_server(c, p, n);
	case CONFORM_DNS:
		return conform_dns(&c->d[from_init ? 0 : 1], from_init, p, n, mk);
	default:
		return CONFORM_OK;
	}
}
