/* calendar.c — statutory working days: the known years' holiday lists, a
 * per-day table built from them, and deadline arithmetic on that table.
 * Owns the copies of the lists and the table; no I/O, no global state;
 * read-only use is thread-safe. Contract and representation in
 * core/calendar.h. */
#include "core/calendar.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_YEARS (CAL_YEAR_MAX - CAL_YEAR_MIN + 1)
#define MS_PER_DAY (86400LL * 1000)
#define PAUSES_ON_STACK 32

/* One byte per day of the table. */
#define K_WORK 0x01     /* a working day */
#define K_LISTED_SHIFT 1 /* bits 1-2: enum cal_kind of the listing */
#define K_UNKNOWN 0x80  /* the day's year is not known */

struct cal {
    int first, last;             /* known span; 0, 0 when empty */
    unsigned char known[N_YEARS];
    unsigned char guessed[N_YEARS]; /* known only by cal_provisional */
    struct cal_day *list[N_YEARS]; /* sorted by date; owned */
    int n_list[N_YEARS];
    int64_t base;                /* day number of first-01-01 */
    int n_days;                  /* days from first-01-01 to last-12-31 */
    unsigned char *kind;         /* [n_days] K_* bits */
    int32_t *cum;                /* [n_days + 1]: working days before i */
};

