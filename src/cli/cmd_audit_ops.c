/* 'mamori audit' proofs, export, archive, archive verification and the
 * syslog streamer. */
#include "cli/audit_int.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"
#include "domain/audit.h"

#include <errno.h>
#include <netdb.h>
#include <sodium.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void print_hash(const char *label, const uint8_t h[MM_HASH_LEN])
{
	char b64[64];

	sodium_bin2base64(b64, sizeof(b64), h, MM_HASH_LEN, sodium_base64_VARIANT_ORIGINAL);
	printf("%s %s\n", label, b64);
}

/* Opens the database and the signed checkpoint of size (0: latest) and
 * reads the tree up to it. Returns 0 or prints why. */
static int open_tree(struct mm_cli *cli, struct audit_args *aa, int64_t size, struct mm_store **st,
		     struct mm_conn **c, struct mm_arena *a, struct mm_alog_ckpt *ck,
		     struct mm_alog_tree *t)
{
	struct mm_ckpt_vkey k;
	int rc;

	if (mm_cli_audit_pubkey(aa, &k) || mm_cli_audit_open(cli, st, c))
		return 1;
	rc = mm_auditlog_signed(*c, &k, size, a, ck);
	if (rc) {
		fprintf(stderr,
			"mamori audit: no checkpoint%s of size %lld that verifies: %s / "
			"検証できるチェックポイントがありません\n",
			size ? "" : " (latest)", (long long)size, mm_strerror(rc));
		mm_cli_close(*st, *c);
		return 1;
	}
	rc = t ? mm_auditlog_tree(*c, ck->size, a, t) : MM_OK;
	if (rc) {
		fprintf(stderr, "mamori audit: cannot read the log up to %lld: %s (run verify)\n",
			(long long)ck->size, mm_strerror(rc));
		mm_cli_close(*st, *c);
		return 1;
	}
	return 0;
}

int mm_cli_audit_prove(struct mm_cli *cli, struct audit_args *aa)
{
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN], leaf[MM_HASH_LEN];
	struct mm_alog_ckpt ck;
	struct mm_alog_tree t;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	int64_t seq;
	size_t n = 0;
	int out = 1;

	if (aa->nargs != 1 || !mm_slice_to_i64(mm_slice_cstr(aa->args[0]), &seq) || seq < 1) {
		fprintf(stderr, "usage: mamori audit prove SEQ --pubkey FILE / SEQ は正の整数\n");
		return 2;
	}
	mm_arena_init(&a, 0);
	if (open_tree(cli, aa, 0, &st, &c, &a, &ck, &t)) {
		mm_arena_free(&a);
		return 1;
	}
	if (seq > ck.size || (uint64_t)seq <= t.leaves.first) {
		fprintf(stderr,
			"mamori audit prove: seq %lld is not in the checkpoint (%lld..%lld) "
			"/ 対象外の番号です\n",
			(long long)seq, (long long)t.leaves.first + 1, (long long)ck.size);
	} else if (!mm_merkle_inclusion_proof(&t.leaves, (uint64_t)seq - 1, (uint64_t)ck.size,
					      proof, &n)) {
		fprintf(stderr, "mamori audit prove: the proof needs archived entries\n");
	} else {
		memcpy(leaf, t.leaves.leaf[seq - 1 - (int64_t)t.leaves.first], MM_HASH_LEN);
		printf("seq %lld (leaf index %lld) in the tree of %lld entries\n", (long long)seq,
		       (long long)seq - 1, (long long)ck.size);
		print_hash("leaf", leaf);
		print_hash("root", ck.root);
		for (size_t i = 0; i < n; i++)
			print_hash("proof", proof[i]);
		out = mm_merkle_inclusion_verify((uint64_t)seq - 1, (uint64_t)ck.size, leaf,
						 (const uint8_t(*)[MM_HASH_LEN])proof, n, ck.root)
			      ? 0
			      : 1;
		printf(out ? "inclusion proof FAILED / 包含証明の検証に失敗\n"
			   : "inclusion proof verified / 包含証明を検証しました\n");
	}
	mm_cli_close(st, c);
	mm_arena_free(&a);
	return out;
}

