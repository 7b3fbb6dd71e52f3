/* Tests of the tamper-evident audit log: RFC 9162 hashing and proofs, the
 * chain, signed checkpoints, and verify against each attack (changed byte,
 * deleted entry, reordered entries, truncation, a chain recomputed without
 * the key, a wrong key), the same-transaction rule, escaping, and archive. */
#include "core/arena.h"
#include "core/err.h"
#include "core/merkle.h"
#include "domain/audit.h"
#include "domain/auditlog.h"
#include "domain/checkpoint.h"
#include "store/auditlog.h"
#include "store/store.h"

#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct fx {
	char path[64], key[80], pub[80];
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_ckpt_skey sk;
	struct mm_ckpt_vkey vk;
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mm_buf s, v;
	char why[256];
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/mm_alog_test_XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	snprintf(f->key, sizeof(f->key), "%s.sk", f->path);
	snprintf(f->pub, sizeof(f->pub), "%s.pub", f->path);
	if (mm_store_open(f->path, 2, &f->st, why, sizeof(why)) || mm_store_migrate(f->st, NULL, 0))
		return -1;
	f->c = mm_store_acquire(f->st);
	mm_arena_init(&f->a, 0);
	mm_buf_init(&s, 4096);
	mm_buf_init(&v, 4096);
	if (mm_ckpt_keygen("city.example/audit", &s, &v))
		return -1;
	write_file(f->key, s.data, 0600);
	write_file(f->pub, v.data, 0644);
	mm_buf_free(&s);
	mm_buf_free(&v);
	if (mm_ckpt_skey_load(f->key, &f->sk) || mm_ckpt_vkey_load(f->pub, &f->vk))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm", ".sk", ".pub" };
	char p[96];

	mm_auditlog_tune(0, 0, NULL, NULL);
	mm_store_release(f->st, f->c);
	mm_store_close(f->st);
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	mm_arena_free(&f->a);
	free(f);
	return 0;
}

static void sql(struct fx *f, const char *q)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void append(struct fx *f, int n)
{
	for (int i = 0; i < n; i++) {
		char details[64];
		struct mm_audit_event e = { .at = 1700000000 + i,
					    .account_id = 3,
					    .person_id = 7,
					    .actor = "tanaka",
					    .ip = "192.0.2.1",
					    .request_id = "r",
					    .action = "signin",
					    .object = "accounts/3",
					    .result = "ok" };

		snprintf(details, sizeof(details), "{\"n\":%d}", i);
		e.details = details;
		assert_int_equal(mm_audit_insert(f->c, &e), MM_OK);
	}
}

static void checkpoint(struct fx *f, int64_t expect)
{
	struct mm_alog_report r;

	assert_int_equal(
		mm_auditlog_checkpoint(f->c, &f->sk, 1700001000, "clock synced", &f->a, &r), MM_OK);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.new_size, expect);
}

static struct mm_alog_report verify(struct fx *f)
{
	struct mm_alog_report r;

	assert_int_equal(mm_auditlog_verify(f->c, &f->vk, NULL, 0, &f->a, &r), MM_OK);
	return r;
}

/* A log of 50 entries with checkpoints at 20 and 50. */
static void signed_log(struct fx *f)
{
	append(f, 20);
	checkpoint(f, 20);
	append(f, 30);
	checkpoint(f, 50);
}

/* What an attacker without the key can do: recompute every chain value. */
struct rechain {
	uint8_t prev[MM_HASH_LEN];
	struct mm_buf canon;
	int64_t seq[128];
	uint8_t chain[128][MM_HASH_LEN];
	size_t n;
};

static int rechain_one(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct rechain *r = arg;
	uint8_t leaf[MM_HASH_LEN];

	(void)chain;
	mm_alog_leaf(e, &r->canon, leaf);
	mm_alog_chain(r->prev, leaf, r->prev);
	r->seq[r->n] = e->seq;
	memcpy(r->chain[r->n++], r->prev, MM_HASH_LEN);
	return 0;
}

