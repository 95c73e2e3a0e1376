/* deadline.c — due dates, pauses and warning levels of cases, on the
 * working-day calendar. Pure rules; contract in core/deadline.h. */
#include "deadline.h"

#include <string.h>

const char *dl_level_name(enum dl_level l)
{
    switch (l) {
    case DL_YELLOW:
        return "yellow";
    case DL_RED:
        return "red";
    default:
        return "green";
    }
}

int dl_level_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "green"))
        return DL_GREEN;
    if (!strcmp(s, "yellow"))
        return DL_YELLOW;
    if (!strcmp(s, "red"))
        return DL_RED;
    return -1;
}

int dl_threshold(int limit_days, int item)
{
    if (item >= 1)
        return item;
    if (limit_days <= 0)
        return 1;
    int t = (limit_days + 4) / 5; /* ceil(20%) */
    return t < 1 ? 1 : t;
}

int dl_paused_days(const struct cal *c, int64_t start_ms, int64_t now_ms,
                   const struct cal_pause *p, int np, int *out, struct err *e)
{
    if (np <= 0) {
        *out = 0;
        return 0;
    }
    if (now_ms < start_ms)
        now_ms = start_ms;
    int all, running;
    if (cal_workdays_between(c, start_ms, now_ms, NULL, 0, &all, e) ||
        cal_workdays_between(c, start_ms, now_ms, p, np, &running, e))
        return -1;
    *out = all - running;
    return 0;
}

int dl_due(const struct cal *c, int64_t start_ms, int limit,
           const struct cal_pause *p, int np, int64_t now_ms,
           int64_t *due_day, struct err *e)
{
    if (limit < 0)
        return err_set(e, ERR_INVALID, "", "时限不能为负");
    int paused;
    if (dl_paused_days(c, start_ms, now_ms, p, np, &paused, e))
        return -1;
    struct cal_date due;
    if (cal_add_workdays_instant(c, start_ms, limit + paused, &due, e))
        return -1;
    *due_day = cal_day_number(due);
    return 0;
}

int dl_due_provisional(const struct cal *c, int64_t start_ms, int limit,
                       const struct cal_pause *p, int np, int64_t now_ms,
                       int64_t *due_day, int *provisional, struct err *e)
{
    if (limit < 0)
        return err_set(e, ERR_INVALID, "", "时限不能为负");
    int64_t s = cal_day_number(cal_date_of_instant(start_ms));
    int64_t t = cal_day_number(cal_date_of_instant(now_ms));
    if (np <= 0)
        t = s; /* without pauses, now is not looked at */
    int64_t due;
    struct err e2 = {0};
    if (dl_due(c, start_ms, limit, p, np, now_ms, &due, &e2) == 0) {
        *due_day = due;
        *provisional = cal_span_provisional(c, s + 1, due > t ? due : t);
        return 0;
    }
    if (e2.code != ERR_INVALID || np < 0 || (np > 0 && !p)) {
        *e = e2;
        return -1;
    }
    /* A year on the way is not known: a copy that knows it provisionally,
     * reaching past now by the limit (>= 200 working days a year). */
    int from = cal_date_of_day_number(s + 1).y;
    int64_t through =
        (int64_t)cal_date_of_day_number(t > s ? t : s).y + limit / 200 + 2;
    if (through < cal_last_year(c))
        through = cal_last_year(c);
    struct cal *pc = cal_provisional(
        c, from, through > CAL_YEAR_MAX ? CAL_YEAR_MAX : (int)through, e);
    if (!pc)
        return -1;
    int rc = dl_due(pc, start_ms, limit, p, np, now_ms, &due, e);
    if (rc == 0) {
        *due_day = due;
        *provisional = cal_span_provisional(pc, s + 1, due > t ? due : t);
    }
    cal_free(pc);
    return rc;
}

int dl_warn_day(const struct cal *c, int64_t due_day, int threshold,
                int64_t floor_day, int64_t *warn_day, struct err *e)
{
    if (threshold < 1)
        threshold = 1;
    int64_t d = due_day;
    for (int k = threshold - 1; k > 0 && d > floor_day;) {
        d--;
        int work;
        if (cal_is_workday(c, cal_date_of_day_number(d), &work, e))
            return -1;
        if (work)
            k--;
    }
    *warn_day = d < floor_day ? floor_day : d;
    return 0;
}

enum dl_level dl_level_of(int64_t day, int64_t due_day, int64_t warn_day)
{
    if (day > due_day)
        return DL_RED;
    if (day >= warn_day)
        return DL_YELLOW;
    return DL_GREEN;
}

int dl_remaining(const struct cal *c, int64_t day, int64_t due_day, int *out,
                 struct err *e)
{
    int64_t lo = day < due_day ? day : due_day;
    int64_t hi = day < due_day ? due_day : day;
    int n = 0;
    for (int64_t d = lo + 1; d <= hi; d++) {
        int work;
        if (cal_is_workday(c, cal_date_of_day_number(d), &work, e))
            return -1;
        n += work;
    }
    *out = day <= due_day ? n : -n;
    return 0;
}
