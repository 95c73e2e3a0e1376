/* demo.h — the demo data that `bianmin init --demo` (and so `make run`)
 * loads: the administrative divisions of 六安市 (Lu'an, 3415: 7 counties,
 * 146 townships, 1,970 villages) from data/demo/regions, a service centre at
 * each level with halls, windows and departments, one account per role,
 * the demo proofs, data sets and licences (data/demo/proofs.json,
 * app_demo_proofs; loaded first, so that the catalogue's proofs are listed)
 * and the demo catalogue (data/demo/catalogue.json, app_demo_catalogue).
 * Loading twice changes nothing. */
#ifndef BIANMIN_APP_DEMO_H
#define BIANMIN_APP_DEMO_H

#include "app.h"

struct demo_report {
    long regions;
    int orgs, halls, windows, users;
    int items; /* implementation items (data/demo/catalogue.json) */
    int proofs, datasets, licences; /* data/demo/proofs.json */
};

int app_demo_load(struct app *a, struct demo_report *rep, struct err *e);

/* Parts, each idempotent (app_orgs.c, accounts.c). Counts what exists after. */
int app_demo_orgs(struct app *a, int *orgs, int *halls, int *windows,
                  struct err *e);
int app_demo_users(struct app *a, int *users, struct err *e);

#endif
