/* scan_http.c — time GET requests over one keep-alive HTTP/1.1 connection
 * (bench/cases-scan.sh; method in docs/performance.md "Warning scan").
 *
 *   scan_http HOST PORT TOKEN N PATH
 *
 * Sends PATH N times with `Authorization: Bearer TOKEN`, one after the
 * other, each answer read whole (Content-Length), and prints one line:
 *   "<median ms> <p99 ms> <ok answers> <bytes of the last answer>"
 * A non-200 answer is counted as not ok and its time is kept. Times with
 * CLOCK_MONOTONIC, from the first byte written to the last byte read. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int dial(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa))
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* one — send the request, read one answer; *status, *len. 0 or -1. */
static int one(int fd, const char *req, size_t rlen, int *status, long *len)
{
    static char buf[1 << 20];
    if (write(fd, req, rlen) != (ssize_t)rlen)
        return -1;
    size_t n = 0;
    char *body = NULL;
    long clen = -1;
    for (;;) {
        ssize_t k = read(fd, buf + n, sizeof buf - 1 - n);
        if (k <= 0)
            return -1;
        n += (size_t)k;
        buf[n] = '\0';
        if (!body && (body = strstr(buf, "\r\n\r\n"))) {
            body += 4;
            if (sscanf(buf, "HTTP/1.%*d %d", status) != 1)
                return -1;
            char *cl = strcasestr(buf, "\r\ncontent-length:");
            if (!cl || cl > body)
                return -1;
            clen = strtol(cl + 17, NULL, 10);
        }
        if (body && (long)(n - (size_t)(body - buf)) >= clen)
            break;
        if (n >= sizeof buf - 1)
            return -1;
    }
    *len = clen;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: scan_http HOST PORT TOKEN N PATH\n");
        return 2;
    }
    int n = atoi(argv[4]);
    if (n < 1)
        return 2;
    char req[4096];
    int rlen = snprintf(req, sizeof req,
                        "GET %s HTTP/1.1\r\nHost: %s\r\n"
                        "Authorization: Bearer %s\r\n\r\n",
                        argv[5], argv[1], argv[3]);
    int fd = dial(argv[1], atoi(argv[2]));
    if (fd < 0) {
        perror("connect");
        return 1;
    }
    double *t = calloc((size_t)n, sizeof *t);
    int ok = 0;
    long len = 0;
    for (int i = 0; i < n; i++) {
        int status = 0;
        double t0 = now_ms();
        if (one(fd, req, (size_t)rlen, &status, &len)) {
            fprintf(stderr, "scan_http: connection failed\n");
            return 1;
        }
        t[i] = now_ms() - t0;
        ok += status == 200;
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    int p99 = (int)((double)n * 0.99 + 0.5) - 1;
    if (p99 < 0)
        p99 = 0;
    if (p99 >= n)
        p99 = n - 1;
    printf("%.3f %.3f %d %ld\n",
           n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t[p99], ok, len);
    close(fd);
    return 0;
}
