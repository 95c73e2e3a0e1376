/* cmd_serve.c — `bianmin serve`: run the HTTP server until SIGTERM/SIGINT,
 * then stop accepting, let requests in flight finish, close the database. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../app/app.h"
#include "../app/log.h"
#include "../http/http.h"
#include "../store/store.h"
#include "cli.h"

int cmd_serve(const struct cli_config *c, int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "bianmin serve: 多余的参数 %s\n", argv[1]);
        return 2;
    }
    /* MHD runs its own threads: block the stop signals in every thread
     * (they inherit this mask) and wait for them here. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct app *app = cli_open_app(c, 1);
    if (!app)
        return 1;
    struct err e = {0};
    struct server_opts so = {.listen = c->listen,
                             .threads = c->threads,
                             .workers = c->workers,
                             .max_body = (size_t)c->max_body,
                             .secure_cookies = c->secure_cookies};
    struct server *srv = server_start(app, &so, &e);
    if (!srv) {
        app_close(app);
        return cli_fail(&e);
    }
    log_json(LOG_INFO, "start",
             json_pack("{s:s, s:i, s:s}", "listen", c->listen, "port",
                       server_port(srv), "db",
                       strncmp(c->db, "sqlite:", 7) == 0 ? c->db : "postgresql"));
    int sig = 0;
    sigwait(&stop, &sig);
    log_json(LOG_INFO, "stop", json_pack("{s:i}", "signal", sig));
    server_stop(srv);
    /* The group-commit factor of this run: units / batches. */
    struct store_stats st;
    store_stats(app_store(app), &st);
    log_json(LOG_INFO, "writer",
             json_pack("{s:I, s:I, s:I}", "batches", (json_int_t)st.batches,
                       "units", (json_int_t)st.units, "failed_units",
                       (json_int_t)st.failed_units));
    app_close(app);
    log_json(LOG_INFO, "stopped", json_object());
    return 0;
}
