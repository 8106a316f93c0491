/* arena.c — first-fit allocator over a fixed region, see arena.h. */
#include "arena.h"

#define ARENA_ALIGN 16u
#define HEADER_SIZE 16u

typedef struct {
    uint32_t size; /* whole block in bytes, header included, multiple of ARENA_ALIGN */
    uint32_t used;
    uint32_t magic;
    uint32_t pad;
} block_header;

#define ARENA_MAGIC 0x4b575241u



static block_header *first_block(const arena *a) { return (block_header *)a->base; }
static block_header *next_block(const arena *a, block_header *b) {
    uint8_t *n = (uint8_t *)b + b->size;
    return n < a->base + a->size ? (block_header *)n : 0;
}

void arena_init(arena *a, void *base, size_t size) {
    uintptr_t start = ((uintptr_t)base + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
    size -= start - (uintptr_t)base;
    size &= ~(size_t)(ARENA_ALIGN - 1);
    a->base = (uint8_t *)start;
    a->size = size;
    a->used = 0;
    block_header *b = first_block(a);
    b->size = (uint32_t)size;
    b->used = 0;
    b->magic = ARENA_MAGIC;
}

void *arena_alloc(arena *a, size_t bytes) {
    if (bytes == 0 || bytes > 0x7fffffffu) return 0;
    uint32_t need = (uint32_t)((bytes + HEADER_SIZE + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
    for (block_header *b = first_block(a); b; b = next_block(a, b)) {
        if (b->used) continue;
        /* merge following free blocks lazily */
        block_header *n = next_block(a, b);
        while (n && !n->used) {
            b->size += n->size;
            n = next_block(a, b);
        }
        if (b->size < need) continue;
        if (b->size - need >= HEADER_SIZE + ARENA_ALIGN) {
            block_header *rest = (block_header *)((uint8_t *)b + need);
            rest->size = b->size - need;
            rest->used = 0;
            rest->magic = ARENA_MAGIC;
            b->size = need;
        }
        b->used = 1;
        a->used += b->size;
        return (uint8_t *)b + HEADER_SIZE;
    }
    return 0;
}

void *arena_calloc(arena *a, size_t bytes) {
    void *p = arena_alloc(a, bytes);
    if (p) kwr_memset(p, 0, bytes);
    return p;
}

void arena_free(arena *a, void *p) {
    if (!p) return;
    uint8_t *q = (uint8_t *)p;
    if (q < a->base + HEADER_SIZE || q >= a->base + a->size) return;
    block_header *b = (block_header *)(q - HEADER_SIZE);
    if (b->magic != ARENA_MAGIC || !b->used) return;
    b->used = 0;
    a->used -= b->size;
}

size_t arena_largest_free(const arena *a) {
    size_t best = 0, run = 0;
    for (block_header *b = first_block(a); b; b = next_block(a, b)) {
        if (b->used) {
            run = 0;
        } else {
            run += b->size;
            if (run > best) best = run;
        }
    }
    return best > HEADER_SIZE ? best - HEADER_SIZE : 0;
}
