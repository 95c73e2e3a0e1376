/* app_calendar.c — building the shared calendar from shipped and imported
 * years, and the calendar use cases. See app_calendar.h. */
#include "app_calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store/calendar_store.h"
#include "../store/regions.h"
#include "app_cases.h"
#include "audit.h"
#include "embedded.h"
#include "internal.h"

#define REV_CHECK_MS 1000
#define APP_CAL_PROVISIONAL_YEARS 10

struct cal_import {
    int year;
    int n;
    char source[128];
    struct cal_day days[CAL_YEAR_DAYS_MAX];
    int has_by;      /* 0: the command line */
    struct actor by; /* who imports, for the audit row */
    int recomputed;  /* open cases whose provisional due dates changed */
};

void app_calendar_import_by(struct cal_import *ci, const struct actor *by)
{
    ci->has_by = by != NULL;
    if (by)
        ci->by = *by;
}

int app_calendar_import_year(const struct cal_import *ci)
{
    return ci->year;
}
int app_calendar_import_days(const struct cal_import *ci)
{
    return ci->n;
}
int app_calendar_import_recomputed(const struct cal_import *ci)
{
    return ci->recomputed;
}
void app_calendar_import_free(struct cal_import *ci)
{
    free(ci);
}

struct cal_import *app_calendar_parse(const json_t *doc, int want_year,
                                      const char *source, struct err *e)
{
    if (!json_is_object(doc))
        return err_set(e, ERR_INVALID, "", "节假日文件应为 JSON 对象"), NULL;
    json_t *jy = json_object_get(doc, "year");
    if (!json_is_integer(jy) || json_integer_value(jy) < 2000 ||
        json_integer_value(jy) > 2200)
        return err_set(e, ERR_INVALID, "/year",
                       "year 应为 2000 到 2200 之间的整数"),
               NULL;
    int year = (int)json_integer_value(jy);
    if (want_year && year != want_year)
        return err_set(e, ERR_INVALID, "/year",
                       "文件中的年份 %d 与地址中的 %d 不一致", year,
                       want_year),
               NULL;
    json_t *jd = json_object_get(doc, "days");
    if (!json_is_array(jd))
        return err_set(e, ERR_INVALID, "/days", "days 应为列表"), NULL;
    if (json_array_size(jd) > CAL_YEAR_DAYS_MAX)
        return err_set(e, ERR_TOO_LARGE, "/days", "days 超过 %d 项",
                       CAL_YEAR_DAYS_MAX),
               NULL;
    struct cal_import *ci = calloc(1, sizeof *ci);
    if (!ci)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足"), NULL;
    ci->year = year;
    snprintf(ci->source, sizeof ci->source, "%s", source ? source : "import");
    size_t i;
    json_t *x;
    json_array_foreach(jd, i, x)
    {
        char field[48];
        struct cal_day *d = &ci->days[i];
        if (!json_is_object(x)) {
            snprintf(field, sizeof field, "/days/%zu", i);
            err_set(e, ERR_INVALID, field, "每一天应为对象");
            goto bad;
        }
        snprintf(field, sizeof field, "/days/%zu/date", i);
        json_t *date = json_object_get(x, "date");
        if (!json_is_string(date)) {
            err_set(e, ERR_INVALID, field, "date 应为 YYYY-MM-DD 字符串");
            goto bad;
        }
        if (cal_date_parse(json_string_value(date), &d->date, field, e))
            goto bad;
        snprintf(field, sizeof field, "/days/%zu/isOffDay", i);
        json_t *off = json_object_get(x, "isOffDay");
        if (!json_is_boolean(off)) {
            err_set(e, ERR_INVALID, field, "isOffDay 应为 true 或 false");
            goto bad;
        }
        d->kind = json_is_true(off) ? CAL_OFF : CAL_WORK;
        snprintf(field, sizeof field, "/days/%zu/name", i);
        json_t *name = json_object_get(x, "name");
        if (!json_is_string(name) ||
            json_string_length(name) >= sizeof d->name) {
            err_set(e, ERR_INVALID, field, "name 应为不超过 15 个汉字的字符串");
            goto bad;
        }
        snprintf(d->name, sizeof d->name, "%s", json_string_value(name));
        ci->n++;
    }
    /* The calendar's own rules decide the rest (dates in the year or the
     * previous December, no duplicates, names). */
    struct cal *probe = cal_new();
    if (!probe) {
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
        goto bad;
    }
    int rc = cal_set_year(probe, year, ci->days, ci->n, e);
    cal_free(probe);
    if (rc)
        goto bad;
    return ci;
bad:
    free(ci);
    return NULL;
}

