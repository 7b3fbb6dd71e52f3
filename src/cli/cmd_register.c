/* The register verbs, the same for every register: list, show, add, import,
 * export and the grants of records (mamori asset list, mamori section import
 * FILE, mamori asset grant A-000001 --person 10028 --kind named, …). */
#include "cli/cli.h"

#include "core/datetime.h"
#include "core/err.h"
#include "core/json.h"
#include "core/slice.h"
#include "domain/access.h"
#include "domain/export.h"
#include "domain/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_Q = OPT_COMMON_END,
	OPT_WHERE,
	OPT_SORT,
	OPT_STATUS,
	OPT_LIMIT,
	OPT_JSON,
	OPT_SET,
	OPT_DRY_RUN,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_PERSON,
	OPT_KIND,
	OPT_GRANT,
};

enum { MAX_ITEMS = 128 };

struct args {
	struct mm_query q;
	struct mm_filter filters[MAX_ITEMS];
	struct mm_in sets[MAX_ITEMS];
	size_t nsets;
	bool json, dry_run;
	const char *format, *output;
	const char *person, *kind;
	int64_t grant;
	const char *verb;
};

static int parse_where(const struct mm_register *r, struct mm_arena *a, struct args *ar,
		       const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	int fi;

	if (!eq || (size_t)(eq - arg) >= sizeof(name) || ar->q.nfilters == MAX_ITEMS) {
		fprintf(stderr, "mamori: --where takes FIELD=VALUE\n");
		return 2;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	fi = mm_schema_field(&r->schema, name);
	if (fi < 0) {
		fprintf(stderr, "mamori: no field '%s' in %s\n", name, r->schema.name);
		return 2;
	}
	ar->filters[ar->q.nfilters].field = fi;
	ar->filters[ar->q.nfilters].op = MM_OP_EQ;
	if (!mm_filter_value(a, &r->schema.fields[fi], eq + 1, &ar->filters[ar->q.nfilters].v)) {
		fprintf(stderr, "mamori: bad value for %s: %s\n", name, eq + 1);
		return 2;
	}
	ar->q.nfilters++;
	return 0;
}

static int parse_opt(const struct mm_register *r, struct mm_arena *a, struct args *ar, int c,
		     const char *arg)
{
	int64_t v;

	switch (c) {
	case OPT_Q:
		ar->q.q = arg;
		return 0;
	case OPT_WHERE:
		return parse_where(r, a, ar, arg);
	case OPT_SORT: {
		const char *name = arg[0] == '-' ? arg + 1 : arg;
		int fi = mm_schema_field(&r->schema, name);
		ar->q.desc = arg[0] == '-';
		if (strcmp(name, "id") == 0)
			ar->q.sort = MM_SORT_ID;
		else if (fi >= 0)
			ar->q.sort = fi;
		else {
			fprintf(stderr, "mamori: cannot sort on '%s'\n", name);
			return 2;
		}
		return 0;
	}
	case OPT_STATUS:
		if (strcmp(arg, "active") == 0)
			ar->q.status = MM_ACTIVE;
		else if (strcmp(arg, "retired") == 0)
			ar->q.status = MM_RETIRED;
		else if (strcmp(arg, "all") == 0)
			ar->q.status = MM_ANY_STATUS;
		else {
			fprintf(stderr, "mamori: --status is active, retired or all\n");
			return 2;
		}
		return 0;
	case OPT_LIMIT:
		if (!mm_slice_to_i64(mm_slice_cstr(arg), &v) || v <= 0 || v > 1000000) {
			fprintf(stderr, "mamori: --limit takes 1..1000000\n");
			return 2;
		}
		ar->q.limit = (size_t)v;
		return 0;
	case OPT_JSON:
		ar->json = true;
		return 0;
	case OPT_DRY_RUN:
		ar->dry_run = true;
		return 0;
	case OPT_FORMAT:
		ar->format = arg;
		return 0;
	case OPT_OUTPUT:
		ar->output = arg;
		return 0;
	case OPT_PERSON:
		ar->person = arg;
		return 0;
	case OPT_KIND:
		ar->kind = arg;
		return 0;
	case OPT_GRANT:
		if (!mm_slice_to_i64(mm_slice_cstr(arg), &ar->grant) || ar->grant <= 0) {
			fprintf(stderr, "mamori: --grant takes a grant id\n");
			return 2;
		}
		return 0;
	case OPT_SET: {
		const char *eq = strchr(arg, '=');
		struct mm_in *it = &ar->sets[ar->nsets];
		if (!eq || ar->nsets == MAX_ITEMS) {
			fprintf(stderr, "mamori: --set takes FIELD=VALUE\n");
			return 2;
		}
		it->name = mm_arena_strndup(a, arg, (size_t)(eq - arg));
		it->kind = MM_IN_STR;
		it->s = eq + 1;
		it->len = strlen(eq + 1);
		ar->nsets++;
		return 0;
	}
	}
	return 2;
}

/* The text of a field for terminal output. */
static const char *show_value(const struct mm_register *r, struct mm_ctx *ctx, int fi,
			      const struct mm_record *rec, char *num, size_t n)
{
	const struct mm_field *f = &r->schema.fields[fi];
	const struct mm_value *v = &rec->v[fi];

	if (!v->set)
		return "";
	switch (f->type) {
	case MM_FT_INT:
		if (f->opts && v->i >= f->min && v->i - f->min < (int64_t)f->nopts)
			snprintf(num, n, "%lld %s", (long long)v->i,
				 ctx->lang == MM_EN ? f->opts[v->i - f->min].en
						    : f->opts[v->i - f->min].ja);
		else
			snprintf(num, n, "%lld", (long long)v->i);
		return num;
	case MM_FT_REF:
		return mm_reg_display(mm_register_find(f->ref), ctx, v->i);
	case MM_FT_ENUM:
		return mm_option_label(f, v->s, ctx->lang);
	default:
		return v->s;
	}
}

static void print_json(const struct mm_register *r, const struct mm_record *rec)
{
	struct mm_buf b;
	struct mm_json j;

	mm_buf_init(&b, 1 << 20);
	mm_json_init(&j, &b);
	mm_json_obj_open(&j);
	mm_json_key(&j, "id");
	mm_json_int(&j, rec->id);
	mm_json_key(&j, "version");
	mm_json_int(&j, rec->version);
	mm_json_key(&j, "retired");
	mm_json_bool(&j, rec->retired);
	for (size_t i = 0; i < r->schema.nfields; i++) {
		const struct mm_field *f = &r->schema.fields[i];
		mm_json_key(&j, f->name);
		if (!rec->v[i].set)
			mm_json_null(&j);
		else if (f->type == MM_FT_INT || f->type == MM_FT_REF)
			mm_json_int(&j, rec->v[i].i);
		else
			mm_json_str(&j, rec->v[i].s);
	}
	mm_json_obj_close(&j);
	if (!b.err)
		printf("%s\n", b.data);
	mm_buf_free(&b);
}

static int do_list(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar)
{
	struct mm_page page;
	char num[64];
	int rc = mm_reg_list(r, ctx, &ar->q, &page);

	if (rc)
		return rc;
	for (size_t k = 0; k < page.n; k++) {
		const struct mm_record *rec = &page.recs[k];
		if (ar->json) {
			print_json(r, rec);
			continue;
		}
		printf("%lld", (long long)rec->id);
		for (size_t i = 0; i < r->schema.nfields; i++)
			if ((int)i == r->key_field || (r->schema.fields[i].flags & MM_F_LIST))
				printf("\t%s", show_value(r, ctx, (int)i, rec, num, sizeof(num)));
		printf("%s\n", rec->retired ? "\t(retired)" : "");
	}
	if (!ar->json)
		fprintf(stderr, "%zu of %lld\n", page.n, (long long)page.total);
	return MM_OK;
}

/* Finds a record by id or by its key. */
static int lookup(const struct mm_register *r, struct mm_ctx *ctx, const char *ref, int64_t *id)
{
	if (mm_slice_to_i64(mm_slice_cstr(ref), id) && *id > 0) {
		struct mm_record rec;
		if (mm_reg_get(r, ctx, *id, &rec) == MM_OK)
			return MM_OK;
	}
	return mm_reg_resolve(r, ctx, ref, strlen(ref), id);
}

/* A stored UTC time shown in JST ("2024-04-01 09:00 JST"). */
static const char *jst(const char *iso, char out[24])
{
	int64_t t;
	char local[17];

	if (mm_time_parse_iso(iso, &t))
		return iso;
	mm_time_jst(t, local);
	snprintf(out, 24, "%s JST", local);
	return out;
}

static int do_show(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar,
		   const char *ref)
{
	char created[24], updated[24];
	struct mm_record rec;
	char num[64];
	int64_t id;
	int rc = lookup(r, ctx, ref, &id);

	if (!rc)
		rc = mm_reg_get(r, ctx, id, &rec);
	if (rc)
		return rc;
	if (ar->json) {
		print_json(r, &rec);
		return MM_OK;
	}
	printf("id\t%lld\nversion\t%lld\n", (long long)rec.id, (long long)rec.version);
	for (size_t i = 0; i < r->schema.nfields; i++)
		printf("%s\t%s\n", mm_field_label(&r->schema.fields[i], ctx->lang),
		       show_value(r, ctx, (int)i, &rec, num, sizeof(num)));
	printf("%s\t%s\n", MM_L(ctx->lang, "状態", "State"),
	       rec.retired ? MM_L(ctx->lang, r->retired_ja, r->retired_en)
			   : MM_L(ctx->lang, "使用中", "In use"));
	printf("%s\t%s\n", MM_L(ctx->lang, "登録日時", "Created"), jst(rec.created_at, created));
	printf("%s\t%s\n", MM_L(ctx->lang, "更新日時", "Updated"), jst(rec.updated_at, updated));
	return MM_OK;
}

static int do_add(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar)
{
	struct mm_input in = { ar->sets, ar->nsets, MM_IN_CSV };
	struct mm_ferrs errs = { .n = 0 };
	struct mm_record rec;
	int rc = mm_reg_create(r, ctx, &in, &errs, &rec);

	if (rc == MM_EVALIDATE) {
		fprintf(stderr, "%s\n", mm_msg(ctx->lang, "validation"));
		mm_cli_print_ferrs(&errs, ctx->lang);
		return rc;
	}
	if (rc)
		return rc;
	printf("%lld\t%s\n", (long long)rec.id, r->key_field >= 0 ? rec.v[r->key_field].s : "");
	return MM_OK;
}

static void print_report(const struct mm_file_report *rep)
{
	for (size_t i = 0; i < rep->nerrs; i++)
		fprintf(stderr, "row %zu%s%s: %s\n", rep->errs[i].row,
			rep->errs[i].column ? ", " : "",
			rep->errs[i].column ? rep->errs[i].column : "", rep->errs[i].message);
}

static int read_file(const char *path, struct mm_buf *b)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "mamori: cannot open %s\n", path);
		return MM_EIO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mm_buf_add(b, chunk, n);
	if (f != stdin)
		fclose(f);
	return b->err;
}

