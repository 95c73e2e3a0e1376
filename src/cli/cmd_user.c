/* cmd_user.c — `bianmin user`: staff accounts from the command line, the
 * way the first administrator is made (no actor: whoever can run the
 * command on the database is trusted) and a forgotten password is reset.
 *
 *   bianmin user add LOGIN --name NAME --role ROLE --region CODE [--org ID]
 *                    [--phone P] (--password-stdin | --password P)
 *   bianmin user grant LOGIN --role ROLE --region CODE [--org ID]
 *   bianmin user list
 *   bianmin user passwd LOGIN (--password-stdin | --password P)
 *
 * --db URL is taken by cli_config_load (cli.h). Passwords are read from one
 * line of standard input with --password-stdin (preferred: --password shows
 * in the process list) and wiped after use. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/accounts.h"
#include "../core/ids.h"
#include "cli.h"

#define PW_LINE 1024

struct user_args {
    const char *login, *name, *role, *region, *org, *phone, *password;
    int password_stdin;
};

static int usage(void)
{
    fputs("用法:\n"
          "  bianmin user add LOGIN --name NAME --role ROLE --region CODE "
          "[--org ID] [--phone P] (--password-stdin | --password P)\n"
          "  bianmin user grant LOGIN --role ROLE --region CODE [--org ID]\n"
          "  bianmin user list\n"
          "  bianmin user passwd LOGIN (--password-stdin | --password P)\n"
          "角色: agent clerk reviewer decider editor legal_reviewer "
          "supervisor centre_admin sys_admin\n",
          stderr);
    return 2;
}

/* Parse "LOGIN --flag value …" from argv[2]; -1 after a message. */
static int parse(int argc, char **argv, struct user_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *f = argv[i];
        const char **slot = NULL;
        if (strcmp(f, "--password-stdin") == 0) {
            a->password_stdin = 1;
            continue;
        }
        if (strcmp(f, "--name") == 0)
            slot = &a->name;
        else if (strcmp(f, "--role") == 0)
            slot = &a->role;
        else if (strcmp(f, "--region") == 0)
            slot = &a->region;
        else if (strcmp(f, "--org") == 0)
            slot = &a->org;
        else if (strcmp(f, "--phone") == 0)
            slot = &a->phone;
        else if (strcmp(f, "--password") == 0)
            slot = &a->password;
        else if (f[0] != '-' && !a->login) {
            a->login = f;
            continue;
        } else {
            fprintf(stderr, "bianmin user: 未知参数 %s\n", f);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bianmin user: %s 缺少取值\n", f);
            return -1;
        }
        *slot = argv[++i];
    }
    return 0;
}

