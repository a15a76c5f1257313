/* value — parsing of cell values as INPUT-FORMATS.md defines them.
 * Each parser writes the schema's lexical form into out (NUL-terminated)
 * and returns 0, or returns -1 with a short Russian reason in *why (it reaches the
 * accountants' report and errors.csv as it is).
 * Owned by src/template/. */
#ifndef HCS_VALUE_H
#define HCS_VALUE_H

#include <stddef.h>

/* "1 234,50" / "1234.5" / "1 234" (NBSP too) → "1234.50"; max_frac < 0: no limit. */
int value_decimal(const char *in, int max_frac, int allow_negative, char *out, size_t n,
                  const char **why);
/* Rubles, at most 2 decimals, not negative ("1 234,50") → kopecks ("123450"). */
int value_kopecks(const char *in, char *out, size_t n, const char **why);
int value_integer(const char *in, char *out, size_t n, const char **why);
/* ДД.ММ.ГГГГ | ГГГГ-ММ-ДД | already ISO from XLSX → "YYYY-MM-DD" (checked calendar date). */
int value_date(const char *in, char *out, size_t n, const char **why);
/* ММ.ГГГГ | ГГГГ-ММ → month (1..12) and year. */
int value_period(const char *in, int *month, int *year, const char **why);
/* да/нет, 1/0, true/false, y/n (any case) → 1/0. */
int value_bool(const char *in, int *result, const char **why);
/* Any case, optional braces → lowercase canonical GUID. */
int value_guid(const char *in, char *out, size_t n, const char **why);
/* 11 digits, separators (spaces, dashes) allowed in input → "12345678901". */
int value_snils(const char *in, char *out, size_t n, const char **why);

/* value_ids.c — registration numbers with check digits.  Spaces (NBSP too)
 * and dashes between the digits are allowed in input; out gets the digits. */
/* ИНН: 10 digits (organisation) or 12 (individual), ФНС control digits. */
int value_inn(const char *in, char *out, size_t n, const char **why);
/* ОГРН (13 digits) or ОГРНИП (15), its control digit. */
int value_ogrn(const char *in, char *out, size_t n, const char **why);
/* БИК: 9 digits starting with 04. */
int value_bik(const char *in, char *out, size_t n, const char **why);
/* A bank account number: 20 digits (its key needs the BIK, below). */
int value_account(const char *in, char *out, size_t n, const char **why);
/* 1 when the control key of account (20 digits) agrees with bik (9 digits). */
int value_account_matches_bik(const char *account, const char *bik);

#endif
