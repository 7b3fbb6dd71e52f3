/* Help texts, one per command; the man page says the same at more length. */
#include "cli/cli.h"

#include <string.h>

struct help {
	const char *name;
	const char *text;
};

static const char common[] =
	"\nCommon options:\n"
	"  --db URL         database (sqlite:PATH, a file path or postgresql://...;\n"
	"                   default mamori.db)\n"
	"  --config FILE    configuration file (default $MAMORI_CONFIG or "
	"/etc/mamori/mamori.conf)\n"
	"  --lang ja|en     language of messages (default ja)\n"
	"  --help           this text\n";

static const char register_text[] =
	"Usage: mamori %s VERB [options]\n"
	"\n"
	"Verbs:\n"
	"  list [--q TEXT] [--where FIELD=VALUE]... [--sort [-]FIELD]\n"
	"       [--status active|retired|all] [--limit N] [--json]\n"
	"                    list records (tab-separated, or JSON lines)\n"
	"  show ID|CODE [--json]\n"
	"                    show one record\n"
	"  add --set FIELD=VALUE...\n"
	"                    create a record; references by code or name,\n"
	"                    choices by code or Japanese label\n"
	"  import FILE [--dry-run]\n"
	"                    import CSV (UTF-8, UTF-8 with BOM or Shift_JIS/CP932) with the\n"
	"                    export's headings; rows with an existing code update it;\n"
	"                    all or nothing; --dry-run reports every bad row\n"
	"  export [--format csv|csv-cp932|xlsx] [--output FILE] [list filters]\n"
	"                    export (CSV in UTF-8 with BOM by default)\n"
	"  grant [ID|CODE] --person NO --kind read|edit|named [list filters]\n"
	"                    grant a person access to one record, or to every record the\n"
	"                    filters select (named: one of the people a 極秘 record is for)\n"
	"  grants ID|CODE    list the grants of a record\n"
	"  ungrant ID|CODE --grant GRANT_ID\n"
	"                    take a grant back\n";

