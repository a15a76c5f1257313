/* Unit tests for src/template: map.ini parsing, converters, НСИ by code and
 * by name, optional parts (t:if), repeats (t:each), fallbacks, inference,
 * conditional requirements, word ranges of a ФИО column, and errors in
 * templates (unknown variables, prefixes not declared in request.xml). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "template/nsi.h"
#include "template/template.h"
#include "template/textfold.h"

static char *dir;       /* temp: templates/t/, nsi/ */
static char *tdir;

static void put(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir_p(path, NULL);
    *slash = '/';
    tu_write_str(path, text);
}

static const char *REQUEST =
    "<x:importAccountRequest xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
    "xmlns:t=\"urn:hcsbatch:template\" Id=\"signed-data-container\" v=\"{t:version}\">"
    "<x:Head>{name}</x:Head><t:side/><t:elements/></x:importAccountRequest>";

static void write_template(const char *map, const char *element)
{
    put("t/map.ini", map);
    put("t/request.xml", REQUEST);
    put("t/element.xml", element);
}

static const char *BASE_MAP =
    "[template]\n"
    "operation = importAccountData\n"
    "group = {id}\n"
    "key = {id}\n"
    "label = ЛС {id}\n"
    "[columns]\n"
    "id = Номер / Лицевой счет | text:5 | required\n"
    "name = Фамилия / ФИО[1] | text\n"
    "first = Имя / ФИО[2] | text | required_when:name\n"
    "rest = Отчество / ФИО[3+] | text\n"
    "amount = Сумма | decimal:2\n"
    "when = Дата | date\n"
    "kind = Вид | enum:жилое=res,нежилое=nonres\n"
    "res = Ресурс | nsi:2\n"
    "flag = Флаг | bool\n"
    "guid = Ид | guid\n"
    "alt = Другое | text\n"
    "p = Период | period\n"
    "only = Только | int | when:kind=res\n"
    "[infer]\n"
    "kind = res if amount | nonres if !amount\n";

static const char *ELEMENT =
    "<x:E xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
    "xmlns:t=\"urn:hcsbatch:template\">"
    "<x:Id>{id}</x:Id>"
    "<x:Opt t:if=\"amount\">{amount}</x:Opt>"
    "<x:Kind t:if=\"kind=res\">R</x:Kind><x:Kind t:if=\"kind!=res\">N</x:Kind>"
    "<x:Row t:each=\"row\" n=\"{amount}\"><x:A t:if=\"alt\">{alt}</x:A></x:Row>"
    "<x:F>{alt|id}</x:F><x:G>{t:guid}</x:G>"
    "<t:block t:if=\"res\"><x:C>{res}</x:C><x:U>{res_guid}</x:U></t:block>"
    "</x:E>";

/* an element.xml naming only {id} */
static const char *ELEMENT_ID_ONLY =
    "<x:E xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
    "xmlns:t=\"urn:hcsbatch:template\"><x:Id>{id}</x:Id></x:E>";

static hcs_config *cfg;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    tdir = malloc(strlen(dir) + 4);
    sprintf(tdir, "%s/t", dir);
    put("nsi/2.csv", "code;guid;name\n1;00000000-0000-4000-8000-000000000001;Холодная вода\n"
                     "2;00000000-0000-4000-8000-000000000002;Горячая Вода\n");
    hcs_err err = { 0 };
    cfg = cfg_load(NULL, &err);
    char nsi[1024];
    snprintf(nsi, sizeof nsi, "%s/nsi", dir);
    assert_int_equal(cfg_set(cfg, "paths.nsi_dir", nsi, &err), 0);
    write_template(BASE_MAP, ELEMENT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cfg_free(cfg);
    free(tdir);
    free(dir);
    return 0;
}

static struct table_row *mkrow(long n, int ncells, const char **cells)
{
    struct table_row *r = calloc(1, sizeof *r);
    r->row = n;
    r->ncells = (size_t)ncells;
    r->cells = calloc((size_t)ncells, sizeof(char *));
    for (int i = 0; i < ncells; i++)
        r->cells[i] = strdup(cells[i]);
    return r;
}

static void freerow(struct table_row *r)
{
    for (size_t i = 0; i < r->ncells; i++)
        free(r->cells[i]);
    free(r->cells);
    free(r);
}

static const char *HDR[] = { "номер", " ФИО ", "Сумма", "Дата", "Вид", "Ресурс", "Флаг", "Ид",
                             "Другое", "Период", "Только", "Лишняя" };
#define NH 12

