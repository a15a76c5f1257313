/* The configuration key table: every key hcsbatch reads, its default and a
 * one-line description.  docs/config.md documents the same keys; a unit test
 * checks that each key here appears there. */
#include "base/config.h"

#include <string.h>

#ifndef HCS_DEFAULT_SCHEMAS
#define HCS_DEFAULT_SCHEMAS "../shared/hcs-wsdl-12.2.2.15"
#endif

const struct cfg_key cfg_keys[] = {
    /* [gis] */
    { "gis.base_url", "https://api.dom.gosuslugi.ru/", "GIS base URL; service paths are appended (default: gis.stand's)" },
    { "gis.stand", NULL, "prod | sit01 | sit02: fills gis.base_url when that is not set" },
    { "gis.org_ppa_guid", NULL, "orgPPAGUID of the information provider (RequestHeader)" },
    { "gis.org_root_guid", NULL, "orgRootEntityGUID of the information provider (UOGUID of hcsbatch sync contracts --house)" },
    { "gis.sender_header", "orgPPAGUID", "orgPPAGUID or SenderID in RequestHeader" },
    { "gis.operator_signature", "no", "add IsOperatorSignature=true to RequestHeader" },
    /* [org] written [org:NAME]: one section per organisation served from this installation (docs/config.md) */
    { "org.org_ppa_guid", NULL, "the organisation's orgPPAGUID (its gis.org_ppa_guid); required" },
    { "org.org_root_guid", NULL, "its orgRootEntityGUID (its gis.org_root_guid)" },
    { "org.work_dir", NULL, "its inbox/, archive/, rejected/, reports/ (default: <paths.work_dir>/orgs/NAME); the state database stays shared" },
    { "org.sign_key", NULL, "its signing key (its sign.key; default: the common one)" },
    { "org.sign_cert", NULL, "its certificate (its sign.cert)" },
    { "org.sign_pass_file", NULL, "its key passphrase file (its sign.pass_file)" },
    { "org.sign_pass_env", NULL, "its key passphrase variable (its sign.pass_env)" },
    /* [sign] */
    { "sign.key", NULL, "private key: PEM or PKCS#12 file, or a pkcs11: URI in double quotes (key on a token)" },
    { "sign.cert", NULL, "signing certificate (PEM/DER file or pkcs11: URI); omit for PKCS#12 or a token holding it" },
    { "sign.pkcs11_module", NULL, "PKCS#11 library of the token for a pkcs11: sign.key (e.g. librtpkcs11ecp.so)" },
    { "sign.pkcs11_engine", NULL, "OpenSSL engine file for pkcs11: keys (default: libp11's pkcs11.so next to libcrypto)" },
    { "sign.pkcs11_engine_id", "pkcs11", "id of that engine (pkcs11 = libp11; rtengine = Aktiv's, GOST keys on Rutoken)" },
    { "sign.alg", "gost2012", "gost2012 | gost2001 | rsa" },
    { "sign.pass_file", NULL, "file whose first line is the key passphrase (or the token PIN)" },
    { "sign.pass_env", NULL, "name of an environment variable holding the key passphrase (or the token PIN)" },
    { "sign.signedinfo_c14n", "exc", "exc | inclusive: canonicalization of SignedInfo" },
    { "sign.cert_digest", "auto", "auto (same family as the signature) | gost2012 | gost94 | sha256" },
    { "sign.inclusive_prefixes", NULL, "prefixes for an InclusiveNamespaces PrefixList on the data reference's exc-c14n transform, e.g. \"ind account-base base hm\" (shorter canonical form, faster signing; off by default: GIS documents the plain transform)" },
    { "sign.engine_path", NULL, "path to the OpenSSL gost engine (default: found next to libcrypto)" },
    /* [convert] */
    { "convert.jobs", NULL, "worker threads that build, validate and sign packets (default: online cores; 1: none)" },
    /* [paths] */
    { "paths.schemas_dir", HCS_DEFAULT_SCHEMAS, "official GIS XSD/WSDL package directory" },
    { "paths.debt_schemas_dir", "", "the 14.5.0.1 package for the debt-requests service (empty: hcs-wsdl-14.5.0.1 next to paths.schemas_dir)" },
    { "paths.templates_dir", "templates", "operation templates directory" },
    { "paths.nsi_dir", "nsi", "НСИ dictionaries (offline fallback of the synced НСИ): <registry-number>.csv with code;guid;name" },
    { "paths.work_dir", "work", "work directory: inbox/, archive/, rejected/, reports/, state" },
    { "paths.hints_file", "templates/hints.csv", "accountant hints per GIS error code" },
    /* [input] */
    { "input.encoding", "auto", "CSV encoding: auto | utf-8 | cp1251" },
    { "input.delimiter", "auto", "CSV delimiter: auto | semicolon | comma | tab (a bare ; starts an INI comment)" },
    { "input.settle_seconds", "5", "a file changed within this many seconds is left for the next run" },
    { "input.max_cell_bytes", "65536", "longest accepted cell value" },
    { "input.max_unzipped_mb", "2048", "XLSX: refuse more decompressed bytes than this (zip bomb guard)" },
    { "input.default_account_type", "УО", "Тип ЛС when the column is absent or empty" },
    /* [inbox] */
    { "inbox.houses", "inbox/houses", "folder for importHouseUOData files (houses with premises, entrances, rooms)" },
    { "inbox.accounts", "inbox/accounts", "folder for importAccountData files (relative to work_dir)" },
    { "inbox.readings", "inbox/readings", "folder for importMeteringDeviceValues files" },
    { "inbox.bills", "inbox/bills", "folder for importPaymentDocumentData files" },
    { "inbox.bills_withdraw", "inbox/bills-withdraw", "folder for payment document withdrawals" },
    { "inbox.debt_responses", "inbox/debt-responses", "folder for the filled debt-request workbooks (importResponses; court decision files next to them)" },
    { "inbox.payments", "inbox/payments", "folder for payments received (importNotificationsOfOrderExecution: a bank or cash-desk export)" },
    { "inbox.payments_cancel", "inbox/payments-cancel", "folder for cancellations of payment notifications (importNotificationsOfOrderExecutionCancellation)" },
    { "inbox.additional_services", "inbox/additional-services", "folder for the organisation's НСИ 1 (importAdditionalServices: add, change, recover, delete)" },
    { "inbox.municipal_services", "inbox/municipal-services", "folder for the organisation's НСИ 51 (importMunicipalServices: add, change, recover, delete)" },
    { "inbox.meters", "inbox/meters", "folder for importMeteringDeviceData files (new metering devices, certificates next to them)" },
    { "inbox.supply_contracts", "inbox/supply-contracts", "folder for importSupplyResourceContractData files (resource supply contracts, documents in a subfolder)" },
    { "inbox.contracts", "inbox/contracts", "folder for importContractData files (management contracts, documents in a subfolder)" },
    { "inbox.charters", "inbox/charters", "folder for importCharterData files (charters of ТСЖ/ЖСК, documents in a subfolder)" },
    { "inbox.meters_update", "inbox/meters-update", "folder for changes to metering devices in GIS (importMeteringDeviceData, UpdateAfterDevicesValues)" },
    { "inbox.meters_replace", "inbox/meters-replace", "folder for replacements of metering devices (importMeteringDeviceData, ReplaceDevice)" },
    { "inbox.meters_archive", "inbox/meters-archive", "folder for metering devices to archive (importMeteringDeviceData, ArchiveDevice)" },
    /* [store] */
    { "store.driver", "sqlite", "sqlite | postgres" },
    { "store.path", "state.db", "SQLite file (relative to work_dir)" },
    { "store.conninfo", NULL, "PostgreSQL connection string (password through PGPASSFILE, never here)" },
    { "store.busy_timeout_ms", "10000", "SQLite busy timeout" },
    /* [worker] */
    { "worker.lease_seconds", "300", "hcsbatch worker: seconds a claimed packet, inbox file or file store upload stays a dead worker's before another takes it" },
    { "worker.claim_limit", "50", "hcsbatch worker: packets claimed per pass (sends and polls each)" },
    { "worker.idle_ms", "1000", "hcsbatch worker: pause after a pass that found nothing to do" },
    /* [transport] */
    { "transport.connect_timeout", "20", "seconds to connect" },
    { "transport.timeout", "120", "seconds for one whole request" },
    { "transport.retries", "5", "attempts on network errors and HTTP 5xx" },
    { "transport.backoff_ms", "1000", "first back-off delay; doubles each retry, with jitter" },
    { "transport.backoff_max_ms", "60000", "longest back-off delay" },
    { "transport.rate", "5", "requests per second per host (token bucket)" },
    { "transport.burst", "5", "token bucket size" },
    { "transport.in_flight", "4", "packets sent and not yet answered at once" },
    { "transport.max_response_mb", "64", "largest answer body held in memory, MiB; a larger answer fails the request (GIS is retried later)" },
    { "transport.ca_file", NULL, "CA bundle for the GIS server certificate" },
    { "transport.client_cert", NULL, "TLS client certificate (PEM)" },
    { "transport.client_key", NULL, "TLS client key (PEM)" },
    { "transport.ciphers", NULL, "TLS cipher list, e.g. GOST2012-KUZNYECHIK-KUZNYECHIKOMAC" },
    { "transport.basic_auth_file", NULL, "file with user:password for test stands" },
    { "transport.tls_min", NULL, "lowest TLS version offered: 1.0 | 1.1 | 1.2 | 1.3" },
    { "transport.tls_max", NULL, "highest TLS version offered: 1.0 | 1.1 | 1.2 | 1.3" },
    { "transport.connect_to", NULL, "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT, e.g. to a local stunnel" },
    { "transport.headers", NULL, "extra request headers: Name: value; Name2: value (X-Client-Cert-Fingerprint: auto computes it)" },
    /* [exchange] */
    { "exchange.poll_schedule", "10,60,300,900,1800", "getState delays in seconds; the last repeats" },
    { "exchange.poll_horizon", "86400", "seconds after which a packet still unanswered fails" },
    { "exchange.transient_delay", "300", "seconds before retrying a transient GIS error" },
    { "exchange.maintenance_delay", "1800", "seconds before retrying after INT002029" },
    { "exchange.max_backoff", "3600", "longest wait in seconds between sends while GIS does not answer" },
    { "exchange.give_up_after", "0", "seconds of a GIS outage after which a packet fails; 0 = never" },
    /* [filestore] */
    { "filestore.path", "ext-bus-file-store-service/rest/", "file store path under gis.base_url" },
    { "filestore.provider_header", "X-Upload-OrgPPAGUID", "X-Upload-OrgPPAGUID (what GIS requires) | X-Upload-Dataprovider (legacy)" },
    { "filestore.hash_scope", "file", "AttachmentHASH over the whole file or the first part only: file | first_part" },
    { "filestore.part_size", "5242880", "part size for uploads over 5 MB" },
    { "filestore.rate", "0", "file store requests per second (0 = unlimited; parts are 5 MB each)" },
    /* [report] */
    { "report.dir", "reports", "reports directory (relative to work_dir)" },
    { "report.metrics_file", NULL, "Prometheus textfile to write after each run (several organisations: one file each, -NAME before the extension, every sample labelled org=NAME)" },
    /* [notify] */
    { "notify.when", "errors", "errors | always | never" },
    { "notify.urls", NULL, "comma-separated URLs receiving a JSON summary" },
    { "notify.api_key_env", NULL, "environment variable with the API key sent as X-API-Key" },
    { "notify.attempts", "3", "attempts per notification" },
    { "notify.delay_ms", "2000", "delay between attempts" },
    { "notify.telegram_api", "https://api.telegram.org", "Telegram Bot API base URL" },
    { "notify.telegram_token_env", NULL, "environment variable with the bot token" },
    { "notify.telegram_chat", NULL, "chat id for Telegram messages" },
    /* [debt] the answers to debt subrequests (docs/debt-requests.md) */
    { "debt.lookback_days", "0", "run: ask GIS for the subrequests sent in the last N days (at most 183; 0 = off)" },
    { "debt.fetch_interval_hours", "20", "run: ask for the subrequests again only this many hours after the last time (0 = every run)" },
    { "debt.dir", "debt", "where the run writes the accountant's debt-request workbook (relative to work_dir)" },
    { "debt.executor_guid", NULL, "GIS id of the employee who answers (executorGUID of every answer)" },
    /* [retention] */
    { "retention.archive_days", "365", "days to keep archive/ files" },
    { "retention.rejected_days", "90", "days to keep rejected/ files" },
    { "retention.reports_days", "365", "days to keep reports" },
    { "retention.logs_days", "90", "days to keep logs" },
    /* [health] */
    { "health.cert_warn_days", "30", "hcsbatch health warns when the signing certificate expires within this many days" },
    { "health.disk_warn_mb", "1024", "hcsbatch health warns when work_dir's file system has less free space (MB)" },
    { "health.disk_critical_mb", "100", "hcsbatch health is critical when work_dir's file system has less free space (MB)" },
    /* [log] */
    { "log.target", "stderr", "stderr | syslog" },
    { "log.level", "info", "error | warn | info | debug" },
    /* [limits] per-operation ELEMENT_LIMIT overrides (a lower value wins over the schema's) */
    { "limits.importAccountData", NULL, "Account elements per packet (max 100)" },
    { "limits.importMeteringDeviceValues", NULL, "MeteringDevicesValues per packet (max 1000)" },
    { "limits.importPaymentDocumentData", NULL, "PaymentDocument per packet (max 500)" },
    { "limits.withdrawPaymentDocumentData", NULL, "WithdrawPaymentDocument per packet (max 1000)" },
    { "limits.importNotificationsOfOrderExecution", NULL, "NotificationOfOrderExecutionType per packet (max 500)" },
    { "limits.importNotificationsOfOrderExecutionCancellation", NULL, "NotificationOfOrderExecutionCancellation per packet (max 500)" },
    { NULL, NULL, NULL }
};

/* The GIS stands and their base URLs.  prod and sit01 as public clients
 * that work against them have them (C# Hcs.ClientApi HcsConstants.Address,
 * a Python client's GisServerAddress); sit02 over HTTPS on 10081 as the C#
 * client has it (the Python client reaches sit02 over plain HTTP on 10082;
 * docs/going-live.md says which is confirmed). */
const char *cfg_stand_base_url(const char *stand)
{
    static const char *const stands[][2] = {
        { "prod", "https://api.dom.gosuslugi.ru/" },
        { "sit01", "https://sit01.dom.test.gosuslugi.ru:10081/" },
        { "sit02", "https://sit02.dom.test.gosuslugi.ru:10081/" },
    };
    for (size_t i = 0; stand && i < sizeof stands / sizeof stands[0]; i++)
        if (!strcmp(stand, stands[i][0]))
            return stands[i][1];
    return NULL;
}
