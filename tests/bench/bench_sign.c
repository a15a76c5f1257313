/* bench_sign — how much signing adds to a packet, and a signing tool for
 * the cross-check tests.
 *
 *   bench_sign --key K --cert C [--alg A] [--pass-file F] [--inclusive]
 *              [--accounts N] [--packets M] [--in ENVELOPE] [--out FILE]
 *
 * Builds an importAccountData envelope with N accounts (default 100) from
 * the shared example (or takes --in), then times M packets (default 200):
 *   unsigned: parse the packet text, validate it against the XSD,
 *             serialize it (what convert does per packet besides reading)
 *   signed:   the same plus signer_sign
 *   pipelined: signer_sign_begin after building packet i, signer_sign_end
 *             after building packet i+1 (the data digest runs on a worker
 *             thread meanwhile), as a converter can do
 * and prints signatures/s and the ratios.
 * --out writes one signed packet and exits (used by
 * tests/integration/test_sign_crosscheck.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/config.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "sign/sign.h"
#include "proto/operations.h"
#include "proto/schema.h"

struct opts {
    const char *key, *cert, *alg, *pass_file, *in, *out, *schemas;
    int inclusive, accounts, packets;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: the machine may be busy with other work, and
 * the sequential loops run on this thread only. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const hcs_err *err)
{
    fprintf(stderr, "bench_sign: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    exit(1);
}

/* Envelope with n accounts: the example's first hm:Account repeated with
 * distinct TransportGUIDs (the schema keys them). */
static char *build_envelope(const char *schemas, int n)
{
    hcs_err err = { 0 };
    char *path = xasprintf("%s/../gis/examples/importAccountData-typical.xml", schemas);
    char *ex = file_read_all(path, 1 << 20, NULL, &err);
    if (!ex)
        die("example", &err);
    char *req = strstr(ex, "<hm:importAccountRequest");
    char *acc = strstr(ex, "<hm:Account>");
    char *acc_end = acc ? strstr(acc, "</hm:Account>") : NULL;
    char *guid = acc ? strstr(acc, "<base:TransportGUID>") : NULL;
    if (!req || !acc || !acc_end || !guid || guid > acc_end)
        die("unexpected example layout", NULL);
    acc_end += strlen("</hm:Account>");
    guid += strlen("<base:TransportGUID>");
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope "
                 "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                 "xmlns:base=\"http://dom.gosuslugi.ru/schema/integration/base/\"><soapenv:Header>"
                 "<base:RequestHeader><base:Date>2026-11-24T10:15:00.000+03:00</base:Date>"
                 "<base:MessageGUID>6f1c2a4e-7b7d-4c3e-9a51-0d3f3b9c1e22</base:MessageGUID>"
                 "<base:orgPPAGUID>c8913980-8cbb-4a46-bdac-7fecd98c7ff8</base:orgPPAGUID>"
                 "</base:RequestHeader></soapenv:Header><soapenv:Body>");
    sb_add(&sb, req, (size_t)(acc - req));
    for (int i = 0; i < n; i++) {
        sb_add(&sb, acc, (size_t)(guid - acc));
        sb_addf(&sb, "00000000-0000-4000-8000-%012d", i);
        sb_add(&sb, guid + 36, (size_t)(acc_end - guid - 36));
        sb_adds(&sb, "\n    ");
    }
    const char *close = strstr(acc_end, "</hm:importAccountRequest>");
    sb_adds(&sb, close ? "</hm:importAccountRequest>" : "");
    sb_adds(&sb, "</soapenv:Body></soapenv:Envelope>\n");
    free(ex);
    free(path);
    return sb_detach(&sb, NULL);
}

