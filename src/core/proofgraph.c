/* proofgraph.c — cycles of the "needs" graph of items and proofs: Tarjan's
 * strongly connected components (iterative), then per cyclic component a
 * breadth-first search for the shortest cycle through each node. Contract
 * in core/proofgraph.h. Owns nothing after return but the result; no
 * global state; thread-safe. */
#include "core/proofgraph.h"

#include <stdlib.h>
#include <string.h>

struct graph {
    int n;
    int *off; /* n + 1 */
    int *adj; /* targets, each node's slice sorted ascending */
};

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int graph_build(struct graph *g, int n, const struct pg_edge *edges,
                       int m)
{
    g->n = n;
    g->off = calloc((size_t)n + 1, sizeof *g->off);
    g->adj = malloc(((size_t)m + 1) * sizeof *g->adj);
    int *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!g->off || !g->adj || !fill) {
        free(fill);
        return -1;
    }
    for (int i = 0; i < m; i++)
        g->off[edges[i].from + 1]++;
    for (int v = 0; v < n; v++)
        g->off[v + 1] += g->off[v];
    for (int i = 0; i < m; i++) {
        int v = edges[i].from;
        g->adj[g->off[v] + fill[v]++] = edges[i].to;
    }
    free(fill);
    for (int v = 0; v < n; v++)
        if (g->off[v + 1] - g->off[v] > 1)
            qsort(g->adj + g->off[v], (size_t)(g->off[v + 1] - g->off[v]),
                  sizeof *g->adj, cmp_int);
    return 0;
}

/* tarjan — comp[v] = component of v (0-based, in order of completion). */
static int tarjan(const struct graph *g, int *comp, int *n_comp)
{
    int n = g->n;
    int *index = malloc((size_t)n * sizeof *index);
    int *low = malloc((size_t)n * sizeof *low);
    char *on = calloc((size_t)n ? (size_t)n : 1, 1);
    int *stack = malloc((size_t)n * sizeof *stack);
    int *call = malloc((size_t)n * sizeof *call); /* node */
    int *pos = malloc((size_t)n * sizeof *pos);   /* next edge to try */
    if (n && (!index || !low || !on || !stack || !call || !pos)) {
        free(index), free(low), free(on), free(stack), free(call), free(pos);
        return -1;
    }
    for (int v = 0; v < n; v++)
        index[v] = -1;
    int next = 0, sp = 0, comps = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0)
            continue;
        int cp = 0;
        call[cp] = root;
        pos[cp] = g->off[root];
        cp++;
        index[root] = low[root] = next++;
        stack[sp++] = root;
        on[root] = 1;
        while (cp > 0) {
            int v = call[cp - 1];
            if (pos[cp - 1] < g->off[v + 1]) {
                int w = g->adj[pos[cp - 1]++];
                if (index[w] < 0) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = 1;
                    call[cp] = w;
                    pos[cp] = g->off[w];
                    cp++;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                int w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = comps;
                } while (w != v);
                comps++;
            }
            cp--;
            if (cp > 0) {
                int u = call[cp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
        }
    }
    *n_comp = comps;
    free(index), free(low), free(on), free(stack), free(call), free(pos);
    return 0;
}

static int cycle_cmp(const void *a, const void *b)
{
    const struct pg_cycle *x = a, *y = b;
    if (x->scc != y->scc)
        return x->scc < y->scc ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    for (int i = 0; i < x->n; i++)
        if (x->nodes[i] != y->nodes[i])
            return x->nodes[i] < y->nodes[i] ? -1 : 1;
    return 0;
}

struct out {
    struct pg_cycle *v;
    int n, cap;
};

