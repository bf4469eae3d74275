/* sha256.h - a small SHA-256 (FIPS 180-4), for the config hash that the audit
 * log and `aduanactl check` print. Not for the packet path: it is plain,
 * portable C with no attempt at speed.
 */
#ifndef ADUANA_SHA256_H
#define ADUANA_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE	   65 /* 64 hex digits and the NUL */

struct sha256_ctx {
	uint32_t state[8];
	uint64_t total; /* bytes fed so far */
	uint8_t block[64];
	size_t used; /* bytes waiting in block */
};

/* Start a new digest in ctx (caller-owned). Any thread. */
void sha256_init(struct sha256_ctx *ctx);

/* Feed size bytes of data. Any thread, one ctx per thread. */
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t size);

/* Finish the digest into out; ctx must be re-initialised before reuse. */
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_SIZE]);

/* One-shot: the lower-case hex digest of data, NUL-terminated, into hex. */
void sha256_hex(const void *data, size_t size, char hex[SHA256_HEX_SIZE]);

#endif
