/* err — the one error-reporting path.
 *
 * Functions that can fail take an `hcs_err *` last and return -1 (or NULL)
 * after filling it; nothing deep inside prints.  The CLI prints `err->msg`
 * once and exits with `hcs_exit_code(err->code)`.
 * The codes are the sysexits(3) values cron wrappers understand. */
#ifndef HCS_ERR_H
#define HCS_ERR_H

#include <stddef.h>

enum hcs_exit {
    HCS_OK = 0,
    HCS_EX_FAIL = 1,        /* generic failure                          */
    HCS_EX_USAGE = 64,      /* bad command line                         */
    HCS_EX_DATAERR = 65,    /* some input rows/packets were rejected    */
    HCS_EX_NOINPUT = 66,    /* an input file cannot be opened or read   */
    HCS_EX_UNAVAILABLE = 69,/* GIS or a service not reachable           */
    HCS_EX_SOFTWARE = 70,   /* internal error                           */
    HCS_EX_OSERR = 71,
    HCS_EX_CANTCREAT = 73,  /* cannot write an output file              */
    HCS_EX_IOERR = 74,
    HCS_EX_TEMPFAIL = 75,   /* try again later (lock held, transient)   */
    HCS_EX_PROTOCOL = 76,   /* remote answered something unexpected     */
    HCS_EX_NOPERM = 77,
    HCS_EX_CONFIG = 78      /* configuration error                      */
};

typedef struct hcs_err {
    int code;           /* one of enum hcs_exit */
    char msg[1024];
} hcs_err;

/* Fills err (if not NULL) and returns -1 so callers can `return hcs_fail(...)`. */
int hcs_fail(hcs_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message: "context: old message". Returns -1. */
int hcs_err_wrap(hcs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hcs_err_clear(hcs_err *err);

#endif
