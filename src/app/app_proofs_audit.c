/* app_proofs_audit.c — the clean-up analyser (证明事项清理): one read of
 * the whole published catalogue, the materials of each version taken from
 * its digest written at publication (or, for the equivalence check, pulled
 * out of its guide by the same scanner: core/matdigest.h), strings
 * interned once, then every finding computed in memory: proofs
 * without legal basis, proofs outside the list, materials an office could
 * get by sharing or from a licence, circular proofs (core/proofgraph.h),
 * materials asked again and again, the items asking the most, and the items
 * whose visits could drop. Contract in app_proofs.h ("the clean-up
 * analyser") and docs/proofs.md. Memory: one arena per run; no state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/calendar.h"
#include "../core/matdigest.h"
#include "../core/proofgraph.h"
#include "../store/proofs.h"
#include "app_proofs.h"
#include "internal.h"
#include "proofs_internal.h"

#define LIST_CAP 200    /* entries kept per list (counts are complete) */
#define TOP_N 20        /* repeated materials, items with most materials */
#define EXAMPLES 3      /* item codes shown per unlisted proof */

/* ---- interning ------------------------------------------------------------ */

struct strtab {
    struct arena *a;
    const char **s;
    uint32_t *hash;
    int n, cap; /* strings */
    int *slot;  /* open addressing: index+1, 0 = empty */
    int slots;
};

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static int st_grow(struct strtab *t)
{
    int slots = t->slots ? t->slots * 2 : 4096;
    int *slot = calloc((size_t)slots, sizeof *slot);
    if (!slot)
        return -1;
    for (int i = 0; i < t->n; i++) {
        int k = (int)(t->hash[i] & (uint32_t)(slots - 1));
        while (slot[k])
            k = (k + 1) & (slots - 1);
        slot[k] = i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->slots = slots;
    return 0;
}

/* st_id — the id of s[0..n) (added when absent); -1 out of memory. */
static int st_id(struct strtab *t, const char *s, size_t n)
{
    if ((t->n + 1) * 2 > t->slots && st_grow(t))
        return -1;
    uint32_t h = fnv(s, n);
    int k = (int)(h & (uint32_t)(t->slots - 1));
    while (t->slot[k]) {
        int i = t->slot[k] - 1;
        if (t->hash[i] == h && strncmp(t->s[i], s, n) == 0 && !t->s[i][n])
            return i;
        k = (k + 1) & (t->slots - 1);
    }
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 4096;
        const char **ns = realloc(t->s, sizeof *ns * (size_t)cap);
        if (!ns)
            return -1;
        t->s = ns;
        uint32_t *nh = realloc(t->hash, sizeof *nh * (size_t)cap);
        if (!nh)
            return -1;
        t->hash = nh;
        t->cap = cap;
    }
    t->s[t->n] = arena_strndup(t->a, s, n);
    t->hash[t->n] = h;
    t->slot[k] = t->n + 1;
    return t->n++;
}

static int st_find(const struct strtab *t, const char *s)
{
    if (!t->slots || !s)
        return -1;
    size_t n = strlen(s);
    uint32_t h = fnv(s, n);
    int k = (int)(h & (uint32_t)(t->slots - 1));
    while (t->slot[k]) {
        int i = t->slot[k] - 1;
        if (t->hash[i] == h && !strcmp(t->s[i], s))
            return i;
        k = (k + 1) & (t->slots - 1);
    }
    return -1;
}

static void st_free(struct strtab *t)
{
    free(t->s);
    free(t->hash);
    free(t->slot);
}

enum msrc { S_APPLICANT = 0, S_LICENCE, S_SHARED, S_COMMITMENT, S_PROOF,
            S_OTHER };

static enum msrc src_of(enum md_kind k)
{
    switch (k) {
    case MD_APPLICANT: return S_APPLICANT;
    case MD_LICENCE: return S_LICENCE;
    case MD_SHARED: return S_SHARED;
    case MD_COMMITMENT: return S_COMMITMENT;
    case MD_PROOF: return S_PROOF;
    default: return S_OTHER;
    }
}

