#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hcs_fail(hcs_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code ? code : HCS_EX_FAIL;
    return -1;
}

int hcs_err_wrap(hcs_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    if (!err->code)
        err->code = HCS_EX_FAIL;
    return -1;
}

void hcs_err_clear(hcs_err *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
