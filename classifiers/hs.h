/* hs.h - the domain lists (conf/lists/<class>.txt) compiled into one
 * Hyperscan block-mode database and matched against flow names (TLS/QUIC
 * SNI, HTTP Host, CONNECT target, DNS query), plus the payload marks:
 * document signatures, WebDAV methods and the CONNECT request line.
 *
 * The database is built on the main lcore and shared read-only; each worker
 * owns an hs_matcher (a cloned scratch). The payload helpers are pure.
 * (Our functions never clash with Hyperscan's: none of theirs is hs_lists_*,
 * hs_matcher_*, hs_match_name or hs_docsig/webdav/connect/authority_*.)
 */
#ifndef ADUANA_HS_H
#define ADUANA_HS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name matched or copied (DNS names are at most 253 characters). */
#define HS_NAME_MAX 255

struct hs_lists;
struct hs_matcher;

/* Read every <class>.txt under dir (in name order; other files are ignored)
 * and compile all their lines into one database. A line is a domain pattern
 * ("example.com": the name and its sub-names; "*.example.com": sub-names
 * only; '*' inside a label: any run of label characters) or "re:REGEX"
 * (a raw Hyperscan regex, unanchored unless written so); '#' starts a
 * comment. Returns NULL with "FILE:LINE: message" in err on a bad line, an
 * unknown class file or a compile error. An empty or list-less dir, or a
 * NULL dir, gives an empty set.
 * Main lcore; the result is owned by the caller. */
struct hs_lists *hs_lists_load(const char *dir, char *err, size_t errlen);

/* Free the database. Accepts NULL. Main lcore, after every matcher is gone. */
void hs_lists_free(struct hs_lists *l);

/* Patterns compiled (0 for an empty set). Any thread. */
unsigned hs_lists_count(const struct hs_lists *l);

/* Per-worker matcher: a clone of the database's scratch. l must outlive it.
 * Main lcore, before the worker starts. NULL on failure. */
struct hs_matcher *hs_matcher_create(const struct hs_lists *l);

/* Free a matcher. Accepts NULL. Main lcore, after the worker stopped. */
void hs_matcher_free(struct hs_matcher *m);

/* Class (enum policy_class) of a name, any case, optional trailing dot;
 * POLICY_CLASS_NONE when no list matches. When several patterns match, the
 * longest domain pattern wins (so "drive.proton.me" beats "proton.me"), and
 * a domain pattern beats a regex. Owning worker; no allocation. */
unsigned hs_match_name(struct hs_matcher *m, const char *name, size_t len);

/* True when p starts with a document signature: PDF "%PDF-", OLE2
 * (D0 CF 11 E0 A1 B1 1A E1: .doc/.xls/.ppt/.msg) or ZIP "PK\3\4" (OOXML
 * .docx/.xlsx/.pptx, ODF, any zip); or when one starts right after an
 * empty line ("\r\n\r\n": an HTTP body or a multipart part). Pure. */
bool hs_docsig_match(const uint8_t *p, size_t n);

/* True when p starts an HTTP request with a WebDAV-only method (PROPFIND,
 * PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK). Pure. */
bool hs_webdav_match(const uint8_t *p, size_t n);

/* When p starts with "CONNECT host:port HTTP/...", copy host (no port, no
 * IPv6 brackets) into out and return its length; else return 0. Pure. */
size_t hs_connect_target(const uint8_t *p, size_t n, char *out, size_t size);

/* Copy the host part of an authority "host[:port]" or "[v6addr][:port]"
 * (s, n bytes) into out, NUL-terminated. Returns its length, 0 when empty
 * or when it does not fit in size. Pure. */
size_t hs_authority_host(const char *s, size_t n, char *out, size_t size);

#endif