/* One line of stdin without its line end into buf; -1 when empty/none. */
static int read_password(char buf[PW_LINE])
{
    if (!fgets(buf, PW_LINE, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? 0 : -1;
}

/* The password from the flags: into buf (wiped by the caller). */
static int get_password(const struct user_args *a, char buf[PW_LINE])
{
    if (a->password_stdin == !!a->password) {
        fputs("bianmin user: 请给出 --password-stdin 或 --password 之一\n",
              stderr);
        return -1;
    }
    if (a->password) {
        snprintf(buf, PW_LINE, "%s", a->password);
        return 0;
    }
    if (read_password(buf)) {
        fputs("bianmin user: 标准输入中没有密码\n", stderr);
        return -1;
    }
    return 0;
}

/* Role, region (2/4/6/9/12 digits, padded) and org from the flags. */
static int get_grant(const struct user_args *a, enum role *role,
                     char region[IDS_DIVISION_SIZE], int64_t *org,
                     struct err *e)
{
    if (!a->role || !a->region) {
        fputs("bianmin user: 需要 --role 和 --region\n", stderr);
        return -1;
    }
    *role = role_parse(a->role);
    if (*role == ROLE_NONE || *role == ROLE_APPLICANT) {
        err_set(e, ERR_INVALID, "--role", "未知角色 %s", a->role);
        return cli_fail(e), -1;
    }
    if (ids_division_pad(a->region, region, NULL, "--region", e))
        return cli_fail(e), -1;
    *org = 0;
    if (a->org) {
        char *end;
        long long v = strtoll(a->org, &end, 10);
        if (*end || end == a->org || v <= 0) {
            err_set(e, ERR_INVALID, "--org", "机构编号应为正整数");
            return cli_fail(e), -1;
        }
        *org = v;
    }
    return 0;
}

static int user_add(const struct cli_config *c, const struct user_args *a)
{
    struct err e = {0};
    enum role role;
    char region[IDS_DIVISION_SIZE], pw[PW_LINE];
    int64_t org, id = 0;
    if (!a->login || !a->name) {
        fputs("bianmin user add: 需要 LOGIN 和 --name\n", stderr);
        return 2;
    }
    if (get_grant(a, &role, region, &org, &e))
        return 2;
    if (get_password(a, pw))
        return 2;
    struct app *app = cli_open_app(c, 1);
    if (!app) {
        sodium_memzero(pw, sizeof pw);
        return 1;
    }
    struct user_new u = {a->login, a->name, a->phone, pw, role, region, org};
    int rc = app_user_create(app, NULL, &u, &id, &e);
    sodium_memzero(pw, sizeof pw);
    app_close(app);
    if (rc)
        return cli_fail(&e);
    printf("%lld\n", (long long)id);
    return 0;
}

static int user_grant(const struct cli_config *c, const struct user_args *a)
{
    struct err e = {0};
    enum role role;
    char region[IDS_DIVISION_SIZE];
    int64_t org;
    if (!a->login) {
        fputs("bianmin user grant: 需要 LOGIN\n", stderr);
        return 2;
    }
    if (get_grant(a, &role, region, &org, &e))
        return 2;
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    int rc = app_grant_add(app, NULL, a->login, role, region, org, &e);
    app_close(app);
    if (rc)
        return cli_fail(&e);
    printf("已授予 %s %s（%s）\n", a->login, role_title(role), region);
    return 0;
}

static int print_user(void *ctx, const struct user_view *v)
{
    printf("%-6lld %-20s %-10s %s%s%s", (long long)v->id, v->login, v->kind,
           v->name, v->locked ? " [已锁定]" : "",
           v->disabled ? " [已停用]" : "");
    for (int i = 0; i < v->n_grants; i++)
        printf("%s%s@%s", i ? ", " : "  ", role_name(v->grants[i].role),
               v->grants[i].region);
    putchar('\n');
    return 0;
}

static int user_list(const struct cli_config *c)
{
    struct err e = {0};
    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    int rc = app_user_list(app, NULL, print_user, NULL, &e);
    app_close(app);
    return rc ? cli_fail(&e) : 0;
}

static int user_passwd(const struct cli_config *c, const struct user_args *a)
{
    struct err e = {0};
    char pw[PW_LINE];
    if (!a->login) {
        fputs("bianmin user passwd: 需要 LOGIN\n", stderr);
        return 2;
    }
    if (get_password(a, pw))
        return 2;
    struct app *app = cli_open_app(c, 1);
    if (!app) {
        sodium_memzero(pw, sizeof pw);
        return 1;
    }
    int rc = app_password_set(app, a->login, pw, &e);
    sodium_memzero(pw, sizeof pw);
    app_close(app);
    if (rc)
        return cli_fail(&e);
    printf("已重设 %s 的密码，并使其全部登录失效\n", a->login);
    return 0;
}

int cmd_user(const struct cli_config *c, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    struct user_args a;
    if (parse(argc, argv, &a))
        return usage();
    if (strcmp(sub, "add") == 0)
        return user_add(c, &a);
    if (strcmp(sub, "grant") == 0)
        return user_grant(c, &a);
    if (strcmp(sub, "list") == 0 && argc == 2)
        return user_list(c);
    if (strcmp(sub, "passwd") == 0)
        return user_passwd(c, &a);
    return usage();
}