/* ---- the shared calendar ---------------------------------------------- */

void app_cal_release(struct app_cal *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
        cal_free(c->cal);
        cal_free(c->pcal);
        free(c);
    }
}

static int load_shipped(struct cal *cal, struct err *e)
{
    static const char k_prefix[] = "data/holidays/";
    for (const struct embedded_file *f = embedded_files; f->path; f++) {
        if (strncmp(f->path, k_prefix, sizeof k_prefix - 1) != 0)
            continue;
        json_error_t je;
        json_t *doc = json_loadb(f->data, f->size, 0, &je);
        if (!doc)
            return err_set(e, ERR_INTERNAL, NULL, "内置节假日文件 %s 损坏",
                           f->path);
        struct cal_import *ci = app_calendar_parse(doc, 0, f->path, e);
        json_decref(doc);
        if (!ci)
            return err_log(e, " (%s)", f->path);
        int rc = cal_set_year(cal, ci->year, ci->days, ci->n, e);
        free(ci);
        if (rc)
            return -1;
    }
    return 0;
}

struct overlay {
    struct cal *cal;
    struct cal_import *cur;
    struct err *e;
    int failed;
};

static int flush_overlay(struct overlay *o)
{
    if (!o->cur || !o->cur->year)
        return 0;
    int rc = cal_set_year(o->cal, o->cur->year, o->cur->days, o->cur->n, o->e);
    o->cur->n = 0;
    o->cur->year = 0;
    return rc;
}

static int overlay_day(void *ctx, const struct cal_row *row)
{
    struct overlay *o = ctx;
    if (o->cur->year != row->year) {
        if (o->cur->year && flush_overlay(o)) {
            o->failed = 1;
            return 1;
        }
        o->cur->year = row->year;
    }
    if (o->cur->n >= CAL_YEAR_DAYS_MAX)
        return 0;
    struct cal_day *d = &o->cur->days[o->cur->n];
    if (cal_date_parse(row->day, &d->date, "day", o->e)) {
        o->failed = 1;
        return 1;
    }
    d->kind = row->off ? CAL_OFF : CAL_WORK;
    snprintf(d->name, sizeof d->name, "%s", row->name);
    o->cur->n++;
    return 0;
}

/* A year imported with no listed day at all (possible in principle). */
static int overlay_year(void *ctx, int year)
{
    struct overlay *o = ctx;
    if (cal_set_year(o->cal, year, NULL, 0, o->e)) {
        o->failed = 1;
        return 1;
    }
    return 0;
}

int app_cal_build_on(struct db *db, struct app_cal **out, struct err *e)
{
    struct app_cal *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    atomic_init(&c->refs, 1);
    c->cal = cal_new();
    struct overlay o = {.cal = c->cal, .e = e};
    o.cur = calloc(1, sizeof *o.cur);
    if (!c->cal || !o.cur || load_shipped(c->cal, e))
        goto fail;
    /* Imported years replace shipped ones: first clear each to "no listed
     * day", then set the listed days. */
    if (store_meta_get(db, "calendar_rev", c->rev, sizeof c->rev, e) ||
        store_cal_years(db, overlay_year, &o, e) || o.failed ||
        store_cal_days(db, overlay_day, &o, e) || o.failed ||
        flush_overlay(&o))
        goto fail;
    /* Case clocks count the years not yet known Mon–Fri, flagged. */
    int through = cal_last_year(c->cal);
    int now_year = cal_date_of_instant(store_now_ms()).y;
    if (through < now_year)
        through = now_year;
    through += APP_CAL_PROVISIONAL_YEARS;
    c->pcal = cal_provisional(
        c->cal, 0, through > CAL_YEAR_MAX ? CAL_YEAR_MAX : through, e);
    if (!c->pcal)
        goto fail;
    free(o.cur);
    *out = c;
    return 0;
fail:
    free(o.cur);
    app_cal_release(c);
    if (e->code == ERR_OK)
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
    return -1;
}

