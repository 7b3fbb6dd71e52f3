#include "core/encoding.h"

#include "core/analyzer.h"
#include "core/err.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (left bytes available), or 0. */
static size_t seq_len(const unsigned char *p, size_t left)
{
	unsigned c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (left < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool mm_utf8_check(const char *p, size_t n, size_t *bad_offset)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;

	while (i < n) {
		size_t len = seq_len(u + i, n - i);

		if (len == 0) {
			if (bad_offset)
				*bad_offset = i;
			return false;
		}
		i += len;
	}
	return true;
}

size_t mm_enc_line_at(const char *p, size_t n, size_t off)
{
	size_t line = 1;

	if (off > n)
		off = n;
	for (size_t i = 0; i < off; i++) {
		if (p[i] == '\n')
			line++;
		else if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			line++;
	}
	return line;
}

/* gcc 12's -fanalyzer models iconv_open as an allocator and takes its
 * failure value, (iconv_t)-1, for a handle that leaks (a false positive:
 * there is nothing to close). */
MM_ANALYZER_LEAK_OFF
/* Converts with iconv from one encoding to another, appending to dst, or
 * only checking that the input converts when dst is NULL. */
static int convert(const char *to, const char *from, const char *in, size_t n, struct mm_buf *dst,
		   size_t *bad_offset)
{
	iconv_t cd = iconv_open(to, from);
	char *ip = (char *)in;
	size_t left = n;
	int rc = MM_OK;

	if (cd == (iconv_t)-1)
		return MM_EIO;
	for (;;) {
		char tmp[4096];
		char *op = tmp;
		size_t room = sizeof(tmp), r;

		if (left)
			r = iconv(cd, &ip, &left, &op, &room);
		else
			r = iconv(cd, NULL, NULL, &op, &room);
		if (dst)
			mm_buf_add(dst, tmp, (size_t)(op - tmp));
		if (dst && dst->err) {
			rc = dst->err;
			goto out;
		}
		if (r != (size_t)-1) {
			if (!left)
				break;
			continue;
		}
		if (errno == E2BIG)
			continue;
		if (bad_offset)
			*bad_offset = (size_t)(ip - in);
		rc = MM_EENCODING;
		goto out;
	}
out:
	iconv_close(cd);
	return rc;
}
MM_ANALYZER_LEAK_ON

int mm_cp932_to_utf8(const char *in, size_t n, struct mm_buf *out, size_t *bad_offset)
{
	return convert("UTF-8", "CP932", in, n, out, bad_offset);
}

int mm_utf8_to_cp932(const char *in, size_t n, struct mm_buf *out, size_t *bad_offset)
{
	/* Checked here so that invalid UTF-8 is refused by the same rules as
	 * everywhere else in mamori, whatever iconv's decoder allows. */
	if (!mm_utf8_check(in, n, bad_offset))
		return MM_EENCODING;
	return convert("CP932", "UTF-8", in, n, out, bad_offset);
}

int mm_enc_to_utf8(const char *in, size_t n, enum mm_enc enc, struct mm_buf *out,
		   size_t *bad_offset)
{
	size_t skip = 0, bad;

	switch (enc) {
	case MM_ENC_CP932:
		return mm_cp932_to_utf8(in, n, out, bad_offset);
	case MM_ENC_UTF8_BOM:
		if (n < 3 || memcmp(in, "\xef\xbb\xbf", 3) != 0) {
			if (bad_offset)
				*bad_offset = 0;
			return MM_EENCODING;
		}
		skip = 3;
		break;
	case MM_ENC_UTF8:
		break;
	default:
		return MM_EINVAL;
	}
	if (!mm_utf8_check(in + skip, n - skip, &bad)) {
		if (bad_offset)
			*bad_offset = bad + skip;
		return MM_EENCODING;
	}
	mm_buf_add(out, in + skip, n - skip);
	return out->err;
}

int mm_enc_detect(const char *p, size_t n, enum mm_enc *out)
{
	int rc;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		if (!mm_utf8_check(p + 3, n - 3, NULL))
			return MM_EENCODING;
		*out = MM_ENC_UTF8_BOM;
		return MM_OK;
	}
	if (mm_utf8_check(p, n, NULL)) {
		*out = MM_ENC_UTF8;
		return MM_OK;
	}
	rc = convert("UTF-8", "CP932", p, n, NULL, NULL);
	if (rc == MM_OK)
		*out = MM_ENC_CP932;
	return rc;
}