int mm_cli_audit_consistency(struct mm_cli *cli, struct audit_args *aa)
{
	uint8_t proof[MM_MERKLE_MAX_DEPTH][MM_HASH_LEN];
	struct mm_alog_ckpt old, ck;
	struct mm_alog_tree t;
	struct mm_ckpt_vkey k;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	size_t n = 0;
	int out = 1;

	if (!aa->from) {
		fprintf(stderr, "usage: mamori audit consistency --from SIZE [--to SIZE] --pubkey "
				"FILE / --from が必要です\n");
		return 2;
	}
	mm_arena_init(&a, 0);
	if (open_tree(cli, aa, aa->to, &st, &c, &a, &ck, &t)) {
		mm_arena_free(&a);
		return 1;
	}
	if (mm_ckpt_vkey_load(aa->pubkey, &k) || mm_auditlog_signed(c, &k, aa->from, &a, &old)) {
		fprintf(stderr,
			"mamori audit consistency: no signed checkpoint of size %lld / "
			"チェックポイントがありません\n",
			(long long)aa->from);
	} else if (!mm_merkle_consistency_proof(&t.leaves, (uint64_t)old.size, (uint64_t)ck.size,
						proof, &n) &&
		   old.size != ck.size) {
		fprintf(stderr, "mamori audit consistency: the proof needs archived entries\n");
	} else {
		printf("consistency of %lld and %lld entries\n", (long long)old.size,
		       (long long)ck.size);
		print_hash("old root", old.root);
		print_hash("new root", ck.root);
		for (size_t i = 0; i < n; i++)
			print_hash("proof", proof[i]);
		out = mm_merkle_consistency_verify((uint64_t)old.size, (uint64_t)ck.size, old.root,
						   ck.root, (const uint8_t(*)[MM_HASH_LEN])proof, n)
			      ? 0
			      : 1;
		printf(out ? "consistency proof FAILED / 整合性証明の検証に失敗\n"
			   : "consistency proof verified / 整合性証明を検証しました\n");
	}
	mm_cli_close(st, c);
	mm_arena_free(&a);
	return out;
}

int mm_cli_audit_export(struct mm_cli *cli, struct audit_args *aa)
{
	int64_t since = 0, until = INT64_MAX, count = 0;
	enum mm_alog_format fmt = MM_ALOG_JSONL;
	struct mm_store *st;
	struct mm_conn *c;
	FILE *f = stdout;
	int rc;

	if ((aa->since && mm_cli_audit_day(aa->since, &since)) ||
	    (aa->until && mm_cli_audit_day(aa->until, &until))) {
		fprintf(stderr,
			"mamori audit export: dates are YYYY-MM-DD (JST) / 日付の形式が不正です\n");
		return 2;
	}
	if (aa->until)
		until += 86400; /* the whole day */
	if (aa->format && strcmp(aa->format, "csv") == 0)
		fmt = MM_ALOG_CSV;
	else if (aa->format && strcmp(aa->format, "jsonl") != 0) {
		fprintf(stderr, "mamori audit export: --format jsonl|csv / 形式が不正です\n");
		return 2;
	}
	if (mm_cli_audit_open(cli, &st, &c))
		return 1;
	if (aa->out && !(f = fopen(aa->out, "we")))
		rc = MM_EIO;
	else
		rc = mm_auditlog_export(c, since, until, fmt, f, &count);
	if (f && f != stdout && fclose(f) != 0)
		rc = rc ? rc : MM_EIO;
	mm_cli_close(st, c);
	if (rc) {
		fprintf(stderr, "mamori audit export: %s\n", mm_strerror(rc));
		return 1;
	}
	fprintf(stderr, "%lld entries exported / %lld 件を出力しました\n", (long long)count,
		(long long)count);
	return 0;
}

