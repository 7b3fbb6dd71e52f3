/* The audit log's entries outside the database: JSON lines and CSV
 * exports, and RFC 5424 syslog messages (auditlog.h). */
#include "domain/auditlog.h"

#include "core/csv.h"
#include "core/datetime.h"
#include "core/err.h"
#include "core/json.h"

#include <sodium.h>
#include <string.h>

void mm_alog_entry_json(struct mm_buf *b, const struct mm_audit_event *e,
			const uint8_t chain[MM_HASH_LEN])
{
	char iso[21], b64[64];
	struct mm_json j;

	mm_time_iso(e->at, iso);
	mm_json_init(&j, b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "seq");
	mm_json_int(&j, e->seq);
	mm_json_key(&j, "at");
	mm_json_str(&j, iso);
	mm_json_key(&j, "at_unix");
	mm_json_int(&j, e->at);
	mm_json_key(&j, "account_id");
	mm_json_int(&j, e->account_id);
	mm_json_key(&j, "person_id");
	mm_json_int(&j, e->person_id);
	mm_json_key(&j, "actor");
	mm_json_str(&j, e->actor);
	mm_json_key(&j, "ip");
	mm_json_str(&j, e->ip);
	mm_json_key(&j, "request_id");
	mm_json_str(&j, e->request_id);
	mm_json_key(&j, "action");
	mm_json_str(&j, e->action);
	mm_json_key(&j, "object");
	mm_json_str(&j, e->object);
	mm_json_key(&j, "result");
	mm_json_str(&j, e->result);
	/* A string, so the line stays valid JSON whatever the text is. */
	mm_json_key(&j, "details");
	mm_json_str(&j, e->details);
	if (chain) {
		sodium_bin2base64(b64, sizeof(b64), chain, MM_HASH_LEN,
				  sodium_base64_VARIANT_ORIGINAL);
		mm_json_key(&j, "chain");
		mm_json_str(&j, b64);
	}
	mm_json_obj_close(&j);
}

static const char *const csv_heads[] = { "seq",	   "at",     "account_id", "person_id",
					 "actor",  "ip",     "request_id", "action",
					 "object", "result", "details" };

static void csv_row(struct mm_buf *b, const struct mm_audit_event *e)
{
	const char *text[] = { e->actor,  e->ip,     e->request_id, e->action,
			       e->object, e->result, e->details };
	char iso[21];

	mm_time_iso(e->at, iso);
	mm_buf_printf(b, "%lld,%s,%lld,%lld", (long long)e->seq, iso, (long long)e->account_id,
		      (long long)e->person_id);
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		mm_buf_addc(b, ',');
		mm_csv_field(b, text[i], strlen(text[i]), true);
	}
	mm_csv_row_end(b);
}

struct export
{
	int64_t since, until, count;
	enum mm_alog_format fmt;
	struct mm_buf b;
	FILE *f;
};

static int export_one(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct export *x = arg;

	if (e->at < x->since || e->at >= x->until)
		return MM_OK;
	mm_buf_reset(&x->b);
	if (x->fmt == MM_ALOG_CSV) {
		csv_row(&x->b, e);
	} else {
		mm_alog_entry_json(&x->b, e, chain);
		mm_buf_addc(&x->b, '\n');
	}
	if (x->b.err)
		return x->b.err;
	if (fwrite(x->b.data, 1, x->b.len, x->f) != x->b.len)
		return MM_EIO;
	x->count++;
	return MM_OK;
}

int mm_auditlog_export(struct mm_conn *c, int64_t since, int64_t until, enum mm_alog_format fmt,
		       FILE *f, int64_t *count)
{
	struct export x = { .since = since, .until = until, .fmt = fmt, .f = f };
	int rc = MM_OK;

	mm_buf_init(&x.b, 1 << 24);
	if (fmt == MM_ALOG_CSV) {
		mm_buf_adds(&x.b, "\xef\xbb\xbf");
		for (size_t i = 0; i < sizeof(csv_heads) / sizeof(csv_heads[0]); i++) {
			if (i)
				mm_buf_addc(&x.b, ',');
			mm_buf_adds(&x.b, csv_heads[i]);
		}
		mm_csv_row_end(&x.b);
		if (fwrite(x.b.data, 1, x.b.len, f) != x.b.len)
			rc = MM_EIO;
	}
	if (!rc)
		rc = mm_alog_scan(c, 1, 0, export_one, &x);
	if (!rc && fflush(f) != 0)
		rc = MM_EIO;
	mm_buf_free(&x.b);
	*count = x.count;
	return rc;
}

/* An SD-PARAM value: '"', '\' and ']' escaped (RFC 5424 §6.3.3). */
static void sd_value(struct mm_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			mm_buf_addc(b, '\\');
		mm_buf_addc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
	}
}

void mm_alog_syslog_line(struct mm_buf *b, const struct mm_audit_event *e, const char *host)
{
	bool bad = strcmp(e->result, "ok") != 0;
	int pri = 10 * 8 + (bad ? 4 : 5);
	char iso[21];

	mm_time_iso(e->at, iso);
	mm_buf_printf(b,
		      "<%d>1 %s %s mamori - audit [audit@32473 seq=\"%lld\" account=\"%lld\" "
		      "person=\"%lld\" actor=\"",
		      pri, iso, host && *host ? host : "-", (long long)e->seq,
		      (long long)e->account_id, (long long)e->person_id);
	sd_value(b, e->actor);
	mm_buf_adds(b, "\" ip=\"");
	sd_value(b, e->ip);
	mm_buf_adds(b, "\" request=\"");
	sd_value(b, e->request_id);
	mm_buf_adds(b, "\" action=\"");
	sd_value(b, e->action);
	mm_buf_adds(b, "\" object=\"");
	sd_value(b, e->object);
	mm_buf_adds(b, "\" result=\"");
	sd_value(b, e->result);
	/* The message: a BOM and the details, UTF-8 (RFC 5424 §6.4). */
	mm_buf_adds(b, "\"] \xef\xbb\xbf");
	for (const char *s = e->details; *s; s++)
		mm_buf_addc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
}
