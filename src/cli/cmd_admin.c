/* cmd_admin.c — `bianmin init`, `import`, `calendar`, `routes`: the
 * commands an administrator or a script runs against a database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_calendar.h"
#include "../app/app_regions.h"
#include "../app/app_search.h"
#include "../app/demo.h"
#include "../http/http.h"
#include "cli.h"

int cmd_init(const struct cli_config *c, int argc, char **argv)
{
    int demo = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--demo") == 0)
            demo = 1;
        else {
            fprintf(stderr, "bianmin init: 未知参数 %s\n", argv[i]);
            return 2;
        }
    }
    struct app *app = cli_open_app(c, 0);
    if (!app)
        return 1;
    struct err e = {0};
    int applied = 0;
    if (store_migrate(app_store(app), &applied, &e)) {
        app_close(app);
        return cli_fail(&e);
    }
    printf("数据库结构：已是第 %d 版（本次应用 %d 个迁移）\n",
           store_schema_latest(), applied);
    int synonyms = 0;
    if (app_synonyms_load_default(app, &synonyms, &e)) {
        app_close(app);
        return cli_fail(&e);
    }
    if (synonyms)
        printf("搜索同义词：新增 %d 条\n", synonyms);
    if (demo) {
        struct demo_report rep;
        if (app_calendar_reload(app, &e) || app_demo_load(app, &rep, &e)) {
            app_close(app);
            return cli_fail(&e);
        }
        printf("演示数据：区划 %ld 条，机构 %d 个，大厅 %d 个，窗口 %d 个，账号 %d 个，"
               "事项 %d 个，证明事项 %d 项，共享数据集 %d 个，电子证照 %d 个\n",
               rep.regions, rep.orgs, rep.halls, rep.windows, rep.users,
               rep.items, rep.proofs, rep.datasets, rep.licences);
    }
    app_close(app);
    return 0;
}

int cmd_import(const struct cli_config *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "catalogue") == 0)
        return cmd_import_catalogue(c, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "dataset") == 0)
        return cmd_import_dataset(c, argc - 1, argv + 1);
    if (argc < 3 || strcmp(argv[1], "regions") != 0) {
        fputs("用法: bianmin import regions FILE…\n"
              "      bianmin import catalogue FILE [--publish | --as-is]\n",
              stderr);
        return 2;
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    struct err e = {0};
    struct region_import_report rep;
    int rc = app_regions_import(app, (const char *const *)argv + 2, argc - 2,
                                &rep, &e);
    app_close(app);
    if (rc)
        return cli_fail(&e);
    printf("已读取 %d 个文件 %ld 行：省 %ld，市 %ld，县 %ld，乡镇 %ld，村社区 %ld；"
           "新增或变更 %ld 行",
           rep.files, rep.rows, rep.per_level[1], rep.per_level[2],
           rep.per_level[3], rep.per_level[4], rep.per_level[5], rep.written);
    if (rep.placeholders)
        printf("；跳过 %ld 个代表其上级的重复行（如不设区县的东莞市）", rep.placeholders);
    printf("\n");
    return 0;
}

int cmd_calendar(const struct cli_config *c, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    struct err e = {0};
    json_t *out = NULL;
    int rc;
    if (strcmp(sub, "import") == 0 && argc == 3) {
        struct app *app = cli_open_app(c, 1);
        if (!app)
            return 1;
        int year, days, recomputed = 0;
        rc = app_calendar_import_file(app, argv[2], &year, &days, &recomputed,
                                      &e);
        app_close(app);
        if (rc)
            return cli_fail(&e);
        printf("已导入 %d 年的节假日安排：%d 天\n", year, days);
        if (recomputed)
            printf("已重新计算 %d 个办件的办结日期（原为暂定日期）\n",
                   recomputed);
        return 0;
    }
    if (strcmp(sub, "due") == 0 && argc == 4) {
        char *end;
        long n = strtol(argv[3], &end, 10);
        if (*end || end == argv[3]) {
            fputs("bianmin calendar due: N 应为整数\n", stderr);
            return 2;
        }
        struct app *app = cli_open_app(c, 1);
        if (!app)
            return 1;
        rc = app_calendar_due(app, argv[2], n, &out, &e);
        app_close(app);
        if (rc)
            return cli_fail(&e);
        printf("%s\n", json_string_value(json_object_get(out, "due")));
        json_decref(out);
        return 0;
    }
    if (strcmp(sub, "show") == 0 && argc == 3) {
        struct app *app = cli_open_app(c, 1);
        if (!app)
            return 1;
        rc = app_calendar_year(app, atoi(argv[2]), &out, &e);
        app_close(app);
        if (rc)
            return cli_fail(&e);
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(out, "days"), i, d)
        {
            printf("%s  %s  %s\n",
                   json_string_value(json_object_get(d, "date")),
                   json_is_true(json_object_get(d, "off")) ? "休" : "班",
                   json_string_value(json_object_get(d, "name")));
        }
        json_decref(out);
        return 0;
    }
    fputs("用法: bianmin calendar import FILE | due YYYY-MM-DD N | show YEAR\n",
          stderr);
    return 2;
}

int cmd_routes(const struct cli_config *c, int argc, char **argv)
{
    /* API routes as "METHOD PATTERN"; web pages with a third column. */
    for (const struct route *r = http_routes; r->method; r++)
        printf("%-6s %s%s\n", r->method, r->pattern,
               (r->flags & R_PAGE) ? " page" : "");
    return 0;
}