static void rechain(struct fx *f)
{
	struct rechain r = { 0 };
	sqlite3 *db;
	sqlite3_stmt *st;

	mm_buf_init(&r.canon, 0);
	assert_int_equal(mm_alog_scan(f->c, 1, 0, rechain_one, &r), MM_OK);
	mm_buf_free(&r.canon);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE audit_events SET chain = ? WHERE seq = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < r.n; i++) {
		sqlite3_bind_blob(st, 1, r.chain[i], MM_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r.seq[i]);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_merkle_proofs(void **state)
{
	uint8_t leaves[70][MM_HASH_LEN], root[MM_HASH_LEN], r2[MM_HASH_LEN], m[MM_HASH_LEN];
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	struct mm_merkle_frontier fr;
	struct mm_merkle_leaves l = { .leaf = (const uint8_t(*)[MM_HASH_LEN])leaves, .n = 70 };
	size_t n;

	(void)state;
	mm_merkle_frontier_init(&fr);
	for (int i = 0; i < 70; i++) {
		mm_merkle_leaf(&i, sizeof(i), leaves[i]);
		mm_merkle_push(&fr, leaves[i]);
		mm_merkle_root(&fr, root);
		assert_true(mm_merkle_range(&l, 0, (uint64_t)i + 1, r2));
		assert_memory_equal(root, r2, MM_HASH_LEN);
	}
	for (uint64_t size = 1; size <= 40; size++) {
		assert_true(mm_merkle_range(&l, 0, size, root));
		for (uint64_t i = 0; i < size; i++) {
			assert_true(mm_merkle_inclusion_proof(&l, i, size, proof, &n));
			assert_true(mm_merkle_inclusion_verify(
				i, size, leaves[i], (const uint8_t(*)[32])proof, n, root));
			/* A wrong leaf, or a changed proof, fails. */
			assert_false(mm_merkle_inclusion_verify(i, size, leaves[(i + 1) % 70],
								(const uint8_t(*)[32])proof, n,
								root));
			if (n) {
				proof[0][5] ^= 1;
				assert_false(mm_merkle_inclusion_verify(
					i, size, leaves[i], (const uint8_t(*)[32])proof, n, root));
			}
		}
		for (uint64_t k = 1; k < size; k++) {
			assert_true(mm_merkle_range(&l, 0, k, m));
			assert_true(mm_merkle_consistency_proof(&l, k, size, proof, &n));
			assert_true(mm_merkle_consistency_verify(k, size, m, root,
								 (const uint8_t(*)[32])proof, n));
			assert_false(mm_merkle_consistency_verify(k, size, leaves[69], root,
								  (const uint8_t(*)[32])proof, n));
			proof[n - 1][0] ^= 1;
			assert_false(mm_merkle_consistency_verify(k, size, m, root,
								  (const uint8_t(*)[32])proof, n));
		}
	}
}

/* The canonical bytes of auditlog.h (version 1), pinned by a leaf hash
 * computed independently from the format's description. */
static void test_canonical_known_answer(void **state)
{
	static const uint8_t want[MM_HASH_LEN] = {
		0xf9, 0x77, 0x12, 0x7a, 0x95, 0x15, 0xbb, 0x1a, 0x80, 0xe6, 0x10,
		0x7e, 0xcc, 0x99, 0x0a, 0x52, 0x17, 0x86, 0x74, 0x2a, 0xa7, 0xd2,
		0x5e, 0x31, 0xbd, 0x9b, 0xe8, 0x2e, 0x74, 0xd3, 0xe2, 0x0d,
	};
	struct mm_audit_event e = { .seq = 42,
				    .at = 1700000123,
				    .account_id = 3,
				    .person_id = 7,
				    .actor = "tanaka",
				    .ip = "192.0.2.1",
				    .request_id = "r-1",
				    .action = "signin",
				    .object = "accounts/3",
				    .result = "ok",
				    .details = "{\"n\":\"\xe6\x97\xa5\xe6\x9c\xac\"}" };
	uint8_t leaf[MM_HASH_LEN];
	struct mm_buf b, twice;

	(void)state;
	mm_buf_init(&b, 0);
	assert_int_equal(mm_alog_leaf(&e, &b, leaf), MM_OK);
	assert_memory_equal(leaf, want, MM_HASH_LEN);
	/* Appending twice gives the same bytes twice. */
	mm_buf_init(&twice, 4096);
	mm_alog_canonical_add(&twice, &e);
	mm_alog_canonical_add(&twice, &e);
	assert_int_equal(twice.len, 2 * b.len);
	assert_memory_equal(twice.data, b.data, b.len);
	assert_memory_equal(twice.data + b.len, b.data, b.len);
	mm_buf_free(&b);
	mm_buf_free(&twice);
}

/* RFC 9162: the empty tree's root is SHA-256 of nothing. */
static void test_merkle_empty(void **state)
{
	static const uint8_t empty[MM_HASH_LEN] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	struct mm_merkle_frontier fr;
	uint8_t root[MM_HASH_LEN];

	(void)state;
	mm_merkle_frontier_init(&fr);
	mm_merkle_root(&fr, root);
	assert_memory_equal(root, empty, MM_HASH_LEN);
}

static void test_clean_log_verifies(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;
	int64_t seq;
	uint8_t chain[MM_HASH_LEN];

	signed_log(f);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.first, 1);
	assert_int_equal(r.last, 50);
	assert_int_equal(r.checkpoints, 2);
	assert_int_equal(mm_alog_head(f->c, &seq, chain), MM_OK);
	assert_int_equal(seq, 50);
	/* Nothing new: no second checkpoint of the same size. */
	checkpoint(f, 0);
}