static int build(struct app *a, struct app_cal **out, struct err *e)
{
    struct db *db = store_read(a->store, e);
    if (!db)
        return -1;
    int rc = app_cal_build_on(db, out, e);
    store_read_done(a->store, db);
    return rc;
}

int app_calendar_reload(struct app *a, struct err *e)
{
    struct app_cal *fresh;
    if (build(a, &fresh, e))
        return -1;
    pthread_mutex_lock(&a->cal_mu);
    struct app_cal *old = a->cal;
    a->cal = fresh;
    a->cal_checked_ms = store_now_ms();
    pthread_mutex_unlock(&a->cal_mu);
    app_cal_release(old);
    return 0;
}

struct app_cal *app_cal_acquire(struct app *a, struct err *e)
{
    int64_t now = store_now_ms();
    int stale = 0;
    pthread_mutex_lock(&a->cal_mu);
    if (!a->cal || now - a->cal_checked_ms >= REV_CHECK_MS) {
        a->cal_checked_ms = now;
        stale = 1;
    }
    char rev[32] = "";
    if (a->cal)
        snprintf(rev, sizeof rev, "%s", a->cal->rev);
    pthread_mutex_unlock(&a->cal_mu);
    if (stale) {
        struct err e2 = {0};
        char now_rev[32] = "";
        struct db *db = store_read(a->store, &e2);
        int rc = db ? store_meta_get(db, "calendar_rev", now_rev,
                                     sizeof now_rev, &e2)
                    : -1;
        store_read_done(a->store, db);
        if (rc == 0 && (strcmp(now_rev, rev) != 0 || !rev[0]))
            if (app_calendar_reload(a, e) && !a->cal)
                return NULL;
    }
    pthread_mutex_lock(&a->cal_mu);
    struct app_cal *c = a->cal;
    if (c)
        atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&a->cal_mu);
    if (!c)
        err_set(e, ERR_UNAVAILABLE, NULL, "工作日历尚未加载");
    return c;
}

/* ---- use cases -------------------------------------------------------- */

int app_calendar_year(struct app *a, int year, json_t **out, struct err *e)
{
    struct app_cal *c = app_cal_acquire(a, e);
    if (!c)
        return -1;
    struct cal_day *days = calloc(CAL_YEAR_DAYS_MAX * 2, sizeof *days);
    int n = days ? cal_year_days(c->cal, year, days, CAL_YEAR_DAYS_MAX * 2, e)
                 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
    if (n < 0) {
        free(days);
        app_cal_release(c);
        if (e->code == ERR_INVALID)
            err_set(e, ERR_INVALID, "year", "%d 年的节假日安排尚未导入",
                    year);
        return -1;
    }
    json_t *arr = json_array();
    int off = 0, work = 0;
    for (int i = 0; i < n; i++) {
        char d[11];
        cal_date_format(days[i].date, d);
        int is_off = days[i].kind == CAL_OFF;
        off += is_off;
        work += !is_off;
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s}", "date", d,
                                             "name", days[i].name, "off",
                                             is_off, "kind",
                                             is_off ? "holiday" : "workday"));
    }
    free(days);
    app_cal_release(c);
    *out = json_pack("{s:i, s:i, s:i, s:o}", "year", year, "off_days", off,
                     "makeup_workdays", work, "days", arr);
    return 0;
}