static int do_import(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar,
		     const char *path)
{
	struct mm_file_report rep = { 0 };
	struct mm_buf b;
	int rc;

	mm_buf_init(&b, (size_t)1 << 30);
	rc = read_file(path, &b);
	if (!rc)
		rc = mm_import_csv(r, ctx, b.data, b.len, ar->dry_run, &rep);
	mm_buf_free(&b);
	if (rc == MM_EVALIDATE) {
		print_report(&rep);
		fprintf(stderr, "%zu rows, %zu problems: nothing imported\n", rep.rows, rep.nerrs);
		return rc;
	}
	if (rc)
		return rc;
	printf("%s%zu rows: %zu created, %zu updated, %zu unchanged\n",
	       ar->dry_run ? "dry run (nothing written): " : "", rep.rows, rep.created, rep.updated,
	       rep.unchanged);
	return MM_OK;
}

static int do_export(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar)
{
	enum mm_export_format fmt = MM_EXPORT_CSV;
	struct mm_file_report rep;
	struct mm_buf b;
	FILE *out = stdout, *file = NULL; /* file: what we opened and close */
	int rc;

	if (ar->format && strcmp(ar->format, "csv-cp932") == 0)
		fmt = MM_EXPORT_CSV_CP932;
	else if (ar->format && strcmp(ar->format, "xlsx") == 0)
		fmt = MM_EXPORT_XLSX;
	else if (ar->format && strcmp(ar->format, "csv") != 0) {
		fprintf(stderr, "mamori: --format is csv, csv-cp932 or xlsx\n");
		return MM_EINVAL;
	}
	mm_buf_init(&b, (size_t)1 << 31);
	rc = mm_export(r, ctx, &ar->q, fmt, &b, &rep);
	if (rc == MM_EENCODING)
		print_report(&rep);
	if (!rc && ar->output && !(out = file = fopen(ar->output, "wb"))) {
		fprintf(stderr, "mamori: cannot write %s\n", ar->output);
		rc = MM_EIO;
	}
	if (!rc && (fwrite(b.data, 1, b.len, out) != b.len || fflush(out)))
		rc = MM_EIO;
	if (file && fclose(file) && !rc)
		rc = MM_EIO;
	mm_buf_free(&b);
	return rc;
}

