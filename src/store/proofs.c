/* proofs.c — SQL for the proof registry, data sharing, licences and
 * commitments (migration 7). One SQL text serves both drivers (db.h); every
 * value is bound. No state; thread-safe as long as each `struct db` is used
 * by one thread. Contract in proofs.h. */
#include "proofs.h"

#include "../core/matdigest.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

#define DBP_ID_OR_NULL(x) ((x) ? DBP_INT(x) : DBP_NULL)

static int internal(struct err *e, const char *what)
{
    err_set(e, ERR_INTERNAL, NULL, "内部错误");
    return err_log(e, "%s", what);
}

static int changed_of(int64_t changes, int *changed)
{
    if (changed)
        *changed = changes > 0;
    return 0;
}

static const char *tx(struct db_res *r, int i)
{
    return db_text(r, i);
}

/* ---- proofs -----------------------------------------------------------------
 */

#define PROOF_COLS                                                             \
    "id, name, issuing_office, issuing_item, legal_basis, status, "            \
    "status_date, status_decision, replacement, published, commitment, "       \
    "revision, created_at, updated_at FROM proofs "

static const char SQL_PROOF_LIST[] =
    "SELECT " PROOF_COLS "WHERE ($1 = 0 OR published = 1) ORDER BY name";
static const char SQL_PROOF_BY_ID[] = "SELECT " PROOF_COLS "WHERE id = $1";
static const char SQL_PROOF_BY_NAME[] = "SELECT " PROOF_COLS "WHERE name = $1";
static const char SQL_PROOF_INSERT[] =
    "INSERT INTO proofs (name, issuing_office, issuing_item, legal_basis, "
    "status, status_date, status_decision, replacement, published, "
    "commitment, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id";
static const char SQL_PROOF_UPDATE[] =
    "UPDATE proofs SET name = $2, issuing_office = $3, issuing_item = $4, "
    "legal_basis = $5, status = $6, status_date = $7, status_decision = $8, "
    "replacement = $9, published = $10, commitment = $11, updated_at = $12, "
    "revision = revision + 1 WHERE id = $1 AND ($13 = 0 OR revision = $13)";

struct proof_each {
    proof_cb cb;
    void *ctx;
};

static int proof_from_row(void *ctx, struct db_res *r)
{
    struct proof_each *c = ctx;
    struct proof_row row = {
        .id = db_int(r, 0),
        .name = tx(r, 1),
        .issuing_office = tx(r, 2),
        .issuing_item = tx(r, 3),
        .legal_basis = tx(r, 4),
        .status = tx(r, 5),
        .status_date = tx(r, 6),
        .status_decision = tx(r, 7),
        .replacement = tx(r, 8),
        .published = (int)db_int(r, 9),
        .commitment = tx(r, 10),
        .revision = db_int(r, 11),
        .created_at = db_int(r, 12),
        .updated_at = db_int(r, 13),
    };
    return c->cb(c->ctx, &row);
}

static int each_proof(struct db *db, const char *sql, const struct db_param *p,
                      int np, proof_cb cb, void *ctx, int *n, struct err *e)
{
    struct proof_each c = {cb, ctx};
    return db_each(db, sql, p, np, proof_from_row, &c, n, e);
}

int store_proof_list(struct db *db, int published_only, proof_cb cb, void *ctx,
                     struct err *e)
{
    struct db_param p[] = {DBP_INT(published_only ? 1 : 0)};
    return each_proof(db, SQL_PROOF_LIST, p, 1, cb, ctx, NULL, e);
}

