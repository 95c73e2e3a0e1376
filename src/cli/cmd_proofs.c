/* cmd_proofs.c — the proofs module from the command line (trusted: no
 * actor; docs/proofs.md):
 *   bianmin audit proofs [--json | --summary]
 *       the clean-up analyser over the whole published catalogue: the
 *       readable report (default), the JSON report, or the public summary
 *       (清理结果公示) as JSON. Exit 0; 1 when a circular chain or a proof
 *       outside the list is found; 3 when it cannot read.
 *   bianmin audit commitments --seed S [--until T] [--proof NAME]
 *                             [--dry-run] [--json]
 *       draw the post-check sample of notification-commitments: the same
 *       seed over the same commitments gives the same sample; without
 *       --dry-run the draw is stored and logged. One line per selected
 *       commitment (proof, case number, masked applicant, check due date).
 *   bianmin import dataset NAME FILE.csv [--replace]
 *       records of a built-in shared data set (header subject,<fields>). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/app_proofs.h"
#include "cli.h"

static void print_json(const json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    if (s)
        puts(s);
    free(s);
}

int cmd_audit_proofs(const struct cli_config *c, int argc, char **argv)
{
    int as_json = 0, summary = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            as_json = 1;
        else if (!strcmp(argv[i], "--summary"))
            summary = 1;
        else {
            fputs("用法: bianmin audit proofs [--json | --summary]\n", stderr);
            return 2;
        }
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 3;
    struct err e = {0};
    json_t *rep = NULL;
    int rc = app_proofs_analyse(app, &rep, &e);
    app_close(app);
    if (rc) {
        cli_fail(&e);
        return 3;
    }
    if (summary)
        print_json(json_object_get(rep, "summary"));
    else if (as_json)
        print_json(rep);
    else {
        char *text = app_proofs_report_text(rep);
        fputs(text, stdout);
        free(text);
    }
    const json_t *counts = json_object_get(rep, "counts");
    int bad = json_integer_value(json_object_get(counts, "circular")) > 0 ||
              json_integer_value(json_object_get(counts, "unlisted_proofs")) >
                  0;
    json_decref(rep);
    return bad ? 1 : 0;
}

int cmd_audit_commitments(const struct cli_config *c, int argc, char **argv)
{
    struct draw_request rq = {0};
    int as_json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dry-run"))
            rq.dry_run = 1;
        else if (!strcmp(argv[i], "--json"))
            as_json = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            rq.seed = argv[++i];
        else if (!strcmp(argv[i], "--until") && i + 1 < argc)
            rq.until = argv[++i];
        else if (!strcmp(argv[i], "--proof") && i + 1 < argc)
            rq.proof = argv[++i];
        else
            goto usage;
    }
    if (!rq.seed)
        goto usage;
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 3;
    struct err e = {0};
    json_t *out = NULL;
    int rc = app_commitment_draw(app, NULL, &rq, &out, &e);
    app_close(app);
    if (rc)
        return cli_fail(&e) + 1;
    if (as_json) {
        print_json(out);
    } else {
        json_t *d = json_object_get(out, "draw_id");
        printf("抽取%s：种子 %s，共 %lld 件承诺，抽中 %lld 件\n",
               json_is_null(d) ? "（试算，未保存）" : "", rq.seed,
               (long long)json_integer_value(json_object_get(out, "population")),
               (long long)json_integer_value(json_object_get(out, "selected")));
        size_t i, k;
        json_t *p, *s;
        json_array_foreach(json_object_get(out, "proofs"), i, p)
        {
            printf("%s：%lld 件中按 %lld%% 抽取，%lld 个工作日内核查\n",
                   json_string_value(json_object_get(p, "proof")),
                   (long long)json_integer_value(json_object_get(p, "population")),
                   (long long)json_integer_value(json_object_get(p, "check_percent")),
                   (long long)json_integer_value(json_object_get(p, "check_days")));
            json_array_foreach(json_object_get(p, "selected"), k, s)
            {
                const char *due = json_string_value(json_object_get(s, "check_due"));
                printf("  %lld\t%s\t%s\t%s\n",
                       (long long)json_integer_value(json_object_get(s, "id")),
                       json_string_value(json_object_get(s, "case_no")),
                       json_string_value(json_object_get(s, "applicant")),
                       due ? due : "-");
            }
        }
    }
    json_decref(out);
    return 0;
usage:
    fputs("用法: bianmin audit commitments --seed S [--until T] [--proof 证明] "
          "[--dry-run] [--json]\n",
          stderr);
    return 2;
}

int cmd_import_dataset(const struct cli_config *c, int argc, char **argv)
{
    const char *name = NULL, *file = NULL;
    int replace = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--replace"))
            replace = 1;
        else if (!name)
            name = argv[i];
        else if (!file)
            file = argv[i];
        else
            name = NULL, i = argc;
    }
    if (!name || !file) {
        fputs("用法: bianmin import dataset 数据集 FILE.csv [--replace]\n",
              stderr);
        return 2;
    }
    FILE *fp = fopen(file, "rb");
    if (!fp) {
        perror(file);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *g = realloc(buf, cap * 2);
            if (!g) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = g;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!buf) {
        fputs("bianmin: 内存不足\n", stderr);
        return 1;
    }
    struct app *app = cli_open_app(c, 1);
    if (!app) {
        free(buf);
        return 1;
    }
    struct err e = {0};
    struct dataset_import_report rep;
    int rc = app_dataset_import_csv(app, NULL, name, buf, n, replace, &rep, &e);
    app_close(app);
    free(buf);
    if (rc)
        return cli_fail(&e);
    printf("已导入“%s”的记录 %d 条%s\n", name, rep.rows,
           rep.replaced ? "（替换原有记录）" : "");
    return 0;
}
