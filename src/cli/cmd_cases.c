/* cmd_cases.c — cases from the command line (trusted: no actor;
 * docs/cases.md):
 *   bianmin cases warnings (--region CODE | --org ID) [--level red|yellow]
 *                          [--limit N] [--after CURSOR] [--date YYYY-MM-DD]
 *                          [--json]
 *       the deadline warning scan of a region subtree or an office: the
 *       counts of red and yellow cases, then one line per case, most
 *       urgent first (case number, level, due date, working days left,
 *       office, item); --after pages on (the cursor printed last); --date
 *       looks as on another day (default today, Shanghai). Exit 0; 2 on
 *       bad usage; 3 when it cannot read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_cases.h"
#include "../core/calendar.h"
#include "cli.h"

static int usage(void)
{
    fputs("用法: bianmin cases warnings (--region 区划代码 | --org 机构ID) "
          "[--level red|yellow] [--limit N] [--after 游标] "
          "[--date YYYY-MM-DD] [--json]\n",
          stderr);
    return 2;
}

static const char *level_title(const char *l)
{
    return !strcmp(l, "red") ? "红" : !strcmp(l, "yellow") ? "黄" : l;
}

static int warnings(const struct cli_config *c, int argc, char **argv)
{
    struct warn_query q = {0};
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(f, "--json")) {
            as_json = 1;
            continue;
        }
        if (!v)
            return usage();
        i++;
        char *end;
        if (!strcmp(f, "--region"))
            q.region = v;
        else if (!strcmp(f, "--org")) {
            q.org_id = strtoll(v, &end, 10);
            if (*end || q.org_id <= 0)
                return usage();
        } else if (!strcmp(f, "--level"))
            q.level = v;
        else if (!strcmp(f, "--limit")) {
            q.limit = (int)strtol(v, &end, 10);
            if (*end || q.limit <= 0)
                return usage();
        } else if (!strcmp(f, "--after"))
            q.after = v;
        else if (!strcmp(f, "--date")) {
            struct cal_date d;
            struct err e = {0};
            if (cal_date_parse(v, &d, "--date", &e))
                return cli_fail(&e) + 1;
            q.today = cal_day_number(d);
        } else
            return usage();
    }
    if (!q.region == !q.org_id)
        return usage();
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 3;
    struct err e = {0};
    json_t *out = NULL;
    int rc = app_case_warnings(app, NULL, &q, &out, &e);
    app_close(app);
    if (rc) {
        cli_fail(&e);
        return e.code == ERR_INVALID ? 2 : 3;
    }
    if (as_json) {
        char *s = json_dumps(out, JSON_INDENT(2));
        if (s)
            puts(s);
        free(s);
    } else {
        printf("%s  红（超期）%lld  黄（预警）%lld\n",
               json_string_value(json_object_get(out, "today")),
               (long long)json_integer_value(json_object_get(out, "red")),
               (long long)json_integer_value(json_object_get(out, "yellow")));
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(out, "items"), i, it)
        {
            json_t *left = json_object_get(it, "remaining_workdays");
            char lb[16] = "-";
            if (json_is_integer(left))
                snprintf(lb, sizeof lb, "%lld",
                         (long long)json_integer_value(left));
            printf("%s\t%s\t%s%s\t%s\t%s\t%s\n",
                   json_string_value(json_object_get(it, "case_no")),
                   level_title(json_string_value(json_object_get(it, "level"))),
                   json_string_value(json_object_get(it, "due_date")),
                   json_is_true(json_object_get(it, "due_provisional"))
                       ? "（暂定）"
                       : "",
                   lb,
                   json_string_value(
                       json_object_get(json_object_get(it, "org"), "name")),
                   json_string_value(json_object_get(it, "item")));
        }
        const char *next = json_string_value(json_object_get(out, "next"));
        if (next)
            printf("下一页: --after %s\n", next);
    }
    json_decref(out);
    return 0;
}

int cmd_cases(const struct cli_config *c, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "warnings"))
        return warnings(c, argc - 1, argv + 1);
    return usage();
}