static const struct help helps[] = {
	{ "init", "Usage: mamori init [--demo] [options]\n"
		  "\nCreates the database or brings it to the current schema.\n"
		  "  --demo           also load a sample city organisation and 200 assets, and\n"
		  "                   make demo accounts (one per kind of user; printed with\n"
		  "                   new passwords, and TOTP secrets where roles require it)\n"
		  "  --demo-assets N  like --demo, with N assets (for benchmarks)\n" },
	{ "serve", "Usage: mamori serve [--listen ADDR] [--port N] [--threads N] [options]\n"
		   "\nServes the web UI and the JSON API until SIGINT or SIGTERM.\n"
		   "  --listen ADDR    address to listen on (default 127.0.0.1)\n"
		   "  --port N         port (default 8080; 0 picks a free one)\n"
		   "  --threads N      worker threads, 2..64 (default 4)\n"
		   "  --tls-cert FILE  serve HTTPS (TLS 1.2+) with this PEM certificate (chain)\n"
		   "  --tls-key FILE   and this PEM private key\n"
		   "  --user NAME      started as root: after binding the port and opening the\n"
		   "                   database, switch to this user ([server] user) and serve\n"
		   "                   as it; the user must own the database files\n"
		   "  --allow-root     serve as root when no user is named (refused otherwise)\n"
		   "  --seccomp on|off the system call filter ([server] seccomp, default on);\n"
		   "                   off only to debug a refused call\n" },
	{ "version", "Usage: mamori version\n\nPrints the version.\n" },
	{ "backup", "Usage: mamori backup --out FILE [options]\n"
		    "\nWrites a consistent copy of the whole database to FILE (a new file, mode\n"
		    "0600) with SQLite's online backup: the server may keep running. The copy\n"
		    "is checked with PRAGMA integrity_check, and the backup is recorded in the\n"
		    "audit log as a privileged action. The sealing key (the .key file beside the\n"
		    "database, or [security] key_file) is not in the copy: keep it apart.\n"
		    "  --out FILE       where to write the copy\n" },
	{ "restore", "Usage: mamori restore --from FILE [options]\n"
		     "\nReplaces the database (--db) with the backup FILE, after checking that it\n"
		     "is an intact mamori database no newer than this program; an older one is\n"
		     "brought up to date. Stop the server first. The restore is recorded in the\n"
		     "audit log of the restored database.\n"
		     "  --from FILE      the backup to restore\n" },
	{ "db", "Usage: mamori db copy --from URL --to URL [options]\n"
		"\nCopies a whole database into another, new and empty one, on either backend\n"
		"(sqlite:PATH, a file path, or postgresql://...): SQLite to PostgreSQL when one\n"
		"machine is outgrown, and back. Every record, its history, the accounts,\n"
		"sessions, API tokens, grants and the audit log with its checkpoints are\n"
		"copied as they are, from one consistent snapshot of the source (which may\n"
		"keep serving), in one transaction on the destination. The destination is\n"
		"first brought to this program's schema; the copy is refused, changing\n"
		"nothing, when it holds any record, account or audit entry, or when the\n"
		"source is at another schema version (run mamori migrate on it first).\n"
		"Prints the rows of each table, and records the copy in the destination's\n"
		"audit log. Two-factor secrets open only with the source's sealing key: put\n"
		"that key where the destination's is read.\n"
		"  --from URL       the database to copy (only read)\n"
		"  --to URL         the new database\n" },
	{ "migrate", "Usage: mamori migrate --db URL [options]\n"
		     "\nBrings the database to this program's schema (creating it when new)\n"
		     "without adding any data, and prints the schema version. A new database\n"
		     "made so is a destination for mamori db copy.\n" },
	{ "clock", "Usage: mamori clock [--ntp HOST[:PORT]] [options]\n"
		   "\nPrints the clock's synchronisation state in one line (7.7): the kernel's\n"
		   "(ntp_adjtime, read only) and, when a server is named here or in [clock]\n"
		   "ntp_server, the offset and delay measured against it (SNTP, 2 s timeout).\n"
		   "Exits 1 when unsynchronised, when the server does not answer or when the\n"
		   "offset passes [clock] max_offset_ms; 0 otherwise. Never sets the clock.\n"
		   "  --ntp HOST[:PORT] ask this NTP server (default port 123)\n" },
	{ "user", "Usage: mamori user VERB [options]\n"
		  "\nAccounts. Run on the server by its administrator: no approval is asked,\n"
		  "and each action is recorded as privileged.\n"
		  "  add --login L (--person ID|NO | --name NAME --section SECTION)\n"
		  "      [--role ROLE]... [--password-stdin]\n"
		  "                   create an account (and the person when given a name);\n"
		  "                   SECTION and ROLE by code or Japanese name; a section-scoped\n"
		  "                   role applies to --section or the person's own section\n"
		  "  disable --login L / enable --login L\n"
		  "                   stop (and end the sessions of) or allow an account\n"
		  "  password --login L  set the password read from standard input\n"
		  "  list             every account\n" },
	{ "token", "Usage: mamori token VERB --login L [options]\n"
		   "\nPersonal API tokens (Authorization: Bearer).\n"
		   "  create [--label TEXT] [--days N]\n"
		   "                   print a new token on the last line (shown once)\n"
		   "  revoke --id N    revoke a token\n" },
	{ "audit",
	  "Usage: mamori audit VERB [options]\n"
	  "\nThe tamper-evident audit log (監査ログ): entries chained with SHA-256 and\n"
	  "signed in checkpoints (C2SP tlog-checkpoint, Ed25519) by a separate user.\n"
	  "  keygen --key FILE [--pubkey FILE] [--name ORIGIN]\n"
	  "                   make a signing key (file 0600) and print its public key\n"
	  "  checkpoint --key FILE\n"
	  "                   sign a checkpoint of the log (run by mamori-checkpoint.timer\n"
	  "                   as its own user; refuses a key readable by group or others)\n"
	  "  verify --pubkey FILE [--checkpoints FILE]\n"
	  "                   check every entry and checkpoint; names the first bad seq\n"
	  "                   (exit 1); --checkpoints adds an exported off-host copy\n"
	  "  status           entries, the latest checkpoint, unsigned entries\n"
	  "                   (exit 3 when a checkpoint is overdue)\n"
	  "  checkpoints [--export] [--out FILE]\n"
	  "                   list checkpoints, or export their signed notes (JSON lines)\n"
	  "  prove SEQ --pubkey FILE\n"
	  "                   inclusion proof of an entry in the latest checkpoint\n"
	  "  consistency --from SIZE [--to SIZE] --pubkey FILE\n"
	  "                   consistency proof between two checkpoints\n"
	  "  export [--since DATE] [--until DATE] [--format jsonl|csv] [--out FILE]\n"
	  "                   entries of those JST days (times in UTC; CSV with BOM)\n"
	  "  archive [--before DATE] --out FILE\n"
	  "                   write signed entries older than DATE (default: the\n"
	  "                   retention, 365 days) to a verifiable file, then remove them\n"
	  "  verify-archive --in FILE --pubkey FILE\n"
	  "                   check an archive file without the database: chain, Merkle\n"
	  "                   root and checkpoint signature; names the first bad seq or\n"
	  "                   the reason (exit 1; exit 2 for a file mamori did not write)\n"
	  "  stream [--dest udp:HOST:PORT|unix:/dev/log] [--once] [--interval S]\n"
	  "                   send entries as RFC 5424 syslog messages, in order, each once\n" },
	{ "asset", NULL },
	{ "system", NULL },
	{ "section", NULL },
	{ "person", NULL },
	{ "role", NULL },
	{ "role_holder", NULL },
	{ "threat", NULL },
	{ "vulnerability", NULL },
	{ "risk_assessment", NULL },
	{ "risk",
	  "Usage: mamori risk VERB [options]\n"
	  "\nThe risk register (リスク台帳, 3.3): the register verbs (list, show, add,\n"
	  "import, export, grant …; see 'mamori help asset') and:\n"
	  "  assess [--kind KIND] [--section CODE] [--min-value N]\n"
	  "         [--threat-level 1-3] [--vulnerability-level 1-3]\n"
	  "                   create a risk for every catalogue pair that applies to each\n"
	  "                   chosen asset, skipping those that exist (levels default 2)\n"
	  "  heatmap          risk counts by asset value and likelihood\n"
	  "  snapshot --year YEAR [--note TEXT]\n"
	  "                   take the yearly assessment (年度): a frozen copy of every risk\n"
	  "  compare YEAR YEAR\n"
	  "                   risks new, removed, raised and lowered between two years\n" },
};