/* Grants kind to the person on one record, printing the grant's id. */
static int grant_one(const struct mm_register *r, struct mm_ctx *ctx, int64_t id, int64_t person,
		     const char *kind)
{
	struct mm_ferrs errs = { .n = 0 };
	struct mm_grant g;
	int rc = mm_grants_add(r, ctx, id, person, kind, &errs, &g);

	if (rc == MM_EVALIDATE) {
		fprintf(stderr, "%lld: %s\n", (long long)id, mm_msg(ctx->lang, "validation"));
		mm_cli_print_ferrs(&errs, ctx->lang);
	}
	if (!rc)
		printf("%lld\t%lld\t%s\n", (long long)g.id, (long long)id, g.kind);
	return rc;
}

/* grant: one record named by ref, or every record the list filters select
 * (all of them, not a page). */
static int do_grant(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar,
		    const char *ref)
{
	struct mm_page page;
	int64_t person, id;
	int rc;

	if (!ar->person || !ar->kind) {
		fprintf(stderr, "mamori: grant needs --person and --kind\n");
		return MM_EINVAL;
	}
	rc = mm_reg_resolve(&mm_reg_people, ctx, ar->person, strlen(ar->person), &person);
	if (rc)
		return rc;
	if (ref) {
		rc = lookup(r, ctx, ref, &id);
		return rc ? rc : grant_one(r, ctx, id, person, ar->kind);
	}
	ar->q.limit = 1000;
	do {
		rc = mm_reg_list(r, ctx, &ar->q, &page);
		for (size_t i = 0; !rc && i < page.n; i++)
			rc = grant_one(r, ctx, page.recs[i].id, person, ar->kind);
		ar->q.offset += page.n;
	} while (!rc && page.n == ar->q.limit);
	return rc;
}

