/* testutil — helpers shared by the unit tests: where the project and the
 * schemas are, temporary directories, small file writers.
 *
 * tests/lib holds every helper more than one unit test needs, once:
 * testutil (this), convert_collect and convert_env (the converter's sink
 * and set-up), fs_server (the simulator's file store over HTTP),
 * sign_testkeys (throw-away keys), table_read (reader calls that fail the
 * test), xml_check (XPath and serialisation for assertions).  It may call
 * every src/ folder, the simulator's included; src/ never calls it. */
#ifndef HCS_TESTUTIL_H
#define HCS_TESTUTIL_H

#include <stddef.h>
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

const char *tu_schemas_dir(void);      /* $SCHEMAS_DIR or ../shared/... */
const char *tu_top(void);              /* project root ($HCS_TOP or ".") */
char *tu_path(const char *rel);        /* project-relative path; caller frees */
char *tu_tmpdir(void);                 /* fresh directory under $TMPDIR; caller frees */
void tu_write(const char *path, const void *data, size_t len);
void tu_write_str(const char *path, const char *text);
int tu_run(const char *cmd);           /* system(), returns exit status */

#endif
