#!/bin/sh
# Turns a word list (one password a line, like john-data's password.lst) into
# a C source file with the words lower-cased, deduplicated and sorted by
# byte value, for a binary search at run time. Lines starting with
# "#!comment:" and empty lines are skipped.
#
# Usage: common-passwords.sh LIST OUTPUT.c
set -eu
list=$1
out=$2
tmp=$out.tmp
grep -v '^#!comment:' "$list" | tr -d '\r' | tr 'A-Z' 'a-z' | LC_ALL=C sort -u |
	LC_ALL=C awk -v src="$(basename "$list")" '
	BEGIN {
		print "/* Generated from " src " by scripts/common-passwords.sh; do not edit. */"
		print "#include <stddef.h>"
		print ""
		print "extern const char *const mm_common_passwords[];"
		print "extern const size_t mm_ncommon_passwords;"
		print ""
		print "const char *const mm_common_passwords[] = {"
		n = 0
	}
	length($0) > 0 {
		s = $0
		gsub(/\\/, "\\\\", s)
		gsub(/"/, "\\\"", s)
		gsub(/\?/, "\\?", s)
		print "\t\"" s "\","
		n++
	}
	END {
		print "};"
		print ""
		print "const size_t mm_ncommon_passwords = " n ";"
		if (n < 1000) {
			print "too few words in " src ": " n > "/dev/stderr"
			exit 1
		}
	}' >"$tmp"
mv "$tmp" "$out"