static int do_grants(const struct mm_register *r, struct mm_ctx *ctx, const char *ref)
{
	struct mm_grant *g = NULL;
	size_t n = 0;
	int64_t id;
	int rc = lookup(r, ctx, ref, &id);

	if (!rc)
		rc = mm_grants_list(r, ctx, id, &g, &n);
	for (size_t i = 0; !rc && i < n; i++)
		printf("%lld\t%s\t%s\t%s\n", (long long)g[i].id,
		       mm_reg_display(&mm_reg_people, ctx, g[i].person_id), g[i].kind,
		       g[i].granted_by);
	return rc;
}

static int do_ungrant(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar,
		      const char *ref)
{
	int64_t id;
	int rc;

	if (!ar->grant) {
		fprintf(stderr, "mamori: ungrant needs --grant\n");
		return MM_EINVAL;
	}
	rc = lookup(r, ctx, ref, &id);
	return rc ? rc : mm_grants_remove(r, ctx, id, ar->grant);
}

/* Runs verb with its n operands; -1 when they do not fit the verb. */
static int run_verb(const struct mm_register *r, struct mm_ctx *ctx, struct args *ar,
		    const char *verb, int n, char **operand)
{
	if (strcmp(verb, "list") == 0 && n == 0)
		return do_list(r, ctx, ar);
	if (strcmp(verb, "show") == 0 && n == 1)
		return do_show(r, ctx, ar, operand[0]);
	if (strcmp(verb, "add") == 0 && n == 0)
		return do_add(r, ctx, ar);
	if (strcmp(verb, "import") == 0 && n == 1)
		return do_import(r, ctx, ar, operand[0]);
	if (strcmp(verb, "export") == 0 && n == 0) {
		if (ar->q.limit == 100)
			ar->q.limit = 1000;
		return do_export(r, ctx, ar);
	}
	if (strcmp(verb, "grant") == 0 && n <= 1)
		return do_grant(r, ctx, ar, n ? operand[0] : NULL);
	if (strcmp(verb, "grants") == 0 && n == 1)
		return do_grants(r, ctx, operand[0]);
	if (strcmp(verb, "ungrant") == 0 && n == 1)
		return do_ungrant(r, ctx, ar, operand[0]);
	return -1;
}

