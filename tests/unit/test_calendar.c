/* test_calendar.c — core/calendar on the real holiday files 2016–2026
 * (data/holidays/<year>.json, read here with jansson as the app layer does):
 * every date against the files, deadline rows with the reason for each,
 * pauses, unknown years, replacing years, provisional counting past the
 * last known year (and the provisional due date of a case), and hostile
 * inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/calendar.h"
#include "core/deadline.h"

#define FIRST 2016
#define LAST 2026
#define N_FILES (LAST - FIRST + 1)

/* The files as read, kept apart from the cal to serve as the oracle. */
struct fixture {
    struct cal *cal;
    struct cal_day days[N_FILES][64];
    int n[N_FILES];
    int64_t day0;        /* day number of 2016-01-01 */
    signed char work[4018]; /* expect() for each day 2016..2026, cached */
};

static struct cal_date D(const char *s)
{
    struct cal_date d = {0, 0, 0};
    struct err e = {0};
    if (cal_date_parse(s, &d, "", &e) != 0)
        fail_msg("bad date in test table: %s", s);
    return d;
}

/* UTC ms of a Shanghai wall-clock time on day number `day`. */
static int64_t at_day(int64_t day, int hh, int mm)
{
    return ((day * 86400) + hh * 3600 + mm * 60 - 8 * 3600) * 1000;
}

/* UTC ms of a Shanghai wall-clock time. */
static int64_t at(const char *date, int hh, int mm)
{
    return at_day(cal_day_number(D(date)), hh, mm);
}

static void load_file(int year, struct cal_day *out, int max, int *n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/holidays/%d.json", BIANMIN_DATA_DIR, year);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fail_msg("%s: %s", path, je.text);
    assert_int_equal(json_integer_value(json_object_get(root, "year")), year);
    json_t *days = json_object_get(root, "days");
    assert_true(json_is_array(days));
    assert_true((int)json_array_size(days) <= max);
    size_t i;
    json_t *v;
    json_array_foreach(days, i, v) {
        struct cal_day *d = &out[i];
        struct err e = {0};
        memset(d, 0, sizeof *d);
        assert_int_equal(cal_date_parse(json_string_value(json_object_get(v, "date")),
                                        &d->date, "/date", &e), 0);
        d->kind = json_is_true(json_object_get(v, "isOffDay")) ? CAL_OFF : CAL_WORK;
        snprintf(d->name, sizeof d->name, "%s",
                 json_string_value(json_object_get(v, "name")));
    }
    *n = (int)json_array_size(days);
    json_decref(root);
}

static struct cal *build(struct fixture *f)
{
    struct cal *c = cal_new();
    assert_non_null(c);
    for (int y = FIRST; y <= LAST; y++) {
        struct err e = {0};
        if (cal_set_year(c, y, f->days[y - FIRST], f->n[y - FIRST], &e) != 0)
            fail_msg("%d: %s %s", y, e.field, e.msg);
    }
    return c;
}

static const struct cal_day *expect(const struct fixture *f,
                                    struct cal_date d, int *work);

