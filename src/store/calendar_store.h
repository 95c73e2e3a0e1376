/* calendar_store.h — SQL for imported calendar years (tables calendar_years,
 * calendar_days). Shipped years live in the binary, not here. */
#ifndef BIANMIN_STORE_CALENDAR_STORE_H
#define BIANMIN_STORE_CALENDAR_STORE_H

#include "db.h"

struct cal_row {
    int year;         /* the notice's year */
    const char *day;  /* YYYY-MM-DD */
    int off;          /* 1 rest day, 0 make-up working day */
    const char *name;
};

/* Borrowed strings: valid only during the callback. */
typedef int (*cal_row_cb)(void *ctx, const struct cal_row *row);
typedef int (*cal_year_cb)(void *ctx, int year);

/* store_cal_years — every imported year (even one with no listed day). */
int store_cal_years(struct db *db, cal_year_cb cb, void *ctx, struct err *e);
/* store_cal_days — every imported day, ordered by year and day. */
int store_cal_days(struct db *db, cal_row_cb cb, void *ctx, struct err *e);
/* store_cal_replace_year — delete `year`'s rows and insert these. */
int store_cal_replace_year(struct db *db, int year, const char *source,
                           const struct cal_row *rows, int n, int64_t now_ms,
                           struct err *e);

#endif