int mm_cmd_register(struct mm_cli *cli, const struct mm_register *r, int argc, char **argv)
{
	static const struct option opts[] = {
		MM_CLI_COMMON_OPTS,
		{ "q", required_argument, NULL, OPT_Q },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "set", required_argument, NULL, OPT_SET },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "person", required_argument, NULL, OPT_PERSON },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "grant", required_argument, NULL, OPT_GRANT },
		{ NULL, 0, NULL, 0 },
	};
	struct args *ar = calloc(1, sizeof(*ar));
	struct mm_store *st = NULL;
	struct mm_conn *conn = NULL;
	struct mm_arena a;
	struct mm_ctx ctx;
	const char *verb = argc > 1 ? argv[1] : NULL;
	int c, rc = 0;

	if (!ar)
		return 1;
	mm_arena_init(&a, 0);
	ar->q = (struct mm_query){ ar->filters, 0,   NULL, MM_SORT_ID, false,
				   MM_ACTIVE,	100, 0,	   NULL,       NULL };
	if (!verb || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
		mm_cli_help(argv[0], verb ? stdout : stderr);
		rc = verb ? 0 : 2;
		goto out;
	}
	optind = 2;
	while ((c = mm_cli_getopt(cli, argv[0], argc, argv, opts)) != MM_CLI_OPT_DONE) {
		if (c == MM_CLI_OPT_BAD)
			rc = 2;
		if (c == MM_CLI_OPT_BAD || c == MM_CLI_OPT_HELP)
			goto out;
		rc = parse_opt(r, &a, ar, c, optarg);
		if (rc)
			goto out;
	}
	if (mm_cli_open(cli, &st, &conn)) {
		rc = 1;
		goto out;
	}
	mm_cli_ctx(cli, conn, &a, &ctx);
	rc = run_verb(r, &ctx, ar, verb, argc - optind, argv + optind);
	if (rc < 0) {
		fprintf(stderr, "mamori %s: bad use of '%s' (see 'mamori help %s')\n", argv[0],
			verb, argv[0]);
		rc = 2;
		goto out;
	}
	if (rc == MM_ENOTFOUND)
		fprintf(stderr, "%s\n", mm_msg(cli->lang, "not_found"));
	else if (rc && rc != MM_EVALIDATE && rc != MM_EENCODING)
		fprintf(stderr, "mamori: %s\n", mm_strerror(rc));
	rc = rc ? 1 : 0;
out:
	mm_cli_close(st, conn);
	mm_arena_free(&a);
	free(ar);
	return rc;
}
