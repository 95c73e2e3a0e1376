/* regions.h — SQL for administrative divisions (table `regions`). Called by
 * app/ only. Rows are returned through callbacks so callers choose where the
 * data lives. Errors as in db.h. */
#ifndef BIANMIN_STORE_REGIONS_H
#define BIANMIN_STORE_REGIONS_H

#include <stdint.h>

#include "db.h"

struct region_row {
    const char *code;   /* 12 digits */
    const char *name;
    int level;          /* 1 province … 5 village */
    const char *parent; /* NULL for a province */
};

/* Borrowed strings: valid only during the callback. Return nonzero to stop. */
typedef int (*region_cb)(void *ctx, const struct region_row *row);

/* store_region_get — one region; ERR_NOT_FOUND when absent. */
int store_region_get(struct db *db, const char *code, region_cb cb, void *ctx,
                     struct err *e);
int store_region_children(struct db *db, const char *parent, region_cb cb,
                          void *ctx, struct err *e);
/* store_region_top — the provinces. */
int store_region_top(struct db *db, region_cb cb, void *ctx, struct err *e);
/* store_region_search — names containing `needle` (plain text; LIKE
 * wildcards in it are escaped here), optionally only `level` (0 = any) and
 * only codes starting with `within_prefix` (NULL = anywhere); by code. */
int store_region_search(struct db *db, const char *needle, int level,
                        const char *within_prefix, int limit, region_cb cb,
                        void *ctx, struct err *e);
/* store_region_exists — 1 / 0, or -1 on error. */
int store_region_exists(struct db *db, const char *code, struct err *e);
/* store_region_upsert — insert or update n rows (any n); *written gets the
 * rows that were new or changed. */
int store_region_upsert(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, int64_t *written, struct err *e);
/* store_region_insert — plain INSERT of n new rows (any n; a row already
 * present is ERR_CONFLICT); in code order they fill the B-tree by appending.
 * store_region_update — rewrite name, level and parent of n existing rows
 * by code. Both for the import, which decides beforehand which is which. */
int store_region_insert(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, struct err *e);
int store_region_update(struct db *db, const struct region_row *rows, int n,
                        int64_t now_ms, struct err *e);
int store_region_count(struct db *db, int64_t *n, struct err *e);
/* store_region_scan — every row of levels lo..hi, in no particular order
 * (one pass over the table: the import's parents and its comparison). */
int store_region_scan(struct db *db, int lo, int hi, region_cb cb, void *ctx,
                      struct err *e);

/* For the SQLite import of many new rows into a small table (app_regions.c):
 * inserting between existing codes costs a search from the root for every
 * row, appending in code order does not, so the import may empty the table
 * and write every row again in code order, all inside its own transaction.
 * store_region_scan_all — every row in code order, with its updated_at.
 * store_region_clear — delete every row (only with foreign keys off: the
 * caller writes every code back before it commits).
 * store_region_insert_at — store_region_insert with each row's own
 * updated_at (at[i], Unix ms). */
typedef int (*region_at_cb)(void *ctx, const struct region_row *row,
                            int64_t updated_at);
int store_region_scan_all(struct db *db, region_at_cb cb, void *ctx,
                          struct err *e);
int store_region_clear(struct db *db, struct err *e);
int store_region_insert_at(struct db *db, const struct region_row *rows,
                           const int64_t *at, int n, struct err *e);

/* The meta table: revision counters that tell every node to drop a cache. */
int store_meta_get(struct db *db, const char *key, char *out, size_t n,
                   struct err *e); /* "" when absent */
int store_meta_set(struct db *db, const char *key, const char *value,
                   struct err *e);

#endif
