/* mamori risk: the risk register's verbs (list, show, add, export … as for
 * every register) plus the work of risk assessment (3.3): assess (bulk
 * creation from the catalogues), heatmap, snapshot (a yearly assessment)
 * and compare (two years). */
#include "cli/cli.h"

#include "core/err.h"
#include "core/slice.h"
#include "domain/registers.h"
#include "domain/risk.h"
#include "domain/risk_regs.h"

#include <stdio.h>
#include <string.h>

enum {
	OPT_KIND = OPT_COMMON_END,
	OPT_SECTION,
	OPT_MIN_VALUE,
	OPT_T,
	OPT_V,
	OPT_YEAR,
	OPT_NOTE,
};

struct risk_args {
	struct mm_risk_bulk bulk;
	const char *section, *note;
	int64_t year;
};

static bool level_arg(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	return mm_slice_to_i64(mm_slice_cstr(s), out) && *out >= lo && *out <= hi;
}

/* Parses the options after the verb; returns 0, or 2 on bad use. */
static int parse(struct mm_cli *cli, int argc, char **argv, struct risk_args *ra)
{
	static const struct option opts[] = {
		MM_CLI_COMMON_OPTS,
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "section", required_argument, NULL, OPT_SECTION },
		{ "min-value", required_argument, NULL, OPT_MIN_VALUE },
		{ "threat-level", required_argument, NULL, OPT_T },
		{ "vulnerability-level", required_argument, NULL, OPT_V },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int r = mm_cli_common_opt(cli, c, optarg);
		bool ok = true;

		if (r < 0 || c == '?' || c == OPT_HELP)
			return 2;
		if (r > 0)
			continue;
		if (c == OPT_KIND)
			ra->bulk.kind = optarg;
		else if (c == OPT_SECTION)
			ra->section = optarg;
		else if (c == OPT_MIN_VALUE)
			ok = level_arg(optarg, 1, 10, &ra->bulk.min_value);
		else if (c == OPT_T)
			ok = level_arg(optarg, 1, 3, &ra->bulk.t);
		else if (c == OPT_V)
			ok = level_arg(optarg, 1, 3, &ra->bulk.v);
		else if (c == OPT_YEAR)
			ok = level_arg(optarg, 2000, 2200, &ra->year);
		else if (c == OPT_NOTE)
			ra->note = optarg;
		if (!ok) {
			fprintf(stderr, "%s\n", mm_msg(cli->lang, "risk_bad_levels"));
			return 2;
		}
	}
	return 0;
}

static int assess(struct mm_ctx *ctx, struct risk_args *ra)
{
	struct mm_risk_bulk_counts n;
	int rc = MM_OK;

	if (ra->section)
		rc = mm_reg_resolve(&mm_reg_sections, ctx, ra->section, strlen(ra->section),
				    &ra->bulk.section_id);
	if (!rc)
		rc = mm_risk_bulk_create(ctx, &ra->bulk, &n);
	if (!rc)
		printf(MM_L(ctx->lang, "対象の資産 %zu 件、作成 %zu 件、既存のため省略 %zu 件\n",
			    "%zu assets, %zu risks created, %zu skipped as existing\n"),
		       n.assets, n.created, n.skipped);
	return rc;
}

static int heatmap(struct mm_ctx *ctx)
{
	struct mm_risk_heat h;
	int rc = mm_risk_heatmap(ctx, &h);

	if (rc)
		return rc;
	printf("%s", MM_L(ctx->lang, "資産\\可能性", "asset\\likelihood"));
	for (size_t x = 0; x < h.ncols; x++)
		printf("\t%lld", (long long)h.cols[x]);
	printf("\n");
	for (size_t y = 0; y < h.nrows; y++) {
		printf("%lld", (long long)h.rows[y]);
		for (size_t x = 0; x < h.ncols; x++)
			printf("\t%lld", (long long)h.count[y][x]);
		printf("\n");
	}
	return MM_OK;
}

