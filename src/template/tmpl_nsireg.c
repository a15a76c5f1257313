/* tmpl_nsireg — НСИ values through the registry: see tmpl_internal.h. */
#include "template/tmpl_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/keynorm.h"

int tmpl_nsi_from_registry(template_resolve_fn resolve, void *rctx, int registry, const char *value,
                           char code[37], char guid[37])
{
    if (!resolve)
        return 0;
    char head[16];
    snprintf(head, sizeof head, "%d|", registry);
    strbuf key = STRBUF_INIT;
    sb_adds(&key, head);
    key_norm_add(&key, value, strlen(value));
    code[0] = guid[0] = '\0';
    int rc = resolve(rctx, "nsi.unique_number", sb_str(&key), code);
    if (rc > 0)
        rc = resolve(rctx, "nsi", sb_str(&key), guid);
    code[36] = guid[36] = '\0';
    sb_free(&key);
    return rc > 0 && code[0] && guid[0] ? 1 : rc < 0 ? -1 : 0;
}