static void test_changed_byte(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	sql(f, "UPDATE audit_events SET details = '{\"n\":8}' WHERE seq = 7");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_CHANGED);
	assert_int_equal(r.bad_seq, 7);
}

static void test_deleted_entry(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	sql(f, "DELETE FROM audit_events WHERE seq = 33");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_GAP);
	assert_int_equal(r.bad_seq, 33);
}

static void test_reordered(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	sql(f, "UPDATE audit_events SET seq = -1 WHERE seq = 12;"
	       "UPDATE audit_events SET seq = 12 WHERE seq = 13;"
	       "UPDATE audit_events SET seq = 13 WHERE seq = -1");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_CHANGED);
	assert_int_equal(r.bad_seq, 12);
}

static void test_truncated(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	sql(f, "DELETE FROM audit_events WHERE seq > 45");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_TRUNCATED);
	assert_int_equal(r.bad_seq, 46);
}

/* Changing entry 30 and recomputing every chain value passes the chain but
 * not the signed checkpoint of 50: verify names the unsigned-over range. */
static void test_rechained_without_key(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	sql(f, "UPDATE audit_events SET actor = 'suzuki' WHERE seq = 30");
	rechain(f);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_RECHAINED);
	assert_int_equal(r.bad_seq, 21);
	assert_int_equal(r.bad_to, 50);
}

/* The signer checks the entries it is about to sign and refuses. */
static void test_signer_refuses_changed(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	signed_log(f);
	append(f, 5);
	sql(f, "UPDATE audit_events SET result = 'failed' WHERE seq = 52");
	assert_int_equal(mm_auditlog_checkpoint(f->c, &f->sk, 1700002000, "c", &f->a, &r), MM_OK);
	assert_int_equal(r.problem, MM_ALOG_CHANGED);
	assert_int_equal(r.bad_seq, 52);
	assert_int_equal(r.new_size, 0);
}

static void test_wrong_key_refused(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;
	struct mm_ckpt_vkey other;
	struct mm_buf s, v;

	signed_log(f);
	mm_buf_init(&s, 4096);
	mm_buf_init(&v, 4096);
	/* Same name, another key. */
	assert_int_equal(mm_ckpt_keygen("city.example/audit", &s, &v), MM_OK);
	assert_int_equal(mm_ckpt_vkey_parse(v.data, &other), MM_OK);
	assert_int_equal(mm_auditlog_verify(f->c, &other, NULL, 0, &f->a, &r), MM_OK);
	assert_int_equal(r.problem, MM_ALOG_BAD_SIGNATURE);
	assert_int_equal(r.bad_seq, 20);
	mm_buf_free(&s);
	mm_buf_free(&v);
	/* A forged note (the body changed after signing) is refused too. */
	sql(f, "UPDATE audit_checkpoints SET note = replace(note, 'clock synced', 'clock fine') "
	       "WHERE size = 50");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_BAD_SIGNATURE);
	assert_int_equal(r.bad_seq, 50);
}

static void test_key_permissions(void **state)
{
	struct fx *f = *state;
	struct mm_ckpt_skey k;

	assert_int_equal(mm_ckpt_skey_load(f->key, &k), MM_OK);
	chmod(f->key, 0640);
	assert_int_equal(mm_ckpt_skey_load(f->key, &k), MM_EPERM);
	chmod(f->key, 0604);
	assert_int_equal(mm_ckpt_skey_load(f->key, &k), MM_EPERM);
	chmod(f->key, 0600);
	/* A public key is not a signer key. */
	assert_int_equal(mm_ckpt_skey_load(f->pub, &k), MM_EPERM);
	chmod(f->pub, 0600);
	assert_int_equal(mm_ckpt_skey_load(f->pub, &k), MM_EINVAL);
}

