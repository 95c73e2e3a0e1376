/* calendar.h — statutory working days (法定工作日): which dates are working
 * days under the State Council's holiday notices, and deadline arithmetic
 * on them.
 *
 * A `struct cal` knows a set of years. For each known year it holds the
 * listed days of that year's notice (holiday rest days, CAL_OFF, and make-up
 * working days 调休上班, CAL_WORK). A date that no list names follows the
 * normal rule: Monday–Friday work, Saturday–Sunday rest. A year's list may
 * also name dates in December of the previous year (2019's notice lists
 * 2018-12-29..31 for its New Year holiday); a date is therefore looked up in
 * the list of the following year first, then in its own year's list: when
 * both name it, the following year's list (the later notice) wins.
 *
 * Known years: a date is decided only when its own year is known
 * (cal_set_year was called for it); otherwise the functions fail with
 * ERR_INVALID rather than guess. Caveat: December of the last known year may
 * still be changed by the next year's notice once that is loaded.
 *
 * Core does not parse JSON: the app layer reads data/holidays/<year>.json
 * (or an import) and hands the days over with cal_set_year().
 *
 * Instants are UTC Unix milliseconds. Civil dates are those of Asia/Shanghai,
 * which has been UTC+8 without daylight saving since 1991: the module uses a
 * fixed +8 h offset (dates before 1991 may differ by the old summer time;
 * cases never start that early).
 *
 * Representation: each known year's list (sorted, copied) plus, for the span
 * first..last known year, one byte per day (working/rest, listed kind,
 * unknown) and a running count of working days, rebuilt by cal_set_year.
 * Lookups are O(1), cal_add_workdays is O(log days), cal_workdays_between is
 * O(p log p) for p pauses. Only cal_new, cal_set_year and (for more than 32
 * pauses) cal_workdays_between allocate.
 *
 * Thread-safety: a cal is built (cal_new, cal_set_year) by one thread, then
 * is immutable; any number of threads may then call the const functions on
 * it at once. cal_set_year on a cal that readers share needs outside
 * locking (or build a new cal and swap the pointer). No global state.
 *
 * Errors: functions that can fail take `struct err *e` last, return -1 and
 * fill *e (err.h); ERR_INVALID for bad or unknown dates, ERR_TOO_LARGE for a
 * too small output array, ERR_INTERNAL when memory runs out. Unless a
 * function takes a `field` argument, the error's field names the offending
 * member of the function's input as documented, or is "" — callers then name
 * it with err_field_prefix(e, "/due_on"). */
#ifndef BIANMIN_CORE_CALENDAR_H
#define BIANMIN_CORE_CALENDAR_H

#include <stdint.h>

#include "core/err.h"

#define CAL_YEAR_MIN 1900      /* earliest year of any date this module takes */
#define CAL_YEAR_MAX 2999      /* latest */
#define CAL_NAME_SIZE 48       /* bytes of cal_day.name, NUL included */
#define CAL_YEAR_DAYS_MAX 400  /* most listed days one cal_set_year takes */
#define CAL_SHANGHAI_OFFSET_MS (8LL * 3600 * 1000) /* UTC+8, no DST */

/* A civil (proleptic Gregorian) date; valid when cal_date_valid says so. */
struct cal_date {
    int y, m, d;
};

enum cal_kind {
    CAL_NORMAL = 0, /* not listed: Mon–Fri work, Sat–Sun rest */
    CAL_OFF = 1,    /* listed holiday rest day (isOffDay: true) */
    CAL_WORK = 2,   /* listed make-up working day 调休 (isOffDay: false) */
};

/* One listed day of a notice. name: the holiday it belongs to ("春节"),
 * non-empty UTF-8, NUL-terminated; "" for CAL_NORMAL in cal_day_info. */
struct cal_day {
    struct cal_date date;
    enum cal_kind kind;
    char name[CAL_NAME_SIZE];
};

/* A pause of a case's clock (waiting on the applicant, special procedure).
 * UTC Unix ms; end_ms == 0 means still paused (until the end of the query). */
struct cal_pause {
    int64_t start_ms, end_ms;
};

struct cal;

/* ---- dates (no calendar needed) ---------------------------------------- */

/* cal_date_valid — 1 when d is a real Gregorian date with year in
 * CAL_YEAR_MIN..CAL_YEAR_MAX (2024-02-29 yes, 2023-02-29 no), else 0. */
int cal_date_valid(struct cal_date d);

/* cal_weekday — day of the week of d: 0 = Monday … 6 = Sunday. d must be a
 * real date (any year); for others the result is meaningless but defined. */
int cal_weekday(struct cal_date d);

/* cal_day_number — days from 1970-01-01 to d (negative before). Defined for
 * any m 1..12, d 1..31 combination; meant for valid dates. */
int64_t cal_day_number(struct cal_date d);