struct mat {
    int name, ref; /* ref: data set (shared) or proof (proof), -1 none */
    char src;
    short idx;
};

/* ---- the run --------------------------------------------------------------------- */

struct item {
    const char *code; /* arena */
    int base, name, org; /* string ids */
    int visits;
    int first_mat, n_mat;
    int from_applicant, obtainable;
};

struct reg {
    int name; /* string id */
    const char *status, *legal_basis, *issuing_item, *replacement,
        *status_date, *status_decision;
    int published;
};

struct run {
    struct arena *a;
    struct strtab st;
    struct item *items;
    int n_items, cap_items;
    struct mat *mats;
    int n_mats, cap_mats;
    int bad_guides;
    struct reg *reg;
    int n_reg, cap_reg;
    int *lic_types; /* string ids of licence types on record */
    int n_lic, cap_lic;
    int failed;
};

static int grow(void **v, int *cap, int n, size_t size)
{
    if (n < *cap)
        return 0;
    int c = *cap ? *cap * 2 : 1024;
    void *g = realloc(*v, size * (size_t)c);
    if (!g)
        return -1;
    *v = g;
    *cap = c;
    return 0;
}

static int on_mat(void *ctx, enum md_kind kind, const char *name,
                  size_t nlen, const char *ref, size_t rlen, int idx)
{
    struct run *r = ctx;
    if (grow((void **)&r->mats, &r->cap_mats, r->n_mats, sizeof *r->mats))
        return -1;
    struct mat *m = &r->mats[r->n_mats];
    m->src = (char)src_of(kind);
    m->idx = (short)(idx > 32767 ? 32767 : idx);
    m->name = st_id(&r->st, name, nlen);
    m->ref = rlen ? st_id(&r->st, ref, rlen) : -1;
    if (m->name < 0)
        return -1;
    r->n_mats++;
    return 0;
}

static int on_row(void *ctx, const struct scan_row *row)
{
    struct run *r = ctx;
    if (grow((void **)&r->items, &r->cap_items, r->n_items, sizeof *r->items)) {
        r->failed = 1;
        return 1;
    }
    struct item *it = &r->items[r->n_items];
    it->code = arena_strdup(r->a, row->item_code);
    it->base = st_id(&r->st, row->base_code, strlen(row->base_code));
    it->name = st_id(&r->st, row->name, strlen(row->name));
    it->org = st_id(&r->st, row->org_name ? row->org_name : "",
                    row->org_name ? strlen(row->org_name) : 0);
    it->visits = row->visits;
    it->first_mat = r->n_mats;
    it->from_applicant = it->obtainable = 0;
    /* The version's digest (store_digest_put) when there is one, else its
     * guide: the same materials either way (core/matdigest.h). */
    if (row->digest ? md_scan(row->digest, on_mat, r)
                    : md_scan_guide(row->guide, on_mat, r)) {
        r->n_mats = it->first_mat; /* the item counts, its materials not */
        r->bad_guides++;
    }
    it->n_mat = r->n_mats - it->first_mat;
    r->n_items++;
    return 0;
}

