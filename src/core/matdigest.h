/* matdigest.h — the materials of a service guide as the proof clean-up
 * analyser reads them (app/app_proofs.h, docs/proofs.md "The clean-up
 * analyser"), and their compact digest stored beside each published item
 * version (store/proofs.h store_digest_put, migration 12).
 *
 * What the analyser needs of a material is its source kind, its name and,
 * for shared data and proofs, the data set or registry entry it names —
 * a few percent of the guide. md_scan_guide pulls exactly that out of the
 * compact guide JSON (only "materials" is read; nothing is built for the
 * rest); md_build writes what md_scan_guide would report as a digest text,
 * and md_scan reads a digest back, calling the same callback with the same
 * values in the same order. So the analyser gives the same report from
 * digests as from full guides (tests/store/test_proofs.c compares them).
 *
 * Texts are cut at MD_TEXT_MAX - 1 bytes on a UTF-8 boundary (a guide
 * name is far shorter; the cut keeps the digest valid UTF-8 for
 * PostgreSQL). A guide the scanner cannot read (not what the catalogue
 * writes, or a string holding U+0000) is "unreadable": the analyser counts
 * the item with no materials; its digest is MD_UNREADABLE.
 *
 * Digest format (MD_FORMAT 1): one record per material, in guide order,
 * "<kind><n>:<name><m>:<ref>" — kind one letter (enum md_kind), n and m
 * decimal byte lengths, ref empty unless kind is shared data (the data
 * set) or proof (the registry entry). Example: "a15:居民身份证0:s6:户籍2:…".
 *
 * Pure: no I/O, no global state; thread-safe. md_build allocates with
 * malloc. */
#ifndef BIANMIN_CORE_MATDIGEST_H
#define BIANMIN_CORE_MATDIGEST_H

#include <stddef.h>

#define MD_FORMAT 1
#define MD_TEXT_MAX 1024
#define MD_UNREADABLE "!"

/* Source kinds (guide "source"); MD_OTHER: anything else or absent. */
enum md_kind {
    MD_APPLICANT = 'a',
    MD_LICENCE = 'l',
    MD_SHARED = 's',
    MD_COMMITMENT = 'c',
    MD_PROOF = 'p',
    MD_OTHER = 'o',
};

/* One material: name[0..nlen) and ref[0..rlen) (rlen 0: none) are not
 * NUL-terminated in a digest; idx its place in the guide. Non-zero return
 * stops the scan, which then returns -1. */
typedef int (*md_cb)(void *ctx, enum md_kind kind, const char *name,
                     size_t nlen, const char *ref, size_t rlen, int idx);

/* md_scan_guide — each material of a compact guide. 0, or -1 when the
 * guide is unreadable (cb may have been called for earlier materials) or
 * cb stopped. A guide without "materials" (or null) has none. */
int md_scan_guide(const char *guide, md_cb cb, void *ctx);

/* md_build — the digest of a guide (malloc'd; MD_UNREADABLE when
 * md_scan_guide fails); NULL out of memory. */
char *md_build(const char *guide);

/* md_scan — each material of a digest. 0, or -1 when the digest is
 * MD_UNREADABLE or malformed (nothing is reported then) or cb stopped. */
int md_scan(const char *digest, md_cb cb, void *ctx);

#endif