int mm_cli_audit_archive(struct mm_cli *cli, struct audit_args *aa)
{
	int64_t before, first = 0, last = 0;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_ctx ctx;
	FILE *f;
	int rc;

	if (!aa->out) {
		fprintf(stderr, "usage: mamori audit archive [--before DATE] --out FILE / --out が"
				"必要です\n");
		return 2;
	}
	if (aa->before && mm_cli_audit_day(aa->before, &before)) {
		fprintf(stderr,
			"mamori audit archive: --before YYYY-MM-DD (JST) / 日付の形式が不正です\n");
		return 2;
	}
	if (!aa->before)
		before = mm_now() -
			 (cli->audit_retention_days ? cli->audit_retention_days : 365) * 86400;
	if (mm_cli_audit_open(cli, &st, &c))
		return 1;
	f = fopen(aa->out, "wxe");
	if (!f) {
		fprintf(stderr, "mamori audit archive: cannot create %s: %s\n", aa->out,
			strerror(errno));
		mm_cli_close(st, c);
		return 1;
	}
	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, c, &a, &ctx);
	rc = mm_auditlog_archive(&ctx, before, f, &first, &last);
	if (fclose(f) != 0 && !rc)
		rc = MM_EIO;
	if (rc) {
		unlink(aa->out);
		fprintf(stderr, "mamori audit archive: %s\n",
			rc == MM_ENOTFOUND
				? "no signed entries that old / 対象のエントリがありません"
			: rc == MM_EINVAL ? "the log does not verify; nothing removed (run verify)"
					    " / 検証に失敗したため削除しません"
					  : mm_strerror(rc));
	} else {
		printf("archived and removed entries %lld..%lld to %s / アーカイブしました\n",
		       (long long)first, (long long)last, aa->out);
	}
	mm_arena_free(&a);
	mm_cli_close(st, c);
	return rc ? 1 : 0;
}

/* Checks an archive file with the public key alone; no database is
 * opened. Exit 0 clean, 1 refused, 2 for a file mamori did not write. */
int mm_cli_audit_verify_archive(struct mm_cli *cli, struct audit_args *aa)
{
	struct mm_alog_archive_report r;
	struct mm_ckpt_vkey k;
	struct mm_buf b;
	FILE *f;
	int rc;

	(void)cli;
	if (!aa->in) {
		fprintf(stderr, "usage: mamori audit verify-archive --in FILE --pubkey FILE / --in "
				"が必要です\n");
		return 2;
	}
	if (mm_cli_audit_pubkey(aa, &k))
		return 2;
	f = fopen(aa->in, "re");
	if (!f) {
		fprintf(stderr, "mamori audit verify-archive: cannot read %s: %s\n", aa->in,
			strerror(errno));
		return 2;
	}
	rc = mm_auditlog_archive_verify(f, &k, &r);
	fclose(f);
	if (rc) {
		fprintf(stderr, "mamori audit verify-archive: cannot read %s: %s\n", aa->in,
			mm_strerror(rc));
		return 2;
	}
	mm_buf_init(&b, 4096);
	mm_alog_archive_report_text(&r, &b);
	if (r.problem)
		printf("%s: FAILED: %s\n", aa->in, b.data);
	else
		printf("%s: %s\n", aa->in, b.data);
	mm_buf_free(&b);
	return r.problem == MM_ARCH_OK ? 0 : r.problem == MM_ARCH_MALFORMED ? 2 : 1;
}

/* A connected datagram socket to udp:HOST:PORT or unix:PATH; -1 on error. */
static int syslog_socket(const char *dest)
{
	if (strncmp(dest, "unix:", 5) == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd < 0 || strlen(dest + 5) >= sizeof(sa.sun_path))
			return fd < 0 ? -1 : (close(fd), -1);
		memcpy(sa.sun_path, dest + 5, strlen(dest + 5) + 1);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			return close(fd), -1;
		return fd;
	}
	if (strncmp(dest, "udp:", 4) == 0) {
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL;
		char host[256];
		const char *colon = strrchr(dest + 4, ':');
		size_t hl = colon ? (size_t)(colon - dest - 4) : 0;
		int fd = -1;

		if (!colon || hl == 0 || hl >= sizeof(host))
			return -1;
		memcpy(host, dest + 4, hl);
		host[hl] = '\0';
		if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
			return -1;
		fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(ai);
		return fd;
	}
	return -1;
}

