/* Who is signed in: the account, the person behind it, their section and
 * the roles of 付表1 they hold. Built at sign-in and on each request from the
 * session or API token; access decisions read nothing else. */
#ifndef MM_DOMAIN_PRINCIPAL_H
#define MM_DOMAIN_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The roles of 付表1 and the application's own. Their codes (the roles
 * register's key) are the names in mm_role_codes. */
enum mm_role {
	MM_ROLE_CISO,	      /* 情報管理最高責任者 */
	MM_ROLE_DEPUTY,	      /* 情報管理統括責任者 */
	MM_ROLE_SYSTEMS,      /* 情報システム管理責任者 */
	MM_ROLE_DATA_MANAGER, /* データ管理責任者 (per section) */
	MM_ROLE_FACILITIES,   /* 施設管理責任者 */
	MM_ROLE_DOCUMENTS,    /* 文書管理責任者 */
	MM_ROLE_SECRETARIAT,  /* 事務局 */
	MM_ROLE_STAFF,	      /* 職員 */
	MM_ROLE_CONTRACTOR,   /* 外部委託者 */
	MM_ROLE_AUDITOR,      /* 監査人 */
	MM_ROLE_APP_ADMIN,    /* アプリケーション管理者 */
	MM_ROLE_COUNT
};

extern const char *const mm_role_codes[MM_ROLE_COUNT];

/* The bit of role r in a role mask (struct mm_principal's roles, and the
 * registers' create, edit and retire roles). */
#define MM_ROLE_BIT(r) (1u << (r))

enum { MM_MAX_SCOPES = 32 };

struct mm_principal {
	int64_t account_id;
	int64_t person_id;
	const char *login;
	const char *name;
	int64_t section_id;		/* the person's own section */
	unsigned roles;			/* bit (1u << enum mm_role) per role held now */
	int64_t managed[MM_MAX_SCOPES]; /* sections where data manager */
	size_t nmanaged;
	bool totp;	/* this session passed the second factor */
	bool via_token; /* authenticated by a personal API token */
};

static inline bool mm_has_role(const struct mm_principal *p, enum mm_role r)
{
	return p && (p->roles & (1u << r));
}

/* The role whose code (the roles register's key) is code, or -1. */
int mm_role_find(const char *code);

/* True for the roles whose grant is a privilege (7.2(2)): 最高責任者,
 * 統括責任者, 情報システム管理責任者, 事務局 and the application
 * administrator. */
bool mm_role_privileged(enum mm_role r);

struct mm_ctx;

/* Fills out for account_id: the account's login, its person's name and
 * section, and the roles the person holds today (JST, from ctx->now or the
 * clock) in the role holders register, with the sections they manage as
 * data manager. Every person holds 職員 implicitly, or 外部委託者 instead
 * when their employment type is 委託先. Strings come from ctx->a. Returns
 * MM_ENOTFOUND for an unknown account or person, MM_EPERM when the account
 * is disabled or the person has left or is disabled, or a store error. */
int mm_principal_load(struct mm_ctx *ctx, int64_t account_id, struct mm_principal *out);

#endif
