/* inbox — the inbox folders: which kinds exist and in which dependency
 * order, and which of their files are complete (ready to take).  Owned by
 * src/run/. */
#ifndef HCS_INBOX_H
#define HCS_INBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

/* The inbox kinds in dependency order: config key, template, operations
 * whose pending packets a file of this kind waits for (NULL-terminated;
 * each also names the inbox kinds whose template starts with it). */
struct inbox_kind {
    const char *cfg_key;
    const char *template_name;
    const char *waits_for[3];
};
extern const struct inbox_kind inbox_kinds[];
/* How many inbox_kinds there are (the terminating entry not counted). */
size_t inbox_kind_count(void);

/* 1 when the files of kind k must wait: packets of an operation it waits for
 * are pending (*op that operation, *packets how many), or files of an
 * earlier kind whose template is such an operation wait in their inbox
 * themselves (waiting_kind[i] set for inbox_kinds[i]; *packets 0; packets
 * may be NULL) —
 * withdrawals wait for bills that wait for accounts.  0 when they may be
 * taken, -1 on a store error. */
int inbox_must_wait(store *st, const struct inbox_kind *k, const int *waiting_kind, const char **op,
                    long *packets, hcs_err *err);

/* The folder of kind k (relative paths under work), or NULL when the kind
 * is switched off ([inbox] key empty).  Caller frees. */
char *inbox_dir(const hcs_config *cfg, const char *work, const struct inbox_kind *k);
/* 1 when a directory entry is a complete input file to take now. */
int inbox_file_ready(const char *dir, const char *name, long settle_seconds, int64_t now);
/* Complete files in an inbox folder now, sorted by name; caller frees the
 * names and the array. */
char **inbox_list(const char *dir, long settle_seconds, size_t *n);
/* Complete files in an inbox folder now. */
long inbox_count(const char *dir, long settle_seconds);

#endif
