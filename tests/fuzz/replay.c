/* Runs a fuzz target over files without libFuzzer, so that every build
 * (gcc, ASan) replays the committed corpus: each argument is a file or a
 * directory whose regular files are read in name order. Prints the file
 * before running it, so a crash names its input; exits 1 when nothing was
 * run or a file could not be read. */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *n = realloc(data, cap ? cap * 2 : 4096);
			if (!n) {
				fclose(f);
				free(data);
				return -1;
			}
			data = n;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(data + len, 1, cap - len, f);
		if (got == 0)
			break;
		len += got;
	}
	fclose(f);
	fprintf(stderr, "replay %s\n", path);
	/* libFuzzer hands over a buffer of exactly the input's size; so do we,
	 * so that ASan sees a read past its end. */
	{
		unsigned char *exact = malloc(len ? len : 1);
		if (!exact) {
			free(data);
			return -1;
		}
		if (len)
			memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	int runs = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **names;
		int n;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i]) < 0)
				return 1;
			runs++;
			continue;
		}
		n = scandir(argv[i], &names, NULL, by_name);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int k = 0; k < n; k++) {
			char path[4096];
			struct stat fst;

			snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
			if (stat(path, &fst) == 0 && S_ISREG(fst.st_mode)) {
				if (run_file(path) < 0)
					return 1;
				runs++;
			}
			free(names[k]);
		}
		free(names);
	}
	printf("%d inputs replayed\n", runs);
	return runs > 0 ? 0 : 1;
}