static int64_t count(struct fx *f)
{
	int64_t seq;
	uint8_t chain[MM_HASH_LEN];

	assert_int_equal(mm_alog_head(f->c, &seq, chain), MM_OK);
	return seq;
}

/* An entry commits or rolls back with the action it records. */
static void test_same_transaction(void **state)
{
	struct fx *f = *state;
	struct mm_ctx ctx = { .conn = f->c, .a = &f->a, .actor = "cli:test", .now = 1700000000 };
	struct mm_alog_report r;

	append(f, 3);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_meta_set(f->c, "k", "v"), MM_OK);
	assert_int_equal(mm_audit(&ctx, "setting", "meta/k", "ok", NULL), MM_OK);
	mm_tx_rollback(f->c);
	assert_int_equal(count(f), 3);
	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	assert_int_equal(mm_meta_set(f->c, "k", "v"), MM_OK);
	assert_int_equal(mm_audit(&ctx, "setting", "meta/k", "ok", NULL), MM_OK);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	assert_int_equal(count(f), 4);
	/* The rolled-back entry left no gap. */
	checkpoint(f, 4);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
}

static int find_actor(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	(void)chain;
	strncpy(arg, e->actor, 63);
	strncat(arg, "|", 2);
	strncat(arg, e->details, 60);
	return 1;
}

static void test_escapes_and_withholds(void **state)
{
	struct fx *f = *state;
	struct mm_ctx ctx = { .conn = f->c, .a = &f->a, .actor = "evil\n\x1b[31m", .now = 1 };
	char got[160] = "";

	assert_int_equal(mm_audit(&ctx, "signin", "x", "failed", "{\"password\":\"hunter2\"}"),
			 MM_OK);
	assert_int_equal(mm_alog_scan(f->c, 1, 1, find_actor, got), 1);
	assert_string_equal(got, "evil\\x0a\\x1b[31m|{\"withheld\":\"details named a secret\"}");
	/* Status words are not secrets. */
	assert_int_equal(mm_audit(&ctx, "user_add", "x", "ok", "{\"password\":\"set\"}"), MM_OK);
	got[0] = '\0';
	assert_int_equal(mm_alog_scan(f->c, 2, 2, find_actor, got), 1);
	assert_non_null(strstr(got, "{\"password\":\"set\"}"));
}

/* Inclusion and consistency proofs still work past an archive cut. */
static void prove_after_cut(struct fx *f)
{
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	struct mm_alog_ckpt ck, old;
	struct mm_alog_tree t;
	size_t n;

	assert_int_equal(mm_auditlog_signed(f->c, &f->vk, 0, &f->a, &ck), MM_OK);
	assert_int_equal(mm_auditlog_signed(f->c, &f->vk, 20, &f->a, &old), MM_OK);
	assert_int_equal(ck.size, 51);
	assert_int_equal(mm_auditlog_tree(f->c, ck.size, &f->a, &t), MM_OK);
	for (uint64_t i = 10; i < 51; i++) {
		assert_true(mm_merkle_inclusion_proof(&t.leaves, i, 51, proof, &n));
		assert_true(mm_merkle_inclusion_verify(i, 51, t.leaves.leaf[i - 10],
						       (const uint8_t(*)[32])proof, n, ck.root));
	}
	assert_true(mm_merkle_consistency_proof(&t.leaves, 20, 51, proof, &n));
	assert_true(mm_merkle_consistency_verify(20, 51, old.root, ck.root,
						 (const uint8_t(*)[32])proof, n));
}

static void test_archive_then_verify(void **state)
{
	struct fx *f = *state;
	struct mm_ctx ctx = { .conn = f->c, .a = &f->a, .actor = "cli:test", .now = 1700009000 };
	char out[96], line[4096];
	struct mm_alog_report r;
	int64_t first, last;
	FILE *fp;

	signed_log(f);
	snprintf(out, sizeof(out), "%s.archive", f->path);
	fp = fopen(out, "w");
	/* Entries 1..10 are older than 1700000010. */
	assert_int_equal(mm_auditlog_archive(&ctx, 1700000010, fp, &first, &last), MM_OK);
	fclose(fp);
	assert_int_equal(first, 1);
	assert_int_equal(last, 10);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.first, 11);
	assert_int_equal(r.last, 51); /* the removal is logged */
	fp = fopen(out, "r");
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_non_null(strstr(line, "\"mamori_audit_archive\":1"));
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_non_null(strstr(line, "\"seq\":1,"));
	fclose(fp);
	unlink(out);
	/* Tampering after the cut is still found; the signer extends. */
	checkpoint(f, 51);
	prove_after_cut(f);
	sql(f, "DELETE FROM audit_events WHERE seq = 11");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_GAP);
	assert_int_equal(r.bad_seq, 11);
}

