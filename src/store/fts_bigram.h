/* fts_bigram.h — the SQLite FTS5 tokenizer `bianmin_bigram`: the bigram
 * rule of core/bigram.h inside FTS5 (docs/catalogue.md "Search"). Documents
 * are tokenised with tails (BIGRAM_TAIL; a tail is FTS5_TOKEN_COLOCATED with
 * the last pair of its run, so positions stay those of the pairs), queries
 * without, so that a one-character query written as a prefix query ("低" *)
 * finds the character anywhere. Used only by the SQLite driver. */
#ifndef BIANMIN_STORE_FTS_BIGRAM_H
#define BIANMIN_STORE_FTS_BIGRAM_H

struct sqlite3;

/* fts_bigram_register — make `bianmin_bigram` known on connection h (it
 * must be registered on every connection that reads or writes an FTS5 table
 * using it). Returns an SQLite result code: SQLITE_OK, or SQLITE_ERROR when
 * this SQLite has no FTS5. */
int fts_bigram_register(struct sqlite3 *h);

#endif
