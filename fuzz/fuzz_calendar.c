/* fuzz_calendar — calendar input: the year file of `PUT
 * /api/v1/calendar/{year}` and `bianmin calendar import`
 * (app_calendar_parse on the input as JSON, with and without a year the
 * address fixes, which ends in cal_set_year's rules), and dates
 * (cal_date_parse on the input as text). A date that parses is then put
 * through the working-day rules on the shipped calendar (2016-2026, built
 * once from the embedded data/holidays files): the documented round trips
 * must hold. Invariants: no sanitizer report, no leak, and
 *   format(parse(s)) == s; date_of_day_number(day_number(d)) == d;
 *   0 <= weekday <= 6; due = add_workdays(d, n) is after d for n > 0 and
 *   workdays_between(d 12:00, due 12:00) == n (calendar.h). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_calendar.h"
#include "app/embedded.h"
#include "core/calendar.h"
#include "fuzz_common.h"
#include "fuzz_wire.h"

static struct cal *g_cal;

/* The shipped years, read here with jansson (the app keeps its parsed
 * years opaque). Any failure is a broken build: abort. */
static void build_shipped(void)
{
    g_cal = cal_new();
    if (!g_cal)
        abort();
    static struct cal_day days[CAL_YEAR_DAYS_MAX];
    for (const struct embedded_file *f = embedded_files; f->path; f++) {
        if (strncmp(f->path, "data/holidays/", 14) != 0)
            continue;
        json_t *doc = json_loadb(f->data, f->size, 0, NULL);
        json_t *list = json_object_get(doc, "days");
        int n = 0;
        size_t i;
        json_t *x;
        json_array_foreach(list, i, x)
        {
            struct err e = {0};
            if (n >= CAL_YEAR_DAYS_MAX ||
                cal_date_parse(json_string_value(json_object_get(x, "date")),
                               &days[n].date, "", &e))
                abort();
            days[n].kind = json_is_true(json_object_get(x, "isOffDay"))
                               ? CAL_OFF
                               : CAL_WORK;
            snprintf(days[n].name, sizeof days[n].name, "%s",
                     json_string_value(json_object_get(x, "name")));
            n++;
        }
        struct err e = {0};
        if (cal_set_year(g_cal,
                         (int)json_integer_value(json_object_get(doc, "year")),
                         days, n, &e))
            abort();
        json_decref(doc);
    }
    if (!cal_has_year(g_cal, 2024))
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    build_shipped();
    return 0;
}

static void year_file(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
                             NULL);
    if (!doc)
        return;
    static const int k_want[] = {0, 2025};
    for (size_t i = 0; i < sizeof k_want / sizeof k_want[0]; i++) {
        struct err e = {0};
        struct cal_import *ci = app_calendar_parse(doc, k_want[i], "fuzz", &e);
        to_wire(ci ? 0 : -1, &e);
        if (ci) {
            int y = app_calendar_import_year(ci);
            int n = app_calendar_import_days(ci);
            if (y < 2000 || y > 2200 || (k_want[i] && y != k_want[i]) ||
                n < 0 || n > CAL_YEAR_DAYS_MAX)
                __builtin_trap();
            app_calendar_import_free(ci);
        }
    }
    json_decref(doc);
}

static void one_date(const uint8_t *data, size_t size, int n)
{
    char *s = fuzz_cstr(data, size);
    struct cal_date d = {-1, -1, -1};
    struct err e = {0};
    int rc = cal_date_parse(s, &d, "/date", &e);
    to_wire(rc, &e);
    if (rc == 0) {
        char back[11];
        cal_date_format(d, back);
        if (!cal_date_valid(d) || strcmp(back, s) != 0)
            __builtin_trap();
        struct cal_date again = cal_date_of_day_number(cal_day_number(d));
        int wd = cal_weekday(d);
        if (cal_date_cmp(again, d) != 0 || wd < 0 || wd > 6)
            __builtin_trap();
        struct cal_date due;
        struct err e2 = {0};
        int r2 = cal_add_workdays(g_cal, d, n, &due, &e2);
        fuzz_check_err(r2, &e2);
        if (r2 == 0) {
            if (n > 0 && cal_date_cmp(due, d) <= 0)
                __builtin_trap();
            const int64_t noon = 4LL * 3600 * 1000; /* 12:00 in Shanghai */
            int64_t t0 = cal_day_number(d) * 86400000LL + noon;
            int64_t t1 = cal_day_number(due) * 86400000LL + noon;
            int got = -1;
            struct err e3 = {0};
            int r3 = cal_workdays_between(g_cal, t0, t1, NULL, 0, &got, &e3);
            fuzz_check_err(r3, &e3);
            if (r3 != 0 || got != n)
                __builtin_trap();
        }
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_cal)
        build_shipped();
    year_file(data, size);
    /* The date is the first 10 bytes (cal_date_parse refuses anything
     * longer, so the rest would only ever be refused). */
    /* Working days to add: the two bytes after the date, if any. */
    int n = 0;
    for (size_t i = 10; i < size && i < 12; i++)
        n = n * 256 + data[i];
    n %= 800;
    one_date(data, size < 10 ? size : 10, n);
    if (size > 10)
        one_date(data, size, n); /* and the whole input, refused unless 10 */
    return 0;
}
