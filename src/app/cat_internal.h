/* cat_internal.h — what app_catalogue.c and app_catalogue_io.c share and
 * nobody else uses: vocabularies, the checked base item, loading rows into
 * an arena, publishing a version and keeping the search index in step. */
#ifndef BIANMIN_APP_CAT_INTERNAL_H
#define BIANMIN_APP_CAT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/guide.h"
#include "../store/catalogue.h"
#include "auth.h"

struct cat_vocab {
    const char *name, *code, *title; /* "licensing", "01", "行政许可" */
};
extern const struct cat_vocab cat_types[];  /* NULL-ended by name */
extern const struct cat_vocab cat_themes[]; /* code unused */
const struct cat_vocab *cat_vocab_find(const struct cat_vocab *v,
                                       const char *name);

/* A base item checked by cat_base_check: texts in an arena, list fields as
 * compact JSON text. */
struct base_out {
    const char *code, *name, *type, *supply, *parent, *region;
    const char *themes, *audience, *legal_basis, *levels, *aliases, *keywords;
    int n_legal_basis;
    unsigned levels_mask; /* bit L set: level L may implement */
};

/* cat_base_check — check a base item object (field names of
 * docs/catalogue.md). partial: absent keys are fine (an update's body).
 * lenient_basis: an empty legal_basis is accepted (real extracts without
 * it; the lint then reports legal_basis_missing). */
int cat_base_check(const json_t *o, const char *ptr, int partial,
                   int lenient_basis, struct arena *a, struct base_out *out,
                   struct err *e);
/* cat_base_json — a stored row as the model's object (+ id, state,
 * revision… when `full`). New reference. */
json_t *cat_base_json(const struct base_row *b, int full);

/* Rows copied into an arena. */
struct item_row *cat_item_copy(struct arena *a, const struct item_row *r);
struct version_row *cat_version_copy(struct arena *a,
                                     const struct version_row *r);
int cat_load_item(struct db *db, int64_t id, struct arena *a,
                  struct item_row **out, struct err *e);
int cat_load_version(struct db *db, int64_t item_id, int n, struct arena *a,
                     struct version_row **out, struct err *e);

/* cat_guide_lint — lint a stored guide (JSON text) with the base facts of
 * the item into r (storage items[cap]). -1 only when the text is not a
 * guide at all (then a finding "guide_invalid" is not possible: e set). */
int cat_lint_text(const char *guide_json, const char *legal_basis_json,
                  const char *code, struct arena *a, struct lint_report *r,
                  struct lint_finding *items, int cap, struct err *e);

/* cat_publish — make version n of item (now in state `from`) published:
 * the previous published version superseded, the item's browse copies
 * and the search index updated, an event written. force: publish even
 * with lint errors (the reason then says how many). On lint errors without
 * force: ERR_INVALID and *lint (new reference) holds the findings. */
int cat_publish(struct db *db, const struct actor *actor, struct item_row *it,
                int n, const char *from, const char *guide_json,
                const char *reason, int force, struct arena *a, json_t **lint,
                int *lint_errors, struct err *e);

/* cat_event — append one event. */
int cat_event(struct db *db, const struct actor *actor, int64_t item_id,
              int version, const char *from, const char *to, const char *reason,
              int64_t now, struct err *e);

/* cat_index — put the item (published guide `guide_json`) in the search
 * index. */
int cat_index(struct db *db, const struct item_row *it, const char *guide_json,
              struct arena *a, struct err *e);

/* cat_can — may actor (NULL = trusted) do c on region (NULL = national:
 * needs a province-level grant). */
int cat_can(const struct actor *actor, enum cap c, const char *region);

/* cat_json_text — compact JSON text of v in arena a (v borrowed). */
const char *cat_json_text(struct arena *a, const json_t *v);

#endif
