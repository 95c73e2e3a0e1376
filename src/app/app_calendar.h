/* app_calendar.h — the working-day calendar as people use it: a year's
 * holidays and make-up days, the due date N working days after a date, and
 * importing a year (the State Council publishes the next year each autumn).
 *
 * The calendar is the years shipped in the program (data/holidays, compiled
 * in) overlaid by years imported into the database: an imported year
 * replaces the shipped one. Every node rebuilds its copy within a second of
 * an import (calendar_rev in the meta table). Rules in core/calendar.h.
 *
 * This module refuses to guess: a date outside the known years is an
 * ERR_INVALID here. Only case clocks count unknown years provisionally
 * (Mon–Fri, flagged; core/deadline.h, app_cases.h), and an import
 * recomputes them. */
#ifndef BIANMIN_APP_APP_CALENDAR_H
#define BIANMIN_APP_APP_CALENDAR_H

#include <jansson.h>

#include "../core/calendar.h"
#include "app.h"

/* app_calendar_year — {"year", "source": "shipped"|"imported", "days":
 * [{"date","name","off"}…]}; ERR_INVALID (field "year") for an unknown year. */
int app_calendar_year(struct app *a, int year, json_t **out, struct err *e);

/* app_calendar_due — {"from", "workdays", "due"}: the workdays-th working day
 * after `from` (YYYY-MM-DD; from itself not counted). ERR_INVALID naming
 * "from" or "workdays" for bad input or dates outside every known year. */
int app_calendar_due(struct app *a, const char *from, long workdays,
                     json_t **out, struct err *e);

/* app_calendar_reload — rebuild this node's calendar now from the shipped
 * years and the database's imported years (other nodes follow within a
 * second through calendar_rev). */
int app_calendar_reload(struct app *a, struct err *e);

/* A year parsed and checked, ready to store. */
struct cal_import;

/* app_calendar_parse — check a year file in the shipped format
 * ({"year": 2027, "days": [{"name","date","isOffDay"}…]}, other keys
 * ignored). `want_year` (0 = take the file's) must match the file's year.
 * The whole list is validated by the calendar rules; errors name the JSON
 * pointer ("/days/3/date"). Caller frees with app_calendar_import_free. */
struct cal_import *app_calendar_parse(const json_t *doc, int want_year,
                                      const char *source, struct err *e);
void app_calendar_import_free(struct cal_import *ci);
int app_calendar_import_year(const struct cal_import *ci);
int app_calendar_import_days(const struct cal_import *ci);
/* app_calendar_import_recomputed — after the store unit: how many open
 * cases had their provisional due dates recomputed (and changed). */
int app_calendar_import_recomputed(const struct cal_import *ci);
/* app_calendar_import_by — who imports (copied; NULL = the command line),
 * named in the import's audit row. */
void app_calendar_import_by(struct cal_import *ci, const struct actor *by);
/* app_calendar_store_unit — a store unit (store.h) writing a parsed year;
 * arg is the struct cal_import. In the same unit, the open cases whose
 * due dates are provisional (they counted an unknown year Mon–Fri) are
 * counted again with the new calendar (app_cases_recompute_provisional). */
int app_calendar_store_unit(struct db *db, void *arg, struct err *e);
/* app_calendar_import_file — read, parse, store durably (recomputing
 * provisional due dates: *recomputed, may be NULL), reload. For the CLI. */
int app_calendar_import_file(struct app *a, const char *path, int *year,
                             int *days, int *recomputed, struct err *e);

#endif