int store_proof_get(struct db *db, int64_t id, const char *name, proof_cb cb,
                    void *ctx, struct err *e)
{
    int n = 0;
    struct db_param p[] = {name ? DBP_TEXT(name) : DBP_INT(id)};
    if (each_proof(db, name ? SQL_PROOF_BY_NAME : SQL_PROOF_BY_ID, p, 1, cb,
                   ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "证明事项清单中没有这项证明");
    return 0;
}

static void proof_params(const struct proof_row *r, struct db_param *p)
{
    p[0] = DBP_TEXT(r->name);
    p[1] = DBP_TEXT_OR_NULL(r->issuing_office);
    p[2] = DBP_TEXT_OR_NULL(r->issuing_item);
    p[3] = DBP_TEXT_OR_NULL(r->legal_basis);
    p[4] = DBP_TEXT(r->status);
    p[5] = DBP_TEXT_OR_NULL(r->status_date);
    p[6] = DBP_TEXT_OR_NULL(r->status_decision);
    p[7] = DBP_TEXT_OR_NULL(r->replacement);
    p[8] = DBP_INT(r->published ? 1 : 0);
    p[9] = DBP_TEXT_OR_NULL(r->commitment);
}

int store_proof_insert(struct db *db, const struct proof_row *r, int64_t now,
                       int64_t *id, struct err *e)
{
    struct db_param p[11];
    proof_params(r, p);
    p[10] = DBP_INT(now);
    return db_query_int(db, SQL_PROOF_INSERT, p, 11, id, e);
}

int store_proof_update(struct db *db, const struct proof_row *r,
                       int64_t expect_revision, int64_t now, int *changed,
                       struct err *e)
{
    struct db_param p[13];
    p[0] = DBP_INT(r->id);
    proof_params(r, p + 1);
    p[11] = DBP_INT(now);
    p[12] = DBP_INT(expect_revision);
    int64_t changes = 0;
    if (db_exec(db, SQL_PROOF_UPDATE, p, 13, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

/* ---- datasets
 * ----------------------------------------------------------------- */

#define DATASET_COLS                                                           \
    "d.id, d.name, d.provider, d.fields, d.sharing, d.sharing_condition, "     \
    "d.kind, d.url, d.timeout_ms, d.revision, d.created_at, d.updated_at, "    \
    "(SELECT count(*) FROM dataset_records x WHERE x.dataset_id = d.id) "      \
    "FROM datasets d "

static const char SQL_DATASET_LIST[] = "SELECT " DATASET_COLS "ORDER BY d.name";
static const char SQL_DATASET_GET[] =
    "SELECT " DATASET_COLS "WHERE d.name = $1";
static const char SQL_DATASET_INSERT[] =
    "INSERT INTO datasets (name, provider, fields, sharing, "
    "sharing_condition, kind, url, timeout_ms, revision, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) "
    "RETURNING id";
static const char SQL_DATASET_UPDATE[] =
    "UPDATE datasets SET name = $2, provider = $3, fields = $4, sharing = $5, "
    "sharing_condition = $6, kind = $7, url = $8, timeout_ms = $9, "
    "updated_at = $10, revision = revision + 1 "
    "WHERE id = $1 AND ($11 = 0 OR revision = $11)";
static const char SQL_RECORDS_CLEAR[] =
    "DELETE FROM dataset_records WHERE dataset_id = $1";
static const char SQL_RECORD_PUT[] =
    "INSERT INTO dataset_records (dataset_id, subject, data, imported_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (dataset_id, subject) DO UPDATE "
    "SET data = excluded.data, imported_at = excluded.imported_at";
static const char SQL_RECORD_GET[] =
    "SELECT data FROM dataset_records WHERE dataset_id = $1 AND subject = $2";

struct dataset_each {
    dataset_cb cb;
    void *ctx;
};

static int dataset_from_row(void *ctx, struct db_res *r)
{
    struct dataset_each *c = ctx;
    struct dataset_row row = {
        .id = db_int(r, 0),
        .name = tx(r, 1),
        .provider = tx(r, 2),
        .fields = tx(r, 3),
        .sharing = tx(r, 4),
        .sharing_condition = tx(r, 5),
        .kind = tx(r, 6),
        .url = tx(r, 7),
        .timeout_ms = (int)db_int(r, 8),
        .revision = db_int(r, 9),
        .created_at = db_int(r, 10),
        .updated_at = db_int(r, 11),
        .n_records = db_int(r, 12),
    };
    return c->cb(c->ctx, &row);
}

static int each_dataset(struct db *db, const char *sql,
                        const struct db_param *p, int np, dataset_cb cb,
                        void *ctx, int *n, struct err *e)
{
    struct dataset_each c = {cb, ctx};
    return db_each(db, sql, p, np, dataset_from_row, &c, n, e);
}

int store_dataset_list(struct db *db, dataset_cb cb, void *ctx, struct err *e)
{
    return each_dataset(db, SQL_DATASET_LIST, NULL, 0, cb, ctx, NULL, e);
}

int store_dataset_get(struct db *db, const char *name, dataset_cb cb, void *ctx,
                      struct err *e)
{
    int n = 0;
    struct db_param p[] = {DBP_TEXT(name)};
    if (each_dataset(db, SQL_DATASET_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个共享数据集");
    return 0;
}

static void dataset_params(const struct dataset_row *r, struct db_param *p)
{
    p[0] = DBP_TEXT(r->name);
    p[1] = DBP_TEXT(r->provider);
    p[2] = DBP_TEXT(r->fields);
    p[3] = DBP_TEXT(r->sharing);
    p[4] = DBP_TEXT_OR_NULL(r->sharing_condition);
    p[5] = DBP_TEXT(r->kind);
    p[6] = DBP_TEXT_OR_NULL(r->url);
    p[7] = DBP_INT(r->timeout_ms);
}

int store_dataset_insert(struct db *db, const struct dataset_row *r,
                         int64_t now, int64_t *id, struct err *e)
{
    struct db_param p[9];
    dataset_params(r, p);
    p[8] = DBP_INT(now);
    return db_query_int(db, SQL_DATASET_INSERT, p, 9, id, e);
}

int store_dataset_update(struct db *db, const struct dataset_row *r,
                         int64_t expect_revision, int64_t now, int *changed,
                         struct err *e)
{
    struct db_param p[11];
    p[0] = DBP_INT(r->id);
    dataset_params(r, p + 1);
    p[9] = DBP_INT(now);
    p[10] = DBP_INT(expect_revision);
    int64_t changes = 0;
    if (db_exec(db, SQL_DATASET_UPDATE, p, 11, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_dataset_records_clear(struct db *db, int64_t dataset_id,
                                struct err *e)
{
    struct db_param p[] = {DBP_INT(dataset_id)};
    return db_exec(db, SQL_RECORDS_CLEAR, p, 1, NULL, e);
}

int store_dataset_record_put(struct db *db, int64_t dataset_id,
                             const char *subject, const char *data, int64_t now,
                             struct err *e)
{
    struct db_param p[] = {DBP_INT(dataset_id), DBP_TEXT(subject),
                           DBP_TEXT(data), DBP_INT(now)};
    return db_exec(db, SQL_RECORD_PUT, p, 4, NULL, e);
}

int store_dataset_record_get(struct db *db, int64_t dataset_id,
                             const char *subject, char **data_out,
                             struct err *e)
{
    *data_out = NULL;
    struct db_param p[] = {DBP_INT(dataset_id), DBP_TEXT(subject)};
    struct db_res *r;
    if (db_query(db, SQL_RECORD_GET, p, 2, &r, e))
        return -1;
    int rc = db_next(r, e);
    if (rc == 1 && tx(r, 0)) {
        *data_out = strdup(tx(r, 0));
        if (!*data_out)
            rc = internal(e, "store_dataset_record_get: out of memory");
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- the sharing log
 * ----------------------------------------------------------- */

static const char SQL_SHARING_ADD[] =
    "INSERT INTO sharing_log (at, actor_id, actor_login, case_no, dataset, "
    "subject, subject_hash, material, fields, result, detail) VALUES ($1, $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
static const char SQL_SHARING_LIST[] =
    "SELECT id, at, actor_id, actor_login, case_no, dataset, subject, "
    "subject_hash, material, fields, result, detail FROM sharing_log "
    "WHERE ($1 = '' OR case_no = $1) AND ($2 = '' OR dataset = $2) "
    "AND ($3 = '' OR subject_hash = $3) AND id > $4 ORDER BY id LIMIT $5";

int store_sharing_add(struct db *db, const struct sharing_row *r, int64_t *id,
                      struct err *e)
{
    struct db_param p[] = {DBP_INT(r->at),
                           DBP_ID_OR_NULL(r->actor_id),
                           DBP_TEXT_OR_NULL(r->actor_login),
                           DBP_TEXT_OR_NULL(r->case_no),
                           DBP_TEXT(r->dataset),
                           DBP_TEXT(r->subject),
                           DBP_TEXT(r->subject_hash),
                           DBP_TEXT_OR_NULL(r->material),
                           DBP_TEXT_OR_NULL(r->fields),
                           DBP_TEXT(r->result),
                           DBP_TEXT_OR_NULL(r->detail)};
    return db_query_int(db, SQL_SHARING_ADD, p, 11, id, e);
}

int store_sharing_list(struct db *db, const struct sharing_filter *f,
                       sharing_cb cb, void *ctx, struct err *e)
{
    if (f->limit < 1 || f->limit > 1001)
        return internal(e, "store_sharing_list: bad limit");
    struct db_param p[] = {DBP_TEXT(f->case_no ? f->case_no : ""),
                           DBP_TEXT(f->dataset ? f->dataset : ""),
                           DBP_TEXT(f->subject_hash ? f->subject_hash : ""),
                           DBP_INT(f->after_id), DBP_INT(f->limit)};
    struct db_res *r;
    if (db_query(db, SQL_SHARING_LIST, p, 5, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct sharing_row row = {
            .id = db_int(r, 0),
            .at = db_int(r, 1),
            .actor_id = db_int(r, 2),
            .actor_login = tx(r, 3),
            .case_no = tx(r, 4),
            .dataset = tx(r, 5),
            .subject = tx(r, 6),
            .subject_hash = tx(r, 7),
            .material = tx(r, 8),
            .fields = tx(r, 9),
            .result = tx(r, 10),
            .detail = tx(r, 11),
        };
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- licences
 * ---------------------------------------------------------------------- */

#define LICENCE_COLS                                                           \
    "id, number, type, holder, holder_name, issuer_org_id, issuer_name, "      \
    "case_no, source, issued_at, valid_until, status, status_reason, "         \
    "status_at, hash, created_at FROM licences "

static const char SQL_LICENCE_SERIAL[] =
    "INSERT INTO meta (key, value) VALUES ('licence_serial', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = "
    "CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT) RETURNING CAST(value AS "
    "BIGINT)";
static const char SQL_LICENCE_INSERT[] =
    "INSERT INTO licences (number, type, holder, holder_name, issuer_org_id, "
    "issuer_name, case_no, source, issued_at, valid_until, status, "
    "status_reason, status_at, hash, created_at) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id";
static const char SQL_LICENCE_GET[] =
    "SELECT " LICENCE_COLS "WHERE number = $1";
static const char SQL_LICENCE_OF_HOLDER[] =
    "SELECT " LICENCE_COLS "WHERE holder = $1 AND ($2 = '' OR type = $2) "
    "ORDER BY issued_at DESC, id DESC";
static const char SQL_LICENCE_OF_CASE[] =
    "SELECT " LICENCE_COLS "WHERE case_no = $1 ORDER BY id";
static const char SQL_LICENCE_STATUS[] =
    "UPDATE licences SET status = $3, status_reason = $4, status_at = $5 "
    "WHERE id = $1 AND status = $2";

struct licence_each {
    licence_cb cb;
    void *ctx;
};

static int licence_from_row(void *ctx, struct db_res *r)
{
    struct licence_each *c = ctx;
    struct licence_row row = {
        .id = db_int(r, 0),
        .number = tx(r, 1),
        .type = tx(r, 2),
        .holder = tx(r, 3),
        .holder_name = tx(r, 4),
        .issuer_org_id = db_int(r, 5),
        .issuer_name = tx(r, 6),
        .case_no = tx(r, 7),
        .source = tx(r, 8),
        .issued_at = db_int(r, 9),
        .valid_until = db_int(r, 10),
        .status = tx(r, 11),
        .status_reason = tx(r, 12),
        .status_at = db_int(r, 13),
        .hash = tx(r, 14),
        .created_at = db_int(r, 15),
    };
    return c->cb(c->ctx, &row);
}

static int each_licence(struct db *db, const char *sql,
                        const struct db_param *p, int np, licence_cb cb,
                        void *ctx, int *n, struct err *e)
{
    struct licence_each c = {cb, ctx};
    return db_each(db, sql, p, np, licence_from_row, &c, n, e);
}

int store_licence_next_serial(struct db *db, int64_t *serial, struct err *e)
{
    return db_query_int(db, SQL_LICENCE_SERIAL, NULL, 0, serial, e);
}

int store_licence_insert(struct db *db, const struct licence_row *r,
                         int64_t now, int64_t *id, struct err *e)
{
    struct db_param p[] = {
        DBP_TEXT(r->number),
        DBP_TEXT(r->type),
        DBP_TEXT(r->holder),
        DBP_TEXT_OR_NULL(r->holder_name),
        DBP_ID_OR_NULL(r->issuer_org_id),
        DBP_TEXT(r->issuer_name),
        DBP_TEXT_OR_NULL(r->case_no),
        DBP_TEXT(r->source),
        DBP_INT(r->issued_at),
        DBP_ID_OR_NULL(r->valid_until),
        DBP_TEXT(r->status),
        DBP_TEXT_OR_NULL(r->status_reason),
        DBP_ID_OR_NULL(r->status_at),
        DBP_TEXT(r->hash),
        DBP_INT(now),
    };
    return db_query_int(db, SQL_LICENCE_INSERT, p, 15, id, e);
}

int store_licence_get(struct db *db, const char *number, licence_cb cb,
                      void *ctx, struct err *e)
{
    int n = 0;
    struct db_param p[] = {DBP_TEXT(number)};
    if (each_licence(db, SQL_LICENCE_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这个电子证照");
    return 0;
}

int store_licence_of_holder(struct db *db, const char *holder, const char *type,
                            licence_cb cb, void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(holder), DBP_TEXT(type ? type : "")};
    return each_licence(db, SQL_LICENCE_OF_HOLDER, p, 2, cb, ctx, NULL, e);
}

int store_licence_of_case(struct db *db, const char *case_no, licence_cb cb,
                          void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(case_no)};
    return each_licence(db, SQL_LICENCE_OF_CASE, p, 1, cb, ctx, NULL, e);
}

static const char SQL_LICENCE_COUNT[] = "SELECT count(*) FROM licences";

int store_licence_count(struct db *db, int64_t *n, struct err *e)
{
    return db_query_int(db, SQL_LICENCE_COUNT, NULL, 0, n, e);
}

static const char SQL_LICENCE_TYPES[] =
    "SELECT DISTINCT type FROM licences ORDER BY type";

int store_licence_types(struct db *db, text_cb cb, void *ctx, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_LICENCE_TYPES, NULL, 0, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1)
        if (cb(ctx, tx(r, 0)))
            break;
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

int store_licence_set_status(struct db *db, int64_t id, const char *from,
                             const char *to, const char *reason, int64_t now,
                             int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_TEXT(from), DBP_TEXT(to),
                           DBP_TEXT_OR_NULL(reason), DBP_INT(now)};
    int64_t changes = 0;
    if (db_exec(db, SQL_LICENCE_STATUS, p, 5, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

/* ---- commitments
 * ------------------------------------------------------------------- */

#define COMMITMENT_COLS                                                        \
    "c.id, c.proof_id, p.name, c.case_no, c.applicant, c.item_code, "          \
    "c.accepted_at, c.actor_id, c.draw_id, c.selected, c.check_due, "          \
    "c.outcome, c.outcome_note, c.outcome_at, c.outcome_by "                   \
    "FROM commitments c JOIN proofs p ON p.id = c.proof_id "

static const char SQL_COMMITMENT_INSERT[] =
    "INSERT INTO commitments (proof_id, case_no, applicant, item_code, "
    "accepted_at, actor_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
static const char SQL_COMMITMENT_GET[] =
    "SELECT " COMMITMENT_COLS "WHERE c.id = $1";
static const char SQL_COMMITMENT_POOL[] =
    "SELECT " COMMITMENT_COLS "WHERE c.proof_id = $1 AND c.draw_id IS NULL "
    "AND ($2 = 0 OR c.accepted_at < $2) ORDER BY c.case_no, c.id";
static const char SQL_COMMITMENT_LIST[] =
    "SELECT " COMMITMENT_COLS "WHERE ($1 = 0 OR c.draw_id = $1) "
    "AND ($2 = 0 OR c.selected = 1) AND ($3 = '' OR c.case_no = $3) "
    "AND ($4 = '' OR c.applicant = $4) AND c.id > $5 ORDER BY c.id LIMIT $6";
static const char SQL_COMMITMENT_MARK[] =
    "UPDATE commitments SET draw_id = $2, selected = $3, check_due = $4 "
    "WHERE id = $1 AND draw_id IS NULL";
static const char SQL_COMMITMENT_OUTCOME[] =
    "UPDATE commitments SET outcome = $2, outcome_note = $3, outcome_by = $4, "
    "outcome_at = $5 WHERE id = $1 AND selected = 1 AND outcome IS NULL";
static const char SQL_DRAW_INSERT[] =
    "INSERT INTO commitment_draws (seed, until_ms, actor_id, actor_login, at, "
    "population, selected, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "RETURNING id";
static const char SQL_DISHONESTY_ADD[] =
    "INSERT INTO dishonesty_records (subject, commitment_id, case_no, proof, "
    "reason, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_DISHONESTY_OF[] =
    "SELECT id, commitment_id, actor_id, at, subject, case_no, proof, reason "
    "FROM dishonesty_records WHERE subject = $1 ORDER BY id";

struct commitment_each {
    commitment_cb cb;
    void *ctx;
};

static int commitment_from_row(void *ctx, struct db_res *r)
{
    struct commitment_each *c = ctx;
    struct commitment_row row = {
        .id = db_int(r, 0),
        .proof_id = db_int(r, 1),
        .proof_name = tx(r, 2),
        .case_no = tx(r, 3),
        .applicant = tx(r, 4),
        .item_code = tx(r, 5),
        .accepted_at = db_int(r, 6),
        .actor_id = db_int(r, 7),
        .draw_id = db_int(r, 8),
        .selected = (int)db_int(r, 9),
        .check_due = tx(r, 10),
        .outcome = tx(r, 11),
        .outcome_note = tx(r, 12),
        .outcome_at = db_int(r, 13),
        .outcome_by = db_int(r, 14),
    };
    return c->cb(c->ctx, &row);
}

static int each_commitment(struct db *db, const char *sql,
                           const struct db_param *p, int np, commitment_cb cb,
                           void *ctx, int *n, struct err *e)
{
    struct commitment_each c = {cb, ctx};
    return db_each(db, sql, p, np, commitment_from_row, &c, n, e);
}

int store_commitment_insert(struct db *db, const struct commitment_row *r,
                            int64_t *id, struct err *e)
{
    struct db_param p[] = {
        DBP_INT(r->proof_id),    DBP_TEXT(r->case_no),
        DBP_TEXT(r->applicant),  DBP_TEXT_OR_NULL(r->item_code),
        DBP_INT(r->accepted_at), DBP_ID_OR_NULL(r->actor_id)};
    return db_query_int(db, SQL_COMMITMENT_INSERT, p, 6, id, e);
}

int store_commitment_get(struct db *db, int64_t id, commitment_cb cb, void *ctx,
                         struct err *e)
{
    int n = 0;
    struct db_param p[] = {DBP_INT(id)};
    if (each_commitment(db, SQL_COMMITMENT_GET, p, 1, cb, ctx, &n, e))
        return -1;
    if (n == 0)
        return err_set(e, ERR_NOT_FOUND, NULL, "没有这条承诺记录");
    return 0;
}

int store_commitment_pool(struct db *db, int64_t proof_id, int64_t until,
                          commitment_cb cb, void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_INT(proof_id), DBP_INT(until)};
    return each_commitment(db, SQL_COMMITMENT_POOL, p, 2, cb, ctx, NULL, e);
}

int store_commitment_list(struct db *db, const struct commitment_filter *f,
                          commitment_cb cb, void *ctx, struct err *e)
{
    if (f->limit < 1 || f->limit > 1001)
        return internal(e, "store_commitment_list: bad limit");
    struct db_param p[] = {DBP_INT(f->draw_id),
                           DBP_INT(f->selected_only),
                           DBP_TEXT(f->case_no ? f->case_no : ""),
                           DBP_TEXT(f->applicant ? f->applicant : ""),
                           DBP_INT(f->after_id),
                           DBP_INT(f->limit)};
    return each_commitment(db, SQL_COMMITMENT_LIST, p, 6, cb, ctx, NULL, e);
}

int store_commitment_mark(struct db *db, int64_t id, int64_t draw_id,
                          int selected, const char *check_due, int *changed,
                          struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_INT(draw_id),
                           DBP_INT(selected ? 1 : 0),
                           DBP_TEXT_OR_NULL(check_due)};
    int64_t changes = 0;
    if (db_exec(db, SQL_COMMITMENT_MARK, p, 4, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_commitment_outcome(struct db *db, int64_t id, const char *outcome,
                             const char *note, int64_t by, int64_t now,
                             int *changed, struct err *e)
{
    struct db_param p[] = {DBP_INT(id), DBP_TEXT(outcome),
                           DBP_TEXT_OR_NULL(note), DBP_ID_OR_NULL(by),
                           DBP_INT(now)};
    int64_t changes = 0;
    if (db_exec(db, SQL_COMMITMENT_OUTCOME, p, 5, &changes, e))
        return -1;
    return changed_of(changes, changed);
}

int store_draw_insert(struct db *db, const char *seed, int64_t until,
                      int64_t actor_id, const char *actor_login, int64_t now,
                      int population, int selected, const char *detail,
                      int64_t *id, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(seed),
                           DBP_ID_OR_NULL(until),
                           DBP_ID_OR_NULL(actor_id),
                           DBP_TEXT_OR_NULL(actor_login),
                           DBP_INT(now),
                           DBP_INT(population),
                           DBP_INT(selected),
                           DBP_TEXT(detail)};
    return db_query_int(db, SQL_DRAW_INSERT, p, 8, id, e);
}

int store_dishonesty_add(struct db *db, const struct dishonesty_row *r,
                         struct err *e)
{
    struct db_param p[] = {DBP_TEXT(r->subject), DBP_INT(r->commitment_id),
                           DBP_TEXT(r->case_no), DBP_TEXT(r->proof),
                           DBP_TEXT(r->reason),  DBP_ID_OR_NULL(r->actor_id),
                           DBP_INT(r->at)};
    return db_exec(db, SQL_DISHONESTY_ADD, p, 7, NULL, e);
}

int store_dishonesty_of(struct db *db, const char *subject, dishonesty_cb cb,
                        void *ctx, struct err *e)
{
    struct db_param p[] = {DBP_TEXT(subject)};
    struct db_res *r;
    if (db_query(db, SQL_DISHONESTY_OF, p, 1, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct dishonesty_row row = {
            .id = db_int(r, 0),
            .commitment_id = db_int(r, 1),
            .actor_id = db_int(r, 2),
            .at = db_int(r, 3),
            .subject = tx(r, 4),
            .case_no = tx(r, 5),
            .proof = tx(r, 6),
            .reason = tx(r, 7),
        };
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* ---- the analyser's read
 * ---------------------------------------------------------- */

static const char SQL_SCAN[] =
    "SELECT i.id, i.code, b.code, b.name, o.name, i.region, v.version, "
    "v.guide, i.visits FROM items i "
    "JOIN base_items b ON b.id = i.base_id "
    "JOIN orgs o ON o.id = i.org_id "
    "JOIN item_versions v ON v.item_id = i.id AND v.version = "
    "i.current_version "
    "WHERE i.current_version IS NOT NULL AND i.state = 'active' ORDER BY i.id";

int store_catalogue_scan(struct db *db, scan_cb cb, void *ctx, struct err *e)
{
    struct db_res *r;
    if (db_query(db, SQL_SCAN, NULL, 0, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct scan_row row = {
            .item_id = db_int(r, 0),
            .item_code = tx(r, 1),
            .base_code = tx(r, 2),
            .name = tx(r, 3),
            .org_name = tx(r, 4),
            .region = tx(r, 5),
            .version = (int)db_int(r, 6),
            .guide = tx(r, 7),
            .visits = db_null(r, 8) ? -1 : (int)db_int(r, 8),
        };
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

/* The guide is read (by the correlated subquery, evaluated only then) for
 * a version without a digest of the current format; the last column says
 * whether the version exists at all (the inner join above). */
static const char SQL_SCAN_DIGESTS[] =
    "SELECT i.id, i.code, b.code, b.name, o.name, i.region, "
    "i.current_version, d.materials, i.visits, "
    "CASE WHEN d.materials IS NULL THEN (SELECT v.guide FROM item_versions v "
    "WHERE v.item_id = i.id AND v.version = i.current_version) END "
    "FROM items i "
    "JOIN base_items b ON b.id = i.base_id "
    "JOIN orgs o ON o.id = i.org_id "
    "LEFT JOIN item_digests d ON d.item_id = i.id AND d.version = "
    "i.current_version AND d.format = $1 "
    "WHERE i.current_version IS NOT NULL AND i.state = 'active' ORDER BY i.id";

int store_catalogue_scan_digests(struct db *db, scan_cb cb, void *ctx,
                                 struct err *e)
{
    struct db_param p[] = {DBP_INT(MD_FORMAT)};
    struct db_res *r;
    if (db_query(db, SQL_SCAN_DIGESTS, p, 1, &r, e))
        return -1;
    int rc;
    while ((rc = db_next(r, e)) == 1) {
        struct scan_row row = {
            .item_id = db_int(r, 0),
            .item_code = tx(r, 1),
            .base_code = tx(r, 2),
            .name = tx(r, 3),
            .org_name = tx(r, 4),
            .region = tx(r, 5),
            .version = (int)db_int(r, 6),
            .digest = db_null(r, 7) ? NULL : tx(r, 7),
            .visits = db_null(r, 8) ? -1 : (int)db_int(r, 8),
            .guide = db_null(r, 9) ? NULL : tx(r, 9),
        };
        if (!row.digest && !row.guide)
            continue; /* no such version: not in the catalogue's join */
        if (cb(ctx, &row))
            break;
    }
    db_res_free(r);
    return rc < 0 ? -1 : 0;
}

static const char SQL_DIGEST_PUT[] =
    "INSERT INTO item_digests (item_id, version, format, materials, "
    "created_at) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (item_id, version) DO NOTHING";

int store_digest_put(struct db *db, int64_t item_id, int version,
                     const char *guide, struct err *e)
{
    char *d = md_build(guide);
    if (!d)
        return err_set(e, ERR_INTERNAL, NULL, "内存不足");
    struct db_param p[] = {DBP_INT(item_id), DBP_INT(version),
                           DBP_INT(MD_FORMAT), DBP_TEXT(d),
                           DBP_INT(store_now_ms())};
    int rc = db_exec(db, SQL_DIGEST_PUT, p, 5, NULL, e);
    free(d);
    return rc;
}

/* Versions without a digest, a batch at a time (rows are read whole before
 * the inserts, which both drivers allow on one connection). */
static const char SQL_DIGEST_MISSING[] =
    "SELECT v.item_id, v.version, v.guide FROM item_versions v "
    "WHERE v.state IN ('published', 'superseded', 'abolished') AND NOT "
    "EXISTS (SELECT 1 FROM item_digests d WHERE d.item_id = v.item_id AND "
    "d.version = v.version) ORDER BY v.item_id, v.version LIMIT 500";

struct missing {
    int64_t item_id;
    int version;
    char *guide;
};

int store_digest_backfill(struct db *db, int *added, struct err *e)
{
    int total = 0;
    for (;;) {
        struct missing m[500];
        int n = 0, rc = 0;
        struct db_res *r;
        if (db_query(db, SQL_DIGEST_MISSING, NULL, 0, &r, e))
            return -1;
        while (n < 500 && (rc = db_next(r, e)) == 1) {
            m[n].item_id = db_int(r, 0);
            m[n].version = (int)db_int(r, 1);
            m[n].guide = strdup(tx(r, 2));
            if (!m[n].guide) {
                rc = err_set(e, ERR_INTERNAL, NULL, "内存不足");
                break;
            }
            n++;
        }
        db_res_free(r);
        for (int i = 0; i < n && rc >= 0; i++)
            if (store_digest_put(db, m[i].item_id, m[i].version, m[i].guide,
                                 e))
                rc = -1;
        for (int i = 0; i < n; i++)
            free(m[i].guide);
        if (rc < 0)
            return -1;
        total += n;
        if (n < 500)
            break;
    }
    if (added)
        *added = total;
    return 0;
}