/* A log longer than one batch of verify's pipeline (2048 entries), so
 * that batches are handed over and the ring wraps: a change deep in the
 * log is still named exactly, and so is a gap after it is repaired. */
static void test_long_log(void **state)
{
	struct fx *f = *state;
	struct mm_alog_report r;

	assert_int_equal(mm_tx_begin(f->c, true), MM_OK);
	append(f, 9000);
	assert_int_equal(mm_tx_commit(f->c), MM_OK);
	checkpoint(f, 9000);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.last, 9000);
	sql(f, "UPDATE audit_events SET object = 'accounts/4' WHERE seq = 8193");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_CHANGED);
	assert_int_equal(r.bad_seq, 8193);
	sql(f, "UPDATE audit_events SET object = 'accounts/3' WHERE seq = 8193;"
	       "DELETE FROM audit_events WHERE seq = 4097");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_GAP);
	assert_int_equal(r.bad_seq, 4097);
	assert_int_equal(r.bad_to, 4098);
	/* Split into 9 chunks: every reader's slots are used again. */
	mm_auditlog_tune(1000, 2, NULL, NULL);
	r = verify(f);
	assert_int_equal(r.readers, 2);
	assert_int_equal(r.problem, MM_ALOG_GAP);
	assert_int_equal(r.bad_seq, 4097);
	assert_int_equal(r.bad_to, 4098);
	sql(f, "UPDATE audit_events SET object = 'accounts/4' WHERE seq = 4001");
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_CHANGED);
	assert_int_equal(r.bad_seq, 4001);
}

/* The split pass (auditlog_split.c): chunks of 10 entries read by two
 * connections in turn, so that entry 20 ends a chunk of one reader and 21
 * starts a chunk of the other, seeded with 20's stored chain value. */
static void expect_problem(struct fx *f, enum mm_alog_problem p, int64_t seq, int64_t to)
{
	struct mm_alog_report r = verify(f);

	assert_int_equal(r.readers, 2);
	assert_int_equal(r.problem, p);
	assert_int_equal(r.bad_seq, seq);
	if (to)
		assert_int_equal(r.bad_to, to);
}

static void test_split_boundary(void **state)
{
	static const int64_t at[] = { 19, 20, 21, 22, 50 };
	struct fx *f = *state;
	char q[320];

	signed_log(f);
	mm_auditlog_tune(10, 2, NULL, NULL);
	expect_problem(f, MM_ALOG_OK, 0, 0);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		long long s = (long long)at[i];

		snprintf(q, sizeof(q), "UPDATE audit_events SET ip = '192.0.2.9' WHERE seq = %lld",
			 s);
		sql(f, q);
		expect_problem(f, MM_ALOG_CHANGED, at[i], 0);
		snprintf(q, sizeof(q), "UPDATE audit_events SET ip = '192.0.2.1' WHERE seq = %lld",
			 s);
		sql(f, q);
		/* Only the stored chain value of the entry changed. */
		snprintf(q, sizeof(q),
			 "CREATE TABLE IF NOT EXISTS keep(c); DELETE FROM keep;"
			 "INSERT INTO keep SELECT chain FROM audit_events WHERE seq = %lld;"
			 "UPDATE audit_events SET chain = zeroblob(32) WHERE seq = %lld",
			 s, s);
		sql(f, q);
		expect_problem(f, MM_ALOG_CHANGED, at[i], 0);
		snprintf(q, sizeof(q),
			 "UPDATE audit_events SET chain = (SELECT c FROM keep) WHERE seq = %lld",
			 s);
		sql(f, q);
		expect_problem(f, MM_ALOG_OK, 0, 0);
	}
}

static void test_split_gaps(void **state)
{
	struct fx *f = *state;

	signed_log(f);
	mm_auditlog_tune(10, 2, NULL, NULL);
	sql(f, "DELETE FROM audit_events WHERE seq = 21");
	expect_problem(f, MM_ALOG_GAP, 21, 22);
	sql(f, "DELETE FROM audit_events WHERE seq = 20");
	expect_problem(f, MM_ALOG_GAP, 20, 22);
	sql(f, "DELETE FROM audit_events WHERE seq = 11");
	expect_problem(f, MM_ALOG_GAP, 11, 12);
	sql(f, "DELETE FROM audit_events WHERE seq > 2 AND seq < 11");
	expect_problem(f, MM_ALOG_GAP, 3, 12);
}

