/* report_history — the accountant's workbook of metering-device readings
 * as GIS holds them (exportMeteringDeviceHistory): one row per reading,
 * sorted by house, serial number and date; values as numbers.  Pure: the
 * caller (run/history.c) reads the registry and hands the rows over. */
#ifndef HCS_REPORT_HISTORY_H
#define HCS_REPORT_HISTORY_H

#include <stddef.h>

#include "base/err.h"

struct history_row {
    const char *house;           /* FIAS house GUID */
    const char *serial;          /* Заводской номер ("" when the registry does not know the device) */
    int archived;                /* the device is archived or replaced */
    const char *date;            /* YYYY-MM-DD */
    int control;                 /* ControlValue (контрольное показание) */
    const char *resource;        /* НСИ 2 name or code, "" for electricity */
    const char *value, *t2, *t3; /* MeteringValue or T1; T2, T3 */
    const char *entered;         /* EnterIntoSystem (dateTime) */
    const char *root;            /* MeteringDeviceRootGUID */
};

/* Sorts rows and writes the workbook to path (path.tmp, then rename). */
int report_history_workbook(const char *path, struct history_row *rows, size_t n, hcs_err *err);

#endif
