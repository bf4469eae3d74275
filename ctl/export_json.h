/* export_json.h - flow records as JSON lines for a SIEM: to a file that
 * rotates by size (or is reopened on SIGHUP for logrotate), and to syslog
 * as RFC 5424 messages over a unix datagram socket or UDP. aduanad's
 * thread only.
 */
#ifndef ADUANA_EXPORT_JSON_H
#define ADUANA_EXPORT_JSON_H

#include <stddef.h>
#include <stdint.h>

struct export_json;
struct export_syslog;

/* Open path for appending. max_bytes 0: never rotate by size; keep: how
 * many rotated files (path.1 .. path.keep) to keep. NULL with err. */
struct export_json *export_json_open(const char *path, uint64_t max_bytes, unsigned keep, char *err,
				     size_t errlen);

/* Append one line (with its newline). Rotates first when the file would
 * pass max_bytes. Returns 0 or -errno. */
int export_json_write(struct export_json *j, const char *line, size_t len);

/* Close and open the path again (after an outside rotation). 0 or -errno. */
int export_json_reopen(struct export_json *j);

/* Lines written and write errors. */
void export_json_stats(const struct export_json *j, uint64_t *lines, uint64_t *errors);

void export_json_close(struct export_json *j);

/* target: "udp:HOST:PORT" or "unix:PATH"; facility: syslog name (local0..
 * local7, daemon, user); pen: enterprise number for the structured data
 * id. NULL with err. */
struct export_syslog *export_syslog_open(const char *target, const char *facility, uint32_t pen,
					 char *err, size_t errlen);

/* Send one JSON line as an RFC 5424 message (MSGID "flow", severity info,
 * the record's zone and verdict as structured data). Never blocks: a full
 * socket buffer loses the message, counted. */
void export_syslog_send(struct export_syslog *s, const char *line, size_t len, const char *zone,
			const char *verdict);

/* The audit chain's head as an RFC 5424 message: MSGID "audit", severity
 * notice, structured data [audit@PEN seq="N" head="SHA256"], and the
 * entry's JSON line as MSG (line NULL: the periodic head alone, MSG
 * {"audit_head":true}). Never blocks, as above. */
void export_syslog_audit(struct export_syslog *s, uint64_t seq, const char *head, const char *line,
			 size_t len);

void export_syslog_stats(const struct export_syslog *s, uint64_t *sent, uint64_t *lost);

void export_syslog_close(struct export_syslog *s);

#endif
