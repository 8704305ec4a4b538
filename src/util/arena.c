/* SPDX-License-Identifier: MIT */
/* arena.c -- bump allocator over a list of blocks, freed in one call. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/arena.h"

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (64 * 1024)
#define ARENA_HUGE (2 * 1024 * 1024) /* a transparent huge page */

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct dz_arena {
	struct arena_block *head; /* current block first */
	struct arena_block *spare; /* emptied by dz_arena_reset */
	size_t chunk; /* usable bytes of a standard block */
	size_t used;
	bool mapped;  /* blocks from mmap, not malloc */
};

struct dz_arena *dz_arena_new(size_t chunk)
{
	struct dz_arena *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		return NULL;
	}
	a->chunk = chunk ? chunk : ARENA_DEFAULT_CHUNK;
	return a;
}

/* Whole pages for a block of size usable bytes (0 on overflow). */
static size_t map_len(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = (sizeof(struct arena_block) + size + page - 1) &
		     ~(page - 1);

	return len < size ? 0 : len;
}

struct dz_arena *dz_arena_new_mapped(size_t chunk)
{
	struct dz_arena *a = dz_arena_new(0);
	size_t len = map_len(chunk ? chunk :
			     ARENA_HUGE - sizeof(struct arena_block));

	if (a == NULL || len == 0) {
		free(a);
		return NULL;
	}
	a->mapped = true;
	a->chunk = len - sizeof(struct arena_block);
	return a;
}

/*
 * len bytes of fresh zero pages. Multiples of a huge page are aligned
 * to one (map more, unmap the ends) and asked to be backed by huge
 * pages: one page fault instead of 512.
 */
static void *map_block(size_t len)
{
	size_t extra = len % ARENA_HUGE == 0 ? ARENA_HUGE : 0;
	uint8_t *p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		return NULL;
	}
	if (extra > 0) {
		size_t head = -(uintptr_t)p & (ARENA_HUGE - 1);
		if (head > 0) {
			munmap(p, head);
		}
		munmap(p + head + len, extra - head);
		p += head;
#ifdef MADV_HUGEPAGE
		madvise(p, len, MADV_HUGEPAGE);
#endif
	}
	return p;
}

static void block_free(const struct dz_arena *a, struct arena_block *b)
{
	if (a->mapped) {
		munmap(b, sizeof(*b) + b->size);
	} else {
		free(b);
	}
}

static void blocks_free(const struct dz_arena *a, struct arena_block *b)
{
	while (b != NULL) {
		struct arena_block *next = b->next;
		block_free(a, b);
		b = next;
	}
}

void dz_arena_free(struct dz_arena *a)
{
	if (a == NULL) {
		return;
	}
	blocks_free(a, a->head);
	blocks_free(a, a->spare);
	free(a);
}

void dz_arena_reset(struct dz_arena *a)
{
	struct arena_block *b = a->head;

	while (b != NULL) {
		struct arena_block *next = b->next;
		if (b->size == a->chunk) {
			b->used = 0;
			b->next = a->spare;
			a->spare = b;
		} else {
			block_free(a, b);
		}
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

static struct arena_block *arena_block_new(const struct dz_arena *a,
					   size_t size)
{
	struct arena_block *b;
	size_t len = a->mapped ? map_len(size) : sizeof(*b) + size;

	if (len < size) {
		return NULL;
	}
	b = a->mapped ? map_block(len) : malloc(len);
	if (b == NULL) {
		return NULL;
	}
	if (a->mapped) {
		size = len - sizeof(*b); /* the whole of its pages */
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* Room for size bytes, not cleared. */
/*
 * size bytes from a's current block: at a 16-byte boundary and rounded
 * up to 16 when aligned, else packed byte after byte (strings, names,
 * packed specs: a million of them would waste 7.5 bytes each).
 */
static void *arena_take_al(struct dz_arena *a, size_t size, bool aligned)
{
	size_t need = aligned ? (size + ARENA_ALIGN - 1) &
				~(size_t)(ARENA_ALIGN - 1) : size;
	struct arena_block *b = a->head;
	size_t at = 0;

	if (need < size) {
		return NULL; /* overflow */
	}
	if (need == 0) {
		need = aligned ? ARENA_ALIGN : 1;
	}
	if (b != NULL) {
		at = aligned ? (b->used + ARENA_ALIGN - 1) &
			       ~(size_t)(ARENA_ALIGN - 1) : b->used;
	}
	if (b == NULL || at > b->size || b->size - at < need) {
		if (need > a->chunk / 4) {
			/* Big request: its own block, behind the current one
			 * so the current block keeps filling. */
			struct arena_block *big = arena_block_new(a, need);
			if (big == NULL) {
				return NULL;
			}
			big->used = need;
			if (b != NULL) {
				big->next = b->next;
				b->next = big;
			} else {
				a->head = big;
			}
			a->used += need;
			return big->data;
		}
		if (a->spare != NULL) {
			b = a->spare;
			a->spare = b->next;
		} else if ((b = arena_block_new(a, a->chunk)) == NULL) {
			return NULL;
		}
		b->next = a->head;
		a->head = b;
		at = 0;
	}
	void *p = b->data + at;
	a->used += at + need - b->used;
	b->used = at + need;
	return p;
}

static void *arena_take(struct dz_arena *a, size_t size)
{
	return arena_take_al(a, size, true);
}

void *dz_arena_alloc(struct dz_arena *a, size_t size)
{
	void *p = arena_take(a, size);

	if (p != NULL) {
		memset(p, 0, size);
	}
	return p;
}

void *dz_arena_alloc_raw(struct dz_arena *a, size_t size)
{
	return arena_take(a, size);
}

void *dz_arena_memdup(struct dz_arena *a, const void *p, size_t n)
{
	void *q = arena_take(a, n);

	if (q != NULL && n > 0) {
		memcpy(q, p, n);
	}
	return q;
}

void *dz_arena_bytes(struct dz_arena *a, const void *p, size_t n)
{
	void *q = arena_take_al(a, n, false);

	if (q != NULL && n > 0) {
		memcpy(q, p, n);
	}
	return q;
}

char *dz_arena_strndup(struct dz_arena *a, const char *s, size_t n)
{
	char *q = arena_take_al(a, n + 1, false);

	if (q != NULL) {
		memcpy(q, s, n);
		q[n] = '\0';
	}
	return q;
}

char *dz_arena_strdup(struct dz_arena *a, const char *s)
{
	return dz_arena_strndup(a, s, strlen(s));
}

size_t dz_arena_used(const struct dz_arena *a)
{
	return a->used;
}
