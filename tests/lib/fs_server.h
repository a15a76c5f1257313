/* fs_server — the simulator's file store (sim_filestore_handle) behind a
 * libmicrohttpd server on a free loopback port, for the unit tests of the
 * file store client and of attachments.  It counts requests and can spoil
 * chosen ones: a connection cut mid-answer, HTTP 503, or
 * HashConflictException. */
#ifndef HCS_FS_SERVER_H
#define HCS_FS_SERVER_H

#include <pthread.h>

#include "sim/sim_filestore.h"

/* the path every file store URL starts with */
#define FS_SERVER_PREFIX "/ext-bus-file-store-service/rest/"

enum inject { INJ_NONE = 0, INJ_RESET, INJ_503, INJ_CONFLICT };

struct fs_server {
    struct MHD_Daemon *d;
    sim_filestore *fs;
    char *dir;
    int port;
    pthread_mutex_t lock;          /* guards the counters and the plan */
    long requests;                 /* every request */
    long puts_ok;                  /* PUTs the file store accepted */
    long heads;
    enum inject plan[64];          /* by request number (1-based) */
    enum inject always;            /* for every request from request number always_from */
    long always_from;
};

struct fs_server *fs_server_start(void);   /* fails the test if it cannot listen */
void fs_server_stop(struct fs_server *s);
void fs_server_reset_counts(struct fs_server *s);   /* counters and injections */
long fs_server_requests(struct fs_server *s);
long fs_server_puts_ok(struct fs_server *s);

#endif
