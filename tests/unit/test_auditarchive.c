/* Tests of mm_auditlog_archive_verify on archive files built here without a
 * database: entries 5..12 of a log of 14, after a frontier of 4, covered by
 * a checkpoint of 14 with its consistency proof. Clean, a changed chain
 * value, a missing or a wrong proof, a frontier that does not belong, a
 * checkpoint too small, another key and truncation. */
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/merkle.h"
#include "domain/auditlog.h"
#include "domain/checkpoint.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

enum { PREFIX = 4, LAST = 12, SIZE = 14 };

struct arc {
	int64_t last, size; /* the entries written and the checkpoint's size */
	int64_t bad_chain;  /* the entry whose stored chain value is wrong */
	bool no_proof, bad_frontier, other_key;
};

static void add_b64(struct mm_buf *b, const uint8_t h[MM_HASH_LEN])
{
	char s[64];

	sodium_bin2base64(s, sizeof(s), h, MM_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	mm_buf_printf(b, "\"%s\"", s);
}

static void event(int64_t seq, struct mm_audit_event *e)
{
	*e = (struct mm_audit_event){ .seq = seq,
				      .at = 1700000000 + seq,
				      .account_id = seq % 3,
				      .actor = "admin",
				      .ip = "192.0.2.1",
				      .request_id = "r",
				      .action = seq % 2 ? "signin" : "asset_update",
				      .object = "assets/5",
				      .result = "ok",
				      .details = "{\"a\":\"\\u00e9\"}" };
}

/* Signs the tree of the first size leaves with a new key called name; the
 * verifier key goes to vk. */
static void sign(const char *name, uint8_t leaves[][MM_HASH_LEN], int64_t size,
		 struct mm_ckpt_vkey *vk, struct mm_buf *note)
{
	char path[] = "/tmp/mm_arch_test_XXXXXX";
	struct mm_merkle_frontier f;
	struct mm_ckpt_skey sk;
	struct mm_buf s, v;
	uint8_t root[MM_HASH_LEN];
	int fd = mkstemp(path);

	mm_buf_init(&s, 4096);
	mm_buf_init(&v, 4096);
	assert_int_equal(mm_ckpt_keygen(name, &s, &v), MM_OK);
	assert_true(write(fd, s.data, s.len) == (ssize_t)s.len);
	close(fd);
	assert_int_equal(mm_ckpt_skey_load(path, &sk), MM_OK);
	assert_int_equal(mm_ckpt_vkey_parse(v.data, vk), MM_OK);
	unlink(path);
	mm_merkle_frontier_init(&f);
	for (int64_t i = 0; i < size; i++)
		mm_merkle_push(&f, leaves[i]);
	mm_merkle_root(&f, root);
	assert_int_equal(mm_ckpt_note_sign(&sk, size, root, 1700000100, "clock ok", note), MM_OK);
	mm_ckpt_skey_wipe(&sk);
	mm_buf_free(&s);
	mm_buf_free(&v);
}

/* The tail line: the note and the consistency proof from last to size. */
static void tail(struct mm_buf *b, const struct arc *a, uint8_t leaves[][MM_HASH_LEN],
		 const char *note)
{
	struct mm_merkle_leaves l = { .leaf = (const uint8_t(*)[MM_HASH_LEN])leaves, .n = SIZE };
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	size_t n = 0;

	if (!a->no_proof && a->last < a->size)
		assert_true(mm_merkle_consistency_proof(&l, (uint64_t)a->last, (uint64_t)a->size,
							proof, &n));
	mm_buf_adds(b, "{\"checkpoint\":");
	mm_json_escape(b, note, strlen(note));
	mm_buf_adds(b, ",\"consistency\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			mm_buf_addc(b, ',');
		add_b64(b, proof[i]);
	}
	mm_buf_adds(b, "]}\n");
}

/* Writes the archive a describes to b and the verifier key to vk. */
static void build(const struct arc *a, struct mm_buf *b, struct mm_ckpt_vkey *vk)
{
	uint8_t leaves[SIZE][MM_HASH_LEN], chain[SIZE + 1][MM_HASH_LEN] = { { 0 } };
	struct mm_merkle_frontier f;
	struct mm_audit_event e;
	struct mm_buf canon, note;

	mm_buf_init(&canon, 0);
	mm_buf_init(&note, 4096);
	mm_merkle_frontier_init(&f);
	for (int64_t s = 1; s <= SIZE; s++) {
		event(s, &e);
		assert_int_equal(mm_alog_leaf(&e, &canon, leaves[s - 1]), MM_OK);
		mm_alog_chain(chain[s - 1], leaves[s - 1], chain[s]);
	}
	/* (A bad frontier is made of later leaves: all are hashed by now.) */
	for (int64_t s = 1; s <= PREFIX; s++)
		mm_merkle_push(&f, leaves[a->bad_frontier ? SIZE - s : s - 1]);
	mm_buf_printf(b, "{\"mamori_audit_archive\":1,\"first\":%d,\"last\":%lld,\"prev_chain\":",
		      PREFIX + 1, (long long)a->last);
	add_b64(b, chain[PREFIX]);
	mm_buf_adds(b, ",\"prev_frontier\":[");
	add_b64(b, f.h[0]);
	mm_buf_adds(b, "]}\n");
	for (int64_t s = PREFIX + 1; s <= a->last; s++) {
		event(s, &e);
		if (s == a->bad_chain)
			chain[s][0] ^= 1;
		mm_alog_entry_json(b, &e, chain[s]);
		mm_buf_addc(b, '\n');
	}
	sign("city.example/audit", leaves, a->size, vk, &note);
	tail(b, a, leaves, note.data);
	assert_int_equal(b->err, MM_OK);
	mm_buf_free(&canon);
	mm_buf_free(&note);
}

/* Verifies the first len bytes of the archive a describes (0: all). */
static void run(const struct arc *a, size_t len, struct mm_alog_archive_report *r)
{
	struct mm_ckpt_vkey vk, other;
	struct mm_buf b, s, v;
	FILE *in;

	mm_buf_init(&b, 1 << 20);
	build(a, &b, &vk);
	if (a->other_key) {
		mm_buf_init(&s, 4096);
		mm_buf_init(&v, 4096);
		assert_int_equal(mm_ckpt_keygen("city.example/audit", &s, &v), MM_OK);
		assert_int_equal(mm_ckpt_vkey_parse(v.data, &other), MM_OK);
		vk = other;
		mm_buf_free(&s);
		mm_buf_free(&v);
	}
	in = fmemopen(b.data, len ? len : b.len, "r");
	assert_non_null(in);
	assert_int_equal(mm_auditlog_archive_verify(in, &vk, r), MM_OK);
	fclose(in);
	mm_buf_free(&b);
}

static void test_clean(void **state)
{
	struct arc a = { .last = LAST, .size = SIZE };
	struct mm_alog_archive_report r;

	(void)state;
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_OK);
	assert_int_equal(r.first, PREFIX + 1);
	assert_int_equal(r.last, LAST);
	assert_int_equal(r.size, SIZE);
	a.size = LAST; /* a checkpoint of exactly the entries: no proof */
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_OK);
}

