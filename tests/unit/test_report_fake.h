/* test_report_fake — an in-memory report_source for the report tests:
 * fixed files and rows, served through the same callbacks the store
 * adapter implements. */
#ifndef TEST_REPORT_FAKE_H
#define TEST_REPORT_FAKE_H

#include <string.h>

#include "report/report.h"

struct fake_row {
    long file_id;
    struct report_row r;
};

struct fake_state {
    const char *state;
    long count;
};

struct fake_source {
    struct report_run run;
    const struct report_file *files;
    size_t nfiles;
    const struct fake_row *rows;
    size_t nrows;
    const struct fake_state *states;
    size_t nstates;
    int rows_calls;
};

static int fake_run(void *ctx, struct report_run *out, hcs_err *err)
{
    (void)err;
    *out = ((struct fake_source *)ctx)->run;
    return 0;
}

static int fake_files(void *ctx, report_file_fn fn, void *arg, hcs_err *err)
{
    struct fake_source *fs = ctx;
    for (size_t i = 0; i < fs->nfiles; i++)
        if (fn(arg, &fs->files[i], err) != 0)
            return -1;
    return 0;
}

static int fake_rows(void *ctx, const struct report_file *f, report_row_fn fn, void *arg, hcs_err *err)
{
    struct fake_source *fs = ctx;
    fs->rows_calls++;
    for (size_t i = 0; i < fs->nrows; i++)
        if (fs->rows[i].file_id == f->id && fn(arg, &fs->rows[i].r, err) != 0)
            return -1;
    return 0;
}

static int fake_states(void *ctx, report_state_fn fn, void *arg, hcs_err *err)
{
    struct fake_source *fs = ctx;
    for (size_t i = 0; i < fs->nstates; i++)
        if (fn(arg, fs->states[i].state, fs->states[i].count, err) != 0)
            return -1;
    return 0;
}

static inline struct report_source fake_as_source(struct fake_source *fs)
{
    struct report_source src = { fs, fake_run, fake_files, fake_rows, fake_states };
    return src;
}

#endif
