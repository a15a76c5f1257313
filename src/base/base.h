/* base — the layer every other folder stands on, and that calls none of
 * them.  Owns: errors and exit codes (err.h), memory (xalloc.h), strings
 * (strbuf.h), logging (log.h), configuration and its key table
 * (config.h), files and paths (fsutil.h), the installed data directory
 * (datadir.h), GUIDs (guid.h), the comparison
 * form of local keys (keynorm.h), UTF-8 checks (utf8.h), libxml2 parsing
 * with no network and no entities (xmlsafe.h), and the OpenSSL GOST engine
 * loader with digests by name (crypto.h), and the progress line on a
 * terminal (progress.h).  Include the header you need;
 * this one gathers the basics.
 * May call: no other folder. */
#ifndef HCS_BASE_H
#define HCS_BASE_H

#include "base/err.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#endif
