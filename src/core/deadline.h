/* deadline.h — the time limits of a case in statutory working days: due
 * dates from acceptance with pauses taken out, the warning threshold, and
 * the warning level (green, yellow, red) of a day.
 *
 * The clock (DOMAIN.md "Cases", core/calendar.h for the counting rule):
 * it starts at acceptance (the acceptance day is not counted), stops while
 * the case waits on the applicant or a special procedure, and a limit of n
 * working days ends on the n-th counted working day. A pause does not eat
 * working days: the due date moves by exactly the working days paused.
 *
 * Levels, on Shanghai dates (day numbers, cal_day_number):
 *   remaining(d) = working days in (d, due] (0 on the due date itself)
 *   red    — d is after the due date (overdue)
 *   yellow — not red, and remaining(d) < threshold
 *   green  — otherwise
 * The yellow period therefore starts on dl_warn_day(due, threshold): the
 * (threshold − 1)-th working day before the due date. A case stores its
 * due day and warn day, so a scan decides the level by two comparisons
 * without a calendar.
 *
 * Provisional dates: a deadline that runs past the last year whose holiday
 * notice is known is counted by the normal weekday rule for the unknown
 * years and flagged (dl_due_provisional); the warning day and the level
 * are then those of the provisional date (pass the provisional calendar,
 * cal_provisional, to dl_warn_day and dl_remaining).
 *
 * Pure: no I/O, no global state; thread-safe (the calendar is read only).
 * Errors as in calendar.h (ERR_INVALID for days in unknown years). */
#ifndef BIANMIN_CORE_DEADLINE_H
#define BIANMIN_CORE_DEADLINE_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/err.h"

enum dl_level { DL_GREEN = 0, DL_YELLOW = 1, DL_RED = 2 };

/* dl_level_name — "green" | "yellow" | "red". dl_level_parse gives -1 for
 * anything else. */
const char *dl_level_name(enum dl_level l);
int dl_level_parse(const char *s);

/* dl_threshold — the yellow threshold of a limit: `item` when >= 1 (the
 * item's own), else the default max(1, ceil(20% of limit)) working days.
 * A limit <= 0 (immediate items) gives 1. */
int dl_threshold(int limit_days, int item);

/* dl_paused_days — working days of (date(start_ms), date(now_ms)] that lie
 * in a pause (cal_workdays_between's rule; an open pause, end_ms 0, runs to
 * now). 0 and *out; errors as cal_workdays_between. */
int dl_paused_days(const struct cal *c, int64_t start_ms, int64_t now_ms,
                   const struct cal_pause *p, int np, int *out,
                   struct err *e);

/* dl_due — the due date of a limit of `limit` (>= 0) working days from
 * acceptance at start_ms, moved by the working days paused up to now_ms:
 * cal_add_workdays(date(start_ms), limit + paused). *due_day gets its day
 * number. */
int dl_due(const struct cal *c, int64_t start_ms, int limit,
           const struct cal_pause *p, int np, int64_t now_ms,
           int64_t *due_day, struct err *e);

/* dl_due_provisional — dl_due where the days of years c does not know
 * count by the normal rule (Monday–Friday work, no holiday assumed:
 * cal_add_workdays_provisional), for pauses and for the count alike.
 * *provisional = 1 when any day from the day after acceptance through the
 * due date (with pauses: or through now, if later) lies in such a year or in
 * one c knows only provisionally (cal_provisional); 0 means the date is final
 * and equals dl_due's. Pass a provisional calendar that reaches far
 * enough to avoid an allocation per call. Errors as dl_due. */
int dl_due_provisional(const struct cal *c, int64_t start_ms, int limit,
                       const struct cal_pause *p, int np, int64_t now_ms,
                       int64_t *due_day, int *provisional, struct err *e);

/* dl_warn_day — the first day of the yellow period: the (threshold − 1)-th
 * working day before due_day (due_day itself for threshold 1), never
 * before `floor_day` (the acceptance day: a short limit is yellow from the
 * start). threshold >= 1. */
int dl_warn_day(const struct cal *c, int64_t due_day, int threshold,
                int64_t floor_day, int64_t *warn_day, struct err *e);

/* dl_level_of — the level of `day` for a case due on due_day whose yellow
 * period starts on warn_day. */
enum dl_level dl_level_of(int64_t day, int64_t due_day, int64_t warn_day);

/* dl_remaining — working days left on `day`: working days in (day, due]
 * when day <= due; minus the working days in (due, day] when overdue. */
int dl_remaining(const struct cal *c, int64_t day, int64_t due_day, int *out,
                 struct err *e);

#endif
