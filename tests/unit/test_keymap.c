/* Unit tests for src/packet/keymap: the hash of group keys, the exact
 * last-row map (growth, updates, misses) and the Bloom filter of seen runs
 * (no false negatives, few false positives). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "packet/keymap.h"

static void test_hash(void **state)
{
    (void)state;
    assert_int_not_equal(key_hash("001\x1f", 4), key_hash("002\x1f", 4));
    assert_int_equal(key_hash("abc", 3), key_hash("abc", 3));
    assert_int_not_equal(key_hash("", 0), 0);        /* 0 means "no key" */
}

static void test_lastrow(void **state)
{
    (void)state;
    struct lastrow_map m = { 0 };
    uint32_t v = 0;
    assert_int_equal(lastrow_get(&m, 42, &v), 0);
    for (uint32_t i = 1; i <= 50000; i++)
        lastrow_put(&m, key_hash((char *)&i, sizeof i), i);
    lastrow_put(&m, key_hash("x", 1), 7);
    lastrow_put(&m, key_hash("x", 1), 9);            /* a later row of the same key */
    assert_int_equal(lastrow_get(&m, key_hash("x", 1), &v), 1);
    assert_int_equal(v, 9);
    for (uint32_t i = 1; i <= 50000; i += 997) {
        assert_int_equal(lastrow_get(&m, key_hash((char *)&i, sizeof i), &v), 1);
        assert_int_equal(v, i);
    }
    assert_int_equal(lastrow_get(&m, key_hash("absent", 6), &v), 0);
    assert_int_equal(m.n, 50001);
    lastrow_free(&m);
}

static void test_bloom(void **state)
{
    (void)state;
    struct bloom b = { 0 };
    char k[32];
    for (int i = 0; i < 200000; i++) {
        snprintf(k, sizeof k, "%010d", i);
        (void)bloom_test_add(&b, key_hash(k, strlen(k)));
    }
    for (int i = 0; i < 200000; i += 7) {
        snprintf(k, sizeof k, "%010d", i);
        assert_int_equal(bloom_test_add(&b, key_hash(k, strlen(k))), 1);   /* never forgets */
    }
    int fp = 0;
    for (int i = 200000; i < 300000; i++) {
        snprintf(k, sizeof k, "%010d", i);
        fp += bloom_test_add(&b, key_hash(k, strlen(k)));
    }
    assert_true(fp < 100);        /* ~0.01 % expected at this load */
    bloom_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_lastrow),
        cmocka_unit_test(test_bloom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
