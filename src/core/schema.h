/* Declarations of record shapes, shared by the store (which keeps them) and
 * the domain (which validates and presents them). A schema is static data:
 * the register engine builds everything else from it. */
#ifndef MM_CORE_SCHEMA_H
#define MM_CORE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mm_ftype {
	MM_FT_TEXT, /* UTF-8 text; max = limit in characters */
	MM_FT_INT,  /* integer in [min, max]; opts, when given, label min..max */
	MM_FT_ENUM, /* one of opts[].code, stored as the code */
	MM_FT_REF,  /* id of an active record of the register named by ref */
	MM_FT_DATE, /* calendar date, stored as YYYY-MM-DD */
};

enum mm_fflag {
	MM_F_REQUIRED = 1u << 0,  /* must be present and non-empty */
	MM_F_SEARCH = 1u << 1,	  /* included in the free-text search q */
	MM_F_LIST = 1u << 2,	  /* shown as a column of list pages */
	MM_F_FILTER = 1u << 3,	  /* may be filtered on (equality, or range for INT) */
	MM_F_SORT = 1u << 4,	  /* list pages may sort on it (and it is indexed) */
	MM_F_DERIVED = 1u << 5,	  /* computed by the register; clients may not set it */
	MM_F_UNIQUE = 1u << 6,	  /* no two records share a value */
	MM_F_MULTILINE = 1u << 7, /* long text: a textarea in forms */
	MM_F_AUTO = 1u << 8,	  /* assigned by the register when left empty */
	/* The record's classification level (an INT within 1..4; empty is
	 * taken as 4, the strictest). At most one field per schema: the store
	 * keeps the number of records at each level (level_counts), which
	 * answers the every-section part of an access-filtered total. */
	MM_F_LEVEL = 1u << 9,
};

struct mm_option {
	const char *code;
	const char *ja;
	const char *en;
};

struct mm_field {
	const char *name; /* API and column name, snake_case */
	const char *label_ja;
	const char *label_en;
	enum mm_ftype type;
	unsigned flags;
	int64_t min, max;
	const struct mm_option *opts;
	size_t nopts;
	const char *ref; /* MM_FT_REF: the referenced register's name */
};

struct mm_schema {
	const char *name; /* register name, also the table name */
	const struct mm_field *fields;
	size_t nfields;
};

/* One field's value in a record. Text, enum and date values use s; integers
 * and references use i. An unset value is NULL in storage. */
struct mm_value {
	bool set;
	int64_t i;
	const char *s;
};

/* A stored record: system columns plus one value per schema field, in field
 * order. Strings are borrowed from an arena. */
struct mm_record {
	int64_t id;
	int64_t version;
	bool retired;
	const char *created_at; /* UTC, ISO 8601 with Z */
	const char *updated_at;
	const char *updated_by;
	struct mm_value *v;
};

/* Sort keys that are not schema fields. */
enum { MM_SORT_ID = -1, MM_SORT_UPDATED = -2 };

/* Returns the index of the field called name, or -1. */
int mm_schema_field(const struct mm_schema *s, const char *name);

/* Returns the index of the field flagged MM_F_LEVEL, or -1. */
int mm_schema_level_field(const struct mm_schema *s);

#endif
