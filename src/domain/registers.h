/* The register declarations and the field indexes of each, so that hooks and
 * seeds can name fields without looking them up by string. */
#ifndef MM_DOMAIN_REGISTERS_H
#define MM_DOMAIN_REGISTERS_H

#include "domain/register.h"

enum { SEC_CODE, SEC_NAME, SEC_KIND, SEC_PARENT, SEC_NFIELDS };
enum {
	PER_NO,
	PER_NAME,
	PER_KANA,
	PER_SECTION,
	PER_TITLE,
	PER_EMPLOYMENT,
	PER_STATUS,
	PER_EMAIL,
	PER_NFIELDS
};
enum { SYS_CODE, SYS_NAME, SYS_SECTION, SYS_ADMIN, SYS_DESC, SYS_NFIELDS };
enum {
	AST_CODE,
	AST_NAME,
	AST_KIND,
	AST_CATEGORY,
	AST_DESC,
	AST_SECTION,
	AST_OWNER,
	AST_USERS,
	AST_MEDIUM,
	AST_LOCATION,
	AST_SYSTEM,
	AST_PERSONAL,
	AST_C,
	AST_I,
	AST_A,
	AST_VALUE,
	AST_RETENTION,
	AST_NFIELDS
};

enum {
	ROLE_CODE,
	ROLE_NAME,
	ROLE_APPOINTED,
	ROLE_DUTIES,
	ROLE_SCOPE,
	ROLE_PRIVILEGED,
	ROLE_NFIELDS
};
enum { RH_CODE, RH_PERSON, RH_ROLE, RH_SECTION, RH_FROM, RH_UNTIL, RH_NOTE, RH_NFIELDS };

extern const struct mm_register mm_reg_sections;
extern const struct mm_register mm_reg_people;
extern const struct mm_register mm_reg_systems;
extern const struct mm_register mm_reg_assets;
extern const struct mm_register mm_reg_roles;
extern const struct mm_register mm_reg_role_holders;

/* Separation of duties (2.2): sets *conflict when person is a current data
 * manager of a section that owns an active asset on system, or the data
 * manager named on such an asset. For the systems register's check of its
 * infrastructure administrator. */
int mm_roles_sod_system(struct mm_ctx *ctx, int64_t system, int64_t person, bool *conflict);

/* Sets *yes when person holds the data manager role of section today. */
int mm_roles_is_data_manager(struct mm_ctx *ctx, int64_t person, int64_t section, bool *yes);

/* Today's date in JST as YYYY-MM-DD, from ctx->now or the clock; for the
 * validity of role holdings. */
void mm_ctx_today(const struct mm_ctx *ctx, char out[11]);

/* The name of person (a people id), or "" when there is none. */
const char *mm_person_name(struct mm_ctx *ctx, int64_t person);

/* How the asset value is derived from C, I and A. */
enum mm_value_method { MM_VALUE_MAX, MM_VALUE_SUM };
extern enum mm_value_method mm_asset_value_method;

/* Parses "max" or "sum"; MM_EINVAL otherwise. */
int mm_value_method_parse(const char *s, enum mm_value_method *out);

#endif