static void test_changed_chain(void **state)
{
	struct arc a = { .last = LAST, .size = SIZE, .bad_chain = 8 };
	struct mm_alog_archive_report r;

	(void)state;
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_CHANGED);
	assert_int_equal(r.bad_seq, 8);
	assert_int_equal(r.line, 8 - PREFIX + 1);
}

static void test_root(void **state)
{
	struct arc a = { .last = LAST, .size = SIZE, .no_proof = true };
	struct mm_alog_archive_report r;

	(void)state;
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_ROOT);
	a = (struct arc){ .last = LAST, .size = SIZE, .bad_frontier = true };
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_ROOT);
	a = (struct arc){ .last = LAST, .size = LAST - 2 };
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_SHORT);
}

static void test_key_and_truncation(void **state)
{
	struct arc a = { .last = LAST, .size = SIZE, .other_key = true };
	struct mm_alog_archive_report r;

	(void)state;
	run(&a, 0, &r);
	assert_int_equal(r.problem, MM_ARCH_SIGNATURE);
	a.other_key = false;
	run(&a, 300, &r);
	assert_int_equal(r.problem, MM_ARCH_TRUNCATED);
	run(&a, 1, &r);
	assert_int_equal(r.problem, MM_ARCH_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_changed_chain),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_key_and_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