static int snapshot(struct mm_ctx *ctx, const struct risk_args *ra)
{
	struct mm_in it[2] = { { "fiscal_year", MM_IN_INT, NULL, 0, ra->year } };
	struct mm_input in = { it, 1, MM_IN_JSON };
	struct mm_ferrs errs;
	struct mm_record rec;
	int rc;

	if (ra->note)
		it[in.n++] = (struct mm_in){ "note", MM_IN_STR, ra->note, strlen(ra->note), 0 };
	rc = mm_reg_create(&mm_reg_risk_assessments, ctx, &in, &errs, &rec);
	if (rc == MM_EVALIDATE)
		mm_cli_print_ferrs(&errs, ctx->lang);
	else if (!rc)
		printf("%s %s (%lld)\n", rec.v[RA_CODE].s, rec.v[RA_NAME].s,
		       (long long)rec.v[RA_COUNT].i);
	return rc;
}

static void print_deltas(const char *label, const struct mm_risk_delta *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%lld\t%lld\t%s\n", label, d[i].code, (long long)d[i].before,
		       (long long)d[i].after, d[i].name);
}

static int compare(struct mm_ctx *ctx, int argc, char **argv)
{
	struct mm_risk_compare c;
	int64_t from, to;
	int rc;

	if (argc != 2 || !level_arg(argv[0], 2000, 2200, &from) ||
	    !level_arg(argv[1], 2000, 2200, &to))
		return -1;
	rc = mm_risk_compare_years(ctx, from, to, &c);
	if (rc == MM_ENOTFOUND) {
		fprintf(stderr, "%s\n", mm_msg(ctx->lang, "risk_no_year"));
		return rc;
	}
	if (rc)
		return rc;
	print_deltas(MM_L(ctx->lang, "新規", "new"), c.added, c.nadded);
	print_deltas(MM_L(ctx->lang, "削除", "removed"), c.removed, c.nremoved);
	print_deltas(MM_L(ctx->lang, "上昇", "raised"), c.raised, c.nraised);
	print_deltas(MM_L(ctx->lang, "低下", "lowered"), c.lowered, c.nlowered);
	return MM_OK;
}

static int run(struct mm_cli *cli, const char *verb, int argc, char **argv, struct risk_args *ra)
{
	struct mm_store *st = NULL;
	struct mm_conn *conn = NULL;
	struct mm_arena a;
	struct mm_ctx ctx;
	int rc;

	if (mm_cli_open(cli, &st, &conn))
		return 1;
	mm_arena_init(&a, 0);
	mm_cli_ctx(cli, conn, &a, &ctx);
	if (strcmp(verb, "assess") == 0)
		rc = assess(&ctx, ra);
	else if (strcmp(verb, "heatmap") == 0)
		rc = heatmap(&ctx);
	else if (strcmp(verb, "snapshot") == 0)
		rc = ra->year ? snapshot(&ctx, ra) : -1;
	else
		rc = compare(&ctx, argc, argv);
	if (rc < 0)
		fprintf(stderr, "mamori risk: bad use of '%s' (see 'mamori help risk')\n", verb);
	else if (rc && rc != MM_EVALIDATE && rc != MM_ENOTFOUND)
		fprintf(stderr, "mamori: %s\n", mm_strerror(rc));
	mm_arena_free(&a);
	mm_cli_close(st, conn);
	return rc < 0 ? 2 : rc ? 1 : 0;
}

int mm_cmd_risk(struct mm_cli *cli, int argc, char **argv)
{
	static const char *const own[] = { "assess", "heatmap", "snapshot", "compare" };
	struct risk_args ra = { .bulk = { .t = 2, .v = 2 } };
	const char *verb = argc > 1 ? argv[1] : NULL;

	for (size_t i = 0; verb && i < sizeof(own) / sizeof(own[0]); i++) {
		if (strcmp(verb, own[i]) != 0)
			continue;
		if (parse(cli, argc, argv, &ra)) {
			mm_cli_help("risk", stderr);
			return 2;
		}
		return run(cli, verb, argc - optind, argv + optind, &ra);
	}
	return mm_cmd_register(cli, &mm_reg_risks, argc, argv);
}
