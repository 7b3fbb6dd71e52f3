/* Checking an archive file (auditarchive.c) with the public key alone: its
 * lines must be byte for byte what mamori writes, the entries' chain
 * values must follow from the one before them, and the Merkle tree of the
 * frontier before them plus their leaves must be a prefix of the tree the
 * covering checkpoint signs (auditlog.h). */
#include "domain/auditlog_int.h"

#include "core/err.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

/* The longest line read: an entry's canonical bytes may take 16 MiB and
 * JSON escaping may grow them up to six times. */
enum { LINE_CAP = 6 * MM_ALOG_CANON_CAP + 4096 };

struct vstate {
	struct mm_alog_archive_report *r;
	struct mm_buf line, again, canon;
	struct mm_merkle_frontier f;
	uint8_t chain[MM_HASH_LEN];
	int64_t lineno, expect;
};

/* Records a problem; returns -1, which ends the check. */
static int fail(struct vstate *v, enum mm_alog_archive_problem p, int64_t seq, const char *why)
{
	v->r->problem = p;
	v->r->line = v->lineno;
	v->r->bad_seq = seq;
	v->r->why = why;
	return -1;
}

/* Reads the next line into v->line without its newline: 1, 0 at the end
 * of the file, -1 with the problem recorded, or an error. */
static int read_line(struct vstate *v, FILE *in)
{
	char chunk[65536];

	mm_buf_reset(&v->line);
	v->lineno++;
	while (fgets(chunk, sizeof(chunk), in)) {
		size_t n = strlen(chunk);

		if (n && chunk[n - 1] == '\n') {
			mm_buf_add(&v->line, chunk, n - 1);
			if (v->line.err)
				return fail(v, MM_ARCH_MALFORMED, 0, "line too long");
			if (memchr(v->line.data, '\0', v->line.len))
				return fail(v, MM_ARCH_MALFORMED, 0, "NUL byte");
			return 1;
		}
		mm_buf_add(&v->line, chunk, n);
	}
	if (ferror(in))
		return MM_EIO;
	if (v->line.len)
		return fail(v, MM_ARCH_TRUNCATED, 0, "the last line has no end");
	return 0;
}

