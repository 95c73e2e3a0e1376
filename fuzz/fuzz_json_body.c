/* fuzz_json_body — the JSON gate every R_JSON route passes
 * (json_body_parse: empty, depth, syntax, UTF-8, duplicate keys, object,
 * string/list/key limits, with the server's default limits), then what the
 * handlers do with a body that passed: the session body readers (jbody_*)
 * and the organisation, hall and window validators (app_*_prepare, pure:
 * no database), as a system administrator and as a county clerk, and the
 * JSON a prepared write would be rendered to. Invariants: no sanitizer
 * report, no leak, every failure fills the error value, every error
 * renders through http_error as a 4xx (never a 500), and json_text (the
 * answers' writer) gives byte for byte what json_dumps(JSON_COMPACT) gives
 * for every body that passed. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_orgs.h"
#include "app/auth.h"
#include "core/arena.h"
#include "fuzz_common.h"
#include "fuzz_wire.h"
#include "http/internal.h"

static struct actor g_actors[2];

static void make_actors(void)
{
    struct actor *a = &g_actors[0];
    a->user_id = 1;
    strcpy(a->login, "admin");
    strcpy(a->kind, "staff");
    a->n_grants = 1;
    a->grants[0].role = ROLE_SYS_ADMIN;
    strcpy(a->grants[0].region, REGION_ALL);
    a = &g_actors[1];
    a->user_id = 2;
    strcpy(a->login, "clerk");
    strcpy(a->kind, "staff");
    a->n_grants = 2;
    a->grants[0].role = ROLE_CENTRE_ADMIN;
    strcpy(a->grants[0].region, "341524000000");
    a->grants[1].role = ROLE_CLERK;
    strcpy(a->grants[1].region, "110000000000");
    a->grants[1].org_id = 7;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    make_actors();
    return 0;
}

/* The handler side of POST /api/v1/sessions: jbody_only, jbody_str, and
 * jbody_int on a request that holds only the error value. */
static void session_readers(json_t *body)
{
    static const char *const k_keys[] = {"login", "password", NULL};
    struct req r;
    memset(&r, 0, sizeof r);
    if (jbody_only(&r, body, "", k_keys)) {
        to_wire(-1, &r.err);
        return;
    }
    if (!jbody_str(&r, body, "login", "", 1, 64) && r.err.code)
        to_wire(-1, &r.err);
    memset(&r.err, 0, sizeof r.err);
    if (!jbody_str(&r, body, "password", "", 0, 128) && r.err.code)
        to_wire(-1, &r.err);
    long long n;
    int rc = jbody_int(&r, body, "revision", "", 0, 1, 1LL << 53, &n);
    if (rc < 0)
        to_wire(rc, &r.err);
}

static void render(struct org_write *w)
{
    /* A prepared (not yet run) write has no result rows; these getters
     * must answer NULL or a view that renders. */
    const struct org_view *o = app_org_write_org(w);
    const struct hall_view *h = app_org_write_hall(w);
    const struct window_view *v = app_org_write_window(w);
    if (o)
        json_decref(app_org_json(o));
    if (h)
        json_decref(app_hall_json(h));
    if (v)
        json_decref(app_window_json(v));
}

static void validators(json_t *body, const struct actor *actor)
{
    struct arena *a = arena_new();
    struct org_write *w;
    struct err e;
    int rc;

#define TRY(call)                                                              \
    do {                                                                       \
        memset(&e, 0, sizeof e);                                               \
        w = NULL;                                                              \
        rc = (call);                                                           \
        to_wire(rc, &e);                                                       \
        if (rc == 0 && w)                                                      \
            render(w);                                                         \
    } while (0)

    TRY(app_org_create_prepare(NULL, actor, body, a, &w, &e));
    TRY(app_org_update_prepare(NULL, actor, 1, body, a, &w, &e));
    TRY(app_hall_create_prepare(NULL, actor, 1, body, a, &w, &e));
    TRY(app_hall_update_prepare(NULL, actor, 1, body, a, &w, &e));
    TRY(app_window_create_prepare(NULL, actor, 1, body, a, &w, &e));
    TRY(app_window_update_prepare(NULL, actor, 1, body, a, &w, &e));
#undef TRY
    arena_free(a);
}

/* json_text against jansson's own writer. */
static void same_text(json_t *v)
{
    size_t n = 0;
    char *mine = json_text(v, &n);
    char *ref = json_dumps(v, JSON_COMPACT);
    if (!mine || !ref || n != strlen(ref) || memcmp(mine, ref, n) != 0)
        __builtin_trap();
    free(mine);
    free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct json_limits k_lim = {
        .max_depth = 32, .max_string = 64 << 10, .max_list = 1000};
    if (!g_actors[0].user_id)
        make_actors();
    json_t *body = NULL;
    struct err e = {0};
    int rc = json_body_parse((const char *)data, size, &k_lim, &body, &e);
    to_wire(rc, &e);
    if (rc == 0) {
        if (!json_is_object(body))
            __builtin_trap(); /* the gate promises an object */
        same_text(body);
        session_readers(body);
        validators(body, &g_actors[0]);
        validators(body, &g_actors[1]);
    }
    json_decref(body);
    return 0;
}