static template *load(void)
{
    hcs_err err = { 0 };
    template *t = template_load(tdir, cfg, &err);
    if (!t)
        fail_msg("template_load: %s", err.msg);
    return t;
}

static int conv(template *t, tbinding *b, const char **cells, struct trow **out,
                struct tproblems *pr)
{
    struct table_row *r = mkrow(7, NH, cells);
    hcs_err err = { 0 };
    int rc = template_convert(t, b, r, NULL, NULL, out, pr, &err);
    freerow(r);
    return rc;
}

static void test_fold(void **state)
{
    (void)state;
    char *f = text_fold("  Ёлка  ЗЕЛЁНАЯ\xC2\xA0 Tree ", strlen("  Ёлка  ЗЕЛЁНАЯ\xC2\xA0 Tree "));
    assert_string_equal(f, "елка зеленая tree");
    free(f);
}

static void test_nsi(void **state)
{
    (void)state;
    char nd[1024];
    snprintf(nd, sizeof nd, "%s/nsi", dir);
    nsi_set *s = nsi_set_open(nd);
    const struct nsi_item *it = NULL;
    hcs_err err = { 0 };
    assert_int_equal(nsi_lookup(s, 2, "2", &it, &err), 1);
    assert_string_equal(it->guid, "00000000-0000-4000-8000-000000000002");
    assert_int_equal(nsi_lookup(s, 2, "  горячая вода ", &it, &err), 1);   /* by name, any case */
    assert_string_equal(it->code, "2");
    assert_int_equal(nsi_lookup(s, 2, "пар", &it, &err), 0);
    assert_int_equal(nsi_lookup(s, 99, "1", &it, &err), -1);               /* no such file */
    assert_int_equal(err.code, HCS_EX_CONFIG);
    nsi_set_free(s);
}