static void test_split_reordered_rechained(void **state)
{
	struct fx *f = *state;

	signed_log(f);
	mm_auditlog_tune(10, 2, NULL, NULL);
	sql(f, "UPDATE audit_events SET seq = -1 WHERE seq = 20;"
	       "UPDATE audit_events SET seq = 20 WHERE seq = 21;"
	       "UPDATE audit_events SET seq = 21 WHERE seq = -1");
	expect_problem(f, MM_ALOG_CHANGED, 20, 0);
	sql(f, "UPDATE audit_events SET seq = -1 WHERE seq = 20;"
	       "UPDATE audit_events SET seq = 20 WHERE seq = 21;"
	       "UPDATE audit_events SET seq = 21 WHERE seq = -1");
	expect_problem(f, MM_ALOG_OK, 0, 0);
	sql(f, "UPDATE audit_events SET actor = 'suzuki' WHERE seq = 30");
	rechain(f);
	expect_problem(f, MM_ALOG_RECHAINED, 21, 50);
	/* The signed head of 50 is never reached: truncated, as with one
	 * reader. */
	sql(f, "DELETE FROM audit_events WHERE seq > 35");
	expect_problem(f, MM_ALOG_TRUNCATED, 36, 50);
}

static void test_split_truncated(void **state)
{
	struct fx *f = *state;

	signed_log(f);
	mm_auditlog_tune(10, 2, NULL, NULL);
	sql(f, "DELETE FROM audit_events WHERE seq > 40");
	/* 40 entries are 4 chunks: still split. */
	expect_problem(f, MM_ALOG_TRUNCATED, 41, 50);
}

/* A writer that commits while the readers open: the first time only, or
 * every time. */
struct writer {
	struct fx *f;
	int calls, times;
	bool archive;
};

static void write_between(void *arg)
{
	struct writer *w = arg;
	struct mm_conn *c;

	if (w->calls++ >= w->times)
		return;
	c = mm_store_acquire(w->f->st);
	assert_non_null(c);
	if (w->archive) {
		struct mm_ctx ctx = { .conn = c, .a = &w->f->a, .actor = "cli:test", .now = 1 };
		char out[96];
		FILE *fp;
		int64_t first, last;

		snprintf(out, sizeof(out), "%s.archive", w->f->path);
		fp = fopen(out, "w");
		assert_non_null(fp);

		assert_int_equal(
			mm_auditlog_archive(&ctx, 1700000000 + 5 * w->calls, fp, &first, &last),
			MM_OK);
		fclose(fp);
		unlink(out);
	} else {
		struct fx tmp = *w->f;

		tmp.c = c;
		append(&tmp, 1);
	}
	mm_store_release(w->f->st, c);
}

static void test_split_concurrent_writer(void **state)
{
	struct fx *f = *state;
	struct writer w = { .f = f, .times = 1 };
	struct mm_alog_report r;

	signed_log(f);
	/* Appended between the two snapshots: tried again, then split. */
	mm_auditlog_tune(10, 2, write_between, &w);
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.retries, 1);
	assert_int_equal(r.readers, 2);
	assert_int_equal(r.last, 51);
	/* An append every time: one reader after the tries, never an alarm. */
	w = (struct writer){ .f = f, .times = 100 };
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.retries, MM_ALOG_READERS_TRIES);
	assert_int_equal(r.readers, 1);
	assert_int_equal(r.last, 51 + MM_ALOG_READERS_TRIES);
	/* An archive meanwhile moves the cut: no false gap. */
	w.times = 0;
	checkpoint(f, 51 + MM_ALOG_READERS_TRIES);
	w = (struct writer){ .f = f, .times = 1, .archive = true };
	r = verify(f);
	assert_int_equal(r.problem, MM_ALOG_OK);
	assert_int_equal(r.retries, 1);
	assert_int_equal(r.readers, 2);
	assert_int_equal(r.first, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merkle_proofs),
		cmocka_unit_test(test_merkle_empty),
		cmocka_unit_test(test_canonical_known_answer),
		cmocka_unit_test_setup_teardown(test_clean_log_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rechained_without_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signer_refuses_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes_and_withholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_then_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_reordered_rechained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_concurrent_writer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
