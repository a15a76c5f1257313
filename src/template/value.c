/* value — cell text → the schema's lexical forms (INPUT-FORMATS.md "Values").
 * Parsers never round or guess: a value that does not fit is an error with
 * a short English reason the converter turns into a report line. */
#include "template/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/guid.h"
#include "read/read.h"
#include "base/utf8.h"

/* The text between surrounding whitespace: [*b, *e). */
static void trim_range(const char *in, const char **b, const char **e)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t n = strlen(in);
    size_t k;
    while ((k = utf8_space_at(s, n)) > 0) {
        s += k;
        n -= k;
    }
    const unsigned char *end = s + n;
    while (end > s) {
        if (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')
            end--;
        else if (end - s >= 2 && end[-2] == 0xC2 && end[-1] == 0xA0)
            end -= 2;
        else if (end - s >= 3 && end[-3] == 0xE2 && end[-2] == 0x80 && end[-1] == 0xAF)
            end -= 3;
        else
            break;
    }
    *b = (const char *)s;
    *e = (const char *)end;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

int value_decimal(const char *in, int max_frac, int allow_negative, char *out, size_t n,
                  const char **why)
{
    const char *p, *end;
    trim_range(in, &p, &end);
    if (p == end)
        return fail(why, "пустое значение");
    int neg = 0;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    } else if (end - p >= 3 && !memcmp(p, "\xE2\x88\x92", 3)) {   /* U+2212 minus sign */
        neg = 1;
        p += 3;
    }
    /* Digits go to two small buffers; spaces between digits are dropped. */
    char ip[64], fp[64];
    size_t ni = 0, nf = 0;
    int sep = 0, digits = 0;
    while (p < end) {
        size_t k = utf8_space_at((const unsigned char *)p, (size_t)(end - p));
        if (k) {
            p += k;
            continue;
        }
        char c = *p;
        if (is_digit(c)) {
            digits = 1;
            if (sep) {
                if (nf >= sizeof fp)
                    return fail(why, "слишком длинное число");
                fp[nf++] = c;
            } else {
                if (ni || c != '0') {            /* leading zeros dropped */
                    if (ni >= sizeof ip)
                        return fail(why, "слишком длинное число");
                    ip[ni++] = c;
                }
            }
            p++;
        } else if ((c == ',' || c == '.') && !sep) {
            sep = 1;
            p++;
        } else {
            return fail(why, "не число");
        }
    }
    if (!digits)
        return fail(why, "не число");
    if (max_frac >= 0)
        while ((int)nf > max_frac && fp[nf - 1] == '0')
            nf--;                                /* "1,500" fits two decimals */
    if (max_frac >= 0 && (int)nf > max_frac)
        return fail(why, max_frac == 0 ? "дробная часть не допускается" : "слишком много знаков после запятой");
    int zero = ni == 0;
    for (size_t i = 0; i < nf && zero; i++)
        zero = fp[i] == '0';
    if (zero)
        neg = 0;
    if (neg && !allow_negative)
        return fail(why, "отрицательное значение не допускается");
    size_t need = (size_t)neg + (ni ? ni : 1) + (nf ? nf + 1 : 0) + 1;
    if (need > n)
        return fail(why, "слишком длинное число");
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (ni) {
        memcpy(out + o, ip, ni);
        o += ni;
    } else {
        out[o++] = '0';
    }
    if (nf) {
        out[o++] = '.';
        memcpy(out + o, fp, nf);
        o += nf;
    }
    out[o] = '\0';
    return 0;
}

/* Rubles with at most two decimals → whole kopecks: "1 234,5" → "123450". */
int value_kopecks(const char *in, char *out, size_t n, const char **why)
{
    char tmp[160];
    const char *w = NULL;
    if (value_decimal(in, 2, 0, tmp, sizeof tmp, &w) < 0)
        return fail(why, w);
    char digits[170];
    const char *dot = strchr(tmp, '.');
    size_t ni = dot ? (size_t)(dot - tmp) : strlen(tmp), nf = dot ? strlen(dot + 1) : 0;
    snprintf(digits, sizeof digits, "%.*s%s%s", (int)ni, tmp, dot ? dot + 1 : "", nf == 0 ? "00" : nf == 1 ? "0" : "");
    const char *p = digits;
    while (p[0] == '0' && p[1])
        p++;                                     /* "0,05" → "5" */
    if (strlen(p) + 1 > n)
        return fail(why, "слишком длинное число");
    memcpy(out, p, strlen(p) + 1);
    return 0;
}

