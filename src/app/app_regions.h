/* app_regions.h — use cases on the four-level administrative divisions:
 * look-up (with ancestors), children, search by name, and CSV import.
 * Answers for look-ups are serialised once and cached per node with an ETag
 * (divisions change only by import, which bumps `regions_rev` in the
 * database; every node drops its cache within a second of seeing it). */
#ifndef BIANMIN_APP_APP_REGIONS_H
#define BIANMIN_APP_APP_REGIONS_H

#include <jansson.h>
#include <stddef.h>

#include "../core/arena.h"
#include "app.h"

/* app_region_cached — the JSON of region `code` with its ancestors, as text
 * copied into arena `a` (*json, *len) with a strong ETag (*etag, in a).
 * ERR_INVALID (field "code") for a malformed code, ERR_NOT_FOUND when absent. */
int app_region_cached(struct app *app, const char *code, struct arena *a,
                      const char **json, size_t *len, const char **etag,
                      struct err *e);
/* app_region_level — the level (1 province … 5 village) and own name of
 * region `code` (name copied into a), from the same per-node cache: for
 * checks on the request path that need no database read. Errors as
 * app_region_cached. */
int app_region_level(struct app *app, const char *code, struct arena *a,
                     int *level, const char **name, struct err *e);
/* app_region_children — {"parent":{…}, "children":[…], "count":n}; code
 * "000000000000" (or NULL) lists the provinces. Caller owns *out. */
int app_region_children(struct app *app, const char *code, json_t **out,
                        struct err *e);
/* app_region_search — names containing q (1–32 characters), optionally one
 * level (0 = any) and within a region's subtree; at most `limit` (1–200). */
int app_region_search(struct app *app, const char *q, int level,
                      const char *within, int limit, json_t **out,
                      struct err *e);

struct region_import_report {
    int files;
    long rows;      /* rows read */
    long written;   /* new or changed */
    long per_level[6];
    long placeholders; /* rows whose own code segment is all zeros, which
                          stand for their parent (东莞 441900): skipped */
};

/* app_regions_import — import the statistical-division CSV files as
 * published (provinces.csv code,name; cities.csv code,name,provinceCode;
 * areas.csv …,cityCode,…; streets.csv …,areaCode,…; villages*.csv
 * …,streetCode,…; the level is told by the header). Validates every row of
 * every file first (code digits and length, code under its parent, parent
 * present in the import or the database (a township of a city without
 * counties, such as 东莞, hangs under the city), name 1–64 characters of UTF-8
 * text, no code twice), then writes all in one transaction: all or nothing.
 * Inside that transaction the parents are checked against the database and
 * each row is compared with the stored one: new rows are inserted, changed
 * ones updated, unchanged ones not written (rep->written counts the first
 * two, so a re-import reports 0). An error names the file and physical line
 * and the reason in e->field ("FILE:LINE") and e->msg. Idempotent. */
int app_regions_import(struct app *app, const char *const *paths, int n_paths,
                       struct region_import_report *rep, struct err *e);

/* app_regions_parse_buffer — read and check the bytes of one CSV file
 * exactly as app_regions_import reads each file (header, then every row:
 * code, level, name, parent code), without the database (parents are not
 * looked up, duplicates across files not checked). `name` stands for the
 * file in messages. 0 with *rows (rows kept) and *placeholders (rows
 * standing for their parent), either may be NULL; -1 with e naming
 * "NAME:LINE". Allocates only while it runs; thread-safe. Entry point of the
 * fuzz target fuzz/fuzz_csv_regions.c. */
int app_regions_parse_buffer(const char *name, const char *data, size_t n,
                             long *rows, long *placeholders, struct err *e);

/* app_region_level_name — "省" "市" "县" "乡镇" "村社区" for 1..5. */
const char *app_region_level_name(int level);

#endif
