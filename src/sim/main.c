/* hcs-sim — a local ГИС ЖКХ: the async SOAP services and the file store
 * over HTTP on 127.0.0.1, with a world fixture, persistent state and fault
 * injection.  See docs/hcs-sim.md. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "sim/sim.h"
#include "sim/sim_faults.h"
#include "sim/sim_filestore.h"
#include "sim/sim_http.h"
#include "sim/sim_log.h"

static const char usage[] =
    "usage: hcs-sim --world DIR [options]\n"
    "A local ГИС ЖКХ simulator on 127.0.0.1 (docs/hcs-sim.md).\n"
    "  --world DIR            world fixture: provider.ini, houses.csv, premises.csv, rooms.csv,\n"
    "                         meters.csv, accounts.csv, orgs.csv, payment_documents.csv,\n"
    "                         subrequests.csv, nsi/N.csv\n"
    "  --state DIR            state kept across restarts (default: WORLD/../sim-state)\n"
    "  --port N               TCP port; 0 picks a free one (default 8089). The first stdout\n"
    "                         line is always \"listening on http://127.0.0.1:PORT/\"\n"
    "  --schemas DIR          official XSD/WSDL package (default: $SCHEMAS_DIR or the build's)\n"
    "  --debt-schemas DIR     the 14.5.0.1 package of the debt-requests service (default:\n"
    "                         hcs-wsdl-14.5.0.1 next to the --schemas package)\n"
    "  --processing-ms SPEC   time from ack to RequestState 3: MS, or OP=MS,... with\n"
    "                         default=MS (default 1000); state 1 for the first third, then 2\n"
    "  --latency-ms MS        every answer held back MS ms (the network and GIS's front), before\n"
    "                         any fault; default 0\n"
    "  --faults SPEC          fault injection, e.g. http503=0.1,reset=0.05,stall=0.02:30s,\n"
    "                         exp001000@2,maintenance=0.05,garbled=0.02,truncated=0.02,slow=2x\n"
    "  --seed N               seed of the fault PRNG (same seed + same requests = same faults)\n"
    "  --log FILE             request log, one JSON object per line (appended)\n"
    "  --no-verify            accept requests without checking signatures (debugging only)\n"
    "  --sign-key FILE        sign getStateResult answers like GIS (PEM key; passphrase, if any,\n"
    "                         from the environment variable HCS_SIM_KEY_PASS)\n"
    "  --sign-cert FILE       certificate for --sign-key (PEM)\n"
    "  --sign-alg ALG         gost2012 (default), gost2001 or rsa\n"
    "  --nsi-page-size N      elements per page of exportNsiPagingItem and\n"
    "                         exportDataProviderNsiPagingItem (default 1000)\n"
    "  --resend MODE          a MessageGUID sent again: ack (default: its first ack, processed\n"
    "                         once), again (processed again under a new ack), busy (INT003001\n"
    "                         while the first is processed, then processed again)\n"
    "  --renew-guid GUID      give the world's premises, room, meter or account GUID a new GUID\n"
    "                         at start (as GIS re-registering it): a client registry goes stale;\n"
    "                         repeatable; stderr names the new GUID\n"
    "  --legacy-upload-header file store: also accept the organisation in X-Upload-Dataprovider\n"
    "                         (default: only X-Upload-OrgPPAGUID, as the real file store)\n"
    "  --help                 this text\n"
    "Exit: 0 after SIGTERM/SIGINT, 64 bad usage, 66/78 unusable world or schemas, 69 cannot listen.\n";

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "world", required_argument, NULL, 'w' },
        { "state", required_argument, NULL, 's' },
        { "port", required_argument, NULL, 'p' },
        { "schemas", required_argument, NULL, 'S' },
        { "debt-schemas", required_argument, NULL, 'D' },
        { "processing-ms", required_argument, NULL, 'P' },
        { "faults", required_argument, NULL, 'f' },
        { "latency-ms", required_argument, NULL, 'T' },
        { "seed", required_argument, NULL, 'r' },
        { "log", required_argument, NULL, 'l' },
        { "no-verify", no_argument, NULL, 'n' },
        { "sign-key", required_argument, NULL, 'K' },
        { "sign-cert", required_argument, NULL, 'C' },
        { "sign-alg", required_argument, NULL, 'A' },
        { "legacy-upload-header", no_argument, NULL, 'L' },
        { "nsi-page-size", required_argument, NULL, 'N' },
        { "resend", required_argument, NULL, 'R' },
        { "renew-guid", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct sim_options o = { .processing_ms = 1000 };
    const char *faults_spec = NULL, *log_path = NULL;
    int legacy_upload_header = 0;
    const char *renew[16];
    unsigned long long seed = 1;
    long port = 8089, latency_ms = 0;
    const char *env_schemas = getenv("SCHEMAS_DIR");
    o.schemas_dir = env_schemas && *env_schemas ? env_schemas : HCS_DEFAULT_SCHEMAS;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o.world_dir = optarg; break;
        case 's': o.state_dir = optarg; break;
        case 'S': o.schemas_dir = optarg; break;
        case 'D': o.debt_schemas_dir = optarg; break;
        case 'P': o.processing_spec = optarg; break;
        case 'f': faults_spec = optarg; break;
        case 'l': log_path = optarg; break;
        case 'n': o.skip_signature = 1; break;
        case 'K': o.sign_key = optarg; break;
        case 'C': o.sign_cert = optarg; break;
        case 'A': o.sign_alg = optarg; break;
        case 'L': legacy_upload_header = 1; break;
        case 'R': {
            int m = sim_resend_parse(optarg);
            if (m < 0) {
                fprintf(stderr, "hcs-sim: --resend: '%s' is not ack, again or busy\n", optarg);
                return HCS_EX_USAGE;
            }
            o.resend = (enum sim_resend)m;
            break;
        }
        case 'G':
            if (o.nrenew_guids == sizeof renew / sizeof renew[0]) {
                fprintf(stderr, "hcs-sim: --renew-guid: at most %zu\n", sizeof renew / sizeof renew[0]);
                return HCS_EX_USAGE;
            }
            renew[o.nrenew_guids++] = optarg;
            o.renew_guids = renew;
            break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "hcs-sim: --port: '%s' is not a port number\n", optarg);
                return HCS_EX_USAGE;
            }
            break;
        case 'T':
            latency_ms = strtol(optarg, &end, 10);
            if (*end || latency_ms < 0 || latency_ms > 600000) {
                fprintf(stderr, "hcs-sim: --latency-ms: '%s' is not a number of ms (0 to 600000)\n", optarg);
                return HCS_EX_USAGE;
            }
            break;
        case 'N':
            o.nsi_page_size = strtol(optarg, &end, 10);
            if (*end || o.nsi_page_size < 1) {
                fprintf(stderr, "hcs-sim: --nsi-page-size: '%s' is not a positive number\n", optarg);
                return HCS_EX_USAGE;
            }
            break;
        case 'r':
            seed = strtoull(optarg, &end, 10);
            if (*end) {
                fprintf(stderr, "hcs-sim: --seed: '%s' is not a number\n", optarg);
                return HCS_EX_USAGE;
            }
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return HCS_EX_USAGE;
        }
    }
    if (!o.world_dir || optind < argc) {
        fputs(usage, stderr);
        return HCS_EX_USAGE;
    }
    hcs_err err = { 0 };
    sim_faults *faults = sim_faults_parse(faults_spec, seed, &err);
    if (!faults) {
        fprintf(stderr, "hcs-sim: %s\n", err.msg);
        return err.code;
    }
    sim_log *log = NULL;
    if (log_path && !(log = sim_log_open(log_path, &err))) {
        fprintf(stderr, "hcs-sim: %s\n", err.msg);
        sim_faults_free(faults);
        return err.code;
    }
    sim *s = sim_open(&o, &err);
    if (!s) {
        fprintf(stderr, "hcs-sim: %s\n", err.msg);
        sim_log_close(log);
        sim_faults_free(faults);
        return err.code;
    }
    sim_filestore_set_legacy_header(sim_get_filestore(s), legacy_upload_header);
    /* Signals go to sigwait here, never to the server's threads. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    sim_server *srv = sim_server_start(s, faults, log, (int)port, latency_ms, &err);
    if (!srv) {
        fprintf(stderr, "hcs-sim: %s\n", err.msg);
        sim_free(s);
        sim_log_close(log);
        sim_faults_free(faults);
        return err.code;
    }
    printf("listening on http://127.0.0.1:%d/\n", sim_server_port(srv));
    fflush(stdout);
    fprintf(stderr, "hcs-sim: world %s, state %s\n", o.world_dir, sim_state_dir(s));
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "hcs-sim: signal %d, stopping\n", sig);
    sim_server_stop(srv);
    sim_free(s);
    sim_log_close(log);
    sim_faults_free(faults);
    return 0;
}
