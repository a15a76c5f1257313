/* gen_inputs — generates a realistic accounts export ("Лицевые счета",
 * INPUT-FORMATS.md) of N rows for the benchmarks, as CSV (Windows-1251 or
 * UTF-8, ';') or XLSX (libxlsxwriter, constant-memory mode).
 *
 *   gen_inputs --rows N --format csv|xlsx --out FILE
 *              [--encoding cp1251|utf-8] [--seed S] [--bad-every K]
 *              [--local-keys REGISTRY]
 *
 * Deterministic for a seed.  About one account in ten has two premises
 * shares (two rows, 50 % each, adjacent or not); 200 accounts share a house.
 * GUIDs are valid v4 GUIDs, SNILS numbers carry a valid checksum, names are
 * Russian.  --bad-every K makes every K-th row bad (a SNILS checksum error,
 * a letter in an area, or a missing account number, in turn).
 * --local-keys REGISTRY writes the local-key form of the same rows: `Номер
 * помещения` (a number within the house, every seventh with a Cyrillic
 * letter, «12А») instead of `Идентификатор помещения ГИС`, and REGISTRY
 * lists "<FIAS house>|<number><TAB><premises GUID>" per row: what a
 * registry must know to give back the GUID form (bench_resolve).
 * This CLI is used by other benchmarks: keep it stable. */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t seed_mix;        /* --seed: mixed into every derived state */

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void guid_for(uint64_t a, uint64_t b, char out[37])
{
    /* a v4 GUID derived from two numbers: stable for the same house/account */
    uint64_t s = rng_state;
    rng_state = splitmix(a ^ splitmix(b ^ seed_mix)) | 1;
    for (int i = 0; i < 3; i++)
        rnd();
    uint64_t h = rnd(), l = rnd();
    rng_state = s;
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(h >> 32), (unsigned)(h >> 16) & 0xffff,
             (unsigned)h & 0xfff, (unsigned)(0x8000 | ((l >> 48) & 0x3fff)),
             (unsigned long long)(l & 0xffffffffffffULL));
}

static void snils_make(char out[32], int bad)
{
    int d[9];
    long num;
    do {
        num = 0;
        for (int i = 0; i < 9; i++) {
            d[i] = (int)pick(10);
            num = num * 10 + d[i];
        }
    } while (num <= 1001998);
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += d[i] * (9 - i);
    int ctl = sum < 100 ? sum : sum % 101 == 100 ? 0 : sum % 101;
    if (bad)
        ctl = (ctl + 1) % 100;
    snprintf(out, 32, "%d%d%d-%d%d%d-%d%d%d %02d", d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7],
             d[8], ctl);
}

static const char *const SURNAMES[] = {
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
};
static const char *const MALE[] = { "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей",
                                    "Иван", "Михаил", "Николай", "Владимир", "Юрий", "Пётр" };
static const char *const FEMALE[] = { "Елена", "Ольга", "Наталья", "Татьяна", "Ирина",
                                      "Светлана", "Мария", "Анна", "Людмила", "Галина", "Юлия" };
static const char *const FATHERS[] = { "Александров", "Сергеев", "Дмитриев", "Андреев",
                                       "Алексеев", "Иванов", "Михайлов", "Николаев",
                                       "Владимиров", "Юрьев", "Петров" };
#define N(a) (sizeof a / sizeof a[0])

#define NCOLS 12
static const char *HEADER[NCOLS] = {
    "Номер ЛС", "Тип ЛС", "ФИАС дома", "Идентификатор помещения ГИС", "Доля, %",
    "Общая площадь", "Жилая площадь", "Количество проживающих", "Фамилия", "Имя", "Отчество",
    "СНИЛС",
};

static FILE *registry_out;       /* --local-keys: the premises the rows name */

struct row {
    char text[NCOLS][96];
    double num[NCOLS];          /* numeric columns for XLSX; NAN-free, used when isnum */
    int isnum[NCOLS];
};

