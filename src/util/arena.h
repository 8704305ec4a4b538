/* SPDX-License-Identifier: MIT */
/* arena.h -- bump allocator: many allocations, one free. */
#pragma once

#include <stddef.h>

struct dz_arena;

/* New arena; chunk is the preferred block size (0: 64 KiB). NULL on OOM. */
struct dz_arena *dz_arena_new(size_t chunk);

/*
 * New arena whose blocks are mapped from the system (mmap) and unmapped
 * by dz_arena_free, whatever malloc's settings: for big temporaries,
 * above all those made on a worker thread. glibc never gives back the
 * free top of a thread's own malloc arena (malloc_trim trims only the
 * main one's), so what a worker mallocs and frees stays resident.
 * chunk is rounded up to whole pages (0: 2 MiB, backed by transparent
 * huge pages where the system allows them on request).
 */
struct dz_arena *dz_arena_new_mapped(size_t chunk);

/* Free the arena and everything allocated from it. NULL is a no-op. */
void dz_arena_free(struct dz_arena *a);

/*
 * Allocate size bytes aligned to 16, zero-filled. Returns NULL on OOM.
 * Large requests get their own block. Not for the hot path.
 */
void *dz_arena_alloc(struct dz_arena *a, size_t size);

/* The same without zero-filling. */
void *dz_arena_alloc_raw(struct dz_arena *a, size_t size);

/*
 * Forget every allocation but keep the standard-size blocks for reuse
 * (a scratch arena used once per file or per object): no malloc and no
 * page fault the next time round. Large blocks are freed.
 */
void dz_arena_reset(struct dz_arena *a);

/* Copies into the arena (NUL-terminated for strings). NULL on OOM.
 * Strings and dz_arena_bytes are not aligned: packed one after the
 * other, for byte data only (names, packed specs); memdup is aligned. */
char *dz_arena_strdup(struct dz_arena *a, const char *s);
char *dz_arena_strndup(struct dz_arena *a, const char *s, size_t n);
void *dz_arena_memdup(struct dz_arena *a, const void *p, size_t n);
void *dz_arena_bytes(struct dz_arena *a, const void *p, size_t n);

/* Bytes handed out so far (for memory statistics). */
size_t dz_arena_used(const struct dz_arena *a);
