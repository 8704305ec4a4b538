/* SPDX-License-Identifier: MIT */
/* arena.c -- bump allocator over a list of blocks, freed in one call. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct dz_arena {
	struct arena_block *head; /* current block first */
	struct arena_block *spare; /* emptied by dz_arena_reset */
	size_t chunk;
	size_t used;
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

static void blocks_free(struct arena_block *b)
{
	while (b != NULL) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
}

void dz_arena_free(struct dz_arena *a)
{
	if (a == NULL) {
		return;
	}
	blocks_free(a->head);
	blocks_free(a->spare);
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
			free(b);
		}
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

static struct arena_block *arena_block_new(size_t size)
{
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (b == NULL) {
		return NULL;
	}
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

/* Room for size bytes, not cleared. */
static void *arena_take(struct dz_arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	struct arena_block *b = a->head;

	if (need < size) {
		return NULL; /* overflow */
	}
	if (need == 0) {
		need = ARENA_ALIGN;
	}
	if (b == NULL || b->size - b->used < need) {
		if (need > a->chunk / 4) {
			/* Big request: its own block, behind the current one
			 * so the current block keeps filling. */
			struct arena_block *big = arena_block_new(need);
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
		} else if ((b = arena_block_new(a->chunk)) == NULL) {
			return NULL;
		}
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->used += need;
	return p;
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

char *dz_arena_strndup(struct dz_arena *a, const char *s, size_t n)
{
	char *q = arena_take(a, n + 1);

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
