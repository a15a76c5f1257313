/* value_ids — the registration numbers of organisations and banks: ИНН,
 * ОГРН / ОГРНИП, БИК and the 20-digit account number with its control key.
 * Each carries a check digit, so a mistyped number is caught here, on the
 * row that has it, rather than by GIS after the whole packet is sent. */
#include "template/value.h"

#include <string.h>

#include "base/utf8.h"

/* What one kind of number is called in its rejects. */
struct id_kind {
    size_t len1, len2;         /* the accepted lengths (len2 = len1 when one) */
    const char *not_digits;    /* a letter or another sign in the number */
    const char *bad_length;
};

static const struct id_kind INN = { 10, 12, "в ИНН допустимы только цифры", "не ИНН (нужно 10 или 12 цифр)" };
static const struct id_kind OGRN = { 13, 15, "в ОГРН допустимы только цифры",
                                     "не ОГРН (нужно 13 цифр, у ОГРНИП 15)" };
static const struct id_kind BIK = { 9, 9, "в БИК допустимы только цифры", "не БИК (нужно 9 цифр)" };
static const struct id_kind ACCOUNT = { 20, 20, "в номере счёта допустимы только цифры",
                                        "не номер счёта (нужно 20 цифр)" };

static int fail(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -1;
}

/* The digits of in, written as people do ("7707 083893", "40702-810-…",
 * NBSP from a spreadsheet): spaces and dashes between digits are dropped.
 * d gets at most cap digits + NUL; the count is returned, -1 on any other
 * sign, cap + 1 when there are more digits than that. */
static int collect_digits(const char *in, char *d, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t left = strlen(in), k = 0;
    while (left) {
        size_t sp = utf8_space_at(p, left);
        size_t step = sp ? sp : 1;
        if (!sp && *p >= '0' && *p <= '9') {
            if (k == cap)
                return (int)cap + 1;
            d[k++] = (char)*p;
        } else if (!sp && *p != '-') {
            return -1;
        }
        p += step;
        left -= step;
    }
    d[k] = '\0';
    return (int)k;
}

/* The number's digits checked for kind's alphabet and lengths; 0 / -1. */
static int read_id(const char *in, const struct id_kind *kind, char d[21], size_t *len,
                   const char **why)
{
    int k = collect_digits(in, d, 20);
    if (k < 0)
        return fail(why, kind->not_digits);
    if ((size_t)k != kind->len1 && (size_t)k != kind->len2)
        return fail(why, kind->bad_length);
    *len = (size_t)k;
    return 0;
}

static int put(const char *d, size_t len, char *out, size_t n, const char **why)
{
    if (n < len + 1)
        return fail(why, "слишком длинное значение");
    memcpy(out, d, len + 1);
    return 0;
}

/* ФНС rule: digit p (the 10th of an organisation's ИНН, the 11th and 12th
 * of a person's) is the weighted sum of the digits before it mod 11, then
 * mod 10 (a remainder of 10 gives 0).  The weights of the three control
 * digits are one list shifted: 3 7 2 4 10 3 5 9 4 6 8. */
static int inn_digit_ok(const char *d, int p)
{
    static const int w[11] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
    int sum = 0;
    for (int i = 0; i < p; i++)
        sum += (d[i] - '0') * w[11 - p + i];
    int inn_ctl = sum % 11 % 10;
    return inn_ctl == d[p] - '0';
}

int value_inn(const char *in, char *out, size_t n, const char **why)
{
    char d[21];
    size_t len;
    if (read_id(in, &INN, d, &len, why) < 0)
        return -1;
    int ok = len == 10 ? inn_digit_ok(d, 9) : inn_digit_ok(d, 10) && inn_digit_ok(d, 11);
    if (!ok)
        return fail(why, "неверное контрольное число ИНН");
    return put(d, len, out, n, why);
}

/* ОГРН: the first 12 digits as a number mod 11, then mod 10, is the 13th;
 * ОГРНИП: the first 14 mod 13, then mod 10, is the 15th. */
int value_ogrn(const char *in, char *out, size_t n, const char **why)
{
    char d[21];
    size_t len;
    if (read_id(in, &OGRN, d, &len, why) < 0)
        return -1;
    int modulus = len == 13 ? 11 : 13;
    int rest = 0;
    for (size_t i = 0; i + 1 < len; i++)
        rest = (rest * 10 + (d[i] - '0')) % modulus;
    int ogrn_ctl = rest % 10;
    if (ogrn_ctl != d[len - 1] - '0')
        return fail(why, len == 13 ? "неверное контрольное число ОГРН" : "неверное контрольное число ОГРНИП");
    return put(d, len, out, n, why);
}

int value_bik(const char *in, char *out, size_t n, const char **why)
{
    char d[21];
    size_t len;
    if (read_id(in, &BIK, d, &len, why) < 0)
        return -1;
    if (d[0] != '0' || d[1] != '4')
        return fail(why, "БИК банка в России начинается с 04");
    return put(d, len, out, n, why);
}

int value_account(const char *in, char *out, size_t n, const char **why)
{
    char d[21];
    size_t len;
    if (read_id(in, &ACCOUNT, d, &len, why) < 0)
        return -1;
    return put(d, len, out, n, why);
}

/* Bank of Russia, «Порядок расчета контрольного ключа в номере лицевого
 * счета» (08.09.1997 N 515): the 9th digit of an account is a key over 23
 * digits — the conditional number of the bank, then the account — weighted
 * 7 1 3 repeating; the account is right when the sum ends in 0.  The
 * conditional number is BIK digits 7–9 for a credit institution, and "0" +
 * BIK digits 5–6 for an account at a cash settlement centre (РКЦ) of the
 * Bank of Russia, whose BIK ends in 000 (the order's examples: БИК
 * 049805746 → 746, БИК 040305000 → 005). */
int value_account_matches_bik(const char *account, const char *bik)
{
    if (strlen(account) != 20 || strlen(bik) != 9)
        return 0;
    char s[23];
    int rkc = !strcmp(bik + 6, "000");
    if (rkc) {
        s[0] = '0';
        s[1] = bik[4];
        s[2] = bik[5];
    } else {
        memcpy(s, bik + 6, 3);
    }
    memcpy(s + 3, account, 20);
    static const int w[3] = { 7, 1, 3 };
    int sum = 0;
    for (int i = 0; i < 23; i++)
        sum += (s[i] - '0') * w[i % 3];
    return sum % 10 == 0;
}