/* The oracle's answer for a day number inside 2016..2026. */
static int oracle_work(const struct fixture *f, int64_t day)
{
    if (day < f->day0 || day >= f->day0 + 4018)
        fail_msg("oracle asked outside 2016..2026");
    return f->work[day - f->day0];
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    for (int y = FIRST; y <= LAST; y++)
        load_file(y, f->days[y - FIRST], 64, &f->n[y - FIRST]);
    f->cal = build(f);
    f->day0 = cal_day_number(D("2016-01-01"));
    for (int i = 0; i < 4018; i++) {
        int w;
        expect(f, cal_date_of_day_number(f->day0 + i), &w);
        f->work[i] = (signed char)w;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cal_free(f->cal);
    free(f);
    return 0;
}

/* The oracle: the next year's file first, then the date's own, then the
 * weekday rule. Returns the listing or NULL; *work gets the answer. */
static const struct cal_day *expect(const struct fixture *f,
                                    struct cal_date d, int *work)
{
    for (int y = d.y + 1; y >= d.y; y--) {
        if (y < FIRST || y > LAST)
            continue;
        for (int i = 0; i < f->n[y - FIRST]; i++) {
            const struct cal_day *l = &f->days[y - FIRST][i];
            if (cal_date_cmp(l->date, d) == 0) {
                *work = l->kind == CAL_WORK;
                return l;
            }
        }
    }
    *work = cal_weekday(d) < 5;
    return NULL;
}

/* ---- every date ----------------------------------------------------------- */

static void test_every_date(void **state)
{
    struct fixture *f = *state;
    int days = 0, listed = 0;
    for (int64_t n = cal_day_number(D("2016-01-01"));
         n <= cal_day_number(D("2026-12-31")); n++) {
        struct cal_date d = cal_date_of_day_number(n);
        int want, got = -1;
        const struct cal_day *l = expect(f, d, &want);
        struct cal_day info;
        struct err e = {0};
        assert_int_equal(cal_day_info(f->cal, d, &got, &info, "", &e), 0);
        if (got != want) {
            char s[11];
            cal_date_format(d, s);
            fail_msg("%s: got %d want %d", s, got, want);
        }
        assert_int_equal(cal_date_cmp(info.date, d), 0);
        if (l) {
            assert_int_equal(info.kind, l->kind);
            assert_string_equal(info.name, l->name);
            listed++;
        } else {
            assert_int_equal(info.kind, CAL_NORMAL);
            assert_string_equal(info.name, "");
        }
        assert_int_equal(cal_is_workday(f->cal, d, &got, &e), 0);
        assert_int_equal(got, want);
        days++;
    }
    assert_int_equal(days, 4018); /* 11 years, 3 of them leap */
    assert_int_equal(listed, 374); /* SOURCES.md: 30+29+…+39 rows, all distinct */
}

static void test_year_days(void **state)
{
    struct fixture *f = *state;
    static const struct {
        int year, count;
    } k_rows[] = {
        {2016, 30},
        {2018, 32}, /* 29 of its own + 2018-12-29..31 from 2019.json */
        {2019, 28}, /* 31 listed, 3 of them in 2018 */
        {2022, 39}, /* 38 + 2022-12-31 from 2023.json */
        {2023, 33}, /* 34 listed, 1 of them in 2022 */
        {2026, 39},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_day out[64];
        struct err e = {0};
        int n = cal_year_days(f->cal, k_rows[r].year, out, 64, &e);
        assert_int_equal(n, k_rows[r].count);
        assert_int_equal(cal_year_days(f->cal, k_rows[r].year, NULL, 0, &e), n);
        for (int i = 0; i < n; i++) {
            int work;
            assert_int_equal(out[i].date.y, k_rows[r].year);
            assert_ptr_not_equal(expect(f, out[i].date, &work), NULL);
            assert_int_equal(work, out[i].kind == CAL_WORK);
            if (i > 0)
                assert_true(cal_date_cmp(out[i - 1].date, out[i].date) < 0);
        }
    }
    struct cal_day out[64];
    struct err e = {0};
    assert_int_equal(cal_year_days(f->cal, 2018, out, 64, &e), 32);
    assert_int_equal(cal_date_cmp(out[29].date, D("2018-12-29")), 0);
    assert_int_equal(out[29].kind, CAL_WORK);
    assert_string_equal(out[29].name, "元旦");
    /* Output too small is an error, not a truncation. */
    assert_int_equal(cal_year_days(f->cal, 2018, out, 31, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_int_equal(cal_year_days(f->cal, 2027, out, 64, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

/* ---- deadlines ------------------------------------------------------------ */

static const struct {
    const char *from;
    int n;
    const char *want;
} k_add_rows[] = {
    {"2024-09-27", 1, "2024-09-29"},  /* Sun 29 Sep is a make-up workday */
    {"2024-09-28", 1, "2024-09-29"},  /* from a Saturday: the make-up Sunday */
    {"2024-09-30", 1, "2024-10-08"},  /* 1-7 Oct National Day holiday */
    {"2024-10-11", 1, "2024-10-12"},  /* Sat 12 Oct is a make-up workday */
    {"2024-10-07", 1, "2024-10-08"},  /* from a holiday: next working day */
    {"2024-04-03", 1, "2024-04-07"},  /* 4-6 Apr Qingming; Sun 7 Apr make-up */
    {"2024-04-30", 1, "2024-05-06"},  /* 1-5 May Labour Day */
    {"2024-02-08", 1, "2024-02-09"},  /* 2024 Spring Festival eve (Fri 9 Feb)
                                         was a working day */
    {"2024-02-09", 1, "2024-02-18"},  /* 10-17 Feb off; Sun 18 Feb make-up */
    {"2023-01-20", 1, "2023-01-28"},  /* eve Sat 21 Jan .. 27 Jan off;
                                         Sat 28 Jan make-up */
    {"2025-01-24", 1, "2025-01-26"},  /* Sun 26 Jan 2025 make-up */
    {"2025-01-27", 1, "2025-02-05"},  /* from 2025 the eve (28 Jan) is a
                                         statutory holiday: 28 Jan..4 Feb */
    {"2020-01-23", 5, "2020-02-07"},  /* Spring Festival extended to 2 Feb
                                         (COVID-19 notice) */
    {"2018-12-28", 1, "2018-12-29"},  /* Sat 2018-12-29 make-up, listed only
                                         in 2019.json */
    {"2018-12-28", 2, "2019-01-02"},  /* 30 Dec..1 Jan off across the year */
    {"2022-12-30", 1, "2023-01-03"},  /* 2022-12-31 listed in 2023.json */
    {"2023-12-29", 1, "2024-01-02"},  /* New Year's Day 2024 on a Monday */
    {"2025-12-31", 1, "2026-01-04"},  /* 1-3 Jan 2026 off; Sun 4 Jan make-up */
    {"2025-12-31", 3, "2026-01-06"},  /* crosses into the next year's file */
    {"2026-12-24", 5, "2026-12-31"},  /* up to the last known day */
    {"2015-12-31", 1, "2016-01-04"},  /* from an unknown year: only the days
                                         after it need to be known */
    {"2024-10-01", 0, "2024-10-01"},  /* n = 0 is the day itself, holiday */
    {"2026-12-31", 0, "2026-12-31"},  /* n = 0 needs no later day */
    {"2030-06-01", 0, "2030-06-01"},  /* n = 0 even in an unknown year */
    {"2016-01-01", 1000, "2020-01-02"}, /* 1,000 working days: four years */
};

static void test_add_workdays(void **state)
{
    struct fixture *f = *state;
    for (size_t r = 0; r < sizeof k_add_rows / sizeof k_add_rows[0]; r++) {
        struct cal_date out = {0, 0, 0};
        struct err e = {0};
        if (cal_add_workdays(f->cal, D(k_add_rows[r].from), k_add_rows[r].n,
                             &out, &e) != 0)
            fail_msg("row %zu: %s", r, e.msg);
        char got[11];
        cal_date_format(out, got);
        if (strcmp(got, k_add_rows[r].want) != 0)
            fail_msg("row %zu: %s + %d = %s, want %s", r, k_add_rows[r].from,
                     k_add_rows[r].n, got, k_add_rows[r].want);
        /* The same from any time of that Shanghai day. */
        for (int hh = 0; hh < 24; hh += 23) {
            struct cal_date due;
            assert_int_equal(cal_add_workdays_instant(f->cal,
                                 at(k_add_rows[r].from, hh, 59),
                                 k_add_rows[r].n, &due, &e), 0);
            assert_int_equal(cal_date_cmp(due, out), 0);
        }
    }
}

/* Every start day of 2016–2025 and a spread of n against a day-by-day walk
 * over the oracle; and the elapsed count back to the due date is n. */
static void test_add_workdays_exhaustive(void **state)
{
    struct fixture *f = *state;
    static const int k_ns[] = {0, 1, 2, 3, 5, 10, 15, 20, 30, 60, 120};
    for (int64_t n0 = cal_day_number(D("2016-01-01"));
         n0 <= cal_day_number(D("2025-12-31")); n0++) {
        struct cal_date from = cal_date_of_day_number(n0);
        for (size_t k = 0; k < sizeof k_ns / sizeof k_ns[0]; k++) {
            int left = k_ns[k];
            int64_t d = n0;
            while (left > 0)
                left -= oracle_work(f, ++d);
            struct cal_date out;
            struct err e = {0};
            assert_int_equal(cal_add_workdays(f->cal, from, k_ns[k], &out, &e), 0);
            assert_int_equal(cal_day_number(out), d);
            int elapsed = -1;
            assert_int_equal(cal_workdays_between(f->cal, at_day(n0, 9, 0),
                                                  at_day(d, 17, 0), NULL, 0,
                                                  &elapsed, &e), 0);
            assert_int_equal(elapsed, k_ns[k]);
        }
    }
}

static void test_add_workdays_errors(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *from;
        int n;
        const char *msg_has;
    } k_rows[] = {
        {"2026-12-31", 1, "2027年"},  /* the next day is in unknown 2027 */
        {"2026-12-01", 30, "2027年"}, /* runs out of 2026 */
        {"2015-12-30", 1, "2015年"},  /* 2015-12-31 is not known */
        {"2014-06-01", 3, "2014年"},  /* wholly before the known years */
        {"2040-01-01", 1, "2040年"},  /* wholly after */
        {"2016-01-01", 100000, "2027年"}, /* far beyond the last year */
        {"2024-01-01", -1, "负"},     /* negative n */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_date out = {1, 1, 1};
        struct err e = {0};
        assert_int_equal(cal_add_workdays(f->cal, D(k_rows[r].from), k_rows[r].n,
                                          &out, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.field, "");
        if (!strstr(e.msg, k_rows[r].msg_has))
            fail_msg("row %zu: message %s", r, e.msg);
        assert_int_equal(out.y, 1); /* untouched */
    }
    struct cal_date out;
    struct err e = {0};
    assert_int_equal(cal_add_workdays(f->cal, (struct cal_date){2023, 2, 29},
                                      1, &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

/* ---- elapsed working days and pauses ------------------------------------- */

static void test_workdays_between(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *start; int sh;     /* Shanghai date and hour */
        const char *end; int eh;
        struct { const char *s; int sh; const char *e; int eh; } p[3];
        int np, want;
    } k_rows[] = {
        /* (27 Sep, 8 Oct]: Sun 29 Sep, Mon 30 Sep, Tue 8 Oct */
        {"2024-09-27", 10, "2024-10-08", 9, {{0}}, 0, 3},
        /* same instant and same day: 0 */
        {"2024-09-27", 10, "2024-09-27", 10, {{0}}, 0, 0},
        {"2024-09-27", 0, "2024-09-27", 23, {{0}}, 0, 0},
        /* 23:30 Shanghai is 15:30 UTC, still 30 Sep: (30 Sep, 8 Oct] = 1 */
        {"2024-09-30", 23, "2024-10-08", 0, {{0}}, 0, 1},
        /* year boundary: (28 Dec, 2 Jan] = Sat 29 Dec make-up + 2 Jan */
        {"2018-12-28", 10, "2019-01-02", 10, {{0}}, 0, 2},
        /* pause spanning the National Day holiday: elapsed (25 Sep, 10 Oct]
         * = 26,27,29,30 Sep, 8,9,10 Oct = 7; paused (27 Sep, 9 Oct] =
         * 29,30 Sep, 8,9 Oct = 4 */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-09-27", 15, "2024-10-09", 10}}, 1, 3},
        /* still paused (end 0): paused (26 Sep, 10 Oct] = 6 of 7 */
        {"2024-09-25", 10, "2024-10-10", 12, {{"2024-09-26", 10, NULL, 0}}, 1, 1},
        /* overlapping pauses count once: (26 Sep, 30 Sep] ∪ (29 Sep, 8 Oct]
         * = 27, 29, 30 Sep, 8 Oct */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-09-26", 9, "2024-09-30", 9}, {"2024-09-29", 9, "2024-10-08", 9}},
         2, 3},
        /* the same pause twice counts once */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-09-27", 15, "2024-10-09", 10}, {"2024-09-27", 15, "2024-10-09", 10}},
         2, 3},
        /* a pause begun before the start is clipped: (25 Sep, 26 Sep] */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-09-20", 9, "2024-09-26", 9}}, 1, 6},
        /* a pause after the end does not matter */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-10-11", 9, "2024-10-15", 9}}, 1, 7},
        /* a pause within one day pauses nothing */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-09-26", 9, "2024-09-26", 17}}, 1, 7},
        /* a pause wholly inside the holiday pauses no working day */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-10-02", 9, "2024-10-05", 17}}, 1, 7},
        /* disjoint pauses, unsorted: (26,27 Sep] + (8,9 Oct] = 2 */
        {"2024-09-25", 10, "2024-10-10", 12,
         {{"2024-10-08", 9, "2024-10-09", 9}, {"2024-09-26", 9, "2024-09-27", 9}},
         2, 5},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_pause p[3];
        for (int i = 0; i < k_rows[r].np; i++) {
            p[i].start_ms = at(k_rows[r].p[i].s, k_rows[r].p[i].sh, 0);
            p[i].end_ms = k_rows[r].p[i].e ? at(k_rows[r].p[i].e, k_rows[r].p[i].eh, 0)
                                           : 0;
        }
        int got = -1;
        struct err e = {0};
        if (cal_workdays_between(f->cal, at(k_rows[r].start, k_rows[r].sh, 30),
                                 at(k_rows[r].end, k_rows[r].eh, 30), p,
                                 k_rows[r].np, &got, &e) != 0)
            fail_msg("row %zu: %s", r, e.msg);
        if (got != k_rows[r].want)
            fail_msg("row %zu: got %d want %d", r, got, k_rows[r].want);
    }
}

/* Deterministic pseudo-random windows and pauses against a day-by-day
 * count over the oracle; more than 32 pauses takes the allocating path. */
static void test_workdays_between_random(void **state)
{
    struct fixture *f = *state;
    uint64_t seed = 42;
#define RND(n) ((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL), \
                (int64_t)((seed >> 33) % (uint64_t)(n)))
    int64_t d0 = cal_day_number(D("2016-01-01"));
    int64_t span = cal_day_number(D("2026-12-31")) - d0 + 1;
    struct cal_pause p[40];
    int64_t pd[40][2];
    for (int r = 0; r < 3000; r++) {
        int64_t s = d0 + RND(span), t = s + RND(d0 + span - s);
        int np = r % 10 == 0 ? 40 : (int)RND(4);
        for (int i = 0; i < np; i++) {
            int64_t a = s - 10 + RND(t - s + 20), b = a + RND(30);
            int open = RND(5) == 0;
            pd[i][0] = a;
            pd[i][1] = open ? t : b;
            p[i].start_ms = at_day(a, 0, 0) + RND(86400) * 1000;
            p[i].end_ms = open ? 0 : at_day(b, 23, 59);
            if (!open && p[i].end_ms < p[i].start_ms)
                p[i].end_ms = p[i].start_ms;
        }
        int want = 0;
        for (int64_t d = s + 1; d <= t; d++) {
            int work = oracle_work(f, d), paused = 0;
            for (int i = 0; i < np; i++)
                paused |= pd[i][0] < d && d <= pd[i][1];
            want += work && !paused;
        }
        int got = -1;
        struct err e = {0};
        assert_int_equal(cal_workdays_between(f->cal, at_day(s, 1, 0),
                                              at_day(t, 2, 0), p, np, &got, &e),
                         0);
        if (got != want)
            fail_msg("round %d: got %d want %d", r, got, want);
    }
#undef RND
}

static void test_workdays_between_errors(void **state)
{
    struct fixture *f = *state;
    int got = 7;
    struct err e = {0};
    struct cal_pause p[2] = {
        {at("2024-09-26", 9, 0), at("2024-09-27", 9, 0)},
        {at("2024-09-28", 9, 0), at("2024-09-27", 9, 0)}, /* ends before it starts */
    };
    /* end before start */
    assert_int_equal(cal_workdays_between(f->cal, at("2024-10-10", 9, 0),
                                          at("2024-10-09", 9, 0), NULL, 0, &got, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* a pause ending before it starts names its index */
    assert_int_equal(cal_workdays_between(f->cal, at("2024-09-25", 9, 0),
                                          at("2024-10-09", 9, 0), p, 2, &got, &e), -1);
    assert_string_equal(e.field, "/pauses/1");
    /* negative count; NULL array with a count */
    assert_int_equal(cal_workdays_between(f->cal, 0, 1, p, -1, &got, &e), -1);
    assert_string_equal(e.field, "/pauses");
    assert_int_equal(cal_workdays_between(f->cal, 0, 1, NULL, 1, &got, &e), -1);
    assert_string_equal(e.field, "/pauses");
    /* window reaching into unknown 2027, or starting in 2015 */
    assert_int_equal(cal_workdays_between(f->cal, at("2026-12-30", 9, 0),
                                          at("2027-01-05", 9, 0), NULL, 0, &got, &e), -1);
    assert_non_null(strstr(e.msg, "2027年"));
    assert_int_equal(cal_workdays_between(f->cal, at("2015-12-30", 9, 0),
                                          at("2016-01-05", 9, 0), NULL, 0, &got, &e), -1);
    assert_non_null(strstr(e.msg, "2015年"));
    /* 2015-12-31 as start day is fine: only the days after it count */
    assert_int_equal(cal_workdays_between(f->cal, at("2015-12-31", 9, 0),
                                          at("2016-01-05", 9, 0), NULL, 0, &got, &e), 0);
    assert_int_equal(got, 2); /* 1 Jan 2016 off; 4 and 5 Jan */
    /* extreme instants fail cleanly, without overflow */
    assert_int_equal(cal_workdays_between(f->cal, INT64_MIN, INT64_MAX, NULL, 0,
                                          &got, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(got, 2); /* untouched on failure */
}

/* ---- unknown years, gaps, replacing years -------------------------------- */

static void test_unknown_years(void **state)
{
    struct fixture *f = *state;
    static const char *const k_rows[] = {
        "2015-12-31", /* the day before the first known year */
        "2027-01-01", /* the day after the last */
        "1900-01-01", /* far before */
        "2999-12-31", /* far after */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        int work = 9;
        struct cal_day info;
        struct err e = {0};
        assert_int_equal(cal_is_workday(f->cal, D(k_rows[r]), &work, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_string_equal(e.field, "");
        assert_int_equal(work, 9);
        assert_int_equal(cal_day_info(f->cal, D(k_rows[r]), &work, &info,
                                      "/due_on", &e), -1);
        assert_string_equal(e.field, "/due_on"); /* the caller's field */
    }
    struct err e = {0};
    int work;
    assert_int_equal(cal_is_workday(f->cal, (struct cal_date){2024, 2, 30},
                                    &work, &e), -1);
    assert_string_equal(e.msg, "日期不存在");
    assert_int_equal(cal_first_year(f->cal), 2016);
    assert_int_equal(cal_last_year(f->cal), 2026);
    assert_true(cal_has_year(f->cal, 2020));
    assert_false(cal_has_year(f->cal, 2015));
    assert_false(cal_has_year(f->cal, 2027));
    assert_false(cal_has_year(f->cal, -5));
    assert_false(cal_has_year(f->cal, 100000));

    /* An empty calendar knows nothing. */
    struct cal *c = cal_new();
    assert_int_equal(cal_first_year(c), 0);
    assert_int_equal(cal_last_year(c), 0);
    struct cal_date out;
    assert_int_equal(cal_is_workday(c, D("2024-01-02"), &work, &e), -1);
    assert_int_equal(cal_add_workdays(c, D("2024-01-02"), 1, &out, &e), -1);
    assert_int_equal(cal_add_workdays(c, D("2024-01-02"), 0, &out, &e), 0);
    assert_int_equal(cal_workdays_between(c, 0, 0, NULL, 0, &work, &e), 0);
    assert_int_equal(cal_workdays_between(c, 0, 86400000LL * 3, NULL, 0, &work, &e), -1);
    assert_int_equal(cal_year_days(c, 2024, NULL, 0, &e), -1);
    cal_free(c);
    cal_free(NULL);
}

static void test_gap_between_years(void **state)
{
    struct fixture *f = *state;
    struct cal *c = cal_new();
    struct err e = {0};
    /* 2016 and 2018 known, 2017 not */
    assert_int_equal(cal_set_year(c, 2018, f->days[2], f->n[2], &e), 0);
    assert_int_equal(cal_set_year(c, 2016, f->days[0], f->n[0], &e), 0);
    assert_int_equal(cal_first_year(c), 2016);
    assert_int_equal(cal_last_year(c), 2018);
    assert_false(cal_has_year(c, 2017));
    int work;
    struct cal_date out;
    assert_int_equal(cal_is_workday(c, D("2017-05-05"), &work, &e), -1);
    assert_int_equal(cal_is_workday(c, D("2018-05-04"), &work, &e), 0);
    assert_int_equal(work, 1);
    /* counting may not jump over the gap */
    assert_int_equal(cal_add_workdays(c, D("2016-12-29"), 5, &out, &e), -1);
    assert_non_null(strstr(e.msg, "2017年"));
    assert_int_equal(cal_add_workdays(c, D("2016-12-01"), 400, &out, &e), -1);
    assert_non_null(strstr(e.msg, "2017年"));
    assert_int_equal(cal_workdays_between(c, at("2016-12-01", 9, 0),
                                          at("2018-01-05", 9, 0), NULL, 0, &work, &e), -1);
    assert_non_null(strstr(e.msg, "2017年"));
    /* 2018-12-29 is an ordinary Saturday until 2019 is known */
    assert_int_equal(cal_is_workday(c, D("2018-12-29"), &work, &e), 0);
    assert_int_equal(work, 0);
    assert_int_equal(cal_set_year(c, 2019, f->days[3], f->n[3], &e), 0);
    assert_int_equal(cal_is_workday(c, D("2018-12-29"), &work, &e), 0);
    assert_int_equal(work, 1);
    cal_free(c);
}

static void test_replace_years(void **state)
{
    struct fixture *f = *state;
    struct cal *c = build(f);
    struct err e = {0};
    int work;
    struct cal_date out;
    /* A made-up 2027 notice whose New Year holiday starts 2026-12-31. */
    const struct cal_day k_2027[] = {
        {{2027, 1, 9}, CAL_WORK, "元旦"},   /* Sat make-up */
        {{2026, 12, 31}, CAL_OFF, "元旦"},  /* previous December, Thursday */
        {{2027, 1, 1}, CAL_OFF, "元旦"},
    };
    assert_int_equal(cal_is_workday(c, D("2026-12-31"), &work, &e), 0);
    assert_int_equal(work, 1);
    assert_int_equal(cal_set_year(c, 2027, k_2027, 3, &e), 0);
    assert_int_equal(cal_last_year(c), 2027);
    assert_int_equal(cal_is_workday(c, D("2026-12-31"), &work, &e), 0);
    assert_int_equal(work, 0); /* 2027's list now names it */
    assert_int_equal(cal_add_workdays(c, D("2026-12-30"), 1, &out, &e), 0);
    assert_int_equal(cal_date_cmp(out, D("2027-01-04")), 0);
    assert_int_equal(cal_add_workdays(c, D("2027-01-07"), 2, &out, &e), 0);
    assert_int_equal(cal_date_cmp(out, D("2027-01-09")), 0); /* Sat make-up */
    struct cal_day days[64];
    assert_int_equal(cal_year_days(c, 2026, days, 64, &e), 40);
    assert_int_equal(cal_date_cmp(days[39].date, D("2026-12-31")), 0);
    assert_int_equal(cal_year_days(c, 2027, days, 64, &e), 2);
    assert_int_equal(cal_date_cmp(days[0].date, D("2027-01-01")), 0); /* sorted */

    /* An imported 2026 replaces the shipped one entirely. */
    const struct cal_day k_2026[] = {
        {{2026, 1, 1}, CAL_OFF, "元旦"},
        {{2026, 10, 10}, CAL_WORK, "国庆节"}, /* Sat */
    };
    assert_int_equal(cal_set_year(c, 2026, k_2026, 2, &e), 0);
    assert_int_equal(cal_is_workday(c, D("2026-10-01"), &work, &e), 0);
    assert_int_equal(work, 1); /* shipped list had it off; gone now */
    assert_int_equal(cal_is_workday(c, D("2026-01-04"), &work, &e), 0);
    assert_int_equal(work, 0); /* shipped make-up Sunday gone */
    assert_int_equal(cal_is_workday(c, D("2026-10-10"), &work, &e), 0);
    assert_int_equal(work, 1);
    assert_int_equal(cal_is_workday(c, D("2026-12-31"), &work, &e), 0);
    assert_int_equal(work, 0); /* still from 2027's list */
    assert_int_equal(cal_year_days(c, 2026, days, 64, &e), 3);
    /* An empty list: the year stays known, weekdays only. */
    assert_int_equal(cal_set_year(c, 2026, NULL, 0, &e), 0);
    assert_int_equal(cal_is_workday(c, D("2026-01-01"), &work, &e), 0);
    assert_int_equal(work, 1);
    assert_int_equal(cal_year_days(c, 2026, days, 64, &e), 1);
    cal_free(c);
}

static void test_set_year_invalid(void **state)
{
    struct fixture *f = *state;
    static const struct {
        int year, n;
        struct cal_day bad; /* replaces days[1] of a good 3-day 2027 list */
        const char *field;
    } k_rows[] = {
        {2027, 3, {{2027, 2, 30}, CAL_OFF, "春节"}, "/days/1/date"},   /* Feb 30 */
        {2027, 3, {{2027, 0, 1}, CAL_OFF, "春节"}, "/days/1/date"},    /* month 0 */
        {2027, 3, {{2028, 1, 1}, CAL_OFF, "元旦"}, "/days/1/date"},    /* next year */
        {2027, 3, {{2026, 11, 30}, CAL_OFF, "元旦"}, "/days/1/date"},  /* prev year,
                                                                     not Dec */
        {2027, 3, {{2025, 12, 31}, CAL_OFF, "元旦"}, "/days/1/date"},  /* two back */
        {2027, 3, {{2027, 1, 1}, CAL_OFF, "元旦"}, "/days/1/date"},    /* duplicate
                                                                     of days[0] */
        {2027, 3, {{2027, 2, 6}, CAL_NORMAL, "春节"}, "/days/1/isOffDay"},
        {2027, 3, {{2027, 2, 6}, (enum cal_kind)7, "春节"}, "/days/1/isOffDay"},
        {2027, 3, {{2027, 2, 6}, CAL_WORK, ""}, "/days/1/name"},      /* empty */
        {2027, 3, {{2027, 2, 6}, CAL_WORK, "\xe6\x98"}, "/days/1/name"}, /* cut UTF-8 */
        {2027, 3, {{2027, 2, 6}, CAL_WORK, "\xc0\xaf"}, "/days/1/name"}, /* overlong */
        {2027, 3, {{2027, 2, 6}, CAL_WORK, "春\n节"}, "/days/1/name"}, /* control */
        {1899, 3, {{2027, 2, 6}, CAL_WORK, "春节"}, "/year"},
        {3000, 3, {{2027, 2, 6}, CAL_WORK, "春节"}, "/year"},
        {2027, -1, {{2027, 2, 6}, CAL_WORK, "春节"}, "/days"},
        {2027, 401, {{2027, 2, 6}, CAL_WORK, "春节"}, "/days"},
    };
    struct cal *c = build(f);
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_day days[3] = {
            {{2027, 1, 1}, CAL_OFF, "元旦"},
            k_rows[r].bad,
            {{2027, 10, 1}, CAL_OFF, "国庆节"},
        };
        struct err e = {0};
        assert_int_equal(cal_set_year(c, k_rows[r].year, days, k_rows[r].n, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        if (strcmp(e.field, k_rows[r].field) != 0)
            fail_msg("row %zu: field %s want %s", r, e.field, k_rows[r].field);
        assert_true(e.msg[0] != '\0');
        assert_false(cal_has_year(c, 2027)); /* all or nothing */
    }
    struct err e = {0};
    struct cal_day big = {{2027, 2, 6}, CAL_WORK, ""};
    memset(big.name, 'a', sizeof big.name); /* 48 bytes, no NUL */
    assert_int_equal(cal_set_year(c, 2027, &big, 1, &e), -1);
    assert_string_equal(e.field, "/days/0/name");
    assert_int_equal(cal_set_year(c, 2027, NULL, 1, &e), -1);
    assert_string_equal(e.field, "/days");
    /* A failed replacement leaves the year as it was. */
    struct cal_day bad2026[2] = {{{2026, 1, 1}, CAL_OFF, "元旦"},
                                 {{2026, 1, 1}, CAL_OFF, "元旦"}};
    assert_int_equal(cal_set_year(c, 2026, bad2026, 2, &e), -1);
    assert_string_equal(e.field, "/days/1/date");
    assert_int_equal(cal_year_days(c, 2026, NULL, 0, &e), 39);
    /* The largest possible list: every day of December 2026 and of 2027
     * (396 < CAL_YEAR_DAYS_MAX), all off; then no working day is left. */
    struct cal_day *all = calloc(400, sizeof *all);
    assert_non_null(all);
    int n = 0;
    for (int64_t d = cal_day_number(D("2026-12-01"));
         d <= cal_day_number(D("2027-12-31")); d++, n++) {
        all[n].date = cal_date_of_day_number(d);
        all[n].kind = CAL_OFF;
        strcpy(all[n].name, "假");
    }
    assert_int_equal(n, 396);
    assert_int_equal(cal_set_year(c, 2027, all, n, &e), 0);
    struct cal_date out;
    assert_int_equal(cal_add_workdays(c, D("2026-11-30"), 1, &out, &e), -1);
    free(all);
    cal_free(c);
}

/* ---- dates --------------------------------------------------------------- */

static void test_date_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        const char *msg; /* NULL = valid */
    } k_rows[] = {
        {"2024-02-29", NULL},               /* leap day */
        {"2000-02-29", NULL},               /* divisible by 400: leap */
        {"1900-01-01", NULL},               /* first year */
        {"2999-12-31", NULL},               /* last year */
        {"2023-02-29", "日期不存在"},        /* not a leap year */
        {"1900-02-29", "日期不存在"},        /* divisible by 100: not leap */
        {"2023-02-30", "日期不存在"},        /* Feb 30 */
        {"2023-04-31", "日期不存在"},        /* April has 30 days */
        {"2023-13-01", "日期不存在"},        /* month 13 */
        {"2023-00-10", "日期不存在"},        /* month 0 */
        {"2023-01-00", "日期不存在"},        /* day 0 */
        {"1899-12-31", "年份超出范围（1900–2999）"},
        {"3000-01-01", "年份超出范围（1900–2999）"},
        {"2023-2-1", "日期格式应为YYYY-MM-DD"},   /* no zero padding */
        {"2023-02-01x", "日期格式应为YYYY-MM-DD"}, /* trailing character */
        {"2023-02-01 ", "日期格式应为YYYY-MM-DD"}, /* trailing space */
        {" 2023-02-01", "日期格式应为YYYY-MM-DD"}, /* leading space */
        {"2023/02/01", "日期格式应为YYYY-MM-DD"},  /* wrong separator */
        {"20230201", "日期格式应为YYYY-MM-DD"},    /* no separators */
        {"+023-02-01", "日期格式应为YYYY-MM-DD"},  /* sign */
        {"2023-0a-01", "日期格式应为YYYY-MM-DD"},  /* letter */
        {"２０２３-01", "日期格式应为YYYY-MM-DD"},  /* full-width digits */
        {"", "日期格式应为YYYY-MM-DD"},            /* empty */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_date d = {7, 7, 7};
        struct err e = {0};
        int rc = cal_date_parse(k_rows[r].s, &d, "/applied_on", &e);
        if (!k_rows[r].msg) {
            if (rc != 0)
                fail_msg("row %zu (%s): %s", r, k_rows[r].s, e.msg);
            char back[11];
            cal_date_format(d, back);
            assert_string_equal(back, k_rows[r].s);
            assert_true(cal_date_valid(d));
        } else {
            if (rc != -1)
                fail_msg("row %zu (%s) accepted", r, k_rows[r].s);
            assert_int_equal(e.code, ERR_INVALID);
            assert_string_equal(e.field, "/applied_on");
            assert_string_equal(e.msg, k_rows[r].msg);
            assert_int_equal(d.y, 7); /* untouched */
        }
    }
    struct err e = {0};
    struct cal_date d;
    assert_int_equal(cal_date_parse(NULL, &d, NULL, &e), -1);
    assert_string_equal(e.field, "");
}

static void test_date_helpers(void **state)
{
    (void)state;
    static const struct {
        const char *date;
        int weekday;
        int64_t day_number;
    } k_rows[] = {
        {"1970-01-01", 3, 0},       /* a Thursday, day 0 */
        {"1900-01-01", 0, -25567},  /* a Monday */
        {"2000-02-29", 1, 11016},   /* a Tuesday */
        {"2024-01-01", 0, 19723},   /* a Monday */
        {"2024-10-12", 5, 20008},   /* Saturday (a make-up workday) */
        {"2024-09-29", 6, 19995},   /* Sunday */
        {"2999-12-31", 1, 376199},  /* a Tuesday */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct cal_date d = D(k_rows[r].date);
        assert_int_equal(cal_weekday(d), k_rows[r].weekday);
        assert_int_equal(cal_day_number(d), k_rows[r].day_number);
        assert_int_equal(cal_date_cmp(cal_date_of_day_number(k_rows[r].day_number), d), 0);
    }
    /* round trip over the whole supported range */
    for (int64_t n = cal_day_number(D("1900-01-01"));
         n <= cal_day_number(D("2999-12-31")); n++) {
        struct cal_date d = cal_date_of_day_number(n);
        assert_true(cal_date_valid(d));
        assert_int_equal(cal_day_number(d), n);
    }
    static const struct {
        struct cal_date d;
        const char *want;
    } k_fmt[] = {
        {{2024, 2, 9}, "2024-02-09"},
        {{2023, 2, 29}, "0000-00-00"},  /* not a real date */
        {{-1, 1, 1}, "0000-00-00"},     /* out of range */
        {{123456, 1, 1}, "0000-00-00"},
    };
    for (size_t r = 0; r < sizeof k_fmt / sizeof k_fmt[0]; r++) {
        char out[11];
        cal_date_format(k_fmt[r].d, out);
        assert_string_equal(out, k_fmt[r].want);
    }
    assert_true(cal_date_cmp(D("2024-01-31"), D("2024-02-01")) < 0);
    assert_true(cal_date_cmp(D("2025-01-01"), D("2024-12-31")) > 0);
}

static void test_instants(void **state)
{
    (void)state;
    static const struct {
        int64_t ms;
        const char *want;
    } k_rows[] = {
        {0, "1970-01-01"},                          /* 08:00 Shanghai */
        {-1, "1970-01-01"},                         /* 07:59:59.999 */
        {-8 * 3600000LL, "1970-01-01"},             /* 00:00 Shanghai */
        {-8 * 3600000LL - 1, "1969-12-31"},         /* 23:59:59.999 */
        {1727711999999LL, "2024-09-30"},            /* 15:59:59.999Z = 23:59:59 */
        {1727712000000LL, "2024-10-01"},            /* 16:00Z = 00:00 +8 */
        {1735660800000LL, "2025-01-01"},            /* 2024-12-31T16:00Z */
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        char out[11];
        cal_date_format(cal_date_of_instant(k_rows[r].ms), out);
        assert_string_equal(out, k_rows[r].want);
    }
    /* Extremes do not overflow (UBSan watches); the year is far off. */
    assert_true(cal_date_of_instant(INT64_MAX).y > 2999);
    assert_true(cal_date_of_instant(INT64_MIN).y < 1900);
}

/* ---- provisional counting ------------------------------------------------ */

/* Past 2026 the weekday rule counts, and says so; inside 2016–2026 the
 * answer is cal_add_workdays' and not provisional. Expected dates from the
 * 2026 file plus Mon–Fri (the fixture holidays-2027.json would give the
 * second date, see tests/api/cases_provisional.test.mjs). */
static void test_add_workdays_provisional(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *from;
        int n;
        const char *want;
        int provisional;
        const char *why;
    } k_rows[] = {
        {"2026-11-23", 20, "2026-12-21", 0, "inside 2026"},
        {"2026-11-23", 28, "2026-12-31", 0, "the last known day"},
        {"2026-11-23", 29, "2027-01-01", 1, "New Year's Day taken as a Friday"},
        {"2026-11-23", 60, "2027-02-15", 1, "no Spring Festival assumed (fixture: 02-20)"},
        {"2026-11-23", 90, "2027-03-29", 1, "fixture: 04-02"},
        {"2026-12-30", 1, "2026-12-31", 0, "Thursday in 2026"},
        {"2026-12-31", 1, "2027-01-01", 1, "fixture: 01-04"},
        {"2027-02-05", 1, "2027-02-08", 1, "from itself in an unknown year"},
        {"2027-03-01", 0, "2027-03-01", 0, "nothing counted"},
        {"2026-06-01", 400, "2027-12-20", 1, "a whole unknown year"},
        {"2024-09-30", 1, "2024-10-08", 0, "National Day, as cal_add_workdays"},
        {"2015-12-31", 1, "2016-01-04", 0, "from before the first year"},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct err e = {0};
        struct cal_date out = {0, 0, 0};
        int prov = 9;
        if (cal_add_workdays_provisional(f->cal, D(k_rows[r].from),
                                         k_rows[r].n, &out, &prov, &e))
            fail_msg("%s + %d: %s", k_rows[r].from, k_rows[r].n, e.msg);
        char got[11];
        cal_date_format(out, got);
        if (strcmp(got, k_rows[r].want) || prov != k_rows[r].provisional)
            fail_msg("%s + %d (%s): got %s/%d, want %s/%d", k_rows[r].from,
                     k_rows[r].n, k_rows[r].why, got, prov, k_rows[r].want,
                     k_rows[r].provisional);
        /* Not provisional means exactly the strict answer. */
        struct cal_date strict;
        int rc = cal_add_workdays(f->cal, D(k_rows[r].from), k_rows[r].n,
                                  &strict, &e);
        assert_int_equal(rc == 0, !k_rows[r].provisional);
        if (rc == 0)
            assert_int_equal(cal_date_cmp(strict, out), 0);
    }
    /* A gap: 2016 and 2018 known, 2017 counted Mon–Fri. */
    struct cal *g = cal_new();
    struct err e = {0};
    assert_int_equal(cal_set_year(g, 2016, f->days[0], f->n[0], &e), 0);
    assert_int_equal(cal_set_year(g, 2018, f->days[2], f->n[2], &e), 0);
    struct cal_date out;
    int prov;
    assert_int_equal(cal_add_workdays_provisional(g, D("2016-12-29"), 5,
                                                  &out, &prov, &e), 0);
    assert_int_equal(cal_date_cmp(out, D("2017-01-05")), 0);
    assert_int_equal(prov, 1);
    assert_int_equal(cal_add_workdays_provisional(g, D("2018-03-01"), 3,
                                                  &out, &prov, &e), 0);
    assert_int_equal(prov, 0);
    cal_free(g);
    /* Errors: as cal_add_workdays, and the end of the range. */
    out = D("2001-01-01");
    prov = 7;
    assert_int_equal(cal_add_workdays_provisional(f->cal, D("2026-01-05"), -1,
                                                  &out, &prov, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(cal_add_workdays_provisional(
                         f->cal, (struct cal_date){2026, 2, 30}, 1, &out,
                         &prov, &e),
                     -1);
    assert_int_equal(cal_add_workdays_provisional(f->cal, D("2999-12-30"), 5,
                                                  &out, &prov, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(cal_date_cmp(out, D("2001-01-01")), 0); /* untouched */
    assert_int_equal(prov, 7);
}

static void test_provisional_calendar(void **state)
{
    struct fixture *f = *state;
    struct err e = {0};
    struct cal *p = cal_provisional(f->cal, 0, 2030, &e);
    assert_non_null(p);
    assert_true(cal_has_year(p, 2027));
    assert_true(cal_has_year(p, 2030));
    assert_false(cal_has_year(p, 2031));
    assert_false(cal_has_year(p, 2015));
    assert_true(cal_year_provisional(p, 2027));
    assert_false(cal_year_provisional(p, 2026));
    assert_false(cal_year_provisional(f->cal, 2027)); /* not known at all */
    assert_int_equal(cal_last_year(p), 2030);
    int work;
    assert_int_equal(cal_is_workday(p, D("2027-01-01"), &work, &e), 0);
    assert_int_equal(work, 1); /* Friday: no holiday assumed */
    assert_int_equal(cal_is_workday(p, D("2027-01-02"), &work, &e), 0);
    assert_int_equal(work, 0);
    /* The lists are those of the original, every day of 2016–2026. */
    for (int64_t d = f->day0; d < f->day0 + 4018; d++) {
        assert_int_equal(cal_is_workday(p, cal_date_of_day_number(d), &work,
                                        &e), 0);
        assert_int_equal(work, oracle_work(f, d));
    }
    assert_true(cal_span_provisional(p, cal_day_number(D("2026-12-01")),
                                     cal_day_number(D("2027-01-01"))));
    assert_false(cal_span_provisional(p, cal_day_number(D("2026-01-01")),
                                      cal_day_number(D("2026-12-31"))));
    assert_true(cal_span_provisional(f->cal, cal_day_number(D("2026-12-01")),
                                     cal_day_number(D("2027-01-01"))));
    /* A provisional calendar counts without copying again. */
    struct cal_date out;
    int prov;
    assert_int_equal(cal_add_workdays_provisional(p, D("2026-11-23"), 60,
                                                  &out, &prov, &e), 0);
    assert_int_equal(cal_date_cmp(out, D("2027-02-15")), 0);
    assert_int_equal(prov, 1);
    /* Loading the year for real clears the mark. */
    const struct cal_day k_2027[] = {{{2027, 1, 1}, CAL_OFF, "元旦"}};
    assert_int_equal(cal_set_year(p, 2027, k_2027, 1, &e), 0);
    assert_false(cal_year_provisional(p, 2027));
    assert_true(cal_year_provisional(p, 2028));
    assert_int_equal(cal_add_workdays_provisional(p, D("2026-12-31"), 1,
                                                  &out, &prov, &e), 0);
    assert_int_equal(cal_date_cmp(out, D("2027-01-04")), 0);
    assert_int_equal(prov, 0);
    cal_free(p);
}

/* The due date of a case (dl_due_provisional): accepted on Monday
 * 2026-11-23, the date runs into 2027 by the weekday rule; a pause over
 * the year's end (now in 2027) is counted the same way. */
static void test_due_provisional(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *accepted;
        int limit;
        const char *pause_from, *pause_to; /* NULL: none */
        const char *now;
        const char *want;
        int provisional;
    } k_rows[] = {
        {"2026-11-23", 60, NULL, NULL, "2026-11-23", "2027-02-15", 1},
        {"2026-11-23", 20, NULL, NULL, "2026-11-23", "2026-12-21", 0},
        {"2026-11-23", 20, NULL, NULL, "2027-03-01", "2026-12-21", 0},
        /* 1-4 Dec paused (Tue-Fri): 4 days later, still in 2026. */
        {"2026-11-23", 20, "2026-11-30", "2026-12-04", "2026-12-04",
         "2026-12-25", 0},
        /* paused over New Year: 28 Dec - 5 Jan is 7 weekdays (1 Jan
         * taken as a working day): provisional though due in 2026. */
        {"2026-11-23", 20, "2026-12-25", "2027-01-05", "2027-01-05",
         "2026-12-30", 1},
    };
    for (size_t r = 0; r < sizeof k_rows / sizeof k_rows[0]; r++) {
        struct err e = {0};
        struct cal_pause p = {0, 0};
        int np = 0;
        if (k_rows[r].pause_from) {
            p.start_ms = at(k_rows[r].pause_from, 15, 0);
            p.end_ms = at(k_rows[r].pause_to, 9, 0);
            np = 1;
        }
        int64_t due = 0;
        int prov = 9;
        if (dl_due_provisional(f->cal, at(k_rows[r].accepted, 10, 0),
                               k_rows[r].limit, np ? &p : NULL, np,
                               at(k_rows[r].now, 9, 30), &due, &prov, &e))
            fail_msg("row %zu: %s", r, e.msg);
        char got[11];
        cal_date_format(cal_date_of_day_number(due), got);
        if (strcmp(got, k_rows[r].want) || prov != k_rows[r].provisional)
            fail_msg("row %zu: got %s/%d, want %s/%d", r, got, prov,
                     k_rows[r].want, k_rows[r].provisional);
    }
    /* Warning days on the provisional calendar: 12 working days before
     * 2027-02-15 (threshold 12 of a 60-day limit), weekdays only. */
    struct err e = {0};
    struct cal *p = cal_provisional(f->cal, 0, 2036, &e);
    int64_t warn;
    assert_int_equal(dl_warn_day(p, cal_day_number(D("2027-02-15")),
                                 dl_threshold(60, -1),
                                 cal_day_number(D("2026-11-23")), &warn, &e),
                     0);
    char got[11];
    cal_date_format(cal_date_of_day_number(warn), got);
    assert_string_equal(got, "2027-01-29");
    cal_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_date),
        cmocka_unit_test(test_year_days),
        cmocka_unit_test(test_add_workdays),
        cmocka_unit_test(test_add_workdays_exhaustive),
        cmocka_unit_test(test_add_workdays_errors),
        cmocka_unit_test(test_workdays_between),
        cmocka_unit_test(test_workdays_between_random),
        cmocka_unit_test(test_workdays_between_errors),
        cmocka_unit_test(test_unknown_years),
        cmocka_unit_test(test_gap_between_years),
        cmocka_unit_test(test_replace_years),
        cmocka_unit_test(test_set_year_invalid),
        cmocka_unit_test(test_date_parse),
        cmocka_unit_test(test_date_helpers),
        cmocka_unit_test(test_instants),
        cmocka_unit_test(test_add_workdays_provisional),
        cmocka_unit_test(test_provisional_calendar),
        cmocka_unit_test(test_due_provisional),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