int value_integer(const char *in, char *out, size_t n, const char **why)
{
    char tmp[160];
    const char *w = NULL;
    if (value_decimal(in, -1, 1, tmp, sizeof tmp, &w) < 0)
        return fail(why, w);
    char *dot = strchr(tmp, '.');
    if (dot) {
        for (const char *q = dot + 1; *q; q++)
            if (*q != '0')
                return fail(why, "не целое число");
        *dot = '\0';
    }
    if (strlen(tmp) + 1 > n)
        return fail(why, "слишком длинное число");
    memcpy(out, tmp, strlen(tmp) + 1);
    return 0;
}

/* Reads 1..max digits; returns the count, 0 if none. */
static int read_num(const char **p, const char *end, int max, int *v)
{
    int k = 0;
    *v = 0;
    while (*p < end && k < max && is_digit(**p)) {
        *v = *v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    return k;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* A time of day after a date ("T12:30:00", " 12:30"): only digits, ':' and '.'. */
static int time_tail_ok(const char *p, const char *end)
{
    if (p == end)
        return 1;
    if (*p != 'T' && *p != ' ')
        return 0;
    p++;
    if (p == end || !is_digit(*p))
        return 0;
    for (; p < end; p++)
        if (!is_digit(*p) && *p != ':' && *p != '.' && *p != 'Z')
            return 0;
    return 1;
}

/* ДД.ММ.ГГГГ or ГГГГ-ММ-ДД (with an optional time after it). 0 / -1. */
static int parse_date(const char *in, int *y, int *m, int *d, const char **why)
{
    const char *p, *end;
    trim_range(in, &p, &end);
    if (p == end)
        return fail(why, "пустое значение");
    const char *s = p;
    int a, b, c;
    int na = read_num(&s, end, 4, &a);
    if (na == 4 && s < end && *s == '-') {
        s++;
        if (read_num(&s, end, 2, &b) != 2 || s >= end || *s != '-')
            return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
        s++;
        if (read_num(&s, end, 2, &c) != 2)
            return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
        *y = a; *m = b; *d = c;
    } else if (na >= 1 && na <= 2 && s < end && *s == '.') {
        s++;
        if (read_num(&s, end, 2, &b) < 1 || s >= end || *s != '.')
            return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
        s++;
        if (read_num(&s, end, 4, &c) != 4)
            return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
        *d = a; *m = b; *y = c;
    } else {
        const char *q = p;
        while (q < end && (is_digit(*q) || *q == '.' || *q == ','))
            q++;
        if (q == end)
            return fail(why, "число, а не дата (ячейка отформатирована как дата?)");
        return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
    }
    if (!time_tail_ok(s, end))
        return fail(why, "не дата (ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)");
    if (*y < 1800 || *y > 2199)
        return fail(why, "год вне допустимого диапазона");
    if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return fail(why, "такой даты нет в календаре");
    return 0;
}

int value_date(const char *in, char *out, size_t n, const char **why)
{
    int y, m, d;
    if (parse_date(in, &y, &m, &d, why) < 0)
        return -1;
    if (n < 11)
        return fail(why, "слишком длинное значение");
    snprintf(out, n, "%04d-%02d-%02d", y, m, d);
    return 0;
}

int value_period(const char *in, int *month, int *year, const char **why)
{
    const char *p, *end;
    trim_range(in, &p, &end);
    if (p == end)
        return fail(why, "пустое значение");
    const char *s = p;
    int a, b;
    int na = read_num(&s, end, 4, &a);
    int ok = 0;
    if (na >= 1 && na <= 2 && s < end && *s == '.') {           /* ММ.ГГГГ */
        s++;
        if (read_num(&s, end, 4, &b) == 4 && s == end) {
            *month = a;
            *year = b;
            ok = 1;
        }
    } else if (na == 4 && s < end && *s == '-') {                 /* ГГГГ-ММ */
        s++;
        if (read_num(&s, end, 2, &b) == 2 && s == end) {
            *year = a;
            *month = b;
            ok = 1;
        }
    }
    if (!ok) {
        /* A full date (e.g. an XLSX cell formatted as a date): its month. */
        int y, m, d;
        const char *ignored;
        if (parse_date(in, &y, &m, &d, &ignored) < 0)
            return fail(why, "не период (ожидается ММ.ГГГГ или ГГГГ-ММ)");
        *month = m;
        *year = y;
    }
    if (*month < 1 || *month > 12)
        return fail(why, "такого месяца нет");
    if (*year < 1800 || *year > 2199)
        return fail(why, "год вне допустимого диапазона");
    return 0;
}

int value_bool(const char *in, int *result, const char **why)
{
    static const char *const yes[] = { "да", "д", "1", "true", "y", "yes", "истина", NULL };
    static const char *const no[] = { "нет", "н", "0", "false", "n", "no", "ложь", NULL };
    char *v = header_normalize(in);        /* lowercase, trimmed, ё = е */
    int rc = -1;
    for (int i = 0; yes[i] && rc < 0; i++)
        if (!strcmp(v, yes[i])) {
            *result = 1;
            rc = 0;
        }
    for (int i = 0; no[i] && rc < 0; i++)
        if (!strcmp(v, no[i])) {
            *result = 0;
            rc = 0;
        }
    int empty = *v == '\0';
    free(v);
    if (rc < 0)
        return fail(why, empty ? "пустое значение" : "ожидается да или нет");
    return 0;
}

int value_guid(const char *in, char *out, size_t n, const char **why)
{
    const char *p, *end;
    trim_range(in, &p, &end);
    if (p == end)
        return fail(why, "пустое значение");
    char tmp[GUID_STRLEN + 3];
    size_t len = (size_t)(end - p);
    if (len >= sizeof tmp)
        return fail(why, "не идентификатор GUID");
    memcpy(tmp, p, len);
    tmp[len] = '\0';
    char g[GUID_STRLEN + 1];
    if (guid_normalize(tmp, g) < 0)
        return fail(why, "не идентификатор GUID");
    if (n < sizeof g)
        return fail(why, "слишком длинное значение");
    memcpy(out, g, sizeof g);
    return 0;
}

/* The official rule (Pension Fund, for numbers above 001-001-998): the
 * digits weighted 9..1 summed; below 100 the sum itself, 100 and 101 give
 * 00, above that the sum mod 101 (100 again → 00). */
static int snils_check_ok(const char d[11])
{
    long num = 0;
    int sum = 0;
    for (int i = 0; i < 9; i++) {
        num = num * 10 + (d[i] - '0');
        sum += (d[i] - '0') * (9 - i);
    }
    if (num <= 1001998)
        return 1;                    /* old numbers carry no checksum */
    int ctl = sum;
    if (ctl >= 100) {
        ctl %= 101;
        if (ctl == 100)
            ctl = 0;
    }
    return ctl == (d[9] - '0') * 10 + (d[10] - '0');
}

int value_snils(const char *in, char *out, size_t n, const char **why)
{
    const char *p, *end;
    trim_range(in, &p, &end);
    if (p == end)
        return fail(why, "пустое значение");
    char d[12];
    int k = 0;
    while (p < end) {
        size_t sp = utf8_space_at((const unsigned char *)p, (size_t)(end - p));
        if (sp) {
            p += sp;
        } else if (*p == '-') {
            p++;
        } else if (is_digit(*p)) {
            if (k >= 11)
                return fail(why, "не СНИЛС (нужно 11 цифр)");
            d[k++] = *p++;
        } else {
            return fail(why, "не СНИЛС (нужно 11 цифр)");
        }
    }
    if (k != 11)
        return fail(why, "не СНИЛС (нужно 11 цифр)");
    d[11] = '\0';
    if (!snils_check_ok(d))
        return fail(why, "неверная контрольная сумма СНИЛС");
    if (n < 12)
        return fail(why, "слишком длинное значение");
    memcpy(out, d, 12);
    return 0;
}
