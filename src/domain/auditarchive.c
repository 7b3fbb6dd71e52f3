/* Retention: archiving the oldest audit entries to a verifiable file, then
 * removing them while keeping what the rest needs to verify (auditlog.h). */
#include "domain/auditlog_int.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/json.h"
#include "domain/audit.h"

#include <sodium.h>
#include <string.h>
#include <unistd.h>

struct arch {
	int64_t before, last;	     /* the search: last seq before the time */
	struct mm_merkle_frontier f; /* the archived prefix so far */
	uint8_t chain[MM_HASH_LEN];
	struct mm_buf canon, line;
	FILE *out;
	bool bad;
};

static int find_last(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct arch *x = arg;

	(void)chain;
	if (e->at >= x->before)
		return 1;
	x->last = e->seq;
	return 0;
}

static int write_one(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct arch *x = arg;
	uint8_t leaf[MM_HASH_LEN];
	int rc = mm_alog_leaf(e, &x->canon, leaf);

	if (rc)
		return rc;
	mm_alog_chain(x->chain, leaf, x->chain);
	if (memcmp(x->chain, chain, MM_HASH_LEN) != 0) {
		x->bad = true;
		return 1;
	}
	mm_merkle_push(&x->f, leaf);
	mm_buf_reset(&x->line);
	mm_alog_entry_json(&x->line, e, chain);
	mm_buf_addc(&x->line, '\n');
	if (x->line.err || fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len)
		return MM_EIO;
	return 0;
}

