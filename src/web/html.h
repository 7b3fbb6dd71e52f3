/* Server-rendered HTML pages: the page layout, escaping, links and the
 * display of field values that every page shares. Internal to web/.
 *
 * Every byte that did not come from a literal in this program goes through
 * mm_html_esc. mm_html_f makes that the default: its %s escapes, and raw
 * output has to be asked for with %r. */
#ifndef MM_WEB_HTML_H
#define MM_WEB_HTML_H

#include "core/json.h" /* handlers.h uses struct mm_json */
#include "web/handlers.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_html_ref {
	const struct mm_register *r;
	int64_t id;
	const char *text;
};

/* One page being rendered: where it goes, the request, and the store
 * context (NULL on pages that read nothing). Reference display texts are
 * cached here for the life of the request. */
struct mm_html {
	struct mm_buf *b;
	struct mm_req *rq;
	struct mm_ctx *ctx;
	enum mm_lang lang;
	const char *self; /* GET address of this page, for the language switch */
	struct mm_html_ref *refs;
	size_t nrefs, caprefs;
};

/* Starts an HTML response in rs: status 200, HTML content type, an empty
 * body. ctx may be NULL. */
void mm_html_init(struct mm_html *h, struct mm_req *rq, struct mm_resp *rs, struct mm_ctx *ctx);

/* Appends s[0..n) to b with & < > " ' replaced by character references. The
 * one escaping function of the HTML pages. */
void mm_html_esc(struct mm_buf *b, const char *s, size_t n);

/* Appends URL-encoded s (RFC 3986 unreserved bytes kept, the rest %XX). */
void mm_html_urlenc(struct mm_buf *b, const char *s);

/* Appends fmt to the page. Directives: %s a string, escaped (NULL is
 * empty); %r a trusted string, raw; %d an int; %D an int64_t; %N an int64_t
 * with thousands separators; %U a string URL-encoded; %% a percent sign. */
void mm_html_f(struct mm_html *h, const char *fmt, ...);

/* Writes the document head, the site header with the register menu and the
 * language switch, and opens the main element. title is plain text. */
void mm_html_begin(struct mm_html *h, const char *title);

/* Writes the hidden csrf field every state-changing form carries. */
void mm_html_csrf(struct mm_html *h);

/* The loud warning of an unsynchronised clock or one off by more than the
 * threshold (7.7), for the administrators, 事務局 and 監査人; nothing for
 * others or when the clock is right (html_clock.c). */
void mm_html_clock_banner(struct mm_html *h);

/* Closes the main element and writes the footer. */
void mm_html_end(struct mm_html *h);

/* Replaces rs with an error page: the message msg_id from the catalogue and a
 * link back to the register's list (or the home page). */
void mm_html_error(struct mm_req *rq, struct mm_resp *rs, int status, const char *msg_id);

/* The same with a message text of the caller's (plain text, escaped here). */
void mm_html_error_text(struct mm_req *rq, struct mm_resp *rs, int status, const char *text);

/* An error page for an engine or store error code. */
void mm_html_fail(struct mm_req *rq, struct mm_resp *rs, int err);

/* The same, telling the engine's refusal (ctx->refusal, a message id) when
 * it gave one for MM_EPERM or MM_ECONFLICT. */
void mm_html_refused(struct mm_req *rq, struct mm_resp *rs, int err, const char *refusal);

/* The steps of a record's workflow its reader may take now, as buttons
 * with a comment field (html_workflow.c); nothing for a register without
 * a workflow. */
void mm_html_transitions(struct mm_html *h, const struct mm_record *rec);

/* Returns path followed by the request's non-empty query parameters except
 * those named in drop (NULL-terminated, may be NULL), then name=value when
 * name is given; allocated in the request arena, URL-encoded, not escaped. */
const char *mm_html_url(struct mm_req *rq, const char *path, const char *const *drop,
			const char *name, const char *value);

/* Formats into the request arena (printf rules; the result is not
 * escaped). Returns "" when out of memory. */
const char *mm_html_str(struct mm_req *rq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Returns "/reg" or "/reg/id/suffix" (suffix may be NULL), in the arena. */
const char *mm_html_path(struct mm_req *rq, int64_t id, const char *suffix);

/* Plain-text display of a value of field f: option labels for choices,
 * "3 課外秘" for levels, the display text of a referenced record, ISO dates.
 * "" when unset. */
const char *mm_html_display(struct mm_html *h, const struct mm_field *f, const struct mm_value *v);

/* Display text ("code name") of record id of register r, cached per page. */
const char *mm_html_ref_text(struct mm_html *h, const struct mm_register *r, int64_t id);

/* Reads the display texts of the references ids to r in one go, so that
 * the mm_html_ref_text of a page's cells that follow need no lookups. */
void mm_html_ref_prefetch(struct mm_html *h, const struct mm_register *r, const int64_t *ids,
			  size_t n);

/* Writes <option>s for the active records of the register f refers to (at
 * most 500), selecting selected (0: none). A selected record that is not
 * among them is added so that saving does not change it silently. */
void mm_html_ref_options(struct mm_html *h, const struct mm_field *f, int64_t selected);

/* Whether register r holds more active records than a choice list shows
 * (mm_html_ref_options): a filter then takes a reference typed as its code
 * or name. */
bool mm_html_ref_typed(struct mm_html *h, const struct mm_register *r);

/* A UTC ISO 8601 instant as "YYYY-MM-DD HH:MM" in JST (the input itself when
 * it does not parse). */
const char *mm_html_jst(struct mm_html *h, const char *iso);

/* Parses a posted application/x-www-form-urlencoded body into rq->form.
 * On failure (another content type, a body past the cap, bad encoding) the
 * error page is already in rs and false is returned. */
bool mm_html_read_form(struct mm_req *rq, struct mm_resp *rs);

/* The register's label and the noun for one of its records, in h's language. */
const char *mm_html_reg_label(const struct mm_register *r, enum mm_lang lang);
const char *mm_html_noun(const struct mm_register *r, enum mm_lang lang);

/* The "閲覧・編集を許可された人" part of a record's detail page, with its
 * forms; nothing unless the reader may grant on rec (html_grants.c). */
void mm_html_grants(struct mm_html *h, const struct mm_record *rec);

/* The "閲覧の記録" (who viewed this) part of a classified record's page;
 * nothing unless the reader is shown it (domain/inspect.h). */
void mm_html_viewers(struct mm_html *h, const struct mm_register *r, const struct mm_record *rec);

/* Renders the home page of 事務局, auditors and 統括責任者, with the state
 * of the audit log's inspection; false (rs untouched) for anyone else. */
bool mm_html_home_inspection(struct mm_web *w, struct mm_req *rq, struct mm_resp *rs);

/* Links to the pages of register reg beyond its list (the risk heat map,
 * report, plan, comparison of years), the current one marked; nothing for
 * a register without any (html_list.c). */
void mm_html_related(struct mm_html *h, const char *reg);

/* Title of a record for headings: "key name", or the name alone. */
const char *mm_html_rec_title(struct mm_html *h, const struct mm_register *r,
			      const struct mm_record *rec);

/* The 付表2 criterion of level v of field fi, for a record of kind kind
 * (nothing when the register has none). */
void mm_html_level_help(struct mm_html *h, const struct mm_register *r, int fi, const char *kind,
			const struct mm_value *v);

#endif
