/* cli_json — the one JSON string printer of the --json outputs (ops,
 * registry, status): base/strbuf's escaping, written to stdout. */
#include "cli/cli.h"

#include <stdio.h>

#include "base/strbuf.h"

void cli_json_str(const char *s)
{
    strbuf sb = STRBUF_INIT;
    sb_add_json(&sb, s);
    fwrite(sb_str(&sb), 1, sb.len, stdout);
    sb_free(&sb);
}
