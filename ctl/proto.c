/* Frames and flat JSON (see proto.h, docs/control.md). */
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int proto_conn_init(struct proto_conn *c, int fd, size_t out_max)
{
	int fl = fcntl(fd, F_GETFL);

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->out_max = out_max;
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

void proto_conn_close(struct proto_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int proto_grow(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

long proto_conn_read(struct proto_conn *c)
{
	long total = 0;
	ssize_t n;

	/* Frames taken since the last read leave once, here, not one memmove
	 * of the whole rest per frame. */
	if (c->in_off) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	for (;;) {
		/* Never hold more than one maximal frame plus a read's worth. */
		if (c->in_len >= PROTO_HDR_SIZE + PROTO_BODY_MAX + 65536)
			return total;
		if (proto_grow(&c->in, &c->in_cap, c->in_len + 65536) != 0)
			return -ENOMEM;
		n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (n > 0) {
			c->in_len += (size_t)n;
			total += n;
			continue;
		}
		if (n == 0)
			return total ? total : -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return total;
		return -errno;
	}
}

long proto_hdr_check(const uint8_t hdr[PROTO_HDR_SIZE], uint8_t *type)
{
	uint32_t len;

	if (hdr[0] != PROTO_MAGIC0 || hdr[1] != PROTO_MAGIC1)
		return -EBADMSG;
	if (hdr[2] != PROTO_VERSION)
		return -EPROTONOSUPPORT;
	len = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
	if (len > PROTO_BODY_MAX)
		return -EMSGSIZE;
	*type = hdr[3];
	return (long)len;
}

void proto_hdr_write(uint8_t hdr[PROTO_HDR_SIZE], uint8_t type, uint32_t len)
{
	hdr[0] = PROTO_MAGIC0;
	hdr[1] = PROTO_MAGIC1;
	hdr[2] = PROTO_VERSION;
	hdr[3] = type;
	hdr[4] = (uint8_t)(len >> 24);
	hdr[5] = (uint8_t)(len >> 16);
	hdr[6] = (uint8_t)(len >> 8);
	hdr[7] = (uint8_t)len;
}

int proto_conn_next(struct proto_conn *c, uint8_t *type, const uint8_t **body, uint32_t *len)
{
	const uint8_t *in = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off;
	long blen;

	if (avail < PROTO_HDR_SIZE) {
		/* A partial header can already be known bad: fail early on
		 * garbage instead of waiting for 8 bytes that may never come. */
		if ((avail >= 1 && in[0] != PROTO_MAGIC0) || (avail >= 2 && in[1] != PROTO_MAGIC1))
			return -EBADMSG;
		if (avail >= 3 && in[2] != PROTO_VERSION)
			return -EPROTONOSUPPORT;
		return 0;
	}
	blen = proto_hdr_check(in, type);
	if (blen < 0)
		return (int)blen;
	if (avail < PROTO_HDR_SIZE + (size_t)blen)
		return 0;
	*body = in + PROTO_HDR_SIZE;
	*len = (uint32_t)blen;
	return 1;
}

int proto_conn_send(struct proto_conn *c, uint8_t type, const void *body, size_t len)
{
	size_t live = c->out_len - c->out_off;

	if (len > PROTO_BODY_MAX || live + PROTO_HDR_SIZE + len > c->out_max)
		return -ENOBUFS;
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_off > c->out_cap / 2) {
		memmove(c->out, c->out + c->out_off, live);
		c->out_len = live;
		c->out_off = 0;
	}
	if (proto_grow(&c->out, &c->out_cap, c->out_len + PROTO_HDR_SIZE + len) != 0)
		return -ENOBUFS;
	proto_hdr_write(c->out + c->out_len, type, (uint32_t)len);
	if (len)
		memcpy(c->out + c->out_len + PROTO_HDR_SIZE, body, len);
	c->out_len += PROTO_HDR_SIZE + len;
	return 0;
}

long proto_conn_flush(struct proto_conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return n < 0 ? -errno : -EPIPE;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	return (long)(c->out_len - c->out_off);
}

int proto_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int proto_io_all(int fd, void *buf, size_t len, bool wr, int timeout_ms)
{
	uint8_t *p = buf;
	struct pollfd pfd = {.fd = fd, .events = wr ? POLLOUT : POLLIN};
	ssize_t n;

	while (len) {
		int r = poll(&pfd, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : -errno;
		n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 ? -EPIPE : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int proto_call(int fd, uint8_t type, const void *body, size_t len, int timeout_ms, uint8_t *rtype,
	       char **rbody, uint32_t *rlen)
{
	uint8_t hdr[PROTO_HDR_SIZE];
	long blen;
	int rc;

	*rbody = NULL;
	if (len > PROTO_BODY_MAX)
		return -EMSGSIZE;
	proto_hdr_write(hdr, type, (uint32_t)len);
	rc = proto_io_all(fd, hdr, sizeof(hdr), true, timeout_ms);
	if (!rc && len)
		rc = proto_io_all(fd, (void *)(uintptr_t)body, len, true, timeout_ms);
	/* A server that turned the connection away (busy) answered and closed
	 * before the request was through: its answer still says why. */
	if (!rc || rc == -EPIPE || rc == -ECONNRESET) {
		int wrc = rc;

		rc = proto_io_all(fd, hdr, sizeof(hdr), false, timeout_ms);
		if (rc && wrc)
			rc = wrc;
	}
	if (rc)
		return rc;
	blen = proto_hdr_check(hdr, rtype);
	if (blen < 0)
		return (int)blen;
	*rbody = malloc((size_t)blen + 1);
	if (!*rbody)
		return -ENOMEM;
	rc = proto_io_all(fd, *rbody, (size_t)blen, false, timeout_ms);
	if (rc) {
		free(*rbody);
		*rbody = NULL;
		return rc;
	}
	(*rbody)[blen] = '\0';
	*rlen = (uint32_t)blen;
	return 0;
}

void proto_conn_pop(struct proto_conn *c, uint32_t len)
{
	c->in_off += PROTO_HDR_SIZE + (size_t)len;
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
}

/* --- flat JSON --- */

static size_t proto_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static int proto_hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Parse a string at s[*i] == '"'; unescape into out (may be NULL).
 * Non-ASCII \u escapes become '?'; our writers never produce them. */
static int proto_str(const char *s, size_t len, size_t *i, char *out, size_t size)
{
	size_t o = 0, p = *i + 1;
	int rc = 0;

	while (p < len && s[p] != '"') {
		char ch = s[p++];

		if ((unsigned char)ch < 0x20)
			return -EINVAL;
		if (ch == '\\') {
			if (p >= len)
				return -EINVAL;
			ch = s[p++];
			switch (ch) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				ch = '\b';
				break;
			case 'f':
				ch = '\f';
				break;
			case 'n':
				ch = '\n';
				break;
			case 'r':
				ch = '\r';
				break;
			case 't':
				ch = '\t';
				break;
			case 'u': {
				unsigned v = 0;

				for (int k = 0; k < 4; k++) {
					int h = p < len ? proto_hex(s[p++]) : -1;

					if (h < 0)
						return -EINVAL;
					v = v << 4 | (unsigned)h;
				}
				ch = v >= 0x20 && v < 0x7f ? (char)v : '?';
				break;
			}
			default:
				return -EINVAL;
			}
		}
		if (out) {
			if (o + 1 < size)
				out[o++] = ch;
			else
				rc = -ENOSPC;
		}
	}
	if (p >= len)
		return -EINVAL;
	if (out && size)
		out[o] = '\0';
	*i = p + 1;
	return rc;
}

/* Skip one value of any kind; nested values are balanced, strings honoured. */
static int proto_skip(const char *s, size_t len, size_t *i)
{
	size_t p = *i;
	int depth = 0;

	if (p >= len)
		return -EINVAL;
	if (s[p] == '"')
		return proto_str(s, len, i, NULL, 0);
	if (s[p] != '{' && s[p] != '[') {
		size_t st = p;

		while (p < len && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ' &&
		       s[p] != '\n' && s[p] != '\t' && s[p] != '\r')
			p++;
		if (p == st)
			return -EINVAL;
		*i = p;
		return 0;
	}
	while (p < len) {
		if (s[p] == '"') {
			size_t q = p;

			if (proto_str(s, len, &q, NULL, 0) != 0)
				return -EINVAL;
			p = q;
			continue;
		}
		if (s[p] == '{' || s[p] == '[')
			depth++;
		else if (s[p] == '}' || s[p] == ']') {
			if (--depth == 0) {
				*i = p + 1;
				return 0;
			}
			if (depth < 0)
				return -EINVAL;
		}
		p++;
	}
	return -EINVAL;
}

int proto_json_next(const char *s, size_t len, size_t *pos, char *key, size_t ksize, char *val,
		    size_t vsize, bool *is_str)
{
	size_t i = *pos, st;
	int rc;

	if (i == 0) {
		i = proto_ws(s, len, 0);
		if (i >= len || s[i] != '{')
			return -EINVAL;
		i = proto_ws(s, len, i + 1);
		if (i < len && s[i] == '}') {
			*pos = len;
			return 0;
		}
	} else if (i >= len) {
		return 0;
	}
	if (i >= len || s[i] != '"')
		return -EINVAL;
	rc = proto_str(s, len, &i, key, ksize);
	if (rc == -EINVAL)
		return rc;
	i = proto_ws(s, len, i);
	if (i >= len || s[i] != ':')
		return -EINVAL;
	i = proto_ws(s, len, i + 1);
	if (i >= len)
		return -EINVAL;
	if (is_str)
		*is_str = s[i] == '"';
	st = i;
	if (s[i] == '"') {
		rc = proto_str(s, len, &i, val, vsize);
		if (rc == -EINVAL)
			return rc;
	} else {
		if (proto_skip(s, len, &i) != 0)
			return -EINVAL;
		if (vsize) {
			size_t n = i - st < vsize - 1 ? i - st : vsize - 1;

			memcpy(val, s + st, n);
			val[n] = '\0';
		}
	}
	i = proto_ws(s, len, i);
	if (i < len && s[i] == ',') {
		i = proto_ws(s, len, i + 1);
		if (i >= len || s[i] != '"')
			return -EINVAL;
		*pos = i;
	} else if (i < len && s[i] == '}') {
		*pos = len; /* the end; trailing bytes are not our business */
	} else {
		return -EINVAL;
	}
	return 1;
}

int proto_json_get(const char *obj, size_t len, const char *key, char *out, size_t size,
		   bool *is_str)
{
	char k[64];
	size_t pos = 0;
	int rc;

	while ((rc = proto_json_next(obj, len, &pos, k, sizeof(k), out, size, is_str)) == 1)
		if (strcmp(k, key) == 0)
			return 0;
	return rc < 0 ? rc : -ENOENT;
}

void proto_json_str(char *buf, size_t size, size_t *off, const char *s)
{
	size_t o = *off;

#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (o + 1 < size)                                                                  \
			buf[o++] = (ch);                                                           \
	} while (0)
	if (!s) {
		for (const char *n = "null"; *n; n++)
			PUT(*n);
	} else {
		PUT('"');
		for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
			if (*p == '"' || *p == '\\') {
				PUT('\\');
				PUT((char)*p);
			} else if (*p < 0x20 || *p >= 0x7f) {
				char e[8];

				snprintf(e, sizeof(e), "\\u%04x", *p);
				for (char *q = e; *q; q++)
					PUT(*q);
			} else {
				PUT((char)*p);
			}
		}
		PUT('"');
	}
#undef PUT
	if (size)
		buf[o < size ? o : size - 1] = '\0';
	*off = o;
}
