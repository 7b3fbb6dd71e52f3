/* mamori clock: the clock's synchronisation state (7.7) in one line, for
 * the operator and for monitoring: exit 0 when right, 1 on a warning. */
#include "cli/cli.h"

#include "core/clock.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

enum { OPT_NTP = OPT_COMMON_END };

/* How long the server may take to answer. */
enum { ASK_TIMEOUT_MS = 2000 };

static const char *warning(enum mm_clock_verdict v, enum mm_lang lang)
{
	switch (v) {
	case MM_CLOCK_UNSYNCED:
		return MM_L(lang, "警告: 同期していません", "warning: not synchronised");
	case MM_CLOCK_NO_ANSWER:
		return MM_L(lang, "警告: 時刻サーバーが応答しません",
			    "warning: the time server does not answer");
	case MM_CLOCK_OFFSET:
		return MM_L(lang, "警告: ずれが大きい", "warning: the offset is too large");
	default:
		return NULL;
	}
}

int mm_cmd_clock(struct mm_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { MM_CLI_COMMON_OPTS,
					      { "ntp", required_argument, NULL, OPT_NTP },
					      { NULL, 0, NULL, 0 } };
	struct mm_clock_settings cfg = mm_clock_settings;
	struct mm_clock_status s;
	enum mm_clock_verdict v;
	char line[512];
	int c;

	optind = 1;
	while ((c = mm_cli_getopt(cli, "clock", argc, argv, opts)) != MM_CLI_OPT_DONE) {
		if (c == MM_CLI_OPT_HELP)
			return 0;
		if (c == MM_CLI_OPT_BAD)
			return 2;
		if (c != OPT_NTP) {
			fprintf(stderr, "(see 'mamori help clock')\n");
			return 2;
		}
		cfg.ntp_server = optarg;
		if (mm_clock_settings_check(&cfg) != MM_OK) {
			fprintf(stderr, "mamori clock: --ntp must be HOST or HOST:PORT\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mamori clock: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	mm_clock_check(&cfg, ASK_TIMEOUT_MS, &s);
	v = mm_clock_verdict(&s, &cfg);
	mm_clock_line(&s, line, sizeof(line));
	printf("%s\n", line);
	if (s.ntp_asked && !s.ntp_known)
		fprintf(stderr, "mamori clock: %s: %s\n", s.ntp_server, s.ntp_error);
	if (v == MM_CLOCK_OK)
		return 0;
	fprintf(stderr, "mamori clock: %s\n", warning(v, cli->lang));
	return 1;
}
