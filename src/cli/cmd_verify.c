/* hcsbatch verify — checks the XAdES-BES signature (and the schema of the
 * signed element) of envelopes: one "OK FILE" or "FAIL FILE: reason" line
 * per file.  --dump PART writes the canonical bytes the verifier digests
 * (cross-checks with openssl dgst). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/xmlsafe.h"
#include "base/crypto.h"
#include "sign/sign.h"
#include "proto/schema.h"

static void help(void)
{
    fputs("usage: hcsbatch verify [--schemas DIR] [--no-schema] FILE...\n"
          "       hcsbatch verify --dump signedinfo|data|signedprops FILE\n\n"
          "Checks each SOAP envelope's enveloped XAdES-BES signature as GIS does: structure\n"
          "(no text nodes inside ds:Signature), both Reference digests, the SignatureValue with\n"
          "the embedded certificate, CertDigest, IssuerSerial, the certificate's validity at\n"
          "SigningTime, and schema validity of the signed element when its namespace belongs to\n"
          "the schema package (paths.schemas_dir / --schemas); otherwise it says\n"
          "'schema not checked: namespace ...'.\n\n"
          "Prints 'OK FILE' or 'FAIL FILE: <first failing check>' per file.\n"
          "  --no-schema        verify cryptographically only\n"
          "  --dump PART        write the canonical bytes of SignedInfo, the signed data\n"
          "                     (after its transforms) or SignedProperties to stdout\n\n"
          "Exit: 0 all OK, 65 some failed, 66 a file is unreadable or not XML, 78 bad schema dir.\n",
          stdout);
}

static int dump(const char *part, const char *path)
{
    enum sig_part p;
    if (!strcmp(part, "signedinfo"))
        p = SIG_PART_SIGNEDINFO;
    else if (!strcmp(part, "data"))
        p = SIG_PART_DATA;
    else if (!strcmp(part, "signedprops"))
        p = SIG_PART_SIGNED_PROPERTIES;
    else
        return cli_usage_error("verify", "--dump takes signedinfo, data or signedprops, not '%s'", part);
    hcs_err err = { 0 };
    xmlDocPtr doc = xmlsafe_parse_file(path, &err);
    if (!doc)
        return cli_fail(&err);
    strbuf sb = STRBUF_INIT;
    int rc = verify_dump_part(doc, p, &sb, &err);
    xmlFreeDoc(doc);
    if (rc == 0 && fwrite(sb.buf ? sb.buf : "", 1, sb.len, stdout) != sb.len)
        rc = hcs_fail(&err, HCS_EX_IOERR, "cannot write to stdout");
    sb_free(&sb);
    return rc == 0 ? 0 : cli_fail(&err);
}

/* 0 OK, 1 failed the checks, 2 unreadable; -1 internal error (err). */
static int verify_file(const char *path, schema_set *schemas, hcs_err *err)
{
    hcs_err perr = { 0 };
    xmlDocPtr doc = xmlsafe_parse_file(path, &perr);
    if (!doc) {
        printf("FAIL %s: unreadable: %s\n", path, perr.msg);
        return 2;
    }
    struct verify_result r;
    int rc = verify_document(doc, schemas, &r, err);
    xmlFreeDoc(doc);
    if (rc < 0) {
        verify_result_clear(&r);
        return -1;
    }
    if (r.status == VERIFY_OK && r.schema_note[0])
        printf("OK %s (%s)\n", path, r.schema_note);
    else if (r.status == VERIFY_OK)
        printf("OK %s\n", path);
    else
        printf("FAIL %s: %s\n", path, r.reason);
    verify_result_clear(&r);
    return r.status == VERIFY_OK ? 0 : 1;
}

CLI_COMMAND(verify)
{
    int no_schema = 0;
    const char *dump_part = NULL;
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        const char *a = argv[first];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help();
            return 0;
        } else if (!strcmp(a, "--no-schema")) {
            no_schema = 1;
        } else if (!strcmp(a, "--dump") && first + 1 < argc) {
            dump_part = argv[++first];
        } else if (!strncmp(a, "--dump=", 7)) {
            dump_part = a + 7;
        } else if (!strcmp(a, "--")) {
            first++;
            break;
        } else {
            return cli_usage_error("verify", "unknown option %s", a);
        }
    }
    if (first >= argc)
        return cli_usage_error("verify", "no files given");
    if (dump_part) {
        if (argc - first != 1)
            return cli_usage_error("verify", "--dump takes exactly one file");
        return dump(dump_part, argv[first]);
    }
    hcs_err err = { 0 };
    if (crypto_gost_init(cfg_str(cli->cfg, "sign.engine_path"), &err) < 0)
        return cli_fail(&err);
    schema_set *schemas = NULL;
    if (!no_schema) {
        schemas = schema_set_open_config(cli->cfg, &err);
        if (!schemas && err.msg[0])
            return cli_fail(&err);
    }
    int failed = 0, unreadable = 0, rc = 0;
    for (int i = first; i < argc && rc >= 0; i++) {
        rc = verify_file(argv[i], schemas, &err);
        failed += rc == 1;
        unreadable += rc == 2;
    }
    schema_set_free(schemas);
    if (rc < 0)
        return cli_fail(&err);
    return unreadable ? HCS_EX_NOINPUT : failed ? HCS_EX_DATAERR : 0;
}
