/* embedded.h — data files compiled into the binary by cmake/embed.cmake:
 * data/holidays/YYYY.json (the shipped working-day calendar) and
 * docs/openapi.yaml. Immutable, thread-safe. */
#ifndef BIANMIN_APP_EMBEDDED_H
#define BIANMIN_APP_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
    const char *path; /* relative to the source root, e.g. "docs/openapi.yaml" */
    const char *data; /* NUL-terminated; size excludes the NUL */
    size_t size;
};
/* Ended by an entry whose path is NULL. */
extern const struct embedded_file embedded_files[];

/* embedded_find — the file at `path`, or NULL. */
const struct embedded_file *embedded_find(const char *path);
#endif