static void test_bind_and_convert(void **state)
{
    (void)state;
    template *t = load();
    assert_int_equal(template_limit(t), 100);
    struct table_row *h = mkrow(1, NH, HDR);
    strbuf unknown = STRBUF_INIT;
    hcs_err err = { 0 };
    tbinding *b = template_bind(t, h, &unknown, &err);
    assert_non_null(b);
    assert_string_equal(sb_str(&unknown), "Лишняя");
    sb_free(&unknown);

    const char *ok[NH] = { "A1", "Иванов Иван Иванович оглы", "1 234,5", "01.02.2026", "",
                           "горячая вода", "да", "{ABCDEF01-2345-4678-9ABC-DEF012345678}", "",
                           "03.2026", "", "x" };
    struct trow *tr = NULL;
    struct tproblems pr = { 0 };
    assert_int_equal(conv(t, b, ok, &tr, &pr), 0);
    assert_string_equal(trow_get(tr, template_var_index(t, "name")), "Иванов");
    assert_string_equal(trow_get(tr, template_var_index(t, "first")), "Иван");
    assert_string_equal(trow_get(tr, template_var_index(t, "rest")), "Иванович оглы");
    assert_string_equal(trow_get(tr, template_var_index(t, "amount")), "1234.5");
    assert_string_equal(trow_get(tr, template_var_index(t, "when")), "2026-02-01");
    assert_string_equal(trow_get(tr, template_var_index(t, "kind")), "res");      /* inferred */
    assert_string_equal(trow_get(tr, template_var_index(t, "res")), "2");
    assert_string_equal(trow_get(tr, template_var_index(t, "res_guid")), "00000000-0000-4000-8000-000000000002");
    assert_string_equal(trow_get(tr, template_var_index(t, "flag")), "true");
    assert_string_equal(trow_get(tr, template_var_index(t, "guid")), "abcdef01-2345-4678-9abc-def012345678");
    assert_string_equal(trow_get(tr, template_var_index(t, "p")), "2026-03");
    assert_string_equal(trow_get(tr, template_var_index(t, "p_month")), "3");
    assert_string_equal(trow_get(tr, template_var_index(t, "p_year")), "2026");

    /* rendering: optional part present, repeat over two rows, fallback, side ref */
    const char *ok2[NH] = { "A1", "Петров Пётр", "", "", "нежилое", "1", "", "", "z&<", "", "", "" };
    struct trow *tr2 = NULL;
    assert_int_equal(conv(t, b, ok2, &tr2, &pr), 0);
    assert_string_equal(trow_get(tr2, template_var_index(t, "kind")), "nonres");  /* given */
    struct trow *rows[2] = { tr, tr2 };
    struct render_ctx ctx = { "11111111-2222-4333-8444-555555555555", NULL, NULL, NULL, NULL };
    strbuf out = STRBUF_INIT;
    template_render_element(t, rows, 2, &ctx, &out);
    assert_string_equal(sb_str(&out),
        "<x:E><x:Id>A1</x:Id><x:Opt>1234.5</x:Opt><x:Kind>R</x:Kind>"
        "<x:Row n=\"1234.5\"></x:Row><x:Row n=\"\"><x:A>z&amp;&lt;</x:A></x:Row>"
        "<x:F>A1</x:F><x:G>11111111-2222-4333-8444-555555555555</x:G>"
        "<x:C>2</x:C><x:U>00000000-0000-4000-8000-000000000002</x:U></x:E>");
    sb_reset(&out);
    struct trow *rows2[1] = { tr2 };
    template_render_element(t, rows2, 1, &ctx, &out);
    assert_non_null(strstr(sb_str(&out), "<x:Kind>N</x:Kind>"));
    assert_null(strstr(sb_str(&out), "<x:Opt>"));                  /* optional part omitted */
    assert_non_null(strstr(sb_str(&out), "<x:F>z&amp;&lt;</x:F>"));  /* fallback: first non-empty */
    /* request pieces around the holes */
    strbuf pieces[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
    template_render_request(t, tr, NULL, pieces);
    assert_non_null(strstr(sb_str(&pieces[0]), "v=\"10.0.1.1\""));
    assert_non_null(strstr(sb_str(&pieces[0]), "<x:Head>Иванов</x:Head>"));
    assert_string_equal(sb_str(&pieces[1]), "");
    assert_string_equal(sb_str(&pieces[2]), "</x:importAccountRequest>");
    strbuf k = STRBUF_INIT;
    template_format(t, TF_LABEL, tr, &k);
    assert_string_equal(sb_str(&k), "ЛС A1");
    sb_free(&k);
    for (int i = 0; i < 3; i++)
        sb_free(&pieces[i]);
    sb_free(&out);
    trow_free(tr);
    trow_free(tr2);
    tbinding_free(b);
    freerow(h);
    template_free(t);
}

static void test_bad_values(void **state)
{
    (void)state;
    template *t = load();
    struct table_row *h = mkrow(1, NH, HDR);
    hcs_err err = { 0 };
    tbinding *b = template_bind(t, h, NULL, &err);
    const char *bad[NH] = { "TOOLONG", "Иванов", "12,3x", "30.02.2026", "склад", "пар", "может",
                            "not-a-guid", "", "13.2026", "", "" };
    struct trow *tr = NULL;
    struct tproblems pr = { 0 };
    assert_int_equal(conv(t, b, bad, &tr, &pr), 1);
    assert_null(tr);
    const char *want_cols[] = { "номер", "Сумма", "Дата", "Вид", "Ресурс", "Флаг", "Ид", "Период" };
    assert_int_equal(pr.n, 8);   /* and no "Имя is missing": values failed already */
    for (size_t i = 0; i < pr.n; i++)
        assert_string_equal(pr.items[i].column, want_cols[i]);
    assert_non_null(strstr(pr.items[0].reason, "длиннее 5"));
    assert_non_null(strstr(pr.items[4].reason, "НСИ 2"));
    assert_string_equal(pr.items[4].value, "пар");
    tproblems_clear(&pr);
    /* conditional requirement, alone */
    const char *miss[NH] = { "A2", "Иванов", "", "", "", "", "", "", "", "", "", "" };
    assert_int_equal(conv(t, b, miss, &tr, &pr), 1);
    assert_int_equal(pr.n, 1);
    assert_string_equal(pr.items[0].column, "ФИО");      /* Имя = ФИО[2] here */
    assert_string_equal(pr.items[0].reason, "не заполнено обязательное поле");
    tproblems_clear(&pr);
    /* when: a variable converted only when its condition holds */
    const char *only[NH] = { "A3", "", "", "", "нежилое", "", "", "", "", "", "abc", "" };
    assert_int_equal(conv(t, b, only, &tr, &pr), 0);
    assert_string_equal(trow_get(tr, template_var_index(t, "only")), "");
    trow_free(tr);
    tbinding_free(b);
    freerow(h);
    template_free(t);
}

static void test_missing_required_column(void **state)
{
    (void)state;
    template *t = load();
    const char *hdr[] = { "Фамилия", "Имя" };
    struct table_row *h = mkrow(1, 2, hdr);
    hcs_err err = { 0 };
    assert_null(template_bind(t, h, NULL, &err));
    assert_int_equal(err.code, HCS_EX_DATAERR);
    assert_non_null(strstr(err.msg, "«Номер» или «Лицевой счет»"));
    freerow(h);
    template_free(t);
}

static void test_broken_templates(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    template *t_or_null;
    write_template(BASE_MAP, "<x:E xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\">{nope}</x:E>");
    assert_null(template_load(tdir, cfg, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "nope"));
    write_template(BASE_MAP, "<y:E xmlns:y=\"urn:other\">{id}</y:E>");
    assert_null(template_load(tdir, cfg, &err));
    assert_non_null(strstr(err.msg, "prefix y"));
    /* a section named [columns:x] is a key without a value among [columns]
     * for iniparser (found by fuzz_template): a clear error, no crash */
    write_template("[template]\noperation = importAccountData\n[columns]\nid = Номер\n[columns:x]\n", ELEMENT);
    t_or_null = template_load(tdir, cfg, &err);
    template_free(t_or_null);
    write_template("[template]\noperation = importNothing\n[columns]\na = A\n", ELEMENT);
    assert_null(template_load(tdir, cfg, &err));
    assert_non_null(strstr(err.msg, "importNothing"));
    /* [resolve] alternatives: each one checked */
    static const char *bad_resolve[] = { "guid = account from id | account fro name\n",
                                         "guid = account from id | account from nope\n",
                                         "guid = account from id optional please\n" };
    for (size_t i = 0; i < sizeof bad_resolve / sizeof bad_resolve[0]; i++) {
        char *map = xasprintf("%s[resolve]\n%s", BASE_MAP, bad_resolve[i]);
        write_template(map, ELEMENT);
        free(map);
        assert_null(template_load(tdir, cfg, &err));
        assert_int_equal(err.code, HCS_EX_CONFIG);
        assert_non_null(strstr(err.msg, "[resolve] guid"));
    }
    /* a configured limit above the schema's is refused, a lower one wins */
    write_template(BASE_MAP, ELEMENT);
    assert_int_equal(cfg_set(cfg, "limits.importAccountData", "101", &err), 0);
    assert_null(template_load(tdir, cfg, &err));
    assert_non_null(strstr(err.msg, "exceeds"));
    assert_int_equal(cfg_set(cfg, "limits.importAccountData", "7", &err), 0);
    template *t = template_load(tdir, cfg, &err);
    assert_non_null(t);
    assert_int_equal(template_limit(t), 7);
    template_free(t);
    assert_int_equal(cfg_set(cfg, "limits.importAccountData", "", &err), 0);
}

/* Fuzzing findings: the messages about an unknown flag, an enum item
 * without '=' and an unknown group variable were made from the item's text
 * after it had been freed (use after free). */
static void test_bad_item_named(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    write_template("[template]\noperation = importAccountData\n[columns]\n"
                   "id = Номер | text | bogus required\n", ELEMENT);
    assert_null(template_load(tdir, cfg, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "variable id: unknown flag \"bogus\""));
    /* the same for an enum item without '=' */
    write_template("[template]\noperation = importAccountData\n[columns]\n"
                   "id = Номер | enum:bogus,a=b\n", ELEMENT);
    assert_null(template_load(tdir, cfg, &err));
    assert_non_null(strstr(err.msg, "variable id: enum item \"bogus\" lacks ="));
    /* and for an unknown variable in [template] group */
    write_template("[template]\noperation = importAccountData\ngroup = {bogus}\n[columns]\n"
                   "id = Номер | text\n", ELEMENT);
    assert_null(template_load(tdir, cfg, &err));
    assert_non_null(strstr(err.msg, "group: unknown variable bogus"));
    /* default:@ naming no configuration key (found by fuzz_template: cfg aborted) */
    write_template("[template]\noperation = importAccountData\n[columns]\n"
                   "id = Номер | text | default:@input.bogus\n", ELEMENT);
    assert_null(template_load(tdir, cfg, &err));
    assert_int_equal(err.code, HCS_EX_CONFIG);
    assert_non_null(strstr(err.msg, "default:@input.bogus is not a configuration key"));
    write_template(BASE_MAP, ELEMENT);
}

/* Fuzzing finding: a flag given twice (required_when:, when:, default:)
 * leaked the first value; the last one wins.  The leak shows under
 * `make check-valgrind` or a sanitizer build. */
static void test_repeated_flags(void **state)
{
    (void)state;
    hcs_err err = { 0 };
    write_template("[template]\noperation = importAccountData\n[columns]\n"
                   "id = Номер | text | required_when:name required_when:!name when:name when:name "
                   "default:x default:y\nname = ФИО | text\n", ELEMENT_ID_ONLY);
    template *t = template_load(tdir, cfg, &err);
    if (!t)
        fail_msg("template_load: %s", err.msg);
    template_free(t);
    write_template(BASE_MAP, ELEMENT);
}

/* Nested repetition: t:distinct writes one premises per number (from its
 * first row) and one entrance per Подъезд, t:match the rooms of the
 * premises being written; {t:part:KIND} asks the caller for a TransportGUID
 * per part, keyed by the [parts] formats.  A t:block root holds alternative
 * elements. */
static const char *PARTS_MAP =
    "[template]\n"
    "operation = importAccountData\n"
    "group = {id}\n"
    "key = {id}\n"
    "[columns]\n"
    "id = Дом | text | required\n"
    "name = Имя | text\n"
    "num = Помещение | text\n"
    "ent = Подъезд | text\n"
    "room = Комната | text\n"
    "[parts]\n"
    "prem = {id}|{num}\n"
    "prem_label = помещение {num}\n"
    "ent = {id}|{ent}\n";

static const char *PARTS_ELEMENT =
    "<x:H xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
    "xmlns:t=\"urn:hcsbatch:template\">"
    "<x:E t:each=\"row\" t:distinct=\"ent\">{ent}:{t:part:ent}</x:E>"
    "<x:P t:each=\"row\" t:distinct=\"num\"><x:N>{num}:{t:part:prem}</x:N>"
    "<x:R t:each=\"row\" t:match=\"num\" t:if=\"room\">{room}</x:R></x:P>"
    "<x:Last>{num}</x:Last></x:H>";

struct parts_seen {
    strbuf log;
    int n;
};

static const template *parts_tmpl;

static const char *record_part(void *ctx, int part, const struct trow *row)
{
    struct parts_seen *ps = ctx;
    static char guid[8];
    strbuf key = STRBUF_INIT, label = STRBUF_INIT;
    template_part_format(parts_tmpl, part, row, &key, &label);
    sb_addf(&ps->log, "%s=%s(%s);", template_part_kind(parts_tmpl, part), sb_str(&key), sb_str(&label));
    sb_free(&key);
    sb_free(&label);
    snprintf(guid, sizeof guid, "g%d", ++ps->n);
    return guid;
}

static void test_nested_parts(void **state)
{
    (void)state;
    write_template(PARTS_MAP, PARTS_ELEMENT);
    template *t = load();
    parts_tmpl = t;
    const char *hdr[] = { "Дом", "Помещение", "Подъезд", "Комната" };
    struct table_row *h = mkrow(1, 4, hdr);
    hcs_err err = { 0 };
    tbinding *b = template_bind(t, h, NULL, &err);
    assert_non_null(b);
    const char *cells[][4] = { { "H", "1", "1", "" }, { "H", "3", "2", "1" }, { "H", "2", "1", "" },
                               { "H", "3", "", "2" }, { "H", "", "", "" } };
    struct trow *rows[5];
    for (int i = 0; i < 5; i++) {
        struct table_row *r = mkrow(2 + i, 4, cells[i]);
        struct tproblems pr = { 0 };
        assert_int_equal(template_convert(t, b, r, NULL, NULL, &rows[i], &pr, &err), 0);
        freerow(r);
    }
    struct parts_seen ps = { STRBUF_INIT, 0 };
    struct render_ctx ctx = { "T", NULL, NULL, record_part, &ps };
    strbuf out = STRBUF_INIT;
    template_render_element(t, rows, 5, &ctx, &out);
    assert_string_equal(sb_str(&out),
        "<x:H><x:E>1:g1</x:E><x:E>2:g2</x:E>"
        "<x:P><x:N>1:g3</x:N></x:P>"
        "<x:P><x:N>3:g4</x:N><x:R>1</x:R><x:R>2</x:R></x:P>"
        "<x:P><x:N>2:g5</x:N></x:P>"
        "<x:Last>1</x:Last></x:H>");
    assert_string_equal(sb_str(&ps.log), "ent=H|1(ent H|1);ent=H|2(ent H|2);prem=H|1(помещение 1);"
                                         "prem=H|3(помещение 3);prem=H|2(помещение 2);");
    sb_free(&out);
    sb_free(&ps.log);
    for (int i = 0; i < 5; i++)
        trow_free(rows[i]);
    tbinding_free(b);
    freerow(h);
    template_free(t);

    /* a t:block root: each child is one of the form's elements */
    write_template(PARTS_MAP, "<t:block xmlns:t=\"urn:hcsbatch:template\" "
                   "xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\">"
                   "<x:Add t:if=\"name\">{id}</x:Add><x:Drop t:if=\"!name\">{id}</x:Drop></t:block>");
    t = load();
    const char *ns = "http://dom.gosuslugi.ru/schema/integration/house-management/";
    assert_true(template_is_element(t, ns, "Add"));
    assert_true(template_is_element(t, ns, "Drop"));
    assert_false(template_is_element(t, ns, "Ad"));
    assert_false(template_is_element(t, "urn:other", "Add"));
    template_free(t);
}

static void test_shipped_templates_load(void **state)
{
    (void)state;
    const char *names[] = { "importAccountData", "importMeteringDeviceValues",
                            "importPaymentDocumentData", "importPaymentDocumentData-withdraw",
                            "importHouseUOData", "importAdditionalServices", "importMunicipalServices",
                            "importSupplyResourceContractData", "importContractData", "importCharterData" };
    const int limits[] = { 100, 1000, 500, 1000, 1, 1000, 1000, 1000, 100, 1 };
    for (int i = 0; i < (int)(sizeof names / sizeof *names); i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "templates/%s", names[i]);
        char *p = tu_path(rel);
        hcs_err err = { 0 };
        template *t = template_load(p, cfg, &err);
        if (!t)
            fail_msg("%s: %s", names[i], err.msg);
        assert_int_equal(template_limit(t), limits[i]);
        assert_string_equal(template_name(t), names[i]);
        template_free(t);
        free(p);
    }
}

