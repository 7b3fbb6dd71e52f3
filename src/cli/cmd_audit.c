/* 'mamori audit': the tamper-evident audit log from the command line —
 * keys, signed checkpoints, verification and status here; proofs, export,
 * archive, archive verification and the syslog streamer in cmd_audit_ops.c. */
#include "cli/audit_int.h"

#include "core/clock.h"
#include "core/datetime.h"
#include "core/err.h"
#include "core/slice.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a checkpoint waits for the NTP server's answer. */
enum { CLOCK_ASK_MS = 2000 };

enum {
	OPT_KEY = OPT_COMMON_END,
	OPT_PUBKEY,
	OPT_NAME,
	OPT_OUT,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_FORMAT,
	OPT_BEFORE,
	OPT_EXTRA,
	OPT_DEST,
	OPT_IN,
	OPT_FROM,
	OPT_TO,
	OPT_EXPORT,
	OPT_ONCE,
	OPT_INTERVAL,
};

static bool parse_i64(const char *s, int64_t min, int64_t *out)
{
	int64_t v;

	if (!mm_slice_to_i64(mm_slice_cstr(s), &v) || v < min)
		return false;
	*out = v;
	return true;
}

/* Sets a string or number option; false for a bad number. */
static bool set_opt(struct audit_args *aa, int c, const char *v)
{
	const char **str[] = {
		[OPT_KEY - OPT_KEY] = &aa->key,	      [OPT_PUBKEY - OPT_KEY] = &aa->pubkey,
		[OPT_NAME - OPT_KEY] = &aa->name,     [OPT_OUT - OPT_KEY] = &aa->out,
		[OPT_SINCE - OPT_KEY] = &aa->since,   [OPT_UNTIL - OPT_KEY] = &aa->until,
		[OPT_FORMAT - OPT_KEY] = &aa->format, [OPT_BEFORE - OPT_KEY] = &aa->before,
		[OPT_EXTRA - OPT_KEY] = &aa->extra,   [OPT_DEST - OPT_KEY] = &aa->dest,
		[OPT_IN - OPT_KEY] = &aa->in,
	};

	if (c >= OPT_KEY && c <= OPT_IN) {
		*str[c - OPT_KEY] = v;
		return true;
	}
	if (c == OPT_FROM)
		return parse_i64(v, 1, &aa->from);
	if (c == OPT_TO)
		return parse_i64(v, 1, &aa->to);
	if (c == OPT_INTERVAL)
		return parse_i64(v, 1, &aa->interval);
	if (c == OPT_EXPORT)
		aa->export_ = true;
	else if (c == OPT_ONCE)
		aa->once = true;
	return true;
}

static int parse(struct mm_cli *cli, int argc, char **argv, struct audit_args *aa)
{
	static const struct option opts[] = {
		MM_CLI_COMMON_OPTS,
		{ "key", required_argument, NULL, OPT_KEY },
		{ "pubkey", required_argument, NULL, OPT_PUBKEY },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "output", required_argument, NULL, OPT_OUT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "before", required_argument, NULL, OPT_BEFORE },
		{ "checkpoints", required_argument, NULL, OPT_EXTRA },
		{ "dest", required_argument, NULL, OPT_DEST },
		{ "in", required_argument, NULL, OPT_IN },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "export", no_argument, NULL, OPT_EXPORT },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int r = mm_cli_common_opt(cli, c, optarg);

		if (r < 0 || c == '?')
			return 2;
		if (r > 0)
			continue;
		if (c == OPT_HELP) {
			mm_cli_help("audit", stdout);
			return -1;
		}
		if (!set_opt(aa, c, optarg)) {
			fprintf(stderr, "mamori audit: bad number: %s / 数値が不正です\n", optarg);
			return 2;
		}
	}
	aa->nargs = argc - optind;
	aa->args = argv + optind;
	return 0;
}

