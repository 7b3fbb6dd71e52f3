/* Audit archive files (mamori audit verify-archive --in FILE): files kept
 * off the machine for years and read back. The input is a vkey line, a
 * newline, then the archive, so that seeds carry a key whose checkpoint
 * signature verifies. Invariants: the verdict is one of the documented
 * results, and the report's text can always be written. */
#include "fuzz.h"

#include "core/buf.h"
#include "core/err.h"
#include "domain/auditlog.h"
#include "domain/checkpoint.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t klen = nl ? (size_t)(nl - (const char *)data) : 0;
	char *key = malloc(klen + 1);
	struct mm_alog_archive_report rep;
	struct mm_ckpt_vkey k;
	struct mm_buf text;
	FILE *in;
	int rc;

	if (!key)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	if (!nl || mm_ckpt_vkey_parse(key, &k) != MM_OK) {
		memset(&k, 0, sizeof(k)); /* no key: nothing verifies */
	} else {
		data += klen + 1;
		size -= klen + 1;
	}
	free(key);
	/* fmemopen refuses a size of 0; an empty file is /dev/null. */
	in = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!in)
		return 0;
	rc = mm_auditlog_archive_verify(in, &k, &rep);
	fclose(in);
	FUZZ_CHECK(rc == MM_OK || rc == MM_ENOMEM || rc == MM_EIO);
	mm_buf_init(&text, 1u << 20);
	mm_alog_archive_report_text(&rep, &text);
	FUZZ_CHECK(!text.err && text.len > 0);
	mm_buf_free(&text);
	return 0;
}