/* One row of account `acc`, share `part` of `parts`. */
static void make_row(struct row *r, long acc, int part, int parts, long house, int bad_kind)
{
    memset(r->isnum, 0, sizeof r->isnum);
    uint64_t save = rng_state;
    rng_state = splitmix((uint64_t)acc ^ splitmix(seed_mix + 7)) | 1;   /* the account's person */
    rnd();
    int female = (int)pick(2);
    const char *sur = SURNAMES[pick(N(SURNAMES))];
    const char *first = female ? FEMALE[pick(N(FEMALE))] : MALE[pick(N(MALE))];
    const char *father = FATHERS[pick(N(FATHERS))];
    double total = 28 + pick(900) / 10.0;
    double living = total * (0.55 + pick(30) / 100.0);
    int persons = 1 + (int)pick(5);
    char snils[32];
    snils_make(snils, bad_kind == 1);
    rng_state = save;

    if (bad_kind == 3)
        r->text[0][0] = '\0';
    else
        snprintf(r->text[0], 96, "%010ld", 1000000 + acc);
    snprintf(r->text[1], 96, "%s", acc % 17 == 0 ? "РСО" : "УО");
    guid_for((uint64_t)house, 1, r->text[2]);
    guid_for((uint64_t)acc, (uint64_t)part + 2, r->text[3]);
    if (registry_out) {
        /* two numbers per account slot of the house: one per possible share */
        long number = (acc % 200) * 2 + part + 1;
        fprintf(registry_out, "%s|%ld%s\t%s\n", r->text[2], number, number % 7 ? "" : "А", r->text[3]);
        snprintf(r->text[3], 96, "%ld%s", number, number % 7 ? "" : "а");
    }
    double share = 100.0 / parts;
    snprintf(r->text[4], 96, "%.0f", share);
    r->num[4] = share;
    r->isnum[4] = 1;
    snprintf(r->text[5], 96, "%.1f", total);
    r->num[5] = (double)(long)(total * 10 + 0.5) / 10;
    r->isnum[5] = 1;
    snprintf(r->text[6], 96, "%.1f", living);
    r->num[6] = (double)(long)(living * 10 + 0.5) / 10;
    r->isnum[6] = 1;
    if (bad_kind == 2) {
        snprintf(r->text[6], 96, "4O,5");        /* a letter O instead of a zero */
        r->isnum[6] = 0;
    }
    for (int c = 5; c <= 6; c++)                  /* decimal comma, as 1C exports it */
        for (char *p = r->text[c]; *p; p++)
            if (*p == '.')
                *p = ',';
    snprintf(r->text[7], 96, "%d", persons);
    r->num[7] = persons;
    r->isnum[7] = 1;
    snprintf(r->text[8], 96, "%s%s", sur, female ? "а" : "");
    snprintf(r->text[9], 96, "%s", first);
    snprintf(r->text[10], 96, "%s%s", father, female ? "на" : "ич");
    snprintf(r->text[11], 96, "%s", snils);
}

struct gen {
    long rows;
    int bad_every;
    long produced;
    long acc;
    long pending_acc;           /* second share of a split account, emitted a few rows later */
    int pending_in;
};

/* Next row in output order; returns 0 when done. */
static int next_row(struct gen *g, struct row *r)
{
    if (g->produced >= g->rows)
        return 0;
    int bad = 0;
    if (g->bad_every > 0 && (g->produced + 1) % g->bad_every == 0)
        bad = 1 + (int)((g->produced / g->bad_every) % 3);
    if (g->pending_acc >= 0 && --g->pending_in <= 0) {
        make_row(r, g->pending_acc, 1, 2, g->pending_acc / 200, bad);
        g->pending_acc = -1;
    } else {
        long a = g->acc++;
        int gap = 1 + (int)(a % 4);            /* 0..3 other rows between the shares */
        int split = a % 10 == 3 && g->pending_acc < 0 && g->produced + gap < g->rows;
        make_row(r, a, 0, split ? 2 : 1, a / 200, bad);
        if (split) {
            g->pending_acc = a;
            g->pending_in = gap;
        }
    }
    g->produced++;
    return 1;
}

