#define _GNU_SOURCE
/* lifecycle.c — the case life-cycle benchmark client (bench/cases.sh):
 * `threads` keep-alive connections, each running complete life cycles one
 * after another through the HTTP API — submit → accept → two review steps
 * → decide → deliver → close, 7 requests and 7 durable write units — so
 * `threads` cases are in flight at once. Prints one line:
 *   LIFECYCLES n SECONDS s ERRORS e P50_MS x P99_MS y
 * Plain blocking sockets, one thread per connection; no dependencies.
 *
 * usage: lifecycle HOST PORT THREADS SECONDS ITEM_ID MATERIALS_JSON
 *        CLERK_TOKEN REVIEWER_TOKEN DECIDER_TOKEN */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *g_host, *g_mats, *g_clerk, *g_rev, *g_dec;
static int g_port, g_item;
static double g_end;
static atomic_long g_done, g_errors;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static double *g_lat;
static long g_nlat, g_caplat;

/* A valid resident ID (GB 11643) for applicant number k: 341524, a birth
 * date in 1950-1999, a sequence, the check character. Different people,
 * so look-ups by holder stay the size of one person's records. */
static void resident_id(unsigned long k, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3,
                              7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "341524%04lu%02lu%02lu%03lu", 1950 + (k / 336) % 50,
             1 + (k / 28) % 12, 1 + k % 28, (k / 16800) % 1000);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

static atomic_ulong g_seq;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(g_port)};
    inet_pton(AF_INET, g_host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request; the body of the answer into out (NUL-terminated). Returns
 * the status, or -1 on a broken connection. */
static int call(int fd, const char *path, const char *token, const char *body,
                char *out, size_t cap)
{
    char req[8192];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: bench\r\nAuthorization: "
                     "Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     path, token, strlen(body), body);
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n)
        return -1;
    size_t len = 0;
    char *hdr_end = NULL;
    while (!hdr_end) {
        ssize_t r = read(fd, out + len, cap - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        out[len] = '\0';
        hdr_end = strstr(out, "\r\n\r\n");
        if (!hdr_end && len >= cap - 1)
            return -1;
    }
    int status = atoi(out + 9);
    const char *cl = strcasestr(out, "\r\nContent-Length:");
    size_t body_len = cl ? (size_t)atol(cl + 17) : 0;
    size_t head = (size_t)(hdr_end + 4 - out);
    if (head + body_len >= cap)
        return -1;
    while (len < head + body_len) {
        ssize_t r = read(fd, out + len, head + body_len - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
    }
    memmove(out, out + head, body_len);
    out[body_len] = '\0';
    return status;
}

static void *worker(void *arg)
{
    (void)arg;
    int fd = dial();
    char out[65536], body[4096], path[256], no[96];
    double *lat = malloc(sizeof *lat * 100000);
    long nlat = 0;
    while (fd >= 0 && now() < g_end) {
        double t0 = now();
        char idno[19];
        resident_id(atomic_fetch_add(&g_seq, 1) + (unsigned long)getpid(),
                    idno);
        snprintf(body, sizeof body,
                 "{\"item_id\":%d,\"channel\":\"window\",\"applicant\":{"
                 "\"kind\":\"natural\",\"name\":\"压测申请人\",\"id_no\":"
                 "\"%s\"},\"materials\":%s}",
                 g_item, idno, g_mats);
        int st = call(fd, "/api/v1/cases", g_clerk, body, out, sizeof out);
        const char *p = strstr(out, "\"case_no\":\"");
        if (st != 201 || !p) {
            atomic_fetch_add(&g_errors, 1);
            if (st < 0)
                break;
            continue;
        }
        snprintf(no, sizeof no, "%.*s", (int)strcspn(p + 11, "\""), p + 11);
        static const struct {
            const char *action, *body;
            int who;
        } k_steps[] = {
            {"accept", "{}", 0},
            {"step", "{\"opinion\":\"入户调查属实\"}", 1},
            {"step", "{\"opinion\":\"公示无异议\"}", 1},
            {"decide", "{\"decision\":\"grant\"}", 2},
            {"deliver", "{\"method\":\"electronic\"}", 0},
            {"close", "{}", 0},
        };
        int ok = 1;
        for (size_t i = 0; i < sizeof k_steps / sizeof k_steps[0]; i++) {
            const char *tok = k_steps[i].who == 0   ? g_clerk
                              : k_steps[i].who == 1 ? g_rev
                                                    : g_dec;
            snprintf(path, sizeof path, "/api/v1/cases/%s/%s", no,
                     k_steps[i].action);
            st = call(fd, path, tok, k_steps[i].body, out, sizeof out);
            if (st != 200) {
                if (getenv("BENCH_VERBOSE"))
                    fprintf(stderr, "%s %d %.300s\n", path, st, out);
                ok = 0;
                break;
            }
        }
        if (!ok) {
            atomic_fetch_add(&g_errors, 1);
            if (st < 0)
                break;
            continue;
        }
        atomic_fetch_add(&g_done, 1);
        if (nlat < 100000)
            lat[nlat++] = now() - t0;
    }
    if (fd >= 0)
        close(fd);
    pthread_mutex_lock(&g_mu);
    if (g_nlat + nlat > g_caplat) {
        g_caplat = (g_nlat + nlat) * 2;
        g_lat = realloc(g_lat, sizeof *g_lat * (size_t)g_caplat);
    }
    memcpy(g_lat + g_nlat, lat, sizeof *lat * (size_t)nlat);
    g_nlat += nlat;
    pthread_mutex_unlock(&g_mu);
    free(lat);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr,
                "usage: lifecycle HOST PORT THREADS SECONDS ITEM_ID "
                "MATERIALS_JSON CLERK REVIEWER DECIDER\n");
        return 2;
    }
    g_host = argv[1];
    g_port = atoi(argv[2]);
    int threads = atoi(argv[3]);
    double secs = atof(argv[4]);
    g_item = atoi(argv[5]);
    g_mats = argv[6];
    g_clerk = argv[7];
    g_rev = argv[8];
    g_dec = argv[9];
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    double t0 = now();
    g_end = t0 + secs;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double el = now() - t0;
    qsort(g_lat, (size_t)g_nlat, sizeof *g_lat, cmp);
    double p50 = g_nlat ? g_lat[g_nlat / 2] : 0,
           p99 = g_nlat ? g_lat[(long)(g_nlat * 0.99)] : 0;
    printf("LIFECYCLES %ld SECONDS %.3f ERRORS %ld P50_MS %.1f P99_MS %.1f\n",
           (long)atomic_load(&g_done), el, (long)atomic_load(&g_errors),
           p50 * 1000, p99 * 1000);
    free(t);
    free(g_lat);
    return 0;
}
