/* arena.h — memory that belongs to one request (or one command): many
 * allocations, freed all at once by arena_free. Like a PostgreSQL memory
 * context. Not thread-safe: one arena is used by one thread at a time.
 * Allocation failure aborts the process (a broken invariant, not bad input:
 * request sizes are bounded long before memory is). */
#ifndef BIANMIN_CORE_ARENA_H
#define BIANMIN_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* arena_alloc — n zeroed bytes, aligned for any type, valid until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* arena_total — bytes handed out so far (for limits and tests). */
size_t arena_total(const struct arena *a);

#define arena_new_obj(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define arena_new_array(a, type, n) ((type *)arena_alloc((a), sizeof(type) * (size_t)(n)))

#endif
