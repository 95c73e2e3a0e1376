/* calendar_store.c — SQL for imported calendar years. See calendar_store.h. */
#include "calendar_store.h"

static const char SQL_YEARS[] = "SELECT year FROM calendar_years ORDER BY year";
static const char SQL_DAYS[] =
    "SELECT year, day, off, name FROM calendar_days ORDER BY year, day";
static const char SQL_DEL_DAYS[] = "DELETE FROM calendar_days WHERE year = $1";
static const char SQL_UPSERT_YEAR[] =
    "INSERT INTO calendar_years (year, source, imported_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (year) DO UPDATE SET source = excluded.source, "
    "imported_at = excluded.imported_at";
static const char SQL_INS_DAY[] =
    "INSERT INTO calendar_days (year, day, off, name) VALUES ($1, $2, $3, $4)";

int store_cal_years(struct db *db, cal_year_cb cb, void *ctx, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_YEARS, NULL, 0, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1)
        if (cb(ctx, (int)db_int(r, 0)))
            break;
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_cal_days(struct db *db, cal_row_cb cb, void *ctx, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_DAYS, NULL, 0, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct cal_row row = {.year = (int)db_int(r, 0),
                              .day = db_text(r, 1),
                              .off = (int)db_int(r, 2),
                              .name = db_text(r, 3)};
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_cal_replace_year(struct db *db, int year, const char *source,
                           const struct cal_row *rows, int n, int64_t now_ms,
                           struct err *e)
{
    struct db_param y[] = {DBP_INT(year)};
    struct db_param yr[] = {DBP_INT(year), DBP_TEXT(source), DBP_INT(now_ms)};
    if (db_exec(db, SQL_UPSERT_YEAR, yr, 3, NULL, e) ||
        db_exec(db, SQL_DEL_DAYS, y, 1, NULL, e))
        return -1;
    for (int i = 0; i < n; i++) {
        struct db_param p[] = {DBP_INT(year), DBP_TEXT(rows[i].day),
                               DBP_INT(rows[i].off), DBP_TEXT(rows[i].name)};
        if (db_exec(db, SQL_INS_DAY, p, 4, NULL, e))
            return -1;
    }
    return 0;
}
