/* app.c — making and closing the application object. See app.h. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_calendar.h"
#include "audit.h"
#include "internal.h"

#ifndef BIANMIN_DATA_DIR
#define BIANMIN_DATA_DIR "data"
#endif

/* files_dir_of — where uploads go (app.h, app_opts.files_dir). */
static char *files_dir_of(const struct app_opts *o)
{
    const char *env = getenv("BIANMIN_FILES_DIR");
    if (o->files_dir)
        return strdup(o->files_dir);
    if (env && *env)
        return strdup(env);
    if (o->db_url && !strncmp(o->db_url, "sqlite:", 7)) {
        const char *path = o->db_url + 7;
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : 0;
        char *s = malloc(n + 8);
        if (s)
            snprintf(s, n + 8, "%.*s%sfiles", (int)n, path, slash ? "/" : "");
        return s;
    }
    return strdup("var/files");
}

struct app *app_open(const struct app_opts *o, struct err *e)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足"), NULL;
    a->data_dir = strdup(o->data_dir ? o->data_dir : BIANMIN_DATA_DIR);
    a->files_dir = files_dir_of(o);
    pthread_mutex_init(&a->cal_mu, NULL);
    pthread_rwlock_init(&a->rc_lock, NULL);
    pthread_rwlock_init(&a->gc_lock, NULL);
    pthread_mutex_init(&a->syn_mu, NULL);
    struct store_opts so = o->store;
    so.hooks = app_audit_hooks(); /* audit rows: one append per batch */
    a->store = store_open(o->db_url, &so, e);
    if (!a->store) {
        app_close(a);
        return NULL;
    }
    if (o->check_schema && store_schema_check(a->store, e)) {
        app_close(a);
        return NULL;
    }
    if (o->check_schema && app_calendar_reload(a, e)) {
        app_close(a);
        return NULL;
    }
    return a;
}

void app_close(struct app *a)
{
    if (!a)
        return;
    store_close(a->store);
    region_cache_clear(a);
    free(a->rc_slots);
    if (a->cal)
        app_cal_release(a->cal);
    pthread_mutex_destroy(&a->cal_mu);
    pthread_rwlock_destroy(&a->rc_lock);
    app_guide_cache_free(a);
    pthread_rwlock_destroy(&a->gc_lock);
    app_search_cache_free(a);
    pthread_mutex_destroy(&a->syn_mu);
    free(a->data_dir);
    free(a->files_dir);
    free(a);
}

struct store *app_store(struct app *a)
{
    return a->store;
}

const char *app_data_dir(const struct app *a)
{
    return a->data_dir;
}

int app_ready(struct app *a, struct err *e)
{
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    int64_t one;
    int rc = db_query_int(db, "SELECT 1", NULL, 0, &one, e);
    store_read_done(a->store, db);
    return rc;
}
