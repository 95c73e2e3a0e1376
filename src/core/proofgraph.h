/* proofgraph.h — circular proofs (循环证明) as a graph problem: nodes are
 * items and proofs, an edge says "to get A you need B" (an item needs the
 * proofs its guide asks for; a proof needs the item that issues it). A
 * cycle is a circular chain: to obtain proof X you must present proof Y, to
 * obtain Y you must present X (through the items that issue them).
 *
 * pg_cycles finds every strongly connected component that holds a cycle
 * (Tarjan, iterative: no recursion depth limit at 100,000s of nodes) and,
 * inside each, the shortest cycle through each of its nodes, deduplicated,
 * each returned whole as the list of its nodes in order. Nodes are plain
 * integers 0..n-1; the caller maps them to items and proofs.
 *
 * Pure: no I/O, no global state; thread-safe. Allocates with malloc (the
 * result is freed with pg_cycles_free). */
#ifndef BIANMIN_CORE_PROOFGRAPH_H
#define BIANMIN_CORE_PROOFGRAPH_H

#include "core/err.h"

/* At most this many cycles are reported per component (a component of k
 * nodes has at most k shortest cycles through distinct start nodes; a big
 * tangle is still reported, by its first PG_MAX_PER_SCC cycles and its
 * size). */
#define PG_MAX_PER_SCC 16

struct pg_edge {
    int from, to; /* "from needs to"; 0 <= from, to < n_nodes */
};

struct pg_cycle {
    int *nodes;   /* the cycle in edge order, starting at its smallest node;
                   * the edge nodes[n-1] -> nodes[0] closes it. A self-loop
                   * is a cycle of one node. */
    int n;
    int scc;      /* index of its component (0, 1, … in order of their
                   * smallest node) */
    int scc_size; /* nodes in that component */
};

/* pg_cycles — the cycles of the graph, ordered by component (by smallest
 * node), then by length, then by nodes. Edges out of range are refused
 * (ERR_INVALID, field "edges", naming the index); duplicate edges are
 * fine. *out (NULL when none) and *n_out; free with pg_cycles_free.
 * ERR_INTERNAL when memory runs out. Runs in O(nodes + edges) plus, for
 * each cyclic component of k nodes and m edges, O(min(k, PG_MAX_PER_SCC) *
 * (k + m)). */
int pg_cycles(int n_nodes, const struct pg_edge *edges, int n_edges,
              struct pg_cycle **out, int *n_out, struct err *e);

void pg_cycles_free(struct pg_cycle *c, int n);

#endif
