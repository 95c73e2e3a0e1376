/* fuzz_csv_regions — the statistical-division CSV reader of `bianmin import
 * regions` (app_regions_parse_buffer: the in-place strict RFC 4180 scanner
 * of app_regions.c, then header,
 * columns, codes, levels, names and parent codes of every row — the same
 * code the file import runs), fed the whole input as one file. Invariants:
 * no sanitizer report, no leak, an error names "NAME:LINE" and renders as
 * a 4xx, a success counts no more rows than bytes and had no NUL byte. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app/app_regions.h"
#include "fuzz_common.h"
#include "fuzz_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e = {0};
    long rows = -1, ph = -1;
    int rc = app_regions_parse_buffer("fuzz.csv", (const char *)data, size,
                                      &rows, &ph, &e);
    to_wire(rc, &e); /* the CLI prints it; an upload route would send it */
    if (rc == 0 && (rows < 0 || ph < 0 || (long)size < rows))
        __builtin_trap();
    /* A NUL byte is no text: C strings would silently cut the field there
     * ("34\0xyz" read as "34"). It must be refused wherever it is. */
    if (rc == 0 && memchr(data, 0, size))
        __builtin_trap();
    if (rc != 0 && strncmp(e.field, "fuzz.csv:", 9) != 0)
        __builtin_trap();
    return 0;
}