int mm_cli_audit_open(struct mm_cli *cli, struct mm_store **st, struct mm_conn **conn)
{
	char why[256] = "";
	int rc;

	rc = mm_store_open(cli->db_url, 1, st, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "mamori: cannot open database %s: %s\n", cli->db_url,
			why[0] ? why : mm_strerror(rc));
		return 1;
	}
	rc = mm_registers_migrate(*st);
	*conn = rc ? NULL : mm_store_acquire(*st);
	if (!*conn) {
		fprintf(stderr, "mamori: cannot use database %s: %s\n", cli->db_url,
			mm_strerror(rc ? rc : MM_EDB));
		mm_store_close(*st);
		return 1;
	}
	return 0;
}

int mm_cli_audit_pubkey(const struct audit_args *aa, struct mm_ckpt_vkey *k)
{
	int rc;

	if (!aa->pubkey) {
		fprintf(stderr, "mamori audit: --pubkey FILE is required (trust comes from the "
				"public key, never from the database) / --pubkey が必要です\n");
		return 1;
	}
	rc = mm_ckpt_vkey_load(aa->pubkey, k);
	if (rc) {
		fprintf(stderr,
			"mamori audit: cannot read the public key %s: %s / 公開鍵を読めません\n",
			aa->pubkey, mm_strerror(rc));
		return 1;
	}
	return 0;
}

int mm_cli_audit_day(const char *s, int64_t *t)
{
	struct mm_date d;

	if (!s || mm_date_parse(mm_slice_cstr(s), &d) != MM_OK)
		return MM_EINVAL;
	*t = mm_date_to_days(d) * 86400 - MM_JST_OFFSET;
	return MM_OK;
}