/* Registration numbers: inn, ogrn, bik and an account checked against the
 * БИК column it names (declared before it: resolved after all columns). */
static const char *ID_MAP =
    "[template]\n"
    "operation = importAccountData\n"
    "key = {id}\n"
    "[columns]\n"
    "id = Номер | text | required\n"
    "name = Имя | text\n"
    "inn = ИНН | inn\n"
    "ogrn = ОГРН | ogrn\n"
    "acc = Счёт | account:bik\n"
    "bik = БИК | bik\n";

static const char *ID_ELEMENT =
    "<x:E xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\">"
    "<x:Id>{id}</x:Id><x:I>{inn}</x:I><x:O>{ogrn}</x:O><x:B>{bik}</x:B><x:A>{acc}</x:A></x:E>";

/* Converts one row of the ID_MAP columns; the problems stay in pr. */
static int conv_ids(template *t, tbinding *b, const char *inn, const char *ogrn, const char *acc,
                    const char *bik, struct trow **out, struct tproblems *pr)
{
    const char *cells[] = { "1", inn, ogrn, acc, bik };
    struct table_row *r = mkrow(2, 5, cells);
    hcs_err err = { 0 };
    int rc = template_convert(t, b, r, NULL, NULL, out, pr, &err);
    freerow(r);
    return rc;
}

