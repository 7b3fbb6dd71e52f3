#include "fuzz.h"

#include "core/arena.h"
#include "core/err.h"
#include "domain/auth.h"
#include "domain/demo.h"
#include "domain/register.h"
#include "domain/registers.h"

#include <string.h>
#include <unistd.h>

static struct fuzz_db db;

static void remove_db(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };

	mm_store_close(db.st);
	for (size_t i = 0; i < 3; i++) {
		char p[128];
		snprintf(p, sizeof(p), "%s%s", db.path, suffix[i]);
		unlink(p);
	}
}

/* The account, its password, a signed-in session and an API token. */
static void sign_in(struct mm_ctx *ctx)
{
	static const char password[] = "fuzz-Passw0rd-long-enough";
	struct mm_ferrs errs = { .n = 0 };
	char token[MM_AUTH_API_TOKEN_SIZE];
	struct mm_signin si;
	int64_t person, id;

	/* 10008 is 事務局 (demo.c): it may write most registers. Its role asks
	 * for TOTP, which the fuzz server does not. */
	mm_auth_settings.require_totp_for_privileged = false;
	FUZZ_CHECK(mm_reg_resolve(&mm_reg_people, ctx, "10008", 5, &person) == MM_OK);
	FUZZ_CHECK(mm_account_create(ctx, "fuzzer", person, password, &errs, &id) == MM_OK);
	FUZZ_CHECK(mm_auth_token_create(ctx, id, "fuzz", 0, token, NULL) == MM_OK);
	snprintf(db.bearer, sizeof(db.bearer), "Bearer %s", token);
	FUZZ_CHECK(mm_auth_signin(ctx, "fuzzer", password, strlen(password), &si) == MM_OK);
	FUZZ_CHECK(si.result == MM_AUTH_OK);
	snprintf(db.session, sizeof(db.session), "%s", si.token);
	snprintf(db.csrf, sizeof(db.csrf), "%s", si.csrf);
}

const struct fuzz_db *fuzz_db(void)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	struct mm_demo_counts n;
	struct mm_arena a;
	struct mm_ctx ctx;
	int fd;

	if (db.st)
		return &db;
	snprintf(db.path, sizeof(db.path), "%s/mm-fuzz-XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(db.path);
	FUZZ_CHECK(fd >= 0);
	close(fd);
	unlink(db.path);
	FUZZ_CHECK(mm_store_open(db.path, 4, &db.st, NULL, 0) == MM_OK);
	atexit(remove_db);
	FUZZ_CHECK(mm_registers_migrate(db.st) == MM_OK);
	mm_arena_init(&a, 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.conn = mm_store_acquire(db.st);
	FUZZ_CHECK(ctx.conn != NULL);
	ctx.a = &a;
	ctx.actor = "fuzz";
	ctx.lang = MM_JA;
	ctx.ip = "127.0.0.1";
	FUZZ_CHECK(mm_demo_seed(&ctx, 20, &n) == MM_OK);
	sign_in(&ctx);
	mm_store_release(db.st, ctx.conn);
	mm_arena_free(&a);
	return &db;
}