static int out_push(struct out *o, struct pg_cycle c)
{
    if (o->n == o->cap) {
        int cap = o->cap ? o->cap * 2 : 16;
        struct pg_cycle *grown = realloc(o->v, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        o->v = grown;
        o->cap = cap;
    }
    o->v[o->n++] = c;
    return 0;
}

/* shortest — BFS from s inside component c; on a cycle back to s, its
 * nodes (from s) into path[], returning the length; 0 when none. dist[]
 * is -1 everywhere on entry and left so. */
static int shortest(const struct graph *g, const int *comp, int c, int s,
                    int *dist, int *parent, int *queue, int *path)
{
    int head = 0, tail = 0, found = -1;
    dist[s] = 0;
    parent[s] = -1;
    queue[tail++] = s;
    while (head < tail && found < 0) {
        int u = queue[head++];
        for (int k = g->off[u]; k < g->off[u + 1]; k++) {
            int w = g->adj[k];
            if (comp[w] != c)
                continue;
            if (w == s) {
                found = u;
                break;
            }
            if (dist[w] < 0) {
                dist[w] = dist[u] + 1;
                parent[w] = u;
                queue[tail++] = w;
            }
        }
    }
    int len = 0;
    if (found >= 0) {
        len = dist[found] + 1;
        for (int v = found, i = len - 1; v >= 0; v = parent[v], i--)
            path[i] = v;
    }
    for (int i = 0; i < tail; i++)
        dist[queue[i]] = -1;
    return len;
}

int pg_cycles(int n_nodes, const struct pg_edge *edges, int n_edges,
              struct pg_cycle **out, int *n_out, struct err *e)
{
    *out = NULL;
    *n_out = 0;
    if (n_nodes < 0 || n_edges < 0)
        return err_set(e, ERR_INVALID, "edges", "图的规模无效");
    for (int i = 0; i < n_edges; i++)
        if (edges[i].from < 0 || edges[i].from >= n_nodes ||
            edges[i].to < 0 || edges[i].to >= n_nodes)
            return err_set(e, ERR_INVALID, "edges",
                           "第 %d 条边的端点超出范围", i);
    if (n_nodes == 0)
        return 0;
    struct graph g = {0};
    size_t n = (size_t)n_nodes;
    int *comp = malloc(n * sizeof *comp);
    int *size = NULL, *order = NULL, *start = NULL, *dist = NULL,
        *parent = NULL, *queue = NULL, *path = NULL;
    char *cyclic = NULL;
    struct out o = {0};
    int n_comp = 0, rc = -1;
    if (!comp || graph_build(&g, n_nodes, edges, n_edges) ||
        tarjan(&g, comp, &n_comp))
        goto done;
    size = calloc((size_t)n_comp + 1, sizeof *size);
    cyclic = calloc((size_t)n_comp + 1, 1);
    start = malloc(((size_t)n_comp + 1) * sizeof *start);
    order = malloc(n * sizeof *order);
    dist = malloc(n * sizeof *dist);
    parent = malloc(n * sizeof *parent);
    queue = malloc(n * sizeof *queue);
    path = malloc(n * sizeof *path);
    if (!size || !cyclic || !start || !order || !dist || !parent || !queue ||
        !path)
        goto done;
    for (int v = 0; v < n_nodes; v++) {
        size[comp[v]]++;
        dist[v] = -1;
        for (int k = g.off[v]; k < g.off[v + 1]; k++)
            if (g.adj[k] == v)
                cyclic[comp[v]] = 1;
    }
    for (int c = 0; c < n_comp; c++)
        if (size[c] > 1)
            cyclic[c] = 1;
    /* Members of each component, ascending (a counting sort by comp). */
    start[0] = 0;
    for (int c = 0; c < n_comp; c++)
        start[c + 1] = start[c] + size[c];
    {
        int *fill = calloc((size_t)n_comp + 1, sizeof *fill);
        if (!fill)
            goto done;
        for (int v = 0; v < n_nodes; v++)
            order[start[comp[v]] + fill[comp[v]]++] = v;
        free(fill);
    }
    /* Components numbered for the caller by their smallest node. */
    int number = 0;
    for (int v = 0; v < n_nodes; v++) {
        int c = comp[v];
        if (!cyclic[c] || order[start[c]] != v)
            continue;
        int first = o.n, tried = 0;
        for (int i = start[c]; i < start[c + 1] && tried < PG_MAX_PER_SCC;
             i++, tried++) {
            int len = shortest(&g, comp, c, order[i], dist, parent, queue,
                               path);
            if (len == 0)
                continue;
            int lo = 0; /* rotate: smallest node first */
            for (int k = 1; k < len; k++)
                if (path[k] < path[lo])
                    lo = k;
            int *nodes = malloc((size_t)len * sizeof *nodes);
            if (!nodes)
                goto done;
            for (int k = 0; k < len; k++)
                nodes[k] = path[(lo + k) % len];
            struct pg_cycle cy = {.nodes = nodes, .n = len, .scc = number,
                                  .scc_size = size[c]};
            int dup = 0;
            for (int j = first; j < o.n && !dup; j++)
                dup = cycle_cmp(&o.v[j], &cy) == 0;
            if (dup || out_push(&o, cy)) {
                free(nodes);
                if (!dup)
                    goto done;
            }
        }
        number++;
    }
    if (o.n > 1)
        qsort(o.v, (size_t)o.n, sizeof *o.v, cycle_cmp);
    *out = o.v;
    *n_out = o.n;
    o.v = NULL;
    o.n = 0;
    rc = 0;
done:
    pg_cycles_free(o.v, o.n);
    free(g.off), free(g.adj), free(comp), free(size), free(cyclic);
    free(start), free(order), free(dist), free(parent), free(queue);
    free(path);
    if (rc)
        err_set(e, ERR_INTERNAL, NULL, "内存不足");
    return rc;
}

void pg_cycles_free(struct pg_cycle *c, int n)
{
    if (!c)
        return;
    for (int i = 0; i < n; i++)
        free(c[i].nodes);
    free(c);
}
