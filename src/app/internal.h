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
    atomic_int refs;
    char rev[32]; /* the database's calendar_rev it was built from */
};

struct rc_slot {
    char code[13];
    char *json;    /* malloc'd */
    size_t len;
    char etag[24];
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

    pthread_mutex_t syn_mu; /* guards syn (app_search.c) */
    struct syn_dict *syn;   /* the synonym dictionary; refcounted */
    atomic_llong syn_checked_ms;
};

void region_cache_clear(struct app *a);
/* app_search_cache_free — drop the synonym dictionary (app_close). */
void app_search_cache_free(struct app *a);
/* app_cal_acquire — the current calendar (refreshed if the database's
 * calendar_rev moved); release with app_cal_release. */
struct app_cal *app_cal_acquire(struct app *a, struct err *e);
void app_cal_release(struct app_cal *c);

#endif
