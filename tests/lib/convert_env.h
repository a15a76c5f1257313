/* convert_env — what the converter tests convert with: a configuration
 * naming the shipped templates, the sample НСИ (samples/world/nsi) and the
 * organisation, and the official schema set.  Both fail the test when they
 * cannot be made. */
#ifndef HCS_CONVERT_ENV_H
#define HCS_CONVERT_ENV_H

#include "base/config.h"
#include "proto/schema.h"

hcs_config *tu_convert_config(const char *org_ppa_guid);   /* cfg_free */
schema_set *tu_schemas_open(void);                         /* schema_set_free */

#endif
