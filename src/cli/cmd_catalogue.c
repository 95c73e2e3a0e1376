/* cmd_catalogue.c — the catalogue from the command line (trusted: no
 * actor):
 *   bianmin import catalogue FILE [--publish | --as-is]
 *       import a JSON model, bianmin CSV or a real extract (format
 *       recognised by content; docs/catalogue.md "Import and export").
 *       Default: implementation items arrive as drafts; --publish publishes
 *       them (an item whose guide the lint refuses fails the import);
 *       --as-is publishes them as they are (lint errors recorded).
 *   bianmin export catalogue [--format json|csv] [--published]
 *       the whole catalogue to stdout (every item with its current version;
 *       --published: only published items, as the API exports them).
 *   bianmin audit catalogue [--json]
 *       the guide lint over every item's current version: counts by
 *       finding, then one line per finding. Exit 0 without errors, 1 when
 *       some guide has errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_catalogue.h"
#include "cli.h"

int cmd_import_catalogue(const struct cli_config *c, int argc, char **argv)
{
    const char *file = NULL;
    struct cat_import_opts o = {.publish = CAT_IMPORT_DRAFT};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--publish"))
            o.publish = CAT_IMPORT_PUBLISH;
        else if (!strcmp(argv[i], "--as-is"))
            o.publish = CAT_IMPORT_AS_IS;
        else if (!file && argv[i][0] != '-')
            file = argv[i];
        else {
            fputs("用法: bianmin import catalogue FILE [--publish | --as-is]\n",
                  stderr);
            return 2;
        }
    }
    if (!file) {
        fputs("用法: bianmin import catalogue FILE [--publish | --as-is]\n",
              stderr);
        return 2;
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    struct err e = {0};
    struct cat_import_report rep;
    int rc = app_catalogue_import_file(app, file, &o, &rep, &e);
    app_close(app);
    if (rc)
        return cli_fail(&e);
    printf(
        "已导入（%s）：基本目录事项新增 %d、更新 %d、未变 %d；实施清单事项新增 "
        "%d、新版本 %d、未变 %d；新建部门 %d；发布 %d",
        rep.format, rep.bases_new, rep.bases_updated, rep.bases_same,
        rep.items_new, rep.items_versioned, rep.items_same, rep.orgs_new,
        rep.published);
    if (rep.with_lint_errors)
        printf("（其中 %d 个办事指南不完整，见 bianmin audit catalogue）",
               rep.with_lint_errors);
    printf("\n");
    return 0;
}

int cmd_export(const struct cli_config *c, int argc, char **argv)
{
    int csv = 0, published = 0;
    if (argc < 2 || strcmp(argv[1], "catalogue") != 0)
        goto usage;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--published"))
            published = 1;
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            i++;
            if (!strcmp(argv[i], "csv"))
                csv = 1;
            else if (strcmp(argv[i], "json"))
                goto usage;
        } else
            goto usage;
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    struct err e = {0};
    int rc;
    if (csv) {
        char *text;
        size_t n;
        rc = app_catalogue_export_csv(app, published, &text, &n, &e);
        if (rc == 0) {
            fwrite(text, 1, n, stdout);
            free(text);
        }
    } else {
        json_t *m;
        rc = app_catalogue_export(app, published, &m, &e);
        if (rc == 0) {
            json_dumpf(m, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            fputc('\n', stdout);
            json_decref(m);
        }
    }
    app_close(app);
    return rc ? cli_fail(&e) : 0;
usage:
    fputs("用法: bianmin export catalogue [--format json|csv] [--published]\n",
          stderr);
    return 2;
}

int cmd_audit_catalogue(const struct cli_config *c, int argc, char **argv)
{
    int as_json = argc == 2 && !strcmp(argv[1], "--json");
    if (argc > 2 || (argc == 2 && !as_json)) {
        fputs("用法: bianmin audit catalogue [--json]\n", stderr);
        return 2;
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 3;
    struct err e = {0};
    json_t *r;
    int rc = app_catalogue_audit(app, &r, &e);
    app_close(app);
    if (rc) {
        cli_fail(&e);
        return 3;
    }
    int errors = (int)json_integer_value(json_object_get(r, "errors"));
    if (as_json) {
        json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(r);
        return errors ? 1 : 0;
    }
    printf(
        "事项 %lld 个，其中 %lld 个办事指南有错误；错误 %d 项，提示 %lld 项\n",
        (long long)json_integer_value(json_object_get(r, "items")),
        (long long)json_integer_value(json_object_get(r, "items_with_errors")),
        errors, (long long)json_integer_value(json_object_get(r, "warnings")));
    /* Counts by finding, most frequent first. */
    json_t *by = json_object_get(r, "by_code");
    size_t n = json_object_size(by), k = 0;
    const char **codes = calloc(n + 1, sizeof *codes);
    const char *key;
    json_t *v;
    json_object_foreach(by, key, v) codes[k++] = key;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            json_int_t a = json_integer_value(json_object_get(by, codes[i]));
            json_int_t b = json_integer_value(json_object_get(by, codes[j]));
            if (b > a || (b == a && strcmp(codes[j], codes[i]) < 0)) {
                const char *t = codes[i];
                codes[i] = codes[j];
                codes[j] = t;
            }
        }
    if (n)
        printf("\n按检查项统计：\n");
    for (size_t i = 0; i < n; i++)
        printf("  %-28s %lld\n", codes[i],
               (long long)json_integer_value(json_object_get(by, codes[i])));
    free(codes);
    json_t *list = json_object_get(r, "findings");
    if (json_array_size(list))
        printf("\n逐项：\n");
    size_t i;
    json_array_foreach(list, i, v)
    {
        printf("%s\t%s\t第%lld版\t%s\t%s\t%s\t%s\t%s\n",
               json_string_value(json_object_get(v, "code")),
               json_string_value(json_object_get(v, "name")),
               (long long)json_integer_value(json_object_get(v, "version")),
               json_string_value(json_object_get(v, "state")),
               json_string_value(json_object_get(v, "severity")),
               json_string_value(json_object_get(v, "finding")),
               json_string_value(json_object_get(v, "field")),
               json_string_value(json_object_get(v, "message")));
    }
    json_decref(r);
    return errors ? 1 : 0;
}
