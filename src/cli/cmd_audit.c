/* cmd_audit.c — `bianmin audit`: read and check the audit log from the
 * command line (no actor: whoever can run the command on the database sees
 * every row).
 *
 *   bianmin audit log --verify
 *       walk the hash chain: exit 0 "审计日志完整：N 条", or exit 1 naming
 *       the first broken seq and why (a gap, a changed row, a reordered
 *       pair, a cut tail). Exit 2 for bad usage, 3 when it cannot read.
 *   bianmin audit log [--since T] [--until T] [--action A] [--actor X]
 *                     [--region CODE] [--outcome O] [--after SEQ]
 *                     [--limit N] [--json]
 *       rows oldest first, one per line (tab-separated: seq, time in
 *       Beijing time, outcome, action, actor, ip, target, region, detail),
 *       or JSON lines with --json. T as app_audit_time_parse (audit.h).
 *   bianmin audit catalogue …  — the catalogue's guide check
 *       (cmd_catalogue.c: cmd_audit_catalogue), dispatched from here.
 *   bianmin audit proofs …, audit commitments … — the proof clean-up
 *       analyser and the commitment post-check draw (cmd_proofs.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/audit.h"
#include "cli.h"

static int usage(void)
{
    fputs("用法:\n"
          "  bianmin audit log --verify\n"
          "  bianmin audit log [--since T] [--until T] [--action A] "
          "[--actor ID|LOGIN] [--region CODE] [--outcome ok|denied|failed] "
          "[--after SEQ] [--limit N] [--json]\n"
          "  bianmin audit catalogue [--json]\n"
          "  bianmin audit proofs [--json | --summary]\n"
          "  bianmin audit commitments --seed S [--until T] [--proof 证明] "
          "[--dry-run] [--json]\n"
          "时间 T: YYYY-MM-DD、YYYY-MM-DDTHH:MM:SS[Z|±HH:MM]（默认北京时间）或毫秒数\n",
          stderr);
    return 2;
}

static int verify(struct app *app)
{
    struct err e = {0};
    struct audit_verdict v;
    if (app_audit_verify(app, &v, &e)) {
        cli_fail(&e);
        return 3;
    }
    if (v.bad_seq) {
        printf("审计日志已损坏：第 %lld 条：%s（此前 %lld 条完整）\n",
               (long long)v.bad_seq, v.why, (long long)v.rows);
        return 1;
    }
    printf("审计日志完整：%lld 条\n", (long long)v.rows);
    return 0;
}

static void print_row(const struct audit_view *v, int as_json)
{
    if (as_json) {
        json_t *o = app_audit_json(v);
        char *s = json_dumps(o, JSON_COMPACT);
        if (s)
            puts(s);
        free(s);
        json_decref(o);
        return;
    }
    char when[32];
    time_t t = (time_t)(v->at / 1000) + 8 * 3600; /* Beijing time */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    char actor[96];
    if (v->actor_id)
        snprintf(actor, sizeof actor, "%s#%lld",
                 v->actor_login ? v->actor_login : "", (long long)v->actor_id);
    else
        snprintf(actor, sizeof actor, "%s", v->actor_login ? v->actor_login
                                                           : "-");
    printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s%s%s\t%s\t%s\n", (long long)v->seq,
           when, v->outcome, v->action, actor, v->ip ? v->ip : "-",
           v->target_kind ? v->target_kind : "-", v->target_id ? ":" : "",
           v->target_id ? v->target_id : "", v->region ? v->region : "-",
           v->detail ? v->detail : "{}");
}

static int list(struct app *app, const struct audit_query *q0, int as_json)
{
    struct audit_query q = *q0;
    long long want = q.limit > 0 ? q.limit : -1; /* -1: everything */
    for (;;) {
        struct arena *ar = arena_new();
        struct audit_view *items;
        int n;
        int64_t next;
        struct err e = {0};
        q.limit = want < 0 || want > APP_AUDIT_PAGE_MAX ? APP_AUDIT_PAGE_MAX
                                                        : (int)want;
        if (app_audit_search(app, NULL, &q, ar, &items, &n, &next, &e)) {
            arena_free(ar);
            return cli_fail(&e) + 1; /* 2: bad usage */
        }
        for (int i = 0; i < n; i++)
            print_row(&items[i], as_json);
        arena_free(ar);
        if (want > 0)
            want -= n;
        if (!next || want == 0)
            return 0;
        q.after = next;
    }
}

int cmd_audit(const struct cli_config *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "catalogue") == 0)
        return cmd_audit_catalogue(c, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "proofs") == 0)
        return cmd_audit_proofs(c, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "commitments") == 0)
        return cmd_audit_commitments(c, argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "log") != 0)
        return usage();
    struct audit_query q = {0};
    int do_verify = 0, as_json = 0;
    for (int i = 2; i < argc; i++) {
        const char *f = argv[i];
        const char **slot = NULL;
        if (strcmp(f, "--verify") == 0) {
            do_verify = 1;
            continue;
        }
        if (strcmp(f, "--json") == 0) {
            as_json = 1;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        const char *v = argv[++i];
        if (strcmp(f, "--since") == 0)
            slot = &q.since;
        else if (strcmp(f, "--until") == 0)
            slot = &q.until;
        else if (strcmp(f, "--action") == 0)
            slot = &q.action;
        else if (strcmp(f, "--actor") == 0)
            slot = &q.actor;
        else if (strcmp(f, "--region") == 0)
            slot = &q.region;
        else if (strcmp(f, "--outcome") == 0)
            slot = &q.outcome;
        if (slot) {
            *slot = v;
            continue;
        }
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end || end == v || n < 0)
            return usage();
        if (strcmp(f, "--after") == 0)
            q.after = n;
        else if (strcmp(f, "--limit") == 0 && n > 0 && n <= 1000000)
            q.limit = (int)n;
        else
            return usage();
    }
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 3;
    int rc = do_verify ? verify(app) : list(app, &q, as_json);
    app_close(app);
    return rc;
}
