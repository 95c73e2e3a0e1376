/* fuzz_wire.h — for the fuzz targets whose errors reach a client: every
 * error a parser fills must go on the wire as http_error renders it, a 4xx
 * in the one error shape, never a 500 (an error text that json_pack
 * refuses — a character split by a fixed-size buffer — once made one).
 * Links the http library (and MHD, for the response object only). */
#ifndef BIANMIN_FUZZ_WIRE_H
#define BIANMIN_FUZZ_WIRE_H

#include <microhttpd.h>
#include <string.h>

#include "fuzz_common.h"
#include "http/http.h"

/* to_wire — rc and e as a parser returned them; renders e when rc != 0. */
static inline void to_wire(int rc, const struct err *e)
{
    fuzz_check_err(rc, e);
    if (rc == 0)
        return;
    struct req r;
    memset(&r, 0, sizeof r);
    strcpy(r.rid, "fuzz");
    http_error(&r, e);
    if (!r.resp || r.status < 400 || r.status >= 500)
        __builtin_trap();
    MHD_destroy_response(r.resp);
}

#endif