int app_calendar_due(struct app *a, const char *from, long workdays,
                     json_t **out, struct err *e)
{
    struct cal_date d, due;
    if (!from || !*from)
        return err_set(e, ERR_INVALID, "from", "缺少 from（YYYY-MM-DD）");
    if (cal_date_parse(from, &d, "from", e))
        return -1;
    if (workdays < 0 || workdays > 3650)
        return err_set(e, ERR_INVALID, "workdays",
                       "workdays 应为 0 到 3650 之间的整数");
    struct app_cal *c = app_cal_acquire(a, e);
    if (!c)
        return -1;
    int rc = cal_add_workdays(c->cal, d, (int)workdays, &due, e);
    app_cal_release(c);
    if (rc) {
        snprintf(e->field, sizeof e->field, "%s", "from");
        return -1;
    }
    char s[11];
    cal_date_format(due, s);
    *out = json_pack("{s:s, s:i, s:s}", "from", from, "workdays",
                     (int)workdays, "due", s);
    return 0;
}

int app_calendar_store_unit(struct db *db, void *arg, struct err *e)
{
    struct cal_import *ci = arg;
    /* The order lock, exclusive, first; every case unit takes it shared:
     * on PostgreSQL a case unit on another writer then either commits
     * before this import (and is recomputed below) or starts after it
     * (and sees the new calendar_rev, app_cases.c). */
    if (store_order_lock(db, 1, e))
        return -1;
    struct cal_row rows[CAL_YEAR_DAYS_MAX];
    char dates[CAL_YEAR_DAYS_MAX][11];
    for (int i = 0; i < ci->n; i++) {
        cal_date_format(ci->days[i].date, dates[i]);
        rows[i] = (struct cal_row){.year = ci->year,
                                   .day = dates[i],
                                   .off = ci->days[i].kind == CAL_OFF,
                                   .name = ci->days[i].name};
    }
    int64_t now = store_now_ms();
    if (store_cal_replace_year(db, ci->year, ci->source, rows, ci->n, now, e))
        return -1;
    char rev[32];
    snprintf(rev, sizeof rev, "%lld-%d", (long long)now, ci->year);
    if (store_meta_set(db, "calendar_rev", rev, e))
        return -1;
    char year[16];
    snprintf(year, sizeof year, "%d", ci->year);
    struct audit_entry en = {0};
    audit_entry_actor(&en, ci->has_by ? &ci->by : NULL);
    en.action = "calendar.import";
    en.target_kind = "calendar_year";
    en.target_id = year;
    en.outcome = "ok"; /* the calendar is national: a system-wide row */
    json_t *detail = json_pack("{s:i, s:s}", "days", ci->n, "source",
                               ci->source);
    en.detail = detail;
    int rc = app_audit_unit_record(db, &en, e);
    json_decref(detail);
    if (rc)
        return -1;
    /* Open cases whose due dates counted this year Mon–Fri: counted again
     * with the calendar as this unit will commit it. */
    struct app_cal *cal;
    if (app_cal_build_on(db, &cal, e))
        return -1;
    int n = 0;
    rc = app_cases_recompute_provisional(db, cal, store_now_ms(),
                                         ci->has_by ? &ci->by : NULL, &n, e);
    app_cal_release(cal);
    ci->recomputed = n;
    return rc;
}

int app_calendar_import_file(struct app *a, const char *path, int *year,
                             int *days, int *recomputed, struct err *e)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return err_set(e, ERR_INVALID, "file", "%s 不是有效的 JSON（第 %d 行）：%s",
                       path, je.line, je.text);
    struct cal_import *ci = app_calendar_parse(doc, 0, path, e);
    json_decref(doc);
    if (!ci)
        return -1;
    int rc = store_write(a->store, app_calendar_store_unit, ci, e);
    if (!rc) {
        *year = ci->year;
        *days = ci->n;
        if (recomputed)
            *recomputed = ci->recomputed;
        rc = app_calendar_reload(a, e);
    }
    free(ci);
    return rc;
}