static void add_hash(struct mm_json *j, const uint8_t h[MM_HASH_LEN])
{
	char b64[64];

	sodium_bin2base64(b64, sizeof(b64), h, MM_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	mm_json_str(j, b64);
}

void mm_alog_archive_head(struct mm_buf *b, int64_t first, int64_t last,
			  const uint8_t chain[MM_HASH_LEN], const struct mm_merkle_frontier *f)
{
	struct mm_json j;

	mm_json_init(&j, b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "mamori_audit_archive");
	mm_json_int(&j, 1);
	mm_json_key(&j, "first");
	mm_json_int(&j, first);
	mm_json_key(&j, "last");
	mm_json_int(&j, last);
	mm_json_key(&j, "prev_chain");
	add_hash(&j, chain);
	mm_json_key(&j, "prev_frontier");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < f->n; i++)
		add_hash(&j, f->h[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}

void mm_alog_archive_tail(struct mm_buf *b, const char *note, const uint8_t proof[][MM_HASH_LEN],
			  size_t n)
{
	struct mm_json j;

	mm_json_init(&j, b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "checkpoint");
	mm_json_str(&j, note);
	mm_json_key(&j, "consistency");
	mm_json_arr_open(&j);
	for (size_t i = 0; i < n; i++)
		add_hash(&j, proof[i]);
	mm_json_arr_close(&j);
	mm_json_obj_close(&j);
}

/* The first line: where the archived entries start. */
static int write_head(struct arch *x, int64_t first)
{
	mm_buf_reset(&x->line);
	mm_alog_archive_head(&x->line, first, x->last, x->chain, &x->f);
	mm_buf_addc(&x->line, '\n');
	if (x->line.err || fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len)
		return MM_EIO;
	return MM_OK;
}

/* The last line: the signed checkpoint that covers the archived entries
 * and the consistency proof from their tree (x->f) to its tree, read from
 * the database before anything is removed. */
static int write_tail(struct mm_ctx *ctx, struct arch *x, const struct mm_alog_ckpt *ck)
{
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	struct mm_alog_tree t;
	size_t n = 0;
	int rc = MM_OK;

	if ((int64_t)x->f.size < ck->size) {
		rc = mm_auditlog_tree(ctx->conn, ck->size, ctx->a, &t);
		if (!rc && !mm_merkle_consistency_proof(&t.leaves, x->f.size, (uint64_t)ck->size,
							proof, &n))
			rc = MM_EINVAL;
		if (rc)
			return rc == MM_ENOTFOUND ? MM_EINVAL : rc;
	}
	mm_buf_reset(&x->line);
	mm_alog_archive_tail(&x->line, ck->note, (const uint8_t(*)[MM_HASH_LEN])proof, n);
	mm_buf_addc(&x->line, '\n');
	if (x->line.err || fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len ||
	    fflush(x->out) != 0 || fsync(fileno(x->out)) != 0)
		return MM_EIO;
	return MM_OK;
}

/* Removes the archived entries and logs it, in one transaction. */
static int cut_and_log(struct mm_ctx *ctx, struct arch *x, int64_t first)
{
	struct mm_alog_cut cut = { .size = x->last, .frontier = x->f.h };
	char details[128];
	int rc;

	memcpy(cut.chain, x->chain, MM_HASH_LEN);
	cut.frontier_len = x->f.n * MM_HASH_LEN;
	cut.at = ctx->now ? ctx->now : mm_now();
	snprintf(details, sizeof(details), "{\"first\":%lld,\"last\":%lld}", (long long)first,
		 (long long)x->last);
	rc = mm_tx_begin(ctx->conn, true);
	if (rc)
		return rc;
	rc = mm_alog_prune(ctx->conn, &cut);
	if (!rc)
		rc = mm_audit(ctx, "audit_archive", "audit_events", "ok", details);
	if (!rc)
		rc = mm_tx_commit(ctx->conn);
	if (rc)
		mm_tx_rollback(ctx->conn);
	return rc;
}

int mm_auditlog_archive(struct mm_ctx *ctx, int64_t before, FILE *out, int64_t *first,
			int64_t *last)
{
	struct arch x = { .before = before, .out = out };
	struct mm_alog_status s;
	struct mm_alog_cut cut;
	struct mm_alog_ckpt *ck = NULL;
	size_t n = 0;
	int rc;

	mm_buf_init(&x.canon, 0);
	mm_buf_init(&x.line, 1 << 24);
	*first = *last = 0;
	rc = mm_auditlog_status(ctx->conn, ctx->now ? ctx->now : mm_now(), &s);
	if (!rc)
		rc = mm_alog_ckpt_list(ctx->conn, ctx->a, &ck, &n);
	if (!rc && (!n || !ck))
		rc = MM_ENOTFOUND; /* nothing is signed yet */
	/* Only signed entries are archived, and the last entry stays. */
	if (!rc) {
		rc = mm_alog_scan(ctx->conn, s.first,
				  s.ckpt_size < s.head ? s.ckpt_size : s.head - 1, find_last, &x);
		if (rc == 1)
			rc = MM_OK; /* find_last stopped the scan (not MM_ENOMEM, also 1) */
	}
	if (!rc && x.last < s.first)
		rc = MM_ENOTFOUND;
	if (!rc) {
		rc = mm_alog_cut_get(ctx->conn, ctx->a, &cut);
		if (!rc && !mm_merkle_frontier_load(&x.f, (uint64_t)cut.size, cut.frontier,
						    cut.frontier_len))
			rc = MM_EINVAL;
		if (!rc)
			memcpy(x.chain, cut.chain, MM_HASH_LEN);
		if (rc == MM_ENOTFOUND)
			rc = MM_OK;
	}
	if (!rc)
		rc = write_head(&x, s.first);
	if (!rc) {
		rc = mm_alog_scan(ctx->conn, s.first, x.last, write_one, &x);
		if (rc == 1)
			rc = MM_EINVAL; /* write_one stopped the scan */
	}
	if (!rc && x.bad)
		rc = MM_EINVAL;
	if (!rc)
		rc = write_tail(ctx, &x, &ck[n - 1]);
	if (!rc)
		rc = cut_and_log(ctx, &x, s.first);
	if (!rc) {
		*first = s.first;
		*last = x.last;
	}
	mm_buf_free(&x.canon);
	mm_buf_free(&x.line);
	return rc;
}
