/* internal.h — the inside of struct app, shared by the files of app/ only. */
#ifndef BIANMIN_APP_INTERNAL_H
#define BIANMIN_APP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../core/calendar.h"
#include "app.h"

/* A calendar shared by readers: reference counted, swapped on import. */
struct app_cal {
    struct cal *cal;
    /* cal plus every year it does not know, up to APP_CAL_PROVISIONAL_YEARS
     * past the later of its last year and this year, counted Mon–Fri
     * (cal_provisional): case clocks (core/deadline.h). */
    struct cal *pcal;
    atomic_int refs;
    char rev[32]; /* the database's calendar_rev it was built from */
};

struct rc_slot {
    char code[13];
    char *json;    /* malloc'd */
    size_t len;
    char etag[24];
    int level;  /* 1–5 */
    char *name; /* malloc'd; the region's own name */
};

struct app {
    struct store *store;
    char *data_dir;
    char *files_dir; /* uploads, content-addressed (app_cases.c) */

    pthread_mutex_t cal_mu; /* guards cal and cal_checked_ms */
    struct app_cal *cal;
    int64_t cal_checked_ms;

    pthread_rwlock_t rc_lock; /* region cache */
    struct rc_slot *rc_slots;
    size_t rc_cap, rc_used;
    char rc_rev[32];
    atomic_llong rc_checked_ms;

    /* Parsed guides of published item versions (immutable: docs/
     * catalogue.md), by (item, version), for the case use cases
     * (app_cases.c); never evicted, at most APP_GUIDE_CACHE_MAX. */
    pthread_rwlock_t gc_lock;
    struct guide_slot *gc_slots; /* open addressing, APP_GUIDE_CACHE_SLOTS */
    size_t gc_used;

    pthread_mutex_t syn_mu; /* guards syn (app_search.c) */
    struct syn_dict *syn;   /* the synonym dictionary; refcounted */
    atomic_llong syn_checked_ms;
};

void region_cache_clear(struct app *a);
/* app_guide_cache_free — drop the parsed guides (app_close). */
void app_guide_cache_free(struct app *a);
/* app_search_cache_free — drop the synonym dictionary (app_close). */
void app_search_cache_free(struct app *a);
/* app_cal_acquire — the current calendar (refreshed if the database's
 * calendar_rev moved); release with app_cal_release. */
struct app_cal *app_cal_acquire(struct app *a, struct err *e);
void app_cal_release(struct app_cal *c);
/* app_cal_build_on — a calendar built from the shipped years and the
 * imported years as `db` (a write unit's connection) sees them, not shared
 * (refs 1; app_cal_release). For a unit that must count with what it is
 * about to commit. */
int app_cal_build_on(struct db *db, struct app_cal **out, struct err *e);

#endif
