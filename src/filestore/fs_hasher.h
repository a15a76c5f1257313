/* fs_hasher — the GOST R 34.11-94 digest on its own thread, fed with the
 * upload's part buffers: the slowest step of an upload (~30 MB/s) overlaps
 * reading, MD5 and sending.  Two buffer slots; a slot may be refilled only
 * after the hasher is done with it (fs_hasher_wait_slot). */
#ifndef HCS_FS_HASHER_H
#define HCS_FS_HASHER_H

#include <pthread.h>
#include <stddef.h>

#include <openssl/evp.h>

#include "base/err.h"

typedef struct fs_hasher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    EVP_MD_CTX *ctx;
    const char *queue_buf[2];
    size_t queue_len[2];
    int queue_slot[2];
    int head, count;          /* FIFO of submitted buffers */
    int busy[2];              /* buffer slot submitted and not hashed yet */
    int stop, failed;
} fs_hasher;

int fs_hasher_start(fs_hasher *h, hcs_err *err);
/* Blocks until buffer slot (0 or 1) may be overwritten. */
void fs_hasher_wait_slot(fs_hasher *h, int slot);
/* Queues buf (which lives in slot) for hashing; it must stay untouched until
 * fs_hasher_wait_slot(slot) returns. */
void fs_hasher_submit(fs_hasher *h, int slot, const char *buf, size_t len);
/* Joins the thread; with out != NULL writes the hex digest (64 + NUL). */
int fs_hasher_finish(fs_hasher *h, char out[65], hcs_err *err);

#endif
