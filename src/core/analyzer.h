/* Marks for the places where gcc's -fanalyzer reports a leak that is not
 * one (make analyze, docs/analysis.md). Each use says why, and covers as
 * little code as it can. Other compilers see nothing. */
#ifndef MM_CORE_ANALYZER_H
#define MM_CORE_ANALYZER_H

/* (Not reformatted: _Pragma takes one string literal, unsplit.) */
/* clang-format off */
#if defined(__GNUC__) && !defined(__clang__)
#define MM_ANALYZER_LEAK_OFF \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wanalyzer-malloc-leak\"")
#define MM_ANALYZER_LEAK_ON _Pragma("GCC diagnostic pop")
#else
#define MM_ANALYZER_LEAK_OFF
#define MM_ANALYZER_LEAK_ON
#endif
/* clang-format on */

#endif
