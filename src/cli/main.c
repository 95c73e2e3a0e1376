/* main.c — `bianmin`: configuration and the subcommand table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/log.h"
#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(const struct cli_config *, int, char **);
    const char *help;
} k_cmds[] = {
    {"serve", cmd_serve, "serve [--listen HOST:PORT]   启动服务"},
    {"init", cmd_init, "init [--demo]                建库或升级；--demo 载入演示数据"},
    {"import", cmd_import, "import regions FILE…         导入统计用区划代码 CSV"},
    {"import", cmd_import,
     "import catalogue FILE [--publish|--as-is]  导入事项清单（JSON、CSV 或政务服务网导出文件）"},
    {"export", cmd_export,
     "export catalogue [--format json|csv] [--published]  导出事项清单"},
    {"calendar", cmd_calendar,
     "calendar import FILE | due FROM N | show YEAR   工作日历"},
    {"user", cmd_user, "user add|grant|list|passwd … 账号管理"},
    {"routes", cmd_routes, "routes                       列出全部 API 路由"},
    {"audit", cmd_audit, "audit log [--verify | --since T …] 审计日志：查询或校验"},
    {"audit", cmd_audit,
     "audit catalogue [--json]     检查每个事项当前版本的办事指南"},
    {"import", cmd_import,
     "import dataset NAME FILE.csv [--replace]  导入共享数据集的记录"},
    {"audit", cmd_audit,
     "audit proofs [--json | --summary]  证明事项清理分析"},
    {"audit", cmd_audit,
     "audit commitments --seed S [--until T] [--proof 证明] [--dry-run] [--json]  抽取告知承诺核查样本"},
    {"cases", cmd_cases,
     "cases warnings (--region 区划 | --org ID) [--level red|yellow] [--limit N] [--after 游标] [--date D] [--json]  办件时限预警"},
};

static int usage(void)
{
    fputs("用法: bianmin [--db URL] [--config FILE] 子命令 …\n", stderr);
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++)
        fprintf(stderr, "  bianmin %s\n", k_cmds[i].help);
    fputs("数据库地址: sqlite:路径 或 postgresql://用户@主机:端口/库名\n", stderr);
    return 2;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                 s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t k = strspn(s, " \t");
    memmove(s, s + k, strlen(s + k) + 1);
}

static int set_key(struct cli_config *c, const char *key, const char *v,
                   const char *where)
{
    char *end;
    if (strcmp(key, "db") == 0)
        snprintf(c->db, sizeof c->db, "%s", v);
    else if (strcmp(key, "listen") == 0)
        snprintf(c->listen, sizeof c->listen, "%s", v);
    else if (strcmp(key, "log_level") == 0 || strcmp(key, "log-level") == 0) {
        if (log_level_parse(v) < 0) {
            fprintf(stderr, "bianmin: %s: 日志级别应为 debug|info|warn|error\n",
                    where);
            return -1;
        }
        snprintf(c->log_level, sizeof c->log_level, "%s", v);
    } else if (strcmp(key, "log_file") == 0 || strcmp(key, "log-file") == 0)
        snprintf(c->log_file, sizeof c->log_file, "%s", v);
    else if (strcmp(key, "data_dir") == 0 || strcmp(key, "data-dir") == 0)
        snprintf(c->data_dir, sizeof c->data_dir, "%s", v);
    else if (strcmp(key, "secure_cookies") == 0 ||
             strcmp(key, "secure-cookies") == 0) {
        if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "yes") &&
            strcmp(v, "no")) {
            fprintf(stderr, "bianmin: %s: secure_cookies 应为 yes 或 no\n",
                    where);
            return -1;
        }
        c->secure_cookies = !strcmp(v, "1") || !strcmp(v, "yes");
    }
    else if (strcmp(key, "threads") == 0 || strcmp(key, "workers") == 0 ||
             strcmp(key, "max_body") == 0 || strcmp(key, "max-body") == 0) {
        long n = strtol(v, &end, 10);
        if (*end || end == v || n < 0 || n > (1L << 30)) {
            fprintf(stderr, "bianmin: %s: %s 应为非负整数\n", where, key);
            return -1;
        }
        if (key[0] == 't')
            c->threads = (int)n;
        else if (key[0] == 'w')
            c->workers = (int)n;
        else
            c->max_body = n;
    } else {
        fprintf(stderr, "bianmin: %s: 未知的配置项 %s\n", where, key);
        return -1;
    }
    return 0;
}

static int load_file(struct cli_config *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bianmin: 无法打开配置文件 %s\n", path);
        return -1;
    }
    char line[2048];
    int no = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        no++;
        trim(line);
        if (!line[0] || line[0] == '#')
            continue;
        char *eq = strchr(line, '=');
        char where[600];
        snprintf(where, sizeof where, "%s:%d", path, no);
        if (!eq) {
            fprintf(stderr, "bianmin: %s: 应为 key = value\n", where);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = line, *val = eq + 1;
        trim(key);
        trim(val);
        if (set_key(c, key, val, where)) {
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

int cli_config_load(struct cli_config *c, int *argc, char **argv)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "sqlite:var/bianmin.db");
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->log_level, sizeof c->log_level, "info");

    /* The config file first (flag or environment), then override. */
    const char *file = getenv("BIANMIN_CONFIG");
    for (int i = 1; i < *argc - 1; i++)
        if (strcmp(argv[i], "--config") == 0)
            file = argv[i + 1];
    if (file && *file && load_file(c, file))
        return -1;
    static const struct {
        const char *env, *key;
    } k_env[] = {{"BIANMIN_DB", "db"},
                 {"BIANMIN_LISTEN", "listen"},
                 {"BIANMIN_LOG_LEVEL", "log_level"},
                 {"BIANMIN_LOG_FILE", "log_file"},
                 {"BIANMIN_SECURE_COOKIES", "secure_cookies"}};
    for (size_t i = 0; i < sizeof k_env / sizeof k_env[0]; i++) {
        const char *v = getenv(k_env[i].env);
        if (v && *v && set_key(c, k_env[i].key, v, k_env[i].env))
            return -1;
    }
    static const char *const k_flags[] = {
        "--db",      "--listen",  "--log-level", "--log-file",
        "--threads", "--workers", "--data-dir",  "--max-body",
        "--secure-cookies"};
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        int known = 0;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
            i++;
            continue;
        }
        for (size_t k = 0; k < sizeof k_flags / sizeof k_flags[0]; k++) {
            size_t fl = strlen(k_flags[k]);
            if (strncmp(argv[i], k_flags[k], fl) != 0)
                continue;
            const char *v = NULL;
            if (argv[i][fl] == '=')
                v = argv[i] + fl + 1;
            else if (argv[i][fl] == '\0' && i + 1 < *argc)
                v = argv[++i];
            else if (argv[i][fl] == '\0') {
                fprintf(stderr, "bianmin: %s 缺少取值\n", k_flags[k]);
                return -1;
            } else
                continue;
            if (set_key(c, k_flags[k] + 2, v, k_flags[k]))
                return -1;
            known = 1;
            break;
        }
        if (!known)
            argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int cli_fail(const struct err *e)
{
    if (e->field[0])
        fprintf(stderr, "bianmin: %s（%s）\n", e->msg, e->field);
    else
        fprintf(stderr, "bianmin: %s\n", e->msg);
    if (e->log[0] && getenv("BIANMIN_DEBUG"))
        fprintf(stderr, "  详情: %s\n", e->log);
    return 1;
}

struct app *cli_open_app(const struct cli_config *c, int check_schema)
{
    struct err e = {0};
    struct app_opts o = {.db_url = c->db,
                         .data_dir = c->data_dir[0] ? c->data_dir : NULL,
                         .check_schema = check_schema};
    struct app *a = app_open(&o, &e);
    if (!a)
        cli_fail(&e);
    return a;
}

int main(int argc, char **argv)
{
    struct cli_config cfg;
    if (cli_config_load(&cfg, &argc, argv))
        return 2;
    if (log_setup((enum log_level)log_level_parse(cfg.log_level),
                  cfg.log_file[0] ? cfg.log_file : NULL)) {
        fprintf(stderr, "bianmin: 无法打开日志文件 %s\n", cfg.log_file);
        return 2;
    }
    if (argc < 2 || strcmp(argv[1], "help") == 0 ||
        strcmp(argv[1], "--help") == 0)
        return usage();
    for (size_t i = 0; i < sizeof k_cmds / sizeof k_cmds[0]; i++)
        if (strcmp(argv[1], k_cmds[i].name) == 0)
            return k_cmds[i].fn(&cfg, argc - 1, argv + 1);
    fprintf(stderr, "bianmin: 未知子命令 %s\n", argv[1]);
    return usage();
}
