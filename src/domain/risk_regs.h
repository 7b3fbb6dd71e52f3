/* The registers of risk assessment (3.3) and their field indexes: the
 * threat and vulnerability catalogues, the risk register, and the yearly
 * assessments with their frozen copies. */
#ifndef MM_DOMAIN_RISK_REGS_H
#define MM_DOMAIN_RISK_REGS_H

#include "domain/register.h"
#include "domain/risk.h"

enum { THR_CODE, THR_NAME, THR_NAME_EN, THR_ORIGIN, THR_GROUP, THR_KINDS, THR_DESC, THR_NFIELDS };
enum { VUL_CODE, VUL_NAME, VUL_NAME_EN, VUL_GROUP, VUL_KINDS, VUL_THREATS, VUL_DESC, VUL_NFIELDS };

enum {
	RSK_CODE,
	RSK_NAME,
	RSK_ASSET,
	RSK_GROUP,
	RSK_THREAT,
	RSK_VULN,
	RSK_T,
	RSK_V,
	RSK_VALUE,
	RSK_CLASS,
	RSK_SECTION,
	RSK_IMPORTANCE,
	RSK_LIKELIHOOD,
	RSK_RISK,
	RSK_BAND,
	RSK_TREATMENT,
	RSK_MEASURES,
	RSK_DUE,
	RSK_MEASURE_BY,
	RSK_CLAUSE,
	RSK_MSTATUS,
	RSK_RT,
	RSK_RV,
	RSK_RESIDUAL,
	RSK_RBAND,
	RSK_NEEDS,
	RSK_OWNER,
	RSK_REVIEW,
	RSK_STATE,
	RSK_REQUESTER,
	RSK_DECIDED_BY,
	RSK_DECIDED_AT,
	RSK_COMMENT,
	RSK_NFIELDS
};

enum { RA_CODE, RA_NAME, RA_YEAR, RA_DATE, RA_NOTE, RA_COUNT, RA_NFIELDS };
enum {
	RSI_ASSESSMENT,
	RSI_RISK_CODE,
	RSI_TITLE,
	RSI_RISK,
	RSI_RESIDUAL,
	RSI_BAND,
	RSI_CLASS,
	RSI_SECTION,
	RSI_DATA,
	RSI_NFIELDS
};

extern const struct mm_register mm_reg_threats;
extern const struct mm_register mm_reg_vulnerabilities;
extern const struct mm_register mm_reg_risks;
extern const struct mm_register mm_reg_risk_assessments;
extern const struct mm_register mm_reg_risk_snapshot;

/* The choices of the band fields (a risk's band and residual band, a
 * snapshot's band): each band's Japanese label is both the stored code and
 * the Japanese text, with its English label beside it. The defaults of
 * both methods come first; mm_risk_band_option_add adds those of
 * [risk] bands. */
enum { MM_RISK_BAND_OPTS_MAX = 3 + MM_RISK_MAX_BANDS };
extern struct mm_option mm_risk_band_opts[MM_RISK_BAND_OPTS_MAX];
extern size_t mm_risk_band_nopts;

/* Points the snapshot's band field at the band choices now in force
 * (reg_risk_assessments.c). */
void mm_risk_snapshot_bands_sync(void);

/* The asset kinds (codes of the assets register's kind field) a catalogue
 * entry's text applies to: "data,hardware". Whether kinds (normalised
 * text) contains kind. */
bool mm_risk_kinds_has(const char *kinds, const char *kind);

/* Normalises a kinds text written with codes or Japanese or English labels,
 * separated by commas, 、 or spaces, or "すべて"/"all", into codes joined by
 * commas, in out (cap bytes). Returns false when a word is not a kind. */
bool mm_risk_kinds_normalise(const char *text, char *out, size_t cap);

/* Whether the vulnerability's list of threat codes (VUL_THREATS, words
 * separated by spaces or commas) names code; an empty list names all. */
bool mm_risk_threat_listed(const char *list, const char *code);

#endif
