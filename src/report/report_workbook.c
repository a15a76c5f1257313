/* report_workbook — a workbook written beside its final name and renamed
 * into place only when libxlsxwriter closed it well, so that an accountant
 * (or the next run) never opens half a workbook.  Used by the writers of
 * single-sheet workbooks (payment documents, readings history, debt
 * requests). */
#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "report/report_internal.h"

lxw_workbook *workbook_begin(const char *path, char **tmp, hcs_err *err)
{
    *tmp = xasprintf("%s.tmp", path);
    lxw_workbook *wb = workbook_new(*tmp);
    if (!wb) {
        free(*tmp);
        *tmp = NULL;
        hcs_fail(err, HCS_EX_CANTCREAT, "%s: cannot create the workbook", path);
    }
    return wb;
}

int workbook_finish(lxw_workbook *wb, char *tmp, const char *path, hcs_err *err)
{
    lxw_error e = workbook_close(wb);
    int rc = 0;
    if (e != LXW_NO_ERROR)
        rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: %s", path, lxw_strerror(e));
    else if (rename(tmp, path) != 0)
        rc = hcs_fail(err, HCS_EX_CANTCREAT, "%s: cannot rename the workbook into place", path);
    if (rc)
        remove(tmp);
    free(tmp);
    return rc;
}