static void expect_one_problem(template *t, tbinding *b, const char *inn, const char *ogrn,
                               const char *acc, const char *bik, const char *column,
                               const char *reason_part)
{
    struct trow *tr = NULL;
    struct tproblems pr = { 0 };
    assert_int_equal(conv_ids(t, b, inn, ogrn, acc, bik, &tr, &pr), 1);
    assert_null(tr);
    if (pr.n != 1)
        fail_msg("%zu problems, the first: %s", pr.n, pr.n ? pr.items[0].reason : "");
    assert_string_equal(pr.items[0].column, column);
    if (!strstr(pr.items[0].reason, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", pr.items[0].reason, reason_part);
    tproblems_clear(&pr);
}

static void test_registration_numbers(void **state)
{
    (void)state;
    write_template(ID_MAP, ID_ELEMENT);
    template *t = load();
    const char *hdr[] = { "Номер", "ИНН", "ОГРН", "Счёт", "БИК" };
    struct table_row *h = mkrow(1, 5, hdr);
    hcs_err err = { 0 };
    tbinding *b = template_bind(t, h, NULL, &err);
    assert_non_null(b);
    struct trow *tr = NULL;
    struct tproblems pr = { 0 };
    assert_int_equal(conv_ids(t, b, "5001 0073 2259", "304500116000157", "40702 810 9 3800 0012345",
                              "044525225", &tr, &pr), 0);
    assert_string_equal(trow_get(tr, template_var_index(t, "inn")), "500100732259");
    assert_string_equal(trow_get(tr, template_var_index(t, "ogrn")), "304500116000157");
    assert_string_equal(trow_get(tr, template_var_index(t, "acc")), "40702810938000012345");
    assert_string_equal(trow_get(tr, template_var_index(t, "bik")), "044525225");
    trow_free(tr);
    /* the same account at another bank: its key does not fit */
    expect_one_problem(t, b, "", "", "40702810938000012345", "044525974", "Счёт",
                       "не сходится с БИК 044525974");
    /* a bad БИК is reported once, not again as the account's key */
    expect_one_problem(t, b, "", "", "40702810938000012345", "054525225", "БИК", "начинается с 04");
    expect_one_problem(t, b, "", "", "4070281093800001234", "044525225", "Счёт", "нужно 20 цифр");
    expect_one_problem(t, b, "7707083894", "", "", "", "ИНН", "неверное контрольное число ИНН");
    expect_one_problem(t, b, "", "10277001321950", "", "", "ОГРН", "нужно 13 цифр");
    expect_one_problem(t, b, "", "1027700132241", "", "", "ОГРН", "неверное контрольное число ОГРН");
    /* each row on its own: the next good row goes through; without a БИК
     * there is nothing to check the account against */
    assert_int_equal(conv_ids(t, b, "7707083830", "1027700132240", "40702810938000012345", "", &tr, &pr), 0);
    assert_int_equal(pr.n, 0);
    trow_free(tr);
    assert_int_equal(conv_ids(t, b, "", "", "", "044525225", &tr, &pr), 0);   /* a БИК alone */
    assert_int_equal(pr.n, 0);
    trow_free(tr);
    tbinding_free(b);
    freerow(h);
    template_free(t);
    /* account:NAME must name a bik column */
    static const char *bad[] = { "acc = Счёт | account:nope\nbik = БИК | bik\n",
                                 "acc = Счёт | account:bik\nbik = БИК | digits:9\n" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *map = xasprintf("[template]\noperation = importAccountData\n[columns]\nid = Номер | text\nname = Имя | text\n%s", bad[i]);
        write_template(map, ID_ELEMENT);
        free(map);
        assert_null(template_load(tdir, cfg, &err));
        assert_int_equal(err.code, HCS_EX_CONFIG);
        assert_non_null(strstr(err.msg, "must name a bik column"));
    }
    write_template(BASE_MAP, ELEMENT);
}

/* The shipped forms check what INPUT-FORMATS.md names: the bills' БИК and
 * Расчётный счёт (with its key), the accounts' ОГРН плательщика. */
#define BILL_HEADER "Период;Номер ЛС;Номер ПД;БИК;Расчётный счёт;Вид услуги;Тариф;К оплате"

static void test_shipped_registration_numbers(void **state)
{
    (void)state;
    static const struct {
        const char *tmpl, *header, *row, *column, *reason;
    } cases[] = {
        { "importPaymentDocumentData", BILL_HEADER,
          "10.2026;777;1;044525974;40702810938000012345;жилищная;1;1", "Расчётный счёт", "не сходится с БИК" },
        { "importPaymentDocumentData", BILL_HEADER,
          "10.2026;777;1;44525225;40702810938000012345;жилищная;1;1", "БИК", "нужно 9 цифр" },
        { "importAccountData", "Номер ЛС;Фамилия;Имя;ОГРН плательщика",
          "777;Иванов;Иван;1157627012345", "ОГРН плательщика", "неверное контрольное число ОГРН" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "templates/%s", cases[i].tmpl);
        char *p = tu_path(rel);
        hcs_err err = { 0 };
        template *t = template_load(p, cfg, &err);
        free(p);
        assert_non_null(t);
        char *hcopy = xstrdup(cases[i].header), *rcopy = xstrdup(cases[i].row);
        const char *hc[8], *rc_[8];
        int nh = 0, nr = 0;
        char *save = NULL;
        for (char *c = strtok_r(hcopy, ";", &save); c && nh < 8; c = strtok_r(NULL, ";", &save))
            hc[nh++] = c;
        for (char *c = strtok_r(rcopy, ";", &save); c && nr < 8; c = strtok_r(NULL, ";", &save))
            rc_[nr++] = c;
        assert_int_equal(nh, nr);
        struct table_row *h = mkrow(1, nh, hc), *r = mkrow(2, nr, rc_);
        tbinding *b = template_bind(t, h, NULL, &err);
        assert_non_null(b);
        struct trow *tr = NULL;
        struct tproblems pr = { 0 };
        assert_int_equal(template_convert(t, b, r, NULL, NULL, &tr, &pr, &err), 1);
        int found = 0;
        for (size_t k = 0; k < pr.n; k++)
            found |= !strcmp(pr.items[k].column, cases[i].column) && strstr(pr.items[k].reason, cases[i].reason);
        if (!found)
            fail_msg("%s: no problem «%s» in column %s", cases[i].tmpl, cases[i].reason, cases[i].column);
        tproblems_clear(&pr);
        tbinding_free(b);
        freerow(h);
        freerow(r);
        free(hcopy);
        free(rcopy);
        template_free(t);
    }
}

/* {t:guid:NAME}: a part's TransportGUID, the same for the same NAME and row
 * of an element (a supply contract's ContractSubject and the PairKey naming
 * it), different for another row, another NAME or another element. */
static void test_derived_guids(void **state)
{
    (void)state;
    write_template(BASE_MAP,
                   "<x:E xmlns:x=\"http://dom.gosuslugi.ru/schema/integration/house-management/\" "
                   "xmlns:t=\"urn:hcsbatch:template\"><x:G>{t:guid}</x:G>"
                   "<x:S t:each=\"row\">{t:guid:s}</x:S><x:P t:each=\"row\">{t:guid:s}</x:P>"
                   "<x:A>{t:guid:a}</x:A><x:B>{t:guid:s}</x:B></x:E>");
    template *t = load();
    struct table_row *h = mkrow(1, NH, HDR);
    hcs_err err = { 0 };
    tbinding *b = template_bind(t, h, NULL, &err);
    assert_non_null(b);
    const char *c1[NH] = { "A1", "", "", "", "", "", "", "", "", "", "", "" };
    const char *c2[NH] = { "A1", "", "", "", "", "", "", "", "x", "", "", "" };
    struct tproblems pr = { 0 };
    struct trow *r1 = NULL, *r2 = NULL;
    assert_int_equal(conv(t, b, c1, &r1, &pr), 0);
    assert_int_equal(conv(t, b, c2, &r2, &pr), 0);
    struct trow *rows[2] = { r1, r2 };
    struct render_ctx ctx = { .tguid = "11111111-2222-4333-8444-555555555555" };
    strbuf out = STRBUF_INIT, again = STRBUF_INIT, other = STRBUF_INIT;
    template_render_element(t, rows, 2, &ctx, &out);
    template_render_element(t, rows, 2, &ctx, &again);
    assert_string_equal(sb_str(&out), sb_str(&again));          /* repeatable */
    char g[8][37];
    const char *o = sb_str(&out);
    for (int i = 0; i < 6; i++) {    /* G S S P P A; B after it */
        o = strchr(o, '>');
        while (o[1] == '<')
            o = strchr(o + 1, '>');
        memcpy(g[i], o + 1, 36);
        g[i][36] = '\0';
        o++;
    }
    assert_string_equal(g[0], ctx.tguid);
    assert_string_equal(g[1], g[3]);          /* row 1: subject = its pair key */
    assert_string_equal(g[2], g[4]);          /* row 2 */
    assert_string_not_equal(g[1], g[2]);      /* rows differ */
    assert_string_not_equal(g[1], g[0]);
    assert_string_not_equal(g[5], g[1]);      /* NAME differs */
    /* outside t:each the row is the first: B = row 1's s */
    assert_non_null(strstr(strstr(sb_str(&out), "<x:B>"), g[1]));
    struct render_ctx ctx2 = { .tguid = "99999999-2222-4333-8444-555555555555" };
    template_render_element(t, rows, 2, &ctx2, &other);
    assert_null(strstr(sb_str(&other), g[1]));                  /* another element, other GUIDs */
    sb_free(&out);
    sb_free(&again);
    sb_free(&other);
    tproblems_clear(&pr);
    trow_free(r1);
    trow_free(r2);
    tbinding_free(b);
    freerow(h);
    template_free(t);
    write_template(BASE_MAP, ELEMENT);
}

/* tests grouped by subject: cmocka reports each group by name */
int main(void)
{
    const struct CMUnitTest values[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_nsi),
    };
    const struct CMUnitTest binding[] = {
        cmocka_unit_test(test_bind_and_convert),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_missing_required_column),
        cmocka_unit_test(test_registration_numbers),
    };
    const struct CMUnitTest templates[] = {
        cmocka_unit_test(test_broken_templates),
        cmocka_unit_test(test_bad_item_named),
        cmocka_unit_test(test_repeated_flags),
        cmocka_unit_test(test_nested_parts),
        cmocka_unit_test(test_shipped_templates_load),
        cmocka_unit_test(test_shipped_registration_numbers),
        cmocka_unit_test(test_derived_guids),
    };
    return cmocka_run_group_tests_name("values", values, setup, teardown) +
           cmocka_run_group_tests_name("binding", binding, setup, teardown) +
           cmocka_run_group_tests_name("templates", templates, setup, teardown);
}