static xmlNodePtr body_child(xmlDocPtr doc)
{
    xmlNodePtr body = xml_child(xmlDocGetRootElement(doc), NS_SOAP, "Body");
    for (xmlNodePtr c = body ? body->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

static xmlDocPtr build_packet(const char *text, schema_set *schemas)
{
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(text, strlen(text), "packet", &err);
    if (!doc)
        die("parse", &err);
    if (schema_validate_element(schemas, body_child(doc), NULL, NULL, &err) != 0)
        die("packet not schema-valid", &err);
    return doc;
}

static void write_packet(xmlDocPtr doc)
{
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
    xmlFree(out);
    xmlFreeDoc(doc);
}

/* Packets built one after another, each signed in two steps around the
 * building of the next one. */
static double pipelined(const char *text, schema_set *schemas, signer *s, int packets)
{
    hcs_err err = { 0 };
    xmlDocPtr prev_doc = NULL;
    sign_job *prev_job = NULL;
    double t0 = now_s();
    for (int i = 0; i <= packets; i++) {
        xmlDocPtr doc = i < packets ? build_packet(text, schemas) : NULL;
        sign_job *job = doc ? signer_sign_begin(s, doc, &err) : NULL;
        if (doc && !job)
            die("sign begin", &err);
        if (prev_job) {
            if (signer_sign_end(prev_job, &err) < 0)
                die("sign end", &err);
            write_packet(prev_doc);
        }
        prev_doc = doc;
        prev_job = job;
    }
    return now_s() - t0;
}

/* One packet's worth of work; returns seconds spent in signer_sign. */
static double one_packet(const char *text, schema_set *schemas, signer *s, size_t *out_bytes)
{
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse(text, strlen(text), "packet", &err);
    if (!doc)
        die("parse", &err);
    if (schema_validate_element(schemas, body_child(doc), NULL, NULL, &err) != 0)
        die("packet not schema-valid", &err);
    double sign_time = 0;
    if (s) {
        double t0 = cpu_s();
        if (signer_sign(s, doc, &err) < 0)
            die("sign", &err);
        sign_time = cpu_s() - t0;
    }
    xmlChar *out = NULL;
    int len = 0;
    xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
    *out_bytes = (size_t)len;
    xmlFree(out);
    xmlFreeDoc(doc);
    return sign_time;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    o->alg = "gost2012";
    o->accounts = 100;
    o->packets = 200;
    o->schemas = getenv("SCHEMAS_DIR") ? getenv("SCHEMAS_DIR") : "../shared/hcs-wsdl-12.2.2.15";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--inclusive")) { o->inclusive = 1; continue; }
        if (!v) die("option needs a value", NULL);
        if (!strcmp(a, "--key")) o->key = v;
        else if (!strcmp(a, "--cert")) o->cert = v;
        else if (!strcmp(a, "--alg")) o->alg = v;
        else if (!strcmp(a, "--pass-file")) o->pass_file = v;
        else if (!strcmp(a, "--in")) o->in = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--schemas")) o->schemas = v;
        else if (!strcmp(a, "--accounts")) o->accounts = atoi(v);
        else if (!strcmp(a, "--packets")) o->packets = atoi(v);
        else die("unknown option", NULL);
        i++;
    }
    if (!o->key || o->accounts < 1 || o->packets < 1)
        die("usage: bench_sign --key K --cert C [--alg A] [--accounts N] [--packets M] [--out FILE]", NULL);
}

int main(int argc, char **argv)
{
    struct opts o = { 0 };
    hcs_err err = { 0 };
    parse_args(argc, argv, &o);
    xmlsafe_init();
    hcs_config *cfg = cfg_load(NULL, &err);
    if (!cfg || cfg_set(cfg, "sign.key", o.key, &err) < 0 || (o.cert && cfg_set(cfg, "sign.cert", o.cert, &err) < 0) ||
        cfg_set(cfg, "sign.alg", o.alg, &err) < 0 ||
        (o.pass_file && cfg_set(cfg, "sign.pass_file", o.pass_file, &err) < 0) ||
        (o.inclusive && cfg_set(cfg, "sign.signedinfo_c14n", "inclusive", &err) < 0))
        die("config", &err);
    signer *s = signer_open(cfg, &err);
    if (!s)
        die("signer", &err);
    char *text = o.in ? file_read_all(o.in, 64 << 20, NULL, &err) : build_envelope(o.schemas, o.accounts);
    if (!text)
        die("input", &err);

    if (o.out) {
        xmlDocPtr doc = xmlsafe_parse(text, strlen(text), "packet", &err);
        if (!doc || signer_sign(s, doc, &err) < 0)
            die("sign", &err);
        if (xmlSaveFileEnc(o.out, doc, "UTF-8") < 0)
            die("cannot write --out", NULL);
        xmlFreeDoc(doc);
    } else {
        schema_set *schemas = schema_set_open(o.schemas, &err);
        if (!schemas)
            die("schemas", &err);
        size_t bytes = 0;
        one_packet(text, schemas, NULL, &bytes);   /* warm-up: compiles the schema */
        one_packet(text, schemas, s, &bytes);
        double w0 = now_s(), t0 = cpu_s();
        for (int i = 0; i < o.packets; i++)
            one_packet(text, schemas, NULL, &bytes);
        double unsigned_s = cpu_s() - t0, unsigned_wall = now_s() - w0;
        double sign_s = 0;
        t0 = cpu_s();
        for (int i = 0; i < o.packets; i++)
            sign_s += one_packet(text, schemas, s, &bytes);
        double signed_s = cpu_s() - t0;
        printf("bench_sign alg=%s accounts/packet=%d packets=%d packet_bytes=%zu\n", o.alg, o.accounts,
               o.packets, bytes);
        printf("  unsigned packet work (parse+validate+serialize): %.3f ms/packet CPU\n", 1e3 * unsigned_s / o.packets);
        printf("  signing:     %.3f ms/packet CPU, %.0f signatures/s\n", 1e3 * sign_s / o.packets,
               o.packets / sign_s);
        printf("  signed packet work: %.3f ms/packet CPU\n", 1e3 * signed_s / o.packets);
        printf("  signature cost / unsigned packet work: %.1f %% (CPU)\n", 100.0 * sign_s / unsigned_s);
        double pipe_s = pipelined(text, schemas, s, o.packets);
        printf("  pipelined (signer_sign_begin/_end around the next packet): %.3f ms/packet wall, "
               "%.1f %% over unsigned wall %.3f ms/packet\n", 1e3 * pipe_s / o.packets,
               100.0 * (pipe_s - unsigned_wall) / unsigned_wall, 1e3 * unsigned_wall / o.packets);
        schema_set_free(schemas);
    }
    free(text);
    signer_free(s);
    cfg_free(cfg);
    xmlCleanupParser();
    return 0;
}
