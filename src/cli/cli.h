/* cli.h — the `bianmin` command: subcommands and what they share.
 *
 * Configuration, highest first: command-line flags; environment
 * (BIANMIN_DB, BIANMIN_LISTEN, BIANMIN_LOG_LEVEL, BIANMIN_LOG_FILE,
 * BIANMIN_SECURE_COOKIES, BIANMIN_CONFIG); a config file (`--config FILE`
 * or BIANMIN_CONFIG) of `key = value` lines (db, listen, log_level,
 * log_file, threads, workers, max_body, secure_cookies); defaults (db sqlite:var/bianmin.db, listen 127.0.0.1:8080,
 * log_level info). Every subcommand takes --db URL. */
#ifndef BIANMIN_CLI_CLI_H
#define BIANMIN_CLI_CLI_H

#include "../app/app.h"

struct cli_config {
    char db[1024];
    char listen[128];
    char log_level[16];
    char log_file[512];
    char data_dir[512];
    int threads, workers;
    long max_body;
    int secure_cookies; /* session and CSRF cookies carry Secure */
};

/* cli_config_load — defaults, then the config file, then the environment,
 * then the flags in argv that it knows (--db, --listen, --config,
 * --log-level, --log-file, --threads, --workers, --data-dir); those flags
 * are removed from argv (argc updated) so the subcommand sees the rest.
 * -1 with a message on stderr for a bad value. */
int cli_config_load(struct cli_config *c, int *argc, char **argv);

/* cli_open_app — open the app on cfg's database; check_schema as app.h.
 * Prints the error and returns NULL on failure. */
struct app *cli_open_app(const struct cli_config *c, int check_schema);

/* cli_fail — print "bianmin: <msg>" (+ field) to stderr; returns 1. */
int cli_fail(const struct err *e);

/* Subcommands: argv[0] is the subcommand's name; return the exit status. */
int cmd_serve(const struct cli_config *c, int argc, char **argv);
int cmd_init(const struct cli_config *c, int argc, char **argv);
int cmd_import(const struct cli_config *c, int argc, char **argv);
int cmd_calendar(const struct cli_config *c, int argc, char **argv);
int cmd_routes(const struct cli_config *c, int argc, char **argv);
int cmd_user(const struct cli_config *c, int argc, char **argv);
int cmd_audit(const struct cli_config *c, int argc, char **argv);
/* The catalogue (cmd_catalogue.c): `import catalogue FILE [--publish |
 * --as-is]`, `export catalogue [--format json|csv] [--published]`, `audit
 * catalogue [--json]`; argv[0] is "catalogue". */
int cmd_import_catalogue(const struct cli_config *c, int argc, char **argv);
int cmd_export(const struct cli_config *c, int argc, char **argv);
int cmd_audit_catalogue(const struct cli_config *c, int argc, char **argv);
/* Proofs (cmd_proofs.c): `audit proofs [--json | --summary]`, `audit
 * commitments --seed S [--until T] [--proof NAME] [--dry-run] [--json]`,
 * `import dataset NAME FILE.csv [--replace]`; argv[0] is "proofs",
 * "commitments" or "dataset". */
int cmd_audit_proofs(const struct cli_config *c, int argc, char **argv);
int cmd_audit_commitments(const struct cli_config *c, int argc, char **argv);
int cmd_import_dataset(const struct cli_config *c, int argc, char **argv);
/* Cases (cmd_cases.c): `cases warnings (--region CODE | --org ID) …`. */
int cmd_cases(const struct cli_config *c, int argc, char **argv);

#endif