/* ---- dates -------------------------------------------------------------- */

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const unsigned char k_days[12] = {31, 28, 31, 30, 31, 30,
                                             31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return k_days[m - 1] + (m == 2 && is_leap(y));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int cal_date_valid(struct cal_date d)
{
    return d.y >= CAL_YEAR_MIN && d.y <= CAL_YEAR_MAX && d.m >= 1 &&
           d.m <= 12 && d.d >= 1 && d.d <= month_days(d.y, d.m);
}

/* Days from civil (H. Hinnant's algorithm), day 0 = 1970-01-01. */
int64_t cal_day_number(struct cal_date d)
{
    int64_t y = (int64_t)d.y - (d.m <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (d.m + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d.d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct cal_date cal_date_of_day_number(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    struct cal_date r;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(yoe + era * 400 + (r.m <= 2));
    return r;
}

int cal_weekday(struct cal_date d)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)(((cal_day_number(d) + 3) % 7 + 7) % 7);
}

int cal_date_cmp(struct cal_date a, struct cal_date b)
{
    if (a.y != b.y)
        return a.y < b.y ? -1 : 1;
    if (a.m != b.m)
        return a.m < b.m ? -1 : 1;
    if (a.d != b.d)
        return a.d < b.d ? -1 : 1;
    return 0;
}

/* strlen(s), but reading at most max bytes: returns max when no NUL comes
 * first (strnlen is POSIX, not ISO C). */
static size_t len_upto(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cal_date_parse(const char *s, struct cal_date *out, const char *field,
                   struct err *e)
{
    if (!s || len_upto(s, 11) != 10 || s[4] != '-' || s[7] != '-')
        return err_set(e, ERR_INVALID, field, "日期格式应为YYYY-MM-DD");
    struct cal_date d = {digits(s, 4), digits(s + 5, 2), digits(s + 8, 2)};
    if (d.y < 0 || d.m < 0 || d.d < 0)
        return err_set(e, ERR_INVALID, field, "日期格式应为YYYY-MM-DD");
    if (d.y < CAL_YEAR_MIN || d.y > CAL_YEAR_MAX)
        return err_set(e, ERR_INVALID, field, "年份超出范围（%d–%d）",
                       CAL_YEAR_MIN, CAL_YEAR_MAX);
    if (!cal_date_valid(d))
        return err_set(e, ERR_INVALID, field, "日期不存在");
    if (out)
        *out = d;
    return 0;
}

void cal_date_format(struct cal_date d, char out[11])
{
    if (!cal_date_valid(d))
        d = (struct cal_date){0, 0, 0};
    int y = d.y;
    for (int i = 3; i >= 0; i--, y /= 10)
        out[i] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + d.m / 10);
    out[6] = (char)('0' + d.m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d.d / 10);
    out[9] = (char)('0' + d.d % 10);
    out[10] = '\0';
}

struct cal_date cal_date_of_instant(int64_t utc_ms)
{
    /* Split first so that adding the offset cannot overflow. */
    int64_t days = floor_div(utc_ms, MS_PER_DAY);
    int64_t rem = utc_ms % MS_PER_DAY;
    if (rem < 0)
        rem += MS_PER_DAY; /* 0 .. MS_PER_DAY-1 */
    if (rem >= MS_PER_DAY - CAL_SHANGHAI_OFFSET_MS)
        days++;
    return cal_date_of_day_number(days);
}

static int64_t day_of_instant(int64_t utc_ms)
{
    return cal_day_number(cal_date_of_instant(utc_ms));
}

/* ---- building ------------------------------------------------------------ */

struct cal *cal_new(void)
{
    return calloc(1, sizeof(struct cal));
}

void cal_free(struct cal *c)
{
    if (!c)
        return;
    for (int i = 0; i < N_YEARS; i++)
        free(c->list[i]);
    free(c->kind);
    free(c->cum);
    free(c);
}

/* 1 when a holiday name is valid UTF-8 without any control character
 * (names are shown as they are; a newline has no place in one). */
static int name_ok(const char *name)
{
    size_t n = strlen(name);
    if (!utf8_valid(name, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7F)
            return 0;
    }
    return 1;
}

static unsigned char kind_byte(enum cal_kind k)
{
    return (unsigned char)((k == CAL_WORK ? K_WORK : 0) |
                           ((unsigned)k << K_LISTED_SHIFT));
}

/* Apply the entries of list `y` that fall in year `in_year` to the table. */
static void apply_list(struct cal *c, int y, int in_year, unsigned char *kind)
{
    const struct cal_day *l = c->list[y - CAL_YEAR_MIN];
    for (int i = 0; i < c->n_list[y - CAL_YEAR_MIN]; i++) {
        if (l[i].date.y != in_year)
            continue;
        int64_t at = cal_day_number(l[i].date) - c->base;
        kind[at] = kind_byte(l[i].kind);
    }
}

/* Rebuild the day table for the known years now in c->known. 0, or -1 when
 * out of memory (c's table then unchanged). */
static int rebuild(struct cal *c)
{
    int first = 0, last = 0;
    for (int y = CAL_YEAR_MIN; y <= CAL_YEAR_MAX; y++) {
        if (c->known[y - CAL_YEAR_MIN]) {
            if (!first)
                first = y;
            last = y;
        }
    }
    unsigned char *kind = NULL;
    int32_t *cum = NULL;
    int64_t base = 0;
    int n_days = 0;
    if (first) {
        base = cal_day_number((struct cal_date){first, 1, 1});
        n_days = (int)(cal_day_number((struct cal_date){last + 1, 1, 1}) -
                       base);
        kind = malloc((size_t)n_days);
        cum = malloc(((size_t)n_days + 1) * sizeof *cum);
        if (!kind || !cum) {
            free(kind);
            free(cum);
            return -1;
        }
    }
    int i = 0;
    for (int y = first; first && y <= last; y++) {
        int len = 365 + is_leap(y);
        if (!c->known[y - CAL_YEAR_MIN]) {
            memset(kind + i, K_UNKNOWN, (size_t)len);
        } else {
            for (int k = 0; k < len; k++) {
                int wd = (int)(((base + i + k + 3) % 7 + 7) % 7);
                kind[i + k] = wd < 5 ? K_WORK : 0;
            }
        }
        i += len;
    }
    unsigned char *old_kind = c->kind;
    int32_t *old_cum = c->cum;
    c->first = first;
    c->last = last;
    c->base = base;
    c->n_days = n_days;
    /* Own year's list first, then the next year's list wins. */
    for (int y = first; first && y <= last; y++) {
        if (!c->known[y - CAL_YEAR_MIN])
            continue;
        apply_list(c, y, y, kind);
        if (y < last && c->known[y + 1 - CAL_YEAR_MIN])
            apply_list(c, y + 1, y, kind);
    }
    if (cum) {
        cum[0] = 0;
        for (int k = 0; k < n_days; k++)
            cum[k + 1] = cum[k] + (kind[k] & K_WORK);
    }
    c->kind = kind;
    c->cum = cum;
    free(old_kind);
    free(old_cum);
    return 0;
}

int cal_set_year(struct cal *c, int year, const struct cal_day *days, int n,
                 struct err *e)
{
    if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)
        return err_set(e, ERR_INVALID, "/year", "年份超出范围（%d–%d）",
                       CAL_YEAR_MIN, CAL_YEAR_MAX);
    if (n < 0 || n > CAL_YEAR_DAYS_MAX || (n > 0 && !days))
        return err_set(e, ERR_INVALID, "/days",
                       "节假日列表应有0至%d天", CAL_YEAR_DAYS_MAX);

    /* Slot per possible date: 0..30 = 1 Dec..31 Dec of year-1, then the
     * days of `year`; holds 1 + the index of the day naming it. */
    short slot[31 + 366] = {0};
    int64_t dec1 = cal_day_number((struct cal_date){year - 1, 12, 1});
    char field[64];
    for (int i = 0; i < n; i++) {
        const struct cal_day *d = &days[i];
        snprintf(field, sizeof field, "/days/%d/date", i);
        if (!cal_date_valid(d->date))
            return err_set(e, ERR_INVALID, field, "日期不存在");
        if (!(d->date.y == year || (d->date.y == year - 1 && d->date.m == 12)))
            return err_set(e, ERR_INVALID, field,
                           "日期应在%d年内（或上一年12月）", year);
        int64_t at = cal_day_number(d->date) - dec1;
        if (slot[at])
            return err_set(e, ERR_INVALID, field, "日期重复");
        slot[at] = (short)(i + 1);
        if (d->kind != CAL_OFF && d->kind != CAL_WORK) {
            snprintf(field, sizeof field, "/days/%d/isOffDay", i);
            return err_set(e, ERR_INVALID, field, "应为放假日或调休上班日");
        }
        snprintf(field, sizeof field, "/days/%d/name", i);
        if (!memchr(d->name, '\0', sizeof d->name))
            return err_set(e, ERR_INVALID, field, "名称过长（至多%d字节）",
                           CAL_NAME_SIZE - 1);
        if (!d->name[0])
            return err_set(e, ERR_INVALID, field, "名称不能为空");
        if (!name_ok(d->name))
            return err_set(e, ERR_INVALID, field, "名称含非法字符");
    }

    struct cal_day *list = malloc((size_t)(n > 0 ? n : 1) * sizeof *list);
    if (!list) {
        err_set(e, ERR_INTERNAL, "", "内部错误");
        return err_log(e, "cal_set_year: out of memory");
    }
    int k = 0;
    for (int s = 0; s < (int)(sizeof slot / sizeof slot[0]); s++) {
        if (slot[s])
            list[k++] = days[slot[s] - 1];
    }

    int yi = year - CAL_YEAR_MIN;
    struct cal_day *old_list = c->list[yi];
    int old_n = c->n_list[yi];
    unsigned char old_known = c->known[yi];
    unsigned char old_guessed = c->guessed[yi];
    c->list[yi] = list;
    c->n_list[yi] = n;
    c->known[yi] = 1;
    c->guessed[yi] = 0;
    if (rebuild(c) != 0) {
        c->list[yi] = old_list;
        c->n_list[yi] = old_n;
        c->known[yi] = old_known;
        c->guessed[yi] = old_guessed;
        free(list);
        err_set(e, ERR_INTERNAL, "", "内部错误");
        return err_log(e, "cal_set_year: out of memory");
    }
    free(old_list);
    return 0;
}

/* ---- reading ------------------------------------------------------------- */

int cal_has_year(const struct cal *c, int year)
{
    return year >= CAL_YEAR_MIN && year <= CAL_YEAR_MAX &&
           c->known[year - CAL_YEAR_MIN];
}

int cal_first_year(const struct cal *c)
{
    return c->first;
}

int cal_last_year(const struct cal *c)
{
    return c->last;
}

static int unknown_year(struct err *e, const char *field, int year)
{
    err_set(e, ERR_INVALID, field, "%d年的节假日安排尚未导入", year);
    return err_log(e, "calendar: year %d not known", year);
}

/* The day's table index, or -1 when its year is not known. */
static int64_t index_of(const struct cal *c, int64_t day)
{
    int64_t i = day - c->base;
    if (i < 0 || i >= c->n_days || (c->kind[i] & K_UNKNOWN))
        return -1;
    return i;
}

/* 0 when every day of day numbers [a, b] is known, else -1 with the first
 * unknown day's year in *year. */
static int span_known(const struct cal *c, int64_t a, int64_t b, int *year)
{
    int ya = cal_date_of_day_number(a).y;
    int yb = cal_date_of_day_number(b).y;
    for (int y = ya; y <= yb; y++) {
        if (!cal_has_year(c, y)) {
            *year = y;
            return -1;
        }
    }
    return 0;
}

static const struct cal_day *find_in(const struct cal *c, int list_year,
                                     struct cal_date d)
{
    if (!cal_has_year(c, list_year))
        return NULL;
    const struct cal_day *l = c->list[list_year - CAL_YEAR_MIN];
    int lo = 0, hi = c->n_list[list_year - CAL_YEAR_MIN];
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int r = cal_date_cmp(l[mid].date, d);
        if (r == 0)
            return &l[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int cal_day_info(const struct cal *c, struct cal_date d, int *is_work,
                 struct cal_day *info, const char *field, struct err *e)
{
    if (!cal_date_valid(d))
        return err_set(e, ERR_INVALID, field, "日期不存在");
    int64_t i = index_of(c, cal_day_number(d));
    if (i < 0)
        return unknown_year(e, field, d.y);
    if (is_work)
        *is_work = c->kind[i] & K_WORK;
    if (info) {
        const struct cal_day *l = NULL;
        if (d.m == 12)
            l = find_in(c, d.y + 1, d);
        if (!l)
            l = find_in(c, d.y, d);
        if (l) {
            *info = *l;
        } else {
            memset(info, 0, sizeof *info);
            info->date = d;
            info->kind = CAL_NORMAL;
        }
    }
    return 0;
}

int cal_is_workday(const struct cal *c, struct cal_date d, int *is_work,
                   struct err *e)
{
    return cal_day_info(c, d, is_work, NULL, "", e);
}

int cal_year_days(const struct cal *c, int year, struct cal_day *out,
                  int max, struct err *e)
{
    if (!cal_has_year(c, year))
        return unknown_year(e, "", year);
    const struct cal_day *own = c->list[year - CAL_YEAR_MIN];
    int n_own = c->n_list[year - CAL_YEAR_MIN];
    const struct cal_day *next = NULL;
    int n_next = 0;
    if (cal_has_year(c, year + 1)) {
        next = c->list[year + 1 - CAL_YEAR_MIN];
        n_next = c->n_list[year + 1 - CAL_YEAR_MIN];
    }
    /* Both lists are sorted: own's previous-December entries come first,
     * next's entries in `year` (December) come first. Merge, next wins. */
    int a = 0, b = 0, count = 0;
    while (a < n_own && own[a].date.y != year)
        a++;
    for (;;) {
        int has_a = a < n_own;
        int has_b = b < n_next && next[b].date.y == year;
        if (!has_a && !has_b)
            break;
        int r = !has_b ? -1 : !has_a ? 1
                                     : cal_date_cmp(own[a].date, next[b].date);
        const struct cal_day *pick;
        if (r < 0) {
            pick = &own[a++];
        } else {
            if (r == 0)
                a++; /* both name it: the next year's notice wins */
            pick = &next[b++];
        }
        if (out) {
            if (count >= max) {
                err_set(e, ERR_TOO_LARGE, "", "节假日列表过长");
                return err_log(e, "cal_year_days: more than %d days", max);
            }
            out[count] = *pick;
        }
        count++;
    }
    return count;
}

int cal_add_workdays(const struct cal *c, struct cal_date from, int n,
                     struct cal_date *out, struct err *e)
{
    if (n < 0)
        return err_set(e, ERR_INVALID, "", "工作日数不能为负");
    if (!cal_date_valid(from))
        return err_set(e, ERR_INVALID, "", "日期不存在");
    if (n == 0) {
        *out = from;
        return 0;
    }
    int64_t day = cal_day_number(from) + 1; /* first day counted */
    int year = cal_date_of_day_number(day).y;
    if (!cal_has_year(c, year))
        return unknown_year(e, "", year);
    int64_t a = day - c->base; /* inside the table: its year is known */
    int64_t target = (int64_t)c->cum[a] + n;
    if (c->cum[c->n_days] < target) {
        /* Runs past the last known year, or into a gap before it. */
        if (span_known(c, day, c->base + c->n_days - 1, &year) != 0)
            return unknown_year(e, "", year);
        return unknown_year(e, "", c->last + 1);
    }
    /* Smallest k in (a, n_days] with cum[k] >= target; the day is k-1. */
    int64_t lo = a + 1, hi = c->n_days;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (c->cum[mid] >= target)
            hi = mid;
        else
            lo = mid + 1;
    }
    int64_t due = c->base + lo - 1;
    if (span_known(c, day, due, &year) != 0)
        return unknown_year(e, "", year);
    *out = cal_date_of_day_number(due);
    return 0;
}

int cal_add_workdays_instant(const struct cal *c, int64_t utc_ms, int n,
                             struct cal_date *due, struct err *e)
{
    return cal_add_workdays(c, cal_date_of_instant(utc_ms), n, due, e);
}

/* Working days d with lo < d <= hi (day numbers, hi inside the table). */
static int64_t work_in(const struct cal *c, int64_t lo, int64_t hi)
{
    return c->cum[hi - c->base + 1] - c->cum[lo - c->base + 1];
}

struct span {
    int64_t lo, hi; /* days lo < d <= hi */
};

static int span_cmp(const void *pa, const void *pb)
{
    const struct span *a = pa, *b = pb;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

int cal_workdays_between(const struct cal *c, int64_t start_ms,
                         int64_t end_ms, const struct cal_pause *p, int np,
                         int *out, struct err *e)
{
    if (end_ms < start_ms)
        return err_set(e, ERR_INVALID, "", "结束时间早于开始时间");
    if (np < 0 || (np > 0 && !p))
        return err_set(e, ERR_INVALID, "/pauses", "暂停记录无效");
    char field[64];
    for (int i = 0; i < np; i++) {
        if (p[i].end_ms != 0 && p[i].end_ms < p[i].start_ms) {
            snprintf(field, sizeof field, "/pauses/%d", i);
            return err_set(e, ERR_INVALID, field, "暂停结束时间早于开始时间");
        }
    }
    int64_t s = day_of_instant(start_ms), t = day_of_instant(end_ms);
    if (s == t) {
        *out = 0;
        return 0;
    }
    /* Every year of (s, t] known implies every day is in the table. The
     * loop in span_known stops at the first unknown year, so far-off
     * instants cost nothing. */
    int year;
    if (span_known(c, s + 1, t, &year) != 0)
        return unknown_year(e, "", year);
    int64_t total = work_in(c, s, t);

    struct span stack[PAUSES_ON_STACK];
    struct span *sp = stack;
    if (np > PAUSES_ON_STACK) {
        sp = malloc((size_t)np * sizeof *sp);
        if (!sp) {
            err_set(e, ERR_INTERNAL, "", "内部错误");
            return err_log(e, "cal_workdays_between: out of memory");
        }
    }
    int n = 0;
    for (int i = 0; i < np; i++) {
        int64_t lo = day_of_instant(p[i].start_ms);
        int64_t hi = p[i].end_ms ? day_of_instant(p[i].end_ms) : t;
        if (lo < s)
            lo = s;
        if (hi > t)
            hi = t;
        if (lo < hi)
            sp[n++] = (struct span){lo, hi};
    }
    qsort(sp, (size_t)n, sizeof *sp, span_cmp);
    int64_t paused = 0;
    for (int i = 0; i < n;) {
        int64_t lo = sp[i].lo, hi = sp[i].hi;
        for (i++; i < n && sp[i].lo <= hi; i++) {
            if (sp[i].hi > hi)
                hi = sp[i].hi;
        }
        paused += work_in(c, lo, hi);
    }
    if (sp != stack)
        free(sp);
    *out = (int)(total - paused);
    return 0;
}

/* ---- provisional counting ------------------------------------------------ */

struct cal *cal_provisional(const struct cal *c, int first_year,
                            int through_year, struct err *e)
{
    struct cal *p = cal_new();
    if (!p)
        goto oom;
    for (int i = 0; i < N_YEARS; i++) {
        if (!c->known[i])
            continue;
        int n = c->n_list[i];
        p->list[i] = malloc((size_t)(n > 0 ? n : 1) * sizeof *p->list[i]);
        if (!p->list[i])
            goto oom;
        if (n > 0)
            memcpy(p->list[i], c->list[i], (size_t)n * sizeof *p->list[i]);
        p->n_list[i] = n;
        p->known[i] = 1;
        p->guessed[i] = c->guessed[i];
    }
    int first = c->first;
    if (first_year && (!first || first_year < first))
        first = first_year;
    if (!first)
        first = through_year;
    if (through_year > CAL_YEAR_MAX)
        through_year = CAL_YEAR_MAX;
    if (first < CAL_YEAR_MIN)
        first = CAL_YEAR_MIN;
    for (int y = first; y <= through_year; y++) {
        int i = y - CAL_YEAR_MIN;
        if (p->known[i])
            continue;
        p->list[i] = malloc(sizeof *p->list[i]);
        if (!p->list[i])
            goto oom;
        p->n_list[i] = 0;
        p->known[i] = 1;
        p->guessed[i] = 1;
    }
    if (rebuild(p) != 0)
        goto oom;
    return p;
oom:
    cal_free(p);
    err_set(e, ERR_INTERNAL, "", "内部错误");
    err_log(e, "cal_provisional: out of memory");
    return NULL;
}

int cal_year_provisional(const struct cal *c, int year)
{
    return year >= CAL_YEAR_MIN && year <= CAL_YEAR_MAX &&
           c->guessed[year - CAL_YEAR_MIN];
}

int cal_span_provisional(const struct cal *c, int64_t first_day,
                         int64_t last_day)
{
    if (last_day < first_day)
        return 0;
    int ya = cal_date_of_day_number(first_day).y;
    int yb = cal_date_of_day_number(last_day).y;
    for (int y = ya; y <= yb; y++)
        if (!cal_has_year(c, y) || cal_year_provisional(c, y))
            return 1;
    return 0;
}

/* The year through which a provisional copy must reach for n working days
 * after `from`: a year holds at least 200 working days by the normal rule
 * (and no notice takes away more than a few dozen), plus slack. */
static int reach_year(const struct cal *c, struct cal_date from, int n)
{
    int y = from.y > c->last ? from.y : c->last;
    int64_t r = (int64_t)y + n / 200 + 2;
    return r > CAL_YEAR_MAX ? CAL_YEAR_MAX : (int)r;
}

int cal_add_workdays_provisional(const struct cal *c, struct cal_date from,
                                 int n, struct cal_date *out, int *provisional,
                                 struct err *e)
{
    if (n < 0)
        return err_set(e, ERR_INVALID, "", "工作日数不能为负");
    if (!cal_date_valid(from))
        return err_set(e, ERR_INVALID, "", "日期不存在");
    struct cal_date r;
    struct err e2 = {0};
    if (cal_add_workdays(c, from, n, &r, &e2) == 0) {
        *out = r;
        *provisional = cal_span_provisional(c, cal_day_number(from) + 1,
                                            cal_day_number(r));
        return 0;
    }
    if (e2.code != ERR_INVALID) {
        *e = e2;
        return -1;
    }
    /* A year on the way is not known: count it by the normal rule. */
    struct cal *p =
        cal_provisional(c, cal_date_of_day_number(cal_day_number(from) + 1).y,
                        reach_year(c, from, n), e);
    if (!p)
        return -1;
    int rc = cal_add_workdays(p, from, n, &r, e);
    if (rc == 0) {
        *out = r;
        *provisional = cal_span_provisional(p, cal_day_number(from) + 1,
                                            cal_day_number(r));
    }
    cal_free(p);
    return rc;
}