static bool get_hash(const json_t *s, uint8_t out[MM_HASH_LEN])
{
	const char *t = json_string_value(s), *end;
	size_t got = 0;

	return t &&
	       sodium_base642bin(out, MM_HASH_LEN, t, strlen(t), NULL, &got, &end,
				 sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == MM_HASH_LEN && *end == '\0';
}

/* True when v->again (rebuilt from the parsed values) is the line. */
static bool same(const struct vstate *v)
{
	return !v->again.err && v->again.len == v->line.len &&
	       memcmp(v->again.data, v->line.data, v->line.len) == 0;
}

/* The first line: the entries first..last, the chain value and the
 * frontier before them. */
static int check_head(struct vstate *v, const json_t *j)
{
	const json_t *fr = json_object_get(j, "prev_frontier");
	uint8_t h[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	json_int_t first = json_integer_value(json_object_get(j, "first"));
	json_int_t last = json_integer_value(json_object_get(j, "last"));
	size_t n = json_array_size(fr);

	if (json_integer_value(json_object_get(j, "mamori_audit_archive")) != 1)
		return fail(v, MM_ARCH_MALFORMED, 0, "not a mamori audit archive (version 1)");
	if (first < 1 || last < first || n > MM_MERKLE_MAX_DEPTH ||
	    !get_hash(json_object_get(j, "prev_chain"), v->chain))
		return fail(v, MM_ARCH_MALFORMED, 0, "bad head line");
	for (size_t i = 0; i < n; i++)
		if (!get_hash(json_array_get(fr, i), h[i]))
			return fail(v, MM_ARCH_MALFORMED, 0, "bad hash in prev_frontier");
	if (!mm_merkle_frontier_load(&v->f, (uint64_t)first - 1, h, n * MM_HASH_LEN))
		return fail(v, MM_ARCH_MALFORMED, 0, "prev_frontier does not fit first");
	mm_buf_reset(&v->again);
	mm_alog_archive_head(&v->again, first, last, v->chain, &v->f);
	if (!same(v))
		return fail(v, MM_ARCH_MALFORMED, 0, "head line not as mamori writes it");
	v->r->first = v->expect = first;
	v->r->last = last;
	return MM_OK;
}

static const char *str(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* One entry line: its place, its canonical form and its chain value. */
static int check_entry(struct vstate *v, const json_t *j)
{
	const json_t *seq = json_object_get(j, "seq");
	struct mm_audit_event e = {
		.seq = json_integer_value(seq),
		.at = json_integer_value(json_object_get(j, "at_unix")),
		.account_id = json_integer_value(json_object_get(j, "account_id")),
		.person_id = json_integer_value(json_object_get(j, "person_id")),
		.actor = str(j, "actor"),
		.ip = str(j, "ip"),
		.request_id = str(j, "request_id"),
		.action = str(j, "action"),
		.object = str(j, "object"),
		.result = str(j, "result"),
		.details = str(j, "details"),
	};
	uint8_t stored[MM_HASH_LEN], leaf[MM_HASH_LEN];

	if (!json_is_integer(seq) || !e.actor || !e.ip || !e.request_id || !e.action || !e.object ||
	    !e.result || !e.details || !get_hash(json_object_get(j, "chain"), stored))
		return fail(v, MM_ARCH_MALFORMED, 0, "bad entry line");
	if (v->expect > v->r->last)
		return fail(v, MM_ARCH_MALFORMED, e.seq, "entry after the head's last seq");
	if (e.seq != v->expect)
		return fail(v, MM_ARCH_MISSING, v->expect, NULL);
	mm_buf_reset(&v->again);
	mm_alog_entry_json(&v->again, &e, stored);
	if (!same(v))
		return fail(v, MM_ARCH_MALFORMED, e.seq, "entry line not as mamori writes it");
	if (mm_alog_leaf(&e, &v->canon, leaf))
		return fail(v, MM_ARCH_MALFORMED, e.seq, "entry too large");
	mm_alog_chain(v->chain, leaf, v->chain);
	if (memcmp(v->chain, stored, MM_HASH_LEN) != 0)
		return fail(v, MM_ARCH_CHANGED, e.seq, NULL);
	mm_merkle_push(&v->f, leaf);
	v->expect++;
	return MM_OK;
}

/* The checkpoint's signature with k, then the entries' tree against it. */
static int check_signed(struct vstate *v, const struct mm_ckpt_vkey *k, const char *note,
			const uint8_t proof[][MM_HASH_LEN], size_t n)
{
	size_t nlen = strlen(k->name);
	uint8_t root[MM_HASH_LEN], mine[MM_HASH_LEN];
	int64_t size;
	int rc = mm_ckpt_note_open(k, note, &size, root);

	if (rc == MM_EINVAL && (strncmp(note, k->name, nlen) != 0 || note[nlen] != '\n'))
		return fail(v, MM_ARCH_SIGNATURE, 0, "its origin is not the key's name");
	if (rc == MM_EINVAL)
		return fail(v, MM_ARCH_SIGNATURE, 0, "its note is malformed");
	if (rc == MM_EPERM)
		return fail(v, MM_ARCH_SIGNATURE, 0, "no signature of the key verifies");
	if (rc)
		return rc;
	v->r->size = size;
	if (size < v->r->last)
		return fail(v, MM_ARCH_SHORT, 0, NULL);
	mm_merkle_root(&v->f, mine);
	if (!mm_merkle_consistency_verify((uint64_t)v->r->last, (uint64_t)size, mine, root, proof,
					  n))
		return fail(v, MM_ARCH_ROOT, 0, NULL);
	return MM_OK;
}

/* The last line: the covering checkpoint and the consistency proof. */
static int check_tail(struct vstate *v, const json_t *j, const struct mm_ckpt_vkey *k)
{
	const json_t *pr = json_object_get(j, "consistency");
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	const char *note = str(j, "checkpoint");
	size_t n = json_array_size(pr);

	if (v->expect <= v->r->last)
		return fail(v, MM_ARCH_MISSING, v->expect, NULL);
	if (!note || !json_is_array(pr) || n > MM_MERKLE_MAX_DEPTH)
		return fail(v, MM_ARCH_MALFORMED, 0, "bad checkpoint line");
	for (size_t i = 0; i < n; i++)
		if (!get_hash(json_array_get(pr, i), proof[i]))
			return fail(v, MM_ARCH_MALFORMED, 0, "bad hash in consistency");
	mm_buf_reset(&v->again);
	mm_alog_archive_tail(&v->again, note, (const uint8_t(*)[MM_HASH_LEN])proof, n);
	if (!same(v))
		return fail(v, MM_ARCH_MALFORMED, 0, "checkpoint line not as mamori writes it");
	return check_signed(v, k, note, (const uint8_t(*)[MM_HASH_LEN])proof, n);
}

/* Reads and checks every line after the head. */
static int check_body(struct vstate *v, FILE *in, const struct mm_ckpt_vkey *k)
{
	json_t *j;
	int rc;

	for (;;) {
		rc = read_line(v, in);
		if (rc == 0)
			return fail(v, MM_ARCH_TRUNCATED, v->expect,
				    "it ends before its checkpoint line");
		if (rc != 1)
			return rc;
		j = json_loadb(v->line.data, v->line.len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(j))
			rc = fail(v, MM_ARCH_MALFORMED, 0, "not a JSON object");
		else if (json_object_get(j, "checkpoint"))
			rc = check_tail(v, j, k);
		else
			rc = check_entry(v, j);
		json_decref(j);
		if (rc)
			return rc;
		if (v->r->size)
			break;
	}
	rc = read_line(v, in);
	if (rc == 1 || rc < 0)
		return rc == 1 ? fail(v, MM_ARCH_MALFORMED, 0, "text after the checkpoint line")
			       : rc;
	return rc;
}

int mm_auditlog_archive_verify(FILE *in, const struct mm_ckpt_vkey *k,
			       struct mm_alog_archive_report *r)
{
	struct vstate v = { .r = r };
	json_t *j = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (sodium_init() < 0)
		return MM_EIO;
	mm_buf_init(&v.line, LINE_CAP);
	mm_buf_init(&v.again, LINE_CAP);
	mm_buf_init(&v.canon, 0);
	rc = read_line(&v, in);
	if (rc == 0)
		rc = fail(&v, MM_ARCH_MALFORMED, 0, "empty file");
	if (rc == 1) {
		j = json_loadb(v.line.data, v.line.len, JSON_REJECT_DUPLICATES, NULL);
		rc = json_is_object(j) ? check_head(&v, j)
				       : fail(&v, MM_ARCH_MALFORMED, 0, "not a JSON object");
		json_decref(j);
	}
	if (rc == MM_OK)
		rc = check_body(&v, in, k);
	if (rc == -1)
		rc = MM_OK;
	mm_buf_free(&v.line);
	mm_buf_free(&v.again);
	mm_buf_free(&v.canon);
	return rc;
}

void mm_alog_archive_report_text(const struct mm_alog_archive_report *r, struct mm_buf *out)
{
	long long s = (long long)r->bad_seq, l = (long long)r->line;

	switch (r->problem) {
	case MM_ARCH_OK:
		mm_buf_printf(out,
			      "ok: archived entries %lld..%lld verified: chain, Merkle tree and "
			      "the signed checkpoint of %lld entries / 検証成功",
			      (long long)r->first, (long long)r->last, (long long)r->size);
		break;
	case MM_ARCH_MALFORMED:
		mm_buf_printf(out, "line %lld: %s / 形式が不正です", l, r->why);
		break;
	case MM_ARCH_TRUNCATED:
		mm_buf_printf(out, "line %lld: file truncated (%s) / ファイルが途中で切れています",
			      l, r->why);
		break;
	case MM_ARCH_MISSING:
		mm_buf_printf(out,
			      "seq %lld: entry missing or out of order (line %lld) / "
			      "エントリの欠落または順序の入れ替え",
			      s, l);
		break;
	case MM_ARCH_CHANGED:
		mm_buf_printf(out,
			      "seq %lld: entry or its chain value changed (chain value does not "
			      "match, line %lld) / エントリの改ざん",
			      s, l);
		break;
	case MM_ARCH_SHORT:
		mm_buf_printf(out,
			      "the checkpoint of %lld entries does not cover entries up to %lld / "
			      "チェックポイントが範囲を含みません",
			      (long long)r->size, (long long)r->last);
		break;
	case MM_ARCH_ROOT:
		mm_buf_printf(out, "the entries' Merkle tree is not part of the checkpoint's (root "
				   "does not match) / ルートハッシュが一致しません");
		break;
	case MM_ARCH_SIGNATURE:
		mm_buf_printf(out,
			      "checkpoint refused: %s / チェックポイントの署名を検証できません",
			      r->why);
		break;
	}
}