enum { BATCH = 500 };

struct batch {
	struct mm_buf text;
	size_t end[BATCH];
	int64_t seq[BATCH];
	size_t n;
	const char *host;
};

static int batch_add(void *arg, const struct mm_audit_event *e, const uint8_t chain[MM_HASH_LEN])
{
	struct batch *b = arg;

	(void)chain;
	mm_alog_syslog_line(&b->text, e, b->host);
	b->end[b->n] = b->text.len;
	b->seq[b->n++] = e->seq;
	return b->text.err;
}

/* Sends what came after the last sent entry, remembering each one sent. */
static int stream_once(struct mm_conn *c, int fd, struct batch *b, int64_t *sent)
{
	struct mm_alog_status s;
	struct mm_arena a;
	const char *v;
	int64_t last = 0;
	int rc;

	mm_arena_init(&a, 0);
	rc = mm_meta_get(c, "audit_syslog_seq", &a, &v);
	if (!rc && !mm_slice_to_i64(mm_slice_cstr(v), &last))
		rc = MM_EINVAL;
	if (rc == MM_ENOTFOUND)
		rc = MM_OK;
	mm_arena_free(&a);
	if (!rc)
		rc = mm_auditlog_status(c, mm_now(), &s);
	while (!rc && (last < s.first - 1 ? s.first - 1 : last) < s.head) {
		int64_t from = last < s.first - 1 ? s.first : last + 1;
		size_t start = 0;
		char num[24];

		mm_buf_reset(&b->text);
		b->n = 0;
		rc = mm_alog_scan(c, from, from + BATCH - 1, batch_add, b);
		for (size_t i = 0; i < b->n && !rc; i++) {
			if (send(fd, b->text.data + start, b->end[i] - start, 0) < 0)
				rc = MM_EIO;
			start = b->end[i];
			snprintf(num, sizeof(num), "%lld", (long long)b->seq[i]);
			if (!rc)
				rc = mm_meta_set(c, "audit_syslog_seq", num);
			if (!rc) {
				last = b->seq[i];
				(*sent)++;
			}
		}
		if (!b->n)
			break;
	}
	return rc;
}

int mm_cli_audit_stream(struct mm_cli *cli, struct audit_args *aa)
{
	const char *dest = aa->dest ? aa->dest : cli->audit_syslog;
	struct batch b = { 0 };
	char host[256] = "-";
	struct mm_store *st;
	struct mm_conn *c;
	int64_t sent = 0;
	int fd, rc;

	if (!dest || (fd = syslog_socket(dest)) < 0) {
		fprintf(stderr,
			"mamori audit stream: --dest udp:HOST:PORT|unix:/dev/log (or [audit] "
			"syslog) is missing or cannot be reached / 送信先が不正です\n");
		return 2;
	}
	if (mm_cli_audit_open(cli, &st, &c)) {
		close(fd);
		return 1;
	}
	gethostname(host, sizeof(host) - 1);
	b.host = host;
	mm_buf_init(&b.text, 1 << 26);
	do {
		rc = stream_once(c, fd, &b, &sent);
		if (!rc && !aa->once)
			sleep((unsigned)(aa->interval ? aa->interval : 5));
	} while (!rc && !aa->once);
	mm_buf_free(&b.text);
	close(fd);
	mm_cli_close(st, c);
	if (rc)
		fprintf(stderr, "mamori audit stream: %s\n", mm_strerror(rc));
	else
		printf("%lld entries sent / %lld 件を送信しました\n", (long long)sent,
		       (long long)sent);
	return rc ? 1 : 0;
}
