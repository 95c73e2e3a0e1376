/* app.h — bianmin's use cases: one function per thing a person does. The
 * app is the only layer that combines core rules and the store; http/, web/
 * and cli/ call it and never the store's domain functions directly. It owns
 * transactions (a write is a store unit, see store.h) and permissions
 * (auth.h). The use cases of each area are declared in their own headers:
 * app_regions.h, app_orgs.h, app_calendar.h.
 *
 * struct app is made once at start-up and shared by every thread; the parts
 * that change at run time (the calendar, the region cache) are swapped or
 * locked inside, never exposed. */
#ifndef BIANMIN_APP_APP_H
#define BIANMIN_APP_APP_H

#include "../core/err.h"
#include "../store/store.h"
#include "auth.h"

struct app;

struct app_opts {
    const char *db_url;
    const char *data_dir; /* for demo data; NULL = the built-in default */
    const char *files_dir; /* uploaded files; NULL = $BIANMIN_FILES_DIR, else
                            * "files" beside a SQLite database, else
                            * var/files */
    int check_schema;     /* 1: refuse a database not at the latest schema */
    struct store_opts store;
};

struct app *app_open(const struct app_opts *o, struct err *e);
void app_close(struct app *a);
struct store *app_store(struct app *a);
const char *app_data_dir(const struct app *a);

/* app_ready — 0 when the database answers a trivial read. */
int app_ready(struct app *a, struct err *e);

#endif
