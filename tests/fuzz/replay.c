/* replay.c: runs LLVMFuzzerTestOneInput over every regular file of the directories (or the
 * files) named as arguments, in name order, so a gcc build with ASan/UBSan or valgrind
 * replays a corpus without libFuzzer. Each input is passed in a buffer of exactly its size,
 * so an over-read is caught. Without arguments it replays FUZZ_CORPUS_DIR (set by the build
 * to the committed corpus), which is how `make check` runs it. Exits 1 when an input cannot
 * be read or nothing was replayed (a wrong path must not pass silently). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_cmp(const void *, const void *);
static int replay_file(const char *);
static int replay_path(const char *, size_t *);

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_file runs one input; -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	long n;
	int r = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	/* exactly n bytes (malloc(0) may return NULL, so ask for one byte then) */
	if ((data = malloc(n > 0 ? (size_t)n : 1)) == NULL)
		goto out;
	if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n)
		goto out;
	printf("replay %s (%ld bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	r = 0;
out:
	free(data);
	fclose(f);
	return r;
}

/* replay_path replays a file or every regular file of a directory, counting into *count. */
static int
replay_path(const char *path, size_t *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn, full[4096];
	size_t n = 0, cap = 0, i;
	int r = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: cannot stat\n", path);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		if (replay_file(path) != 0) {
			fprintf(stderr, "replay: %s: cannot read\n", path);
			return -1;
		}
		(*count)++;
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: cannot open\n", path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL) {
				r = -1;
				goto out;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			r = -1;
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), replay_cmp);
	for (i = 0; i < n && r == 0; i++) {
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, names[i]) >= sizeof(full) ||
		    stat(full, &st) != 0) {
			r = -1;
			break;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (replay_file(full) != 0) {
			fprintf(stderr, "replay: %s: cannot read\n", full);
			r = -1;
			break;
		}
		(*count)++;
	}
out:
	closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i;

	if (argc < 2) {
#ifdef FUZZ_CORPUS_DIR
		if (replay_path(FUZZ_CORPUS_DIR, &count) != 0)
			return 1;
#else
		fprintf(stderr, "usage: %s dir-or-file...\n", argv[0]);
		return 2;
#endif
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return 1;
	printf("replayed %zu inputs\n", count);
	return count > 0 ? 0 : 1;
}