/* cal_date_of_day_number — inverse of cal_day_number. */
struct cal_date cal_date_of_day_number(int64_t days);

/* cal_date_cmp — <0, 0, >0 as a is before, equal to, after b. */
int cal_date_cmp(struct cal_date a, struct cal_date b);

/* cal_date_parse — strictly "YYYY-MM-DD": exactly 10 characters, 4-2-2
 * digits with '-' between, nothing before or after, a real date, year
 * CAL_YEAR_MIN..CAL_YEAR_MAX. 0 and *out on success; on failure -1,
 * ERR_INVALID with the caller's `field` (NULL = ""): "日期格式应为YYYY-MM-DD"
 * (shape, including s == NULL), "年份超出范围" or "日期不存在". *out is
 * untouched on failure. */
int cal_date_parse(const char *s, struct cal_date *out, const char *field,
                   struct err *e);

/* cal_date_format — write d as "YYYY-MM-DD" plus NUL into out (11 bytes).
 * A date that is not cal_date_valid is written as "0000-00-00". */
void cal_date_format(struct cal_date d, char out[11]);

/* cal_date_of_instant — the Asia/Shanghai civil date of a UTC instant, by
 * a fixed +8 h offset (see the top of this file). Any int64 is accepted;
 * the result need not be cal_date_valid for instants outside 1900..2999. */
struct cal_date cal_date_of_instant(int64_t utc_ms);

/* ---- building a calendar ------------------------------------------------ */

/* cal_new — an empty calendar (no year known). Caller frees with cal_free.
 * NULL when out of memory. */
struct cal *cal_new(void);

/* cal_free — free c and everything it owns. NULL is a no-op. */
void cal_free(struct cal *c);

/* cal_set_year — make `year` known with exactly these n listed days,
 * replacing whatever list that year had (an imported year replaces the
 * shipped one). n == 0 makes the year known with no listed day.
 * Copies days; borrows nothing after return.
 * Checks, all or nothing (on failure c is unchanged), ERR_INVALID:
 *   year outside CAL_YEAR_MIN..CAL_YEAR_MAX           field "/year"
 *   n < 0, n > CAL_YEAR_DAYS_MAX, days NULL with n > 0 field "/days"
 *   days[i].date not real, or neither in `year` nor in December of year-1,
 *   or the same date as an earlier days[j]            field "/days/<i>/date"
 *   days[i].kind not CAL_OFF or CAL_WORK              field "/days/<i>/isOffDay"
 *   days[i].name empty, not NUL-terminated within CAL_NAME_SIZE bytes, not
 *   valid UTF-8, or holding control characters       field "/days/<i>/name"
 * ERR_INTERNAL (c unchanged) when memory runs out.
 * A December date of year-1 that year-1's own list also names takes this
 * list's kind (the later notice wins), whichever year was set first. */
int cal_set_year(struct cal *c, int year, const struct cal_day *days, int n,
                 struct err *e);

/* ---- reading a calendar (const: safe from many threads) ----------------- */

/* cal_has_year — 1 when year is known (cal_set_year succeeded for it). */
int cal_has_year(const struct cal *c, int year);

/* cal_first_year, cal_last_year — the smallest / largest known year, 0 when
 * none is known. Years between them need not all be known. */
int cal_first_year(const struct cal *c);
int cal_last_year(const struct cal *c);

/* cal_day_info — whether d is a working day (*is_work 1/0, may be NULL) and
 * how it is listed (*info, may be NULL: date d, kind, name; CAL_NORMAL and
 * name "" when no list names it). -1 and ERR_INVALID with the caller's
 * `field` when d is not a real date ("日期不存在") or d's year is not known
 * ("<year>年的节假日安排尚未导入"); outputs untouched then. */
int cal_day_info(const struct cal *c, struct cal_date d, int *is_work,
                 struct cal_day *info, const char *field, struct err *e);

/* cal_is_workday — cal_day_info with field "" and no listing. */
int cal_is_workday(const struct cal *c, struct cal_date d, int *is_work,
                   struct err *e);

/* cal_year_days — the listed days whose date falls in `year`, whichever
 * known list names them (December dates may come from year+1's list; when
 * two lists name a date it appears once, as cal_day_info sees it), sorted
 * by date, copied into out[0..max). Returns the count (>= 0). With out ==
 * NULL nothing is copied and the count is returned (a size query).
 * -1 with ERR_INVALID (field "") when year is not known; ERR_TOO_LARGE
 * (field "") when out is not NULL and more than max days are listed. */
int cal_year_days(const struct cal *c, int year, struct cal_day *out,
                  int max, struct err *e);