static const char *dupn(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

static int on_proof(void *ctx, const struct proof_row *p)
{
    struct run *r = ctx;
    if (grow((void **)&r->reg, &r->cap_reg, r->n_reg, sizeof *r->reg)) {
        r->failed = 1;
        return 1;
    }
    struct reg *g = &r->reg[r->n_reg++];
    g->name = st_id(&r->st, p->name, strlen(p->name));
    g->status = dupn(r->a, p->status);
    g->legal_basis = dupn(r->a, p->legal_basis);
    g->issuing_item = dupn(r->a, p->issuing_item);
    g->replacement = dupn(r->a, p->replacement);
    g->status_date = dupn(r->a, p->status_date);
    g->status_decision = dupn(r->a, p->status_decision);
    g->published = p->published;
    return 0;
}

static int on_type(void *ctx, const char *t)
{
    struct run *r = ctx;
    if (grow((void **)&r->lic_types, &r->cap_lic, r->n_lic,
             sizeof *r->lic_types)) {
        r->failed = 1;
        return 1;
    }
    r->lic_types[r->n_lic++] = st_id(&r->st, t, strlen(t));
    return 0;
}

/* Per string id: what the catalogue and the registry say of it. */
struct facts {
    int reg;         /* registry index, -1 */
    int shared;      /* materials of this name got by sharing */
    int licence;     /* … from a licence */
    int example_ds;  /* a data set used for it */
    int asked;       /* items asking the applicant for it */
    int last_item;   /* dedupe per item */
    int lic_type;    /* a licence type its name contains, -1 */
    int proof_node;  /* graph node, -1 */
    int base_node;   /* graph node of a base code, -1 */
    int base_item;   /* an item of that base (for names), -1 */
    int unlisted_items;
};

static int cmp_desc(const void *a, const void *b, const int *key)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (key[x] != key[y])
        return key[x] > key[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* A tiny qsort_r stand-in: sort ids by key desc, then id. */
static void sort_by(int *ids, int n, const int *key)
{
    for (int gap = n / 2; gap > 0; gap /= 2) /* shell sort: no context API */
        for (int i = gap; i < n; i++) {
            int v = ids[i], j = i;
            while (j >= gap && cmp_desc(&ids[j - gap], &v, key) > 0) {
                ids[j] = ids[j - gap];
                j -= gap;
            }
            ids[j] = v;
        }
}

static const char *via_title(int via)
{
    return via == 1 ? "数据共享" : via == 2 ? "电子证照" : "证明已被替代或取消";
}

int app_proofs_analyse(struct app *a, json_t **out, struct err *e)
{
    return app_proofs_analyse_from(a, PROOFS_FROM_DIGESTS, out, e);
}

int app_proofs_analyse_from(struct app *a, enum proofs_source from,
                            json_t **out, struct err *e)
{
    struct run r = {.a = arena_new()};
    r.st.a = r.a;
    struct facts *f = NULL;
    int *ids = NULL, *key = NULL, *node_of = NULL;
    struct pg_edge *edges = NULL;
    struct pg_cycle *cycles = NULL;
    int n_cycles = 0, rc = -1;
    json_t *rep = NULL;
    struct db *db = store_read(a->store, e);
    if (!db)
        goto done;
    rc = store_proof_list(db, 0, on_proof, &r, e);
    if (!rc)
        rc = store_licence_types(db, on_type, &r, e);
    if (!rc)
        rc = from == PROOFS_FROM_GUIDES
                 ? store_catalogue_scan(db, on_row, &r, e)
                 : store_catalogue_scan_digests(db, on_row, &r, e);
    store_read_done(a->store, db);
    if (rc || r.failed) {
        if (!rc)
            err_set(e, ERR_INTERNAL, NULL, "内存不足");
        rc = -1;
        goto done;
    }
    rc = -1;
    int ns = r.st.n;
    f = malloc(sizeof *f * (size_t)(ns + 1));
    if (!f)
        goto oom;
    for (int i = 0; i < ns; i++)
        f[i] = (struct facts){.reg = -1, .example_ds = -1, .last_item = -1,
                              .lic_type = -1, .proof_node = -1,
                              .base_node = -1, .base_item = -1};
    for (int i = 0; i < r.n_reg; i++)
        f[r.reg[i].name].reg = i;
    /* Pass 1: how each name is obtained anywhere; who asks for it. */
    for (int i = 0; i < r.n_items; i++) {
        struct item *it = &r.items[i];
        if (f[it->base].base_item < 0)
            f[it->base].base_item = i;
        for (int k = it->first_mat; k < it->first_mat + it->n_mat; k++) {
            struct mat *m = &r.mats[k];
            struct facts *x = &f[m->name];
            if (m->src == S_SHARED) {
                x->shared++;
                if (x->example_ds < 0)
                    x->example_ds = m->ref;
            } else if (m->src == S_LICENCE) {
                x->licence++;
            } else if ((m->src == S_APPLICANT || m->src == S_PROOF) &&
                       x->last_item != i) {
                x->asked++;
                x->last_item = i;
            }
        }
    }
    /* Licence types that end a name (申请人居民身份证 ← 居民身份证; not
     * 残疾人证申请表, a form): only names someone asks for are checked. */
    for (int s = 0; s < ns; s++) {
        if (!f[s].asked)
            continue;
        size_t best = 0;
        for (int t = 0; t < r.n_lic; t++) {
            const char *ty = r.st.s[r.lic_types[t]];
            size_t l = strlen(ty);
            size_t nl = strlen(r.st.s[s]);
            if (l > best && nl >= l && !strcmp(r.st.s[s] + nl - l, ty)) {
                best = l;
                f[s].lic_type = r.lic_types[t];
            }
        }
    }

    /* Pass 2: per material asked of the applicant, can it be got? */
    json_t *obtainable = json_array();
    json_t *unlisted = json_object(); /* proof → {items, examples, status} */
    long n_obtainable = 0, n_from_applicant = 0;
    int n_unlisted_occ = 0;
    for (int i = 0; i < r.n_items; i++) {
        struct item *it = &r.items[i];
        for (int k = it->first_mat; k < it->first_mat + it->n_mat; k++) {
            struct mat *m = &r.mats[k];
            if (m->src != S_APPLICANT && m->src != S_PROOF)
                continue;
            it->from_applicant++;
            n_from_applicant++;
            int via = 0; /* 1 sharing, 2 licence, 3 replaced */
            const char *how = NULL;
            char buf[300];
            struct facts *x = &f[m->name];
            if (m->src == S_PROOF && m->ref >= 0) {
                int g = f[m->ref].reg;
                const char *status = g >= 0 ? r.reg[g].status : NULL;
                if (!status || strcmp(status, "retained")) {
                    n_unlisted_occ++;
                    const char *pn = r.st.s[m->ref];
                    json_t *u = json_object_get(unlisted, pn);
                    if (!u) {
                        u = json_pack("{s:s, s:s, s:i, s:[]}", "proof", pn,
                                      "status", status ? status : "absent",
                                      "items", 0, "examples");
                        json_object_set_new(unlisted, pn, u);
                    }
                    json_object_set_new(
                        u, "items",
                        json_integer(
                            json_integer_value(json_object_get(u, "items")) +
                            1));
                    json_t *ex = json_object_get(u, "examples");
                    if (json_array_size(ex) < EXAMPLES)
                        json_array_append_new(ex, json_string(it->code));
                }
                if (status && strcmp(status, "retained")) {
                    via = 3;
                    snprintf(buf, sizeof buf, "证明已%s%s%s",
                             proofs_status_title(status),
                             r.reg[g].replacement ? "：" : "",
                             r.reg[g].replacement ? r.reg[g].replacement : "");
                    how = buf;
                }
            }
            if (!via && x->shared) {
                via = 1;
                snprintf(buf, sizeof buf, "其他事项已通过共享数据集“%s”获取",
                         x->example_ds >= 0 ? r.st.s[x->example_ds] : "");
                how = buf;
            } else if (!via && (x->licence || x->lic_type >= 0)) {
                via = 2;
                if (x->lic_type >= 0)
                    snprintf(buf, sizeof buf, "可调取电子证照“%s”",
                             r.st.s[x->lic_type]);
                else
                    snprintf(buf, sizeof buf, "其他事项已调取电子证照");
                how = buf;
            }
            if (!via)
                continue;
            it->obtainable++;
            n_obtainable++;
            if (json_array_size(obtainable) < LIST_CAP)
                json_array_append_new(
                    obtainable,
                    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}",
                              "item_code", it->code, "item",
                              r.st.s[it->name], "material", r.st.s[m->name],
                              "index", m->idx, "via",
                              via == 1   ? "shared_data"
                              : via == 2 ? "licence"
                                         : "replaced",
                              "via_title", via_title(via), "how", how));
        }
    }
    json_t *unlisted_list = json_array();
    {
        const char *k;
        json_t *v;
        json_object_foreach(unlisted, k, v)
        {
            if (json_array_size(unlisted_list) < LIST_CAP)
                json_array_append(unlisted_list, v);
        }
    }
    size_t n_unlisted = json_object_size(unlisted);
    json_decref(unlisted);

    /* Proofs without legal basis. */
    json_t *no_basis = json_array();
    for (int i = 0; i < r.n_reg; i++)
        if (!strcmp(r.reg[i].status, "retained") && !r.reg[i].legal_basis)
            json_array_append_new(
                no_basis, json_pack("{s:s, s:s}", "proof",
                                    r.st.s[r.reg[i].name], "status",
                                    r.reg[i].status));

    /* Circular proofs: proof → the base item issuing it → each proof that
     * item's guides ask for. */
    int n_nodes = 0, n_edges = 0, cap_edges = 0;
    node_of = malloc(sizeof *node_of * (size_t)(ns + 1));
    if (!node_of)
        goto oom_lists;
    for (int i = 0; i < r.n_items; i++) {
        struct item *it = &r.items[i];
        for (int k = it->first_mat; k < it->first_mat + it->n_mat; k++) {
            struct mat *m = &r.mats[k];
            if (m->src != S_PROOF || m->ref < 0)
                continue;
            if (f[m->ref].proof_node < 0) {
                f[m->ref].proof_node = n_nodes;
                node_of[n_nodes++] = m->ref;
            }
            if (f[it->base].base_node < 0) {
                f[it->base].base_node = n_nodes;
                node_of[n_nodes++] = it->base;
            }
            if (grow((void **)&edges, &cap_edges, n_edges, sizeof *edges))
                goto oom_lists;
            edges[n_edges++] = (struct pg_edge){f[it->base].base_node,
                                                f[m->ref].proof_node};
        }
    }
    for (int i = 0; i < r.n_reg; i++) {
        int pn = f[r.reg[i].name].proof_node;
        if (pn < 0 || !r.reg[i].issuing_item)
            continue;
        int b = st_find(&r.st, r.reg[i].issuing_item);
        if (b < 0 || f[b].base_node < 0) {
            /* an implementation item code: its base */
            for (int k = 0; k < r.n_items && (b < 0 || f[b].base_node < 0);
                 k++)
                if (!strcmp(r.items[k].code, r.reg[i].issuing_item))
                    b = r.items[k].base;
        }
        if (b < 0 || f[b].base_item < 0)
            continue;
        if (f[b].base_node < 0) {
            f[b].base_node = n_nodes;
            node_of[n_nodes++] = b;
        }
        if (grow((void **)&edges, &cap_edges, n_edges, sizeof *edges))
            goto oom_lists;
        edges[n_edges++] = (struct pg_edge){pn, f[b].base_node};
    }
    if (pg_cycles(n_nodes, edges, n_edges, &cycles, &n_cycles, e))
        goto fail_lists;
    json_t *circular = json_array();
    for (int c = 0; c < n_cycles && json_array_size(circular) < LIST_CAP;
         c++) {
        json_t *chain = json_array();
        char text[2048];
        size_t tl = 0;
        for (int k = 0; k <= cycles[c].n; k++) {
            int s = node_of[cycles[c].nodes[k % cycles[c].n]];
            int is_proof = f[s].proof_node == cycles[c].nodes[k % cycles[c].n];
            const char *label;
            char lb[512];
            if (is_proof) {
                json_array_append_new(chain, json_pack("{s:s, s:s}", "kind",
                                                       "proof", "name",
                                                       r.st.s[s]));
                snprintf(lb, sizeof lb, "证明“%s”", r.st.s[s]);
            } else {
                struct item *it = &r.items[f[s].base_item];
                json_array_append_new(
                    chain, json_pack("{s:s, s:s, s:s, s:s}", "kind", "item",
                                     "base_code", r.st.s[s], "name",
                                     r.st.s[it->name], "item_code", it->code));
                snprintf(lb, sizeof lb, "事项“%s”（%s）", r.st.s[it->name],
                         r.st.s[s]);
            }
            label = lb;
            int w = snprintf(text + tl, sizeof text - tl, "%s%s",
                             k ? (is_proof ? " —要求提交→ " : " —由其出具→ ")
                               : "",
                             label);
            if (w > 0 && (size_t)w < sizeof text - tl)
                tl += (size_t)w;
        }
        json_array_append_new(
            circular, json_pack("{s:o, s:s, s:i, s:i}", "chain", chain, "text",
                                text, "length", cycles[c].n, "component_size",
                                cycles[c].scc_size));
    }

    /* Repeated materials and items asking the most. */
    ids = malloc(sizeof *ids * (size_t)(ns > r.n_items ? ns + 1
                                                       : r.n_items + 1));
    key = malloc(sizeof *key * (size_t)(ns > r.n_items ? ns + 1
                                                       : r.n_items + 1));
    if (!ids || !key)
        goto oom_circ;
    int n_rep = 0;
    for (int s = 0; s < ns; s++) {
        key[s] = f[s].asked;
        if (f[s].asked >= 2)
            ids[n_rep++] = s;
    }
    sort_by(ids, n_rep, key);
    json_t *repeated = json_array();
    for (int i = 0; i < n_rep && i < TOP_N; i++)
        json_array_append_new(
            repeated,
            json_pack("{s:s, s:i, s:b}", "material", r.st.s[ids[i]], "items",
                      f[ids[i]].asked, "obtainable",
                      f[ids[i]].shared || f[ids[i]].licence ||
                          f[ids[i]].lic_type >= 0));
    for (int i = 0; i < r.n_items; i++) {
        ids[i] = i;
        key[i] = r.items[i].from_applicant;
    }
    sort_by(ids, r.n_items, key);
    json_t *most = json_array();
    for (int i = 0; i < r.n_items && i < TOP_N; i++) {
        struct item *it = &r.items[ids[i]];
        if (!it->from_applicant)
            break;
        json_array_append_new(
            most, json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "item_code",
                            it->code, "item", r.st.s[it->name], "org",
                            r.st.s[it->org], "materials", it->n_mat,
                            "from_applicant", it->from_applicant, "obtainable",
                            it->obtainable));
    }
    /* Items whose visits could drop. */
    int n_vis = 0, n_zero = 0;
    for (int i = 0; i < r.n_items; i++) {
        struct item *it = &r.items[i];
        key[i] = it->visits > 0 && it->obtainable ? it->obtainable : 0;
        if (key[i]) {
            ids[n_vis++] = i;
            if (it->obtainable == it->from_applicant)
                n_zero++;
        }
    }
    sort_by(ids, n_vis, key);
    json_t *visits = json_array();
    for (int i = 0; i < n_vis && i < LIST_CAP; i++) {
        struct item *it = &r.items[ids[i]];
        int all = it->obtainable == it->from_applicant;
        json_array_append_new(
            visits,
            json_pack("{s:s, s:s, s:i, s:i, s:i, s:b}", "item_code", it->code,
                      "item", r.st.s[it->name], "visits", it->visits,
                      "from_applicant", it->from_applicant, "obtainable",
                      it->obtainable, "all_obtainable", all));
    }

    /* The public summary (清理结果公示). */
    int by_status[5] = {0};
    static const char *const k_status[] = {"retained", "cancelled",
                                           "replaced_sharing",
                                           "replaced_commitment",
                                           "replaced_licence"};
    json_t *pub = json_array();
    for (int i = 0; i < r.n_reg; i++) {
        for (int s = 0; s < 5; s++)
            if (!strcmp(r.reg[i].status, k_status[s]))
                by_status[s]++;
        if (r.reg[i].published)
            json_array_append_new(
                pub, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "proof",
                               r.st.s[r.reg[i].name], "status",
                               r.reg[i].status, "status_title",
                               proofs_status_title(r.reg[i].status),
                               "replacement",
                               r.reg[i].replacement
                                   ? json_string(r.reg[i].replacement)
                                   : json_null(),
                               "status_date",
                               r.reg[i].status_date
                                   ? json_string(r.reg[i].status_date)
                                   : json_null(),
                               "status_decision",
                               r.reg[i].status_decision
                                   ? json_string(r.reg[i].status_decision)
                                   : json_null()));
    }
    char as_of[11];
    cal_date_format(cal_date_of_instant(store_now_ms()), as_of);
    json_t *chains = json_array();
    for (size_t i = 0; i < json_array_size(circular); i++)
        json_array_append(chains, json_object_get(json_array_get(circular, i),
                                                  "text"));
    json_t *summary = json_pack(
        "{s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i, s:i}, "
        "s:{s:i, s:i, s:I, s:I, s:f}, "
        "s:{s:I, s:I, s:i, s:i, s:i, s:i}, s:o, s:o}",
        "title", "证明事项清理结果公示", "as_of", as_of, "registry", "total",
        r.n_reg, "retained", by_status[0], "cancelled", by_status[1],
        "replaced_sharing", by_status[2], "replaced_commitment", by_status[3],
        "replaced_licence", by_status[4], "catalogue", "items", r.n_items,
        "materials", r.n_mats, "from_applicant", (json_int_t)n_from_applicant,
        "obtainable", (json_int_t)n_obtainable, "obtainable_share",
        n_from_applicant ? (double)n_obtainable / (double)n_from_applicant
                         : 0.0,
        "findings", "proofs_without_basis",
        (json_int_t)json_array_size(no_basis), "unlisted_proofs",
        (json_int_t)n_unlisted, "circular_chains", n_cycles,
        "repeated_materials", n_rep, "items_visits_could_drop", n_vis,
        "items_could_need_no_visit", n_zero, "proofs", pub, "circular",
        chains);
    rep = json_pack(
        "{s:o, s:{s:i, s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:i}, s:o, s:o, "
        "s:o, s:o, s:o, s:o, s:o}",
        "summary", summary, "counts", "items", r.n_items, "materials",
        r.n_mats, "unreadable_guides", r.bad_guides, "obtainable",
        (json_int_t)n_obtainable, "unlisted_proofs", (json_int_t)n_unlisted,
        "unlisted_materials", n_unlisted_occ, "circular", n_cycles,
        "repeated", n_rep, "visits", n_vis, "proofs_without_basis", no_basis,
        "unlisted_proofs", unlisted_list, "obtainable", obtainable, "circular",
        circular, "repeated", repeated, "most_materials", most, "visits",
        visits);
    rc = rep ? 0 : err_set(e, ERR_INTERNAL, NULL, "内存不足");
    goto done;
