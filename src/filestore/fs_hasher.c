/* fs_hasher — GOST R 34.11-94 over upload parts on a second thread. */
#include "filestore/fs_hasher.h"

#include <string.h>

#include "proto/fs_proto.h"
#include "base/crypto.h"

static void *hasher_main(void *arg)
{
    fs_hasher *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->count && !h->stop)
            pthread_cond_wait(&h->cond, &h->lock);
        if (!h->count)
            break;
        const char *buf = h->queue_buf[h->head];
        size_t len = h->queue_len[h->head];
        int slot = h->queue_slot[h->head];
        pthread_mutex_unlock(&h->lock);
        int ok = EVP_DigestUpdate(h->ctx, buf, len);
        pthread_mutex_lock(&h->lock);
        if (!ok)
            h->failed = 1;
        h->head = (h->head + 1) % 2;
        h->count--;
        h->busy[slot] = 0;
        pthread_cond_broadcast(&h->cond);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int fs_hasher_start(fs_hasher *h, hcs_err *err)
{
    memset(h, 0, sizeof *h);
    const EVP_MD *md = crypto_md("md_gost94", err);
    if (!md)
        return -1;
    h->ctx = EVP_MD_CTX_new();
    if (!h->ctx || !EVP_DigestInit_ex(h->ctx, md, NULL)) {
        EVP_MD_CTX_free(h->ctx);
        return hcs_fail(err, HCS_EX_SOFTWARE, "cannot start the GOST R 34.11-94 digest");
    }
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    if (pthread_create(&h->thread, NULL, hasher_main, h) != 0) {
        EVP_MD_CTX_free(h->ctx);
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->cond);
        return hcs_fail(err, HCS_EX_OSERR, "cannot start the hashing thread");
    }
    return 0;
}

void fs_hasher_wait_slot(fs_hasher *h, int slot)
{
    pthread_mutex_lock(&h->lock);
    while (h->busy[slot])
        pthread_cond_wait(&h->cond, &h->lock);
    pthread_mutex_unlock(&h->lock);
}

void fs_hasher_submit(fs_hasher *h, int slot, const char *buf, size_t len)
{
    pthread_mutex_lock(&h->lock);
    int tail = (h->head + h->count) % 2;
    h->queue_buf[tail] = buf;
    h->queue_len[tail] = len;
    h->queue_slot[tail] = slot;
    h->busy[slot] = 1;
    h->count++;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

int fs_hasher_finish(fs_hasher *h, char out[65], hcs_err *err)
{
    pthread_mutex_lock(&h->lock);
    h->stop = 1;
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    int rc = 0;
    if (out) {
        unsigned char bin[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (h->failed || !EVP_DigestFinal_ex(h->ctx, bin, &n) || n != 32)
            rc = hcs_fail(err, HCS_EX_SOFTWARE, "GOST R 34.11-94 digest failed");
        else
            fs_hex(bin, n, out);
    }
    EVP_MD_CTX_free(h->ctx);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
    return rc;
}