/* cal_add_workdays — the n-th working day after `from`: `from` itself is
 * never counted, so n == 1 is the first working day after it, and n == 0
 * gives `from` unchanged (whatever day it is). A deadline of "n working days
 * from acceptance" is cal_add_workdays(acceptance date, n).
 * Needs every day after `from` up to the result to be in a known year; from
 * itself need not be (2015-12-31 + 1 works when only 2016 is known).
 * 0 and *out on success (*out untouched on failure); -1 with ERR_INVALID
 * (field "") when n < 0 ("工作日数不能为负"), from is not a real date
 * ("日期不存在"), or the count runs into a year that is not known, be it a
 * gap or past the last year ("<first such year>年的节假日安排尚未导入").
 * O(log days): adding 1,000 working days costs a binary search. */
int cal_add_workdays(const struct cal *c, struct cal_date from, int n,
                     struct cal_date *out, struct err *e);

/* cal_add_workdays_instant — cal_add_workdays from the Shanghai date of
 * utc_ms (cal_date_of_instant). Same errors. */
int cal_add_workdays_instant(const struct cal *c, int64_t utc_ms, int n,
                             struct cal_date *due, struct err *e);

/* cal_workdays_between — working days a case's clock has run between two
 * instants, pauses excluded. The rule, on Shanghai dates
 * S = date(start_ms), E = date(end_ms):
 *   elapsed = the working days d with S < d <= E
 *             (the start day is not counted, the end day is; same instant
 *             or same day gives 0; cal_workdays_between(t, due) equals n
 *             when due = cal_add_workdays_instant(t, n) at any time that day)
 *   paused  = the working days d with S < d <= E that lie in at least one
 *             pause i: Pi < d <= Qi, where Pi = date(p[i].start_ms) and
 *             Qi = date(p[i].end_ms), or Qi = E when p[i].end_ms == 0
 *             (the day a pause starts still counts, the day it ends does
 *             not; overlapping or repeated pauses count each day once;
 *             pauses are clipped to the window, so parts before S or after
 *             E do not matter)
 *   *out    = elapsed − paused (>= 0).
 * p may be NULL when np == 0. Allocates only for np > 32.
 * -1 with ERR_INVALID: end_ms < start_ms (field ""); np < 0 or p NULL with
 * np > 0 (field "/pauses"); p[i].end_ms != 0 and < p[i].start_ms (field
 * "/pauses/<i>"); a day of (S, E] in an unknown year or out of range
 * (field "", "…尚未导入"). ERR_INTERNAL when memory runs out. */
int cal_workdays_between(const struct cal *c, int64_t start_ms,
                         int64_t end_ms, const struct cal_pause *p, int np,
                         int *out, struct err *e);

/* ---- provisional counting (a year not yet published) -------------------
 *
 * The State Council publishes a year's holidays late in the year before; a
 * deadline that runs past the last known year cannot wait for it. Counting
 * provisionally takes every day of a year the calendar does not know by the
 * normal rule — Monday–Friday work, Saturday–Sunday rest, no holiday and no
 * make-up day assumed — and says so, so that the date can be recomputed
 * when the year is loaded. The functions above never do this: they refuse. */

/* cal_provisional — a new calendar (free with cal_free) that knows every
 * year c knows, with c's lists, plus every year from the earlier of c's
 * first known year and first_year (0 = c's first; through_year when c
 * knows none) through through_year (capped at CAL_YEAR_MAX) that c does
 * not know — gaps and the years after the last — as a year with no listed
 * day. cal_has_year answers 1 for those;
 * cal_year_provisional tells them apart. NULL with ERR_INTERNAL when out
 * of memory. cal_set_year on the copy makes a year known for real. */
struct cal *cal_provisional(const struct cal *c, int first_year,
                            int through_year, struct err *e);

/* cal_year_provisional — 1 when year is known only provisionally (filled
 * in by cal_provisional), else 0 (known for real, or not known). */
int cal_year_provisional(const struct cal *c, int year);

/* cal_span_provisional — 1 when any day of day numbers [first_day,
 * last_day] lies in a year that c does not know or knows only
 * provisionally; 0 otherwise (and when last_day < first_day). */
int cal_span_provisional(const struct cal *c, int64_t first_day,
                         int64_t last_day);

/* cal_add_workdays_provisional — cal_add_workdays, except that the days of
 * years c does not know (a gap, or past the last known year) count by the
 * normal rule instead of failing. *provisional = 1 when any day of
 * (from, *out] lies in such a year (or one c knows only provisionally),
 * else 0 — and then *out equals cal_add_workdays'. Caveat (as above): a
 * date in December of the last known year is not provisional, though the
 * next year's notice may still list it. Errors: n < 0, from not a real
 * date (ERR_INVALID, as cal_add_workdays); a result past CAL_YEAR_MAX
 * (ERR_INVALID); ERR_INTERNAL when out of memory. Outputs untouched on
 * failure. Allocates a provisional copy (cal_provisional) only when c
 * does not cover the count itself; pass a provisional calendar to avoid
 * that. */
int cal_add_workdays_provisional(const struct cal *c, struct cal_date from,
                                 int n, struct cal_date *out, int *provisional,
                                 struct err *e);

#endif