/* Writes text to a new file of the given mode; refuses to overwrite. */
static int write_new(const char *path, const char *text, mode_t mode)
{
	size_t n = strlen(text), off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0) {
		fprintf(stderr, "mamori audit: cannot create %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || off != n || fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "mamori audit: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

static const char default_origin[] = "mamori/audit";

static int cmd_keygen(struct mm_cli *cli, struct audit_args *aa)
{
	const char *name = aa->name	       ? aa->name
			   : cli->audit_origin ? cli->audit_origin
					       : default_origin;
	struct mm_buf skey, vkey;
	int rc, out = 1;

	if (!aa->key) {
		fprintf(stderr, "mamori audit keygen: --key FILE is required / --key が必要です\n");
		return 2;
	}
	mm_buf_init(&skey, 4096);
	mm_buf_init(&vkey, 4096);
	rc = mm_ckpt_keygen(name, &skey, &vkey);
	if (rc) {
		fprintf(stderr,
			"mamori audit keygen: bad key name '%s' (printable ASCII, no space "
			"or '+') / 鍵の名前が不正です\n",
			name);
		out = 2;
	} else if (!write_new(aa->key, skey.data, 0600) &&
		   (!aa->pubkey || !write_new(aa->pubkey, vkey.data, 0644))) {
		fputs(vkey.data, stdout);
		out = 0;
	}
	sodium_memzero(skey.data, skey.len);
	mm_buf_free(&skey);
	mm_buf_free(&vkey);
	return out;
}

static int cmd_checkpoint(struct mm_cli *cli, struct audit_args *aa)
{
	struct mm_alog_report r;
	struct mm_clock_status cs;
	struct mm_ckpt_skey k;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_buf b;
	char clock[256];
	int rc;

	if (!aa->key) {
		fprintf(stderr,
			"mamori audit checkpoint: --key FILE is required / --key が必要です\n");
		return 2;
	}
	rc = mm_ckpt_skey_load(aa->key, &k);
	if (rc) {
		fprintf(stderr, "mamori audit checkpoint: cannot use the signing key %s: %s%s\n",
			aa->key, mm_strerror(rc),
			rc == MM_EPERM
				? " (it must be a file readable by its owner only: chmod 600)"
				  " / 署名鍵は所有者のみ読める必要があります"
				: "");
		return 1;
	}
	if (mm_cli_audit_open(cli, &st, &c)) {
		mm_ckpt_skey_wipe(&k);
		return 1;
	}
	/* The clock's state goes into the checkpoint: the kernel's, and the
	 * offset against [clock] ntp_server when one is set (7.7). */
	mm_clock_check(&mm_clock_settings, CLOCK_ASK_MS, &cs);
	mm_clock_line(&cs, clock, sizeof(clock));
	mm_arena_init(&a, 0);
	mm_buf_init(&b, 4096);
	rc = mm_auditlog_checkpoint(c, &k, mm_now(), clock, &a, &r);
	mm_ckpt_skey_wipe(&k);
	if (!rc && r.problem) {
		mm_alog_report_text(&r, &b);
		fprintf(stderr, "mamori audit checkpoint: not signed: %s\n", b.data);
	} else if (!rc) {
		if (r.new_size)
			printf("checkpoint signed: %lld entries / チェックポイントに署名しました\n",
			       (long long)r.new_size);
		else
			printf("no new entries since the last checkpoint / "
			       "新しいエントリはありません\n");
	} else {
		fprintf(stderr, "mamori audit checkpoint: %s (%s)\n", mm_strerror(rc),
			mm_conn_errmsg(c));
	}
	mm_buf_free(&b);
	mm_arena_free(&a);
	mm_cli_close(st, c);
	return rc || r.problem ? 1 : 0;
}

/* Reads the notes of an exported checkpoints file (JSON lines). */
static int read_extra(const char *path, struct mm_arena *a, const char ***notes, size_t *n)
{
	char line[16384];
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	*notes = NULL;
	*n = 0;
	if (!f) {
		fprintf(stderr, "mamori audit: cannot read %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);
		const char *note = json_string_value(json_object_get(j, "note"));
		char *copy = note ? mm_arena_alloc(a, strlen(note) + 1) : NULL;

		if (copy && *n == cap) {
			const char **v = mm_arena_alloc(a, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (v && *n)
				memcpy(v, *notes, *n * sizeof(*v));
			*notes = v;
		}
		if (copy && *notes) {
			memcpy(copy, note, strlen(note) + 1);
			(*notes)[(*n)++] = copy;
		}
		json_decref(j);
	}
	fclose(f);
	return 0;
}

static int cmd_verify(struct mm_cli *cli, struct audit_args *aa)
{
	const char **extra = NULL;
	struct mm_alog_report r;
	struct mm_alog_status s;
	struct mm_ckpt_vkey k;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_buf b;
	size_t nextra = 0;
	int rc;

	if (mm_cli_audit_pubkey(aa, &k))
		return 2;
	mm_arena_init(&a, 0);
	if ((aa->extra && read_extra(aa->extra, &a, &extra, &nextra)) ||
	    mm_cli_audit_open(cli, &st, &c)) {
		mm_arena_free(&a);
		return 1;
	}
	mm_buf_init(&b, 4096);
	rc = mm_auditlog_verify(c, &k, extra, nextra, &a, &r);
	if (!rc)
		mm_alog_report_text(&r, &b);
	if (rc)
		fprintf(stderr, "mamori audit verify: %s (%s)\n", mm_strerror(rc),
			mm_conn_errmsg(c));
	else if (r.problem)
		printf("FAILED: %s\n", b.data);
	else
		printf("%s\n", b.data);
	if (!rc && !r.problem && !mm_auditlog_status(c, mm_now(), &s) && s.unsigned_count)
		printf("note: %lld entries after the latest checkpoint are covered by the chain "
		       "only / 最新チェックポイント以降の %lld 件は未署名です\n",
		       (long long)s.unsigned_count, (long long)s.unsigned_count);
	mm_buf_free(&b);
	mm_arena_free(&a);
	mm_cli_close(st, c);
	return rc || r.problem ? 1 : 0;
}

static int cmd_status(struct mm_cli *cli, struct audit_args *aa)
{
	struct mm_alog_status s;
	struct mm_store *st;
	struct mm_conn *c;
	char at[21] = "-";
	int rc;

	(void)aa;
	if (mm_cli_audit_open(cli, &st, &c))
		return 1;
	rc = mm_auditlog_status(c, mm_now(), &s);
	mm_cli_close(st, c);
	if (rc) {
		fprintf(stderr, "mamori audit status: %s\n", mm_strerror(rc));
		return 1;
	}
	if (s.ckpt_size)
		mm_time_iso(s.ckpt_at, at);
	printf("entries: %lld..%lld\nlatest checkpoint: %lld entries at %s\nunsigned entries: "
	       "%lld\n",
	       (long long)s.first, (long long)s.head, (long long)s.ckpt_size, at,
	       (long long)s.unsigned_count);
	if (s.overdue) {
		printf("WARNING: checkpoint overdue (more than %d entries or %d minutes unsigned); "
		       "is mamori-checkpoint.timer running? / チェックポイントが遅れています\n",
		       MM_ALOG_CKPT_ENTRIES, MM_ALOG_CKPT_SECONDS / 60);
		return 3;
	}
	return 0;
}

static int cmd_checkpoints(struct mm_cli *cli, struct audit_args *aa)
{
	struct mm_alog_ckpt *ck;
	struct mm_store *st;
	struct mm_conn *c;
	struct mm_arena a;
	struct mm_buf b;
	FILE *f = stdout, *file = NULL; /* file: what we opened and close */
	size_t n = 0;
	int rc;

	if (mm_cli_audit_open(cli, &st, &c))
		return 1;
	mm_arena_init(&a, 0);
	mm_buf_init(&b, 1 << 24);
	rc = mm_alog_ckpt_list(c, &a, &ck, &n);
	if (!rc && aa->out && !(f = file = fopen(aa->out, "we")))
		rc = MM_EIO;
	for (size_t i = 0; i < n && !rc; i++) {
		char iso[21];

		mm_buf_reset(&b);
		mm_time_iso(ck[i].at, iso);
		if (aa->export_) {
			json_t *j = json_pack("{s:I,s:s,s:s}", "size", (json_int_t)ck[i].size, "at",
					      iso, "note", ck[i].note);
			char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

			if (!text || fprintf(f, "%s\n", text) < 0)
				rc = MM_EIO;
			free(text);
			json_decref(j);
		} else {
			fprintf(f, "%lld\t%s\t%s\n", (long long)ck[i].size, iso, ck[i].clock);
		}
	}
	if (file && fclose(file) != 0)
		rc = MM_EIO;
	if (rc)
		fprintf(stderr, "mamori audit checkpoints: %s\n", mm_strerror(rc));
	mm_buf_free(&b);
	mm_arena_free(&a);
	mm_cli_close(st, c);
	return rc ? 1 : 0;
}

struct verb {
	const char *name;
	int (*run)(struct mm_cli *cli, struct audit_args *aa);
};

static const struct verb verbs[] = {
	{ "keygen", cmd_keygen },
	{ "checkpoint", cmd_checkpoint },
	{ "verify", cmd_verify },
	{ "status", cmd_status },
	{ "checkpoints", cmd_checkpoints },
	{ "prove", mm_cli_audit_prove },
	{ "consistency", mm_cli_audit_consistency },
	{ "export", mm_cli_audit_export },
	{ "archive", mm_cli_audit_archive },
	{ "verify-archive", mm_cli_audit_verify_archive },
	{ "stream", mm_cli_audit_stream },
};

int mm_cmd_audit(struct mm_cli *cli, int argc, char **argv)
{
	struct audit_args aa = { 0 };
	int r;

	if (argc < 2 || argv[1][0] == '-') {
		mm_cli_help("audit", argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	aa.verb = argv[1];
	r = parse(cli, argc, argv, &aa);
	if (r)
		return r < 0 ? 0 : r;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, aa.verb) == 0)
			return verbs[i].run(cli, &aa);
	fprintf(stderr, "mamori audit: unknown verb '%s' (try 'mamori help audit')\n", aa.verb);
	return 2;
}
