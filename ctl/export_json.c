/* JSON lines to a file and to syslog (see export_json.h). The syslog
 * message format is RFC 5424 section 6. */
#include "export_json.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct export_json {
	char path[512];
	int fd;
	uint64_t size, max_bytes;
	unsigned keep;
	uint64_t lines, errors;
};

static int export_json_openfd(struct export_json *j)
{
	struct stat st;

	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0)
		return -errno;
	j->size = fstat(j->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

struct export_json *export_json_open(const char *path, uint64_t max_bytes, unsigned keep, char *err,
				     size_t errlen)
{
	struct export_json *j = calloc(1, sizeof(*j));
	int rc;

	if (!j) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(j->path, sizeof(j->path), "%s", path);
	j->max_bytes = max_bytes;
	j->keep = keep;
	rc = export_json_openfd(j);
	if (rc) {
		snprintf(err, errlen, "json log %s: %s", path, strerror(-rc));
		free(j);
		return NULL;
	}
	return j;
}

/* path.(keep-1) -> path.keep, ..., path -> path.1 */
static int export_json_rotate(struct export_json *j)
{
	char from[600], to[600];
	unsigned i;

	close(j->fd);
	j->fd = -1;
	for (i = j->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", j->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", j->path, i);
		rename(from, to);
	}
	if (j->keep) {
		snprintf(to, sizeof(to), "%s.1", j->path);
		rename(j->path, to);
	} else {
		unlink(j->path);
	}
	return export_json_openfd(j);
}

int export_json_write(struct export_json *j, const char *line, size_t len)
{
	ssize_t n;

	if (j->max_bytes && j->size + len > j->max_bytes && j->size > 0 &&
	    export_json_rotate(j) != 0) {
		j->errors++;
		return -EIO;
	}
	if (j->fd < 0 && export_json_openfd(j) != 0) {
		j->errors++;
		return -EIO;
	}
	n = write(j->fd, line, len);
	if (n != (ssize_t)len) {
		j->errors++;
		return n < 0 ? -errno : -EIO;
	}
	j->size += len;
	j->lines++;
	return 0;
}

int export_json_reopen(struct export_json *j)
{
	if (j->fd >= 0)
		close(j->fd);
	return export_json_openfd(j);
}

void export_json_stats(const struct export_json *j, uint64_t *lines, uint64_t *errors)
{
	*lines = j->lines;
	*errors = j->errors;
}

void export_json_close(struct export_json *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

struct export_syslog {
	int fd;
	unsigned facility;
	uint32_t pen;
	char hostname[256];
	char procid[16];
	uint64_t sent, lost;
};

static const struct {
	const char *name;
	unsigned code;
} export_facilities[] = {
	{"user", 1},	{"daemon", 3},	{"local0", 16}, {"local1", 17}, {"local2", 18},
	{"local3", 19}, {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23},
};

struct export_syslog *export_syslog_open(const char *target, const char *facility, uint32_t pen,
					 char *err, size_t errlen)
{
	struct export_syslog *s = calloc(1, sizeof(*s));
	bool found = false;
	unsigned i;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	for (i = 0; i < sizeof(export_facilities) / sizeof(export_facilities[0]); i++)
		if (strcmp(facility, export_facilities[i].name) == 0) {
			s->facility = export_facilities[i].code;
			found = true;
		}
	if (!found) {
		snprintf(err, errlen, "syslog facility '%s': expected user, daemon or local0..7",
			 facility);
		goto out_free;
	}
	if (strncmp(target, "unix:", 5) == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};

		if (strlen(target + 5) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "syslog target '%s': path too long", target);
			goto out_free;
		}
		strcpy(sa.sun_path, target + 5);
		s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		/* Connect later failures show as lost messages, not a refusal
		 * to start: syslog may come up after us. */
		if (s->fd >= 0)
			(void)connect(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	} else if (strncmp(target, "udp:", 4) == 0) {
		struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
					 .ai_socktype = SOCK_DGRAM},
				*ai;
		char host[96], *port;

		snprintf(host, sizeof(host), "%s", target + 4);
		port = strrchr(host, ':');
		if (port)
			*port++ = '\0';
		if (host[0] == '[' && strlen(host) > 2) {
			host[strlen(host) - 1] = '\0';
			memmove(host, host + 1, strlen(host));
		}
		if (!port || getaddrinfo(host, port, &hints, &ai) != 0) {
			snprintf(err, errlen, "syslog target '%s': expected udp:ADDRESS:PORT",
				 target);
			goto out_free;
		}
		s->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd >= 0 && connect(s->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(s->fd);
			s->fd = -1;
		}
		freeaddrinfo(ai);
	} else {
		snprintf(err, errlen, "syslog target '%s': expected udp:HOST:PORT or unix:PATH",
			 target);
		goto out_free;
	}
	if (s->fd < 0) {
		snprintf(err, errlen, "syslog target '%s': %s", target, strerror(errno));
		goto out_free;
	}
	s->pen = pen;
	if (gethostname(s->hostname, sizeof(s->hostname)) != 0 || !s->hostname[0])
		snprintf(s->hostname, sizeof(s->hostname), "-");
	snprintf(s->procid, sizeof(s->procid), "%d", (int)getpid());
	return s;
