/* SPDX-License-Identifier: MIT */
/* replay.c -- run a fuzz target over files or corpus directories (no
 * libFuzzer needed): make check replays every seed and finding. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feed one file to the target; 0, or 1 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc = 1;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? 2 * cap : 4096);
			if (nb == NULL) {
				goto out;
			}
			buf = nb;
			cap = cap ? 2 * cap : 4096;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (!ferror(f)) {
		/* an exact-size copy: reads past the input hit the redzone */
		uint8_t *exact = malloc(len ? len : 1);
		if (exact != NULL) {
			memcpy(exact, buf, len);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
			rc = 0;
		}
	}
out:
	free(buf);
	fclose(f);
	return rc;
}

/* Replay every regular file of dir (not recursive); count in *n. */
static int replay_dir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	int rc = 0;

	if (d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rc |= replay_file(path);
		(*n)++;
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	struct stat st;
	size_t n = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc |= replay_dir(argv[i], &n);
		} else {
			rc |= replay_file(argv[i]);
			n++;
		}
	}
	printf("replayed %zu inputs\n", n);
	return rc;
}
