/* arena.h — the engine's memory: one region handed in at create, carved by a first-fit
 * allocator with coalescing free (Knuth's boundary-walk, TAOCP 2.5). Only setup paths allocate
 * (sample upload, IR preparation); process never touches it, so memory never grows while audio
 * runs. Blocks are 16-byte aligned for SIMD loads.
 */
#ifndef KWR_ARENA_H
#define KWR_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "dsp_math.h"

typedef struct {
    uint8_t *base;
    size_t size;
    size_t used; /* bytes in allocated blocks, headers included */
} arena;

void arena_init(arena *a, void *base, size_t size);
/* Returns NULL when no free block is large enough; never grows the region. */
void *arena_alloc(arena *a, size_t bytes);
/* Zero-filled variant. */
void *arena_calloc(arena *a, size_t bytes);
/* NULL is ignored; freeing a pointer not from this arena is a programming error and is ignored. */
void arena_free(arena *a, void *p);
size_t arena_largest_free(const arena *a);


#endif