static const char overview[] =
	"mamori — information security management for a city (情報セキュリティ管理)\n"
	"\n"
	"Usage: mamori COMMAND [options]\n"
	"\n"
	"Commands:\n"
	"  init       create or upgrade the database (--demo adds sample data)\n"
	"  serve      run the web server\n"
	"  asset      the information asset register (情報資産台帳)\n"
	"  system     information systems (情報システム)\n"
	"  section    sections: 部, 課, 係 (組織)\n"
	"  person     people (職員)\n"
	"  role       the roles of 付表1 (役割)\n"
	"  role_holder who holds which role (役割の担当者)\n"
	"  risk       the risk register (リスク台帳): assess, heatmap, snapshot, compare\n"
	"  threat     the threat catalogue (脅威カタログ)\n"
	"  vulnerability the vulnerability catalogue (脆弱性カタログ)\n"
	"  risk_assessment yearly risk assessments (年度リスク評価)\n"
	"  user       accounts (add, disable, enable, password, list)\n"
	"  token      personal API tokens (create, revoke)\n"
	"  clock      the clock's synchronisation state (7.7); exits 1 on a warning\n"
	"  backup     a consistent copy of the database while it runs (--out FILE)\n"
	"  restore    put a backup back (--from FILE); stop the server first\n"
	"  db copy    copy the whole database into a new one (--from URL --to URL)\n"
	"  migrate    bring the database to the current schema, adding no data\n"
	"  audit      the tamper-evident audit log (verify, checkpoint, export, ...)\n"
	"  version    print the version\n"
	"  help CMD   help for one command\n";

bool mm_cli_help(const char *name, FILE *out)
{
	if (!name) {
		fputs(overview, out);
		fputs(common, out);
		return true;
	}
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (strcmp(helps[i].name, name) != 0)
			continue;
		if (helps[i].text)
			fputs(helps[i].text, out);
		else
			fprintf(out, register_text, name);
		fputs(common, out);
		return true;
	}
	return false;
}