out_free:
	free(s);
	return NULL;
}

/* An SD-PARAM value escapes '"', '\' and ']' (RFC 5424 6.3.3). */
static size_t export_sd_value(char *buf, size_t size, const char *v)
{
	size_t o = 0;

	for (; *v && o + 3 < size; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			buf[o++] = '\\';
		buf[o++] = (unsigned char)*v < 0x20 ? '?' : *v;
	}
	buf[o] = '\0';
	return o;
}

/* <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, the SD
 * already escaped; sev: the severity. */
static void export_syslog_msg(struct export_syslog *s, unsigned sev, const char *msgid,
			      const char *sd, const char *line, size_t len)
{
	char msg[8192], ts[40];
	struct timespec now;
	struct tm tm;
	int n;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(msg, sizeof(msg), "<%u>1 %s.%03ldZ %s aduanad %s %s %s ",
		     s->facility * 8 + sev, ts, now.tv_nsec / 1000000, s->hostname, s->procid,
		     msgid, sd);
	if (n < 0 || (size_t)n + len > sizeof(msg)) {
		s->lost++;
		return;
	}
	memcpy(msg + n, line, len);
	if (send(s->fd, msg, (size_t)n + len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
	    (ssize_t)((size_t)n + len))
		s->sent++;
	else
		s->lost++;
}

void export_syslog_send(struct export_syslog *s, const char *line, size_t len, const char *zone,
			const char *verdict)
{
	char sd[256], z[128], v[32];

	export_sd_value(z, sizeof(z), zone);
	export_sd_value(v, sizeof(v), verdict);
	/* Severity 6 (informational). */
	snprintf(sd, sizeof(sd), "[flow@%u zone=\"%s\" verdict=\"%s\"]", s->pen, z, v);
	export_syslog_msg(s, 6, "flow", sd, line, len);
}

void export_syslog_audit(struct export_syslog *s, uint64_t seq, const char *head, const char *line,
			 size_t len)
{
	char sd[256], h[80];

	export_sd_value(h, sizeof(h), head);
	/* Severity 5 (notice): a change or a refusal, or the periodic head. */
	snprintf(sd, sizeof(sd), "[audit@%u seq=\"%llu\" head=\"%s\"]", s->pen,
		 (unsigned long long)seq, h);
	if (!line || !len) {
		line = "{\"audit_head\":true}";
		len = strlen(line);
	}
	export_syslog_msg(s, 5, "audit", sd, line, len);
}

void export_syslog_stats(const struct export_syslog *s, uint64_t *sent, uint64_t *lost)
{
	*sent = s->sent;
	*lost = s->lost;
}

void export_syslog_close(struct export_syslog *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
