/* The small verbs: version, init and serve. */
#include "cli/cli.h"

#include "domain/demo.h"
#include "domain/seed.h"
#include "server/serve.h"

#include "core/err.h"
#include "core/slice.h"

#include "mm_version.h"

#include <stdio.h>
#include <string.h>

int mm_cmd_version(struct mm_cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	printf("mamori %s\n", MM_VERSION);
	return 0;
}

/* Parses only the common options; for verbs with none of their own. */
static int common_only(struct mm_cli *cli, const char *name, int argc, char **argv,
		       const struct option *extra, size_t nextra,
		       int (*on_extra)(struct mm_cli *, int, const char *, void *), void *arg)
{
	struct option opts[16] = { MM_CLI_COMMON_OPTS };
	int c;

	for (size_t i = 0; i < nextra && 4 + i < 15; i++)
		opts[4 + i] = extra[i];
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int r = mm_cli_common_opt(cli, c, optarg);

		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (c == OPT_HELP) {
			mm_cli_help(name, stdout);
			return -1;
		}
		if (c == '?' || !on_extra) {
			fprintf(stderr, "(see 'mamori help %s')\n", name);
			return 2;
		}
		r = on_extra(cli, c, optarg, arg);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "mamori %s: unexpected argument '%s'\n", name, argv[optind]);
		return 2;
	}
	return 0;
}

enum {
	OPT_DEMO = OPT_COMMON_END,
	OPT_DEMO_ASSETS,
	OPT_LISTEN,
	OPT_PORT,
	OPT_THREADS,
	OPT_TLS_CERT,
	OPT_TLS_KEY
};

struct init_args {
	bool demo;
	size_t assets;
};

static int init_opt(struct mm_cli *cli, int c, const char *arg, void *p)
{
	struct init_args *ia = p;
	int64_t v;

	(void)cli;
	if (c == OPT_DEMO) {
		ia->demo = true;
		return 0;
	}
	if (c == OPT_DEMO_ASSETS && mm_slice_to_i64(mm_slice_cstr(arg), &v) && v >= 0 &&
	    v <= 10000000) {
		ia->demo = true;
		ia->assets = (size_t)v;
		return 0;
	}
	fprintf(stderr, "mamori init: --demo-assets takes 0..10000000\n");
	return 2;
}

int mm_cmd_init(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "demo-assets", required_argument, NULL, OPT_DEMO_ASSETS },
	};
	struct mm_store *st;
	struct mm_conn *conn;
	struct mm_arena a;
	struct mm_ctx ctx;
	struct mm_demo_counts n = { 0 };
	struct mm_seed_counts sc;
	struct init_args ia = { false, 200 };
	int rc = common_only(cli, "init", argc, argv, extra, 2, init_opt, &ia);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open(cli, &st, &conn))
		return 1;
	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, conn, &a, &ctx);
	rc = mm_seed_profile(&ctx, &sc);
	mm_arena_free(&a);
	if (rc) {
		fprintf(stderr, "mamori init: default profile failed: %s\n", mm_strerror(rc));
		mm_cli_close(st, conn);
		return 1;
	}
	if (sc.roles || sc.sections)
		printf("default profile: %zu roles, %zu sections\n", sc.roles, sc.sections);
	if (ia.demo) {
		mm_arena_init(&a, 0);
		mm_cli_ctx(cli, conn, &a, &ctx);
		rc = mm_demo_seed(&ctx, ia.assets, &n);
		mm_arena_free(&a);
		if (rc) {
			fprintf(stderr, "mamori init: demo data failed: %s\n", mm_strerror(rc));
			mm_cli_close(st, conn);
			return 1;
		}
		printf("demo data: %zu sections, %zu people, %zu systems, %zu assets, %zu role "
		       "holders\n",
		       n.sections, n.people, n.systems, n.assets, n.holdings);
	}
	mm_cli_close(st, conn);
	printf("database ready: %s\n", cli->db_url);
	return 0;
}

static int serve_opt(struct mm_cli *cli, int c, const char *arg, void *p)
{
	int64_t v;

	(void)p;
	if (c == OPT_LISTEN) {
		cli->http.bind = arg;
		return 0;
	}
	if (c == OPT_TLS_CERT || c == OPT_TLS_KEY) {
		*(c == OPT_TLS_CERT ? &cli->tls_cert_file : &cli->tls_key_file) = arg;
		return 0;
	}
	if (!mm_slice_to_i64(mm_slice_cstr(arg), &v)) {
		fprintf(stderr, "mamori serve: not a number: %s\n", arg);
		return 2;
	}
	if (c == OPT_PORT && v >= 0 && v <= 65535) {
		cli->http.port = (uint16_t)v;
		return 0;
	}
	if (c == OPT_THREADS && v >= 2 && v <= 64) {
		cli->http.threads = (unsigned)v;
		return 0;
	}
	fprintf(stderr, "mamori serve: value out of range: %s\n", arg);
	return 2;
}

int mm_cmd_serve(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option extra[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	};
	struct mm_serve_opts o;
	int rc = common_only(cli, "serve", argc, argv, extra, 5, serve_opt, NULL);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (mm_cli_open_key(cli) || mm_cli_load_tls(cli))
		return 1;
	o.db_url = cli->db_url;
	o.http = cli->http;
	o.pool_size = cli->pool_size;
	o.lang = cli->lang;
	o.cache_mb = cli->cache_mb;
	return mm_serve(&o);
}