oom_circ:
    json_decref(circular);
oom_lists:
    err_set(e, ERR_INTERNAL, NULL, "内存不足");
fail_lists:
    json_decref(obtainable);
    json_decref(unlisted_list);
    json_decref(no_basis);
    goto done;
oom:
    err_set(e, ERR_INTERNAL, NULL, "内存不足");
done:
    pg_cycles_free(cycles, n_cycles);
    free(edges);
    free(node_of);
    free(ids);
    free(key);
    free(f);
    free(r.items);
    free(r.mats);
    free(r.reg);
    free(r.lic_types);
    st_free(&r.st);
    arena_free(r.a);
    if (rc == 0)
        *out = rep;
    return rc;
}

/* ---- the readable report ------------------------------------------------------ */

struct sbuf {
    char *p;
    size_t n, cap;
};

static void put(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0,
                          fmt, ap);
        va_end(ap);
        if (w < 0)
            return;
        if (b->p && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)w;
        char *g = realloc(b->p, cap);
        if (!g)
            return;
        b->p = g;
        b->cap = cap;
    }
}

static const char *js(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long ji(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

char *app_proofs_report_text(const json_t *rep)
{
    struct sbuf b = {0};
    const json_t *s = json_object_get(rep, "summary");
    const json_t *reg = json_object_get(s, "registry");
    const json_t *cat = json_object_get(s, "catalogue");
    const json_t *c = json_object_get(rep, "counts");
    size_t i;
    json_t *v;
    put(&b, "%s（%s）\n\n", js(s, "title"), js(s, "as_of"));
    put(&b,
        "证明事项清单：共 %lld 项；保留 %lld，取消 %lld，以数据共享替代 %lld，"
        "以告知承诺替代 %lld，以电子证照替代 %lld\n",
        ji(reg, "total"), ji(reg, "retained"), ji(reg, "cancelled"),
        ji(reg, "replaced_sharing"), ji(reg, "replaced_commitment"),
        ji(reg, "replaced_licence"));
    put(&b,
        "已发布事项 %lld 个，材料 %lld 项，其中由申请人提交 %lld 项，"
        "可通过共享或证照获取、或已被替代 %lld 项（%.1f%%）\n",
        ji(cat, "items"), ji(cat, "materials"), ji(cat, "from_applicant"),
        ji(cat, "obtainable"),
        100.0 * json_real_value(json_object_get(cat, "obtainable_share")));
    if (ji(c, "unreadable_guides"))
        put(&b, "（%lld 个办事指南无法读取材料，未计入）\n",
            ji(c, "unreadable_guides"));

    put(&b, "\n一、无设定依据的证明（%zu）\n",
        json_array_size(json_object_get(rep, "proofs_without_basis")));
    json_array_foreach(json_object_get(rep, "proofs_without_basis"), i, v)
        put(&b, "  %s\n", js(v, "proof"));

    put(&b, "\n二、清单之外或已取消、已替代仍被要求的证明（%lld）\n",
        ji(c, "unlisted_proofs"));
    json_array_foreach(json_object_get(rep, "unlisted_proofs"), i, v)
    {
        put(&b, "  %s（%s）：%lld 个事项，如 ", js(v, "proof"),
            !strcmp(js(v, "status"), "absent")
                ? "不在清单中"
                : proofs_status_title(js(v, "status")),
            ji(v, "items"));
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(v, "examples"), k, x)
            put(&b, "%s%s", k ? "、" : "", json_string_value(x));
        put(&b, "\n");
    }

    put(&b, "\n三、可通过共享或证照获取却仍向申请人索要的材料（%lld，列出前 %zu）\n",
        ji(c, "obtainable"),
        json_array_size(json_object_get(rep, "obtainable")));
    json_array_foreach(json_object_get(rep, "obtainable"), i, v)
        put(&b, "  %s %s：第 %lld 项“%s”——%s\n", js(v, "item_code"),
            js(v, "item"), ji(v, "index") + 1, js(v, "material"),
            js(v, "how"));

    put(&b, "\n四、循环证明（%lld）\n", ji(c, "circular"));
    json_array_foreach(json_object_get(rep, "circular"), i, v)
        put(&b, "  %zu. %s\n", i + 1, js(v, "text"));

    put(&b, "\n五、被反复索要的材料（%lld 种被两个以上事项索要，列出前 %zu）\n",
        ji(c, "repeated"), json_array_size(json_object_get(rep, "repeated")));
    json_array_foreach(json_object_get(rep, "repeated"), i, v)
        put(&b, "  %s：%lld 个事项%s\n", js(v, "material"), ji(v, "items"),
            json_is_true(json_object_get(v, "obtainable")) ? "（可共享获取）"
                                                           : "");

    put(&b, "\n六、要求申请人提交材料最多的事项\n");
    json_array_foreach(json_object_get(rep, "most_materials"), i, v)
        put(&b, "  %s %s（%s）：%lld 项，其中可免提交 %lld 项\n",
            js(v, "item_code"), js(v, "item"), js(v, "org"),
            ji(v, "from_applicant"), ji(v, "obtainable"));

    put(&b, "\n七、材料共享后可减少跑动的事项（%lld）\n", ji(c, "visits"));
    json_array_foreach(json_object_get(rep, "visits"), i, v)
        put(&b, "  %s %s：现需到场 %lld 次，%lld/%lld 项材料可免提交%s\n",
            js(v, "item_code"), js(v, "item"), ji(v, "visits"),
            ji(v, "obtainable"), ji(v, "from_applicant"),
            json_is_true(json_object_get(v, "all_obtainable"))
                ? "（全部可免，可望“零跑动”）"
                : "");
    return b.p ? b.p : strdup("");
}
