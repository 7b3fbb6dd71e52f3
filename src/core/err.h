/* Error codes shared by every layer. Library code returns these; only main
 * decides what to print or how to exit. */
#ifndef MM_CORE_ERR_H
#define MM_CORE_ERR_H

enum mm_err {
	MM_OK = 0,
	MM_ENOMEM,    /* allocation failed or a capped buffer overflowed */
	MM_EINVAL,    /* the caller's input is malformed */
	MM_ENOTFOUND, /* no such record, route or file */
	MM_ECONFLICT, /* the record changed since the caller read it */
	MM_ETOOBIG,   /* input larger than the configured cap */
	MM_EENCODING, /* bytes that are not valid in the expected encoding */
	MM_EIO,	      /* storage or file system failure */
	MM_EDB,	      /* the database refused a statement */
	MM_EBUSY,     /* the database stayed locked past the timeout */
	MM_EPERM,     /* the actor may not do this */
	MM_EVALIDATE, /* field-level validation failed; details in the field list */
	MM_ERR_COUNT
};

/* Returns a short English description of err; never NULL. */
const char *mm_strerror(int err);

#endif
