/* demo.c — loading the demo city. See demo.h. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "app_catalogue.h"
#include "app_proofs.h"
#include "app_regions.h"

int app_demo_load(struct app *a, struct demo_report *rep, struct err *e)
{
    memset(rep, 0, sizeof *rep);
    static const char *const k_files[] = {"provinces.csv", "cities.csv",
                                          "areas.csv", "streets.csv",
                                          "villages.csv"};
    char paths[5][1024];
    const char *ptrs[5];
    for (int i = 0; i < 5; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/demo/regions/%s",
                 app_data_dir(a), k_files[i]);
        ptrs[i] = paths[i];
    }
    struct region_import_report rr;
    if (app_regions_import(a, ptrs, 5, &rr, e))
        return -1;
    rep->regions = rr.rows;
    if (app_demo_orgs(a, &rep->orgs, &rep->halls, &rep->windows, e))
        return -1;
    if (app_demo_users(a, &rep->users, e))
        return -1;
    /* The proof registry first: the catalogue's proofs must be listed. */
    if (app_demo_proofs(a, &rep->proofs, &rep->datasets, &rep->licences, e))
        return -1;
    return app_demo_catalogue(a, &rep->items, e);
}