static int write_csv(const char *out, struct gen *g, int cp1251)
{
    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }
    iconv_t cd = cp1251 ? iconv_open("CP1251", "UTF-8") : (iconv_t)-1;
    char line[2048], conv[2048];
    struct row r;
    for (long i = -1;; i++) {
        size_t o = 0;
        if (i < 0) {
            for (int c = 0; c < NCOLS; c++)
                o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", c ? ";" : "", HEADER[c]);
        } else {
            if (!next_row(g, &r))
                break;
            for (int c = 0; c < NCOLS; c++)
                o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", c ? ";" : "", r.text[c]);
        }
        o += (size_t)snprintf(line + o, sizeof line - o, "\r\n");
        if (cp1251) {
            char *ip = line, *op = conv;
            size_t il = o, ol = sizeof conv;
            iconv(cd, &ip, &il, &op, &ol);
            fwrite(conv, 1, sizeof conv - ol, f);
        } else {
            fwrite(line, 1, o, f);
        }
    }
    if (cp1251)
        iconv_close(cd);
    return fclose(f) == 0 ? 0 : 1;
}

static int write_xlsx(const char *out, struct gen *g)
{
    lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE };
    lxw_workbook *wb = workbook_new_opt(out, &opt);
    if (!wb) {
        fprintf(stderr, "%s: cannot create\n", out);
        return 1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Лицевые счета");
    for (int c = 0; c < NCOLS; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, HEADER[c], NULL);
    struct row r;
    lxw_row_t row = 1;
    while (next_row(g, &r)) {
        for (int c = 0; c < NCOLS; c++) {
            if (r.isnum[c])
                worksheet_write_number(ws, row, (lxw_col_t)c, r.num[c], NULL);
            else if (r.text[c][0])
                worksheet_write_string(ws, row, (lxw_col_t)c, r.text[c], NULL);
        }
        row++;
    }
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "%s: %s\n", out, lxw_strerror(e));
        return 1;
    }
    return 0;
}

static int generate(struct gen *g, const char *format, const char *out, const char *enc);

static int usage(void)
{
    fprintf(stderr, "usage: gen_inputs --rows N --format csv|xlsx --out FILE "
                    "[--encoding cp1251|utf-8] [--seed S] [--bad-every K] [--local-keys REGISTRY]\n");
    return 64;
}

int main(int argc, char **argv)
{
    struct gen g = { .rows = -1, .pending_acc = -1 };
    const char *format = NULL, *out = NULL, *enc = "cp1251", *registry = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        if (!strcmp(a, "--rows"))
            g.rows = atol(v);
        else if (!strcmp(a, "--format"))
            format = v;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--encoding"))
            enc = v;
        else if (!strcmp(a, "--seed"))
            seed_mix = (uint64_t)strtoull(v, NULL, 10) * 0x9E3779B97F4A7C15ULL;
        else if (!strcmp(a, "--bad-every"))
            g.bad_every = atoi(v);
        else if (!strcmp(a, "--local-keys"))
            registry = v;
        else
            return usage();
        i++;
    }
    if (g.rows < 0 || !format || !out)
        return usage();
    if (registry) {
        HEADER[3] = "Номер помещения";
        if (!(registry_out = fopen(registry, "w"))) {
            perror(registry);
            return 1;
        }
    }
    int rc = generate(&g, format, out, enc);
    if (registry_out && fclose(registry_out) != 0 && rc == 0)
        rc = 1;
    return rc;
}

static int generate(struct gen *g, const char *format, const char *out, const char *enc)
{
    if (!strcmp(format, "csv")) {
        int cp = !strcmp(enc, "cp1251") || !strcmp(enc, "windows-1251");
        if (!cp && strcmp(enc, "utf-8") && strcmp(enc, "utf8"))
            return usage();
        return write_csv(out, g, cp);
    }
    if (!strcmp(format, "xlsx"))
        return write_xlsx(out, g);
    return usage();
}
