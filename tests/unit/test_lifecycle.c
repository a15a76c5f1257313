/* Unit tests for the packet lifecycle (src/exchange/lifecycle.h): every
 * (state, event) pair of the transition table, allowed or refused, the
 * stored names, the report labels and the state groups.  The expected
 * table is spelled out here on its own, so changing a row of the real one
 * fails this test. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "exchange/lifecycle.h"
#include "store/store.h"

#define B(s) (1u << (s))
#define NONE PKT_STATE_COUNT

/* expected[event] = { states it is allowed from, state it leads to (NONE: unchanged) } */
static const struct {
    enum packet_event ev;
    const char *name;
    unsigned from;
    enum packet_state to;
} expected[PEV_EVENT_COUNT] = {
    { PEV_PREPARE, "prepare", B(PKT_CREATED), PKT_PREPARED },
    { PEV_SEND, "send", B(PKT_PREPARED) | B(PKT_DEFERRED), NONE },
    { PEV_ACK, "ack", B(PKT_PREPARED) | B(PKT_DEFERRED), PKT_SENT },
    { PEV_POLL, "poll", B(PKT_SENT) | B(PKT_PROCESSING), PKT_PROCESSING },
    { PEV_REBUILD, "rebuild", B(PKT_PREPARED) | B(PKT_DEFERRED) | B(PKT_SENT) | B(PKT_PROCESSING), PKT_PREPARED },
    { PEV_DONE, "finish-done", B(PKT_PREPARED) | B(PKT_DEFERRED) | B(PKT_SENT) | B(PKT_PROCESSING), PKT_DONE },
    { PEV_WARNINGS, "finish-warnings", B(PKT_SENT) | B(PKT_PROCESSING), PKT_WARNINGS },
    { PEV_FAIL, "fail", B(PKT_PREPARED) | B(PKT_DEFERRED) | B(PKT_SENT) | B(PKT_PROCESSING), PKT_FAILED },
    { PEV_DEFER, "defer", B(PKT_PREPARED) | B(PKT_DEFERRED), PKT_DEFERRED },
    { PEV_RETRY, "retry", B(PKT_FAILED) | B(PKT_DEFERRED) | B(PKT_WARNINGS), PKT_PREPARED },
    { PEV_CANCEL, "cancel", B(PKT_CREATED) | B(PKT_PREPARED) | B(PKT_DEFERRED), PKT_CANCELLED },
};

/* What existing databases hold; never to change. */
static const char *const stored[PKT_STATE_COUNT] = {
    "created", "prepared", "sent", "processing", "done", "done-with-warnings", "failed", "deferred", "cancelled",
};

static void test_names_and_labels(void **state)
{
    (void)state;
    static const char *const ru[PKT_STATE_COUNT] = {
        "создан", "подготовлен", "отправлен", "обрабатывается в ГИС", "обработан",
        "обработан с ошибками", "сбой", "отложен", "отменён",
    };
    for (int s = 0; s < PKT_STATE_COUNT; s++) {
        assert_string_equal(lifecycle_state_name((enum packet_state)s), stored[s]);
        assert_string_equal(lifecycle_state_label_ru((enum packet_state)s), ru[s]);
        const char *m = lifecycle_state_meaning((enum packet_state)s);
        assert_true(m && *m && !strchr(m, '\n'));
        enum packet_state back = NONE;
        assert_int_equal(lifecycle_state_parse(stored[s], &back), 0);
        assert_int_equal(back, s);
        assert_string_equal(packet_states_all[s], stored[s]);
    }
    assert_null(packet_states_all[PKT_STATE_COUNT]);
    enum packet_state x;
    assert_int_equal(lifecycle_state_parse("acknowledged", &x), -1);
    assert_int_equal(lifecycle_state_parse(NULL, &x), -1);
    assert_int_equal(lifecycle_state_parse("Done", &x), -1);
    assert_string_equal(PS_WARNINGS, "done-with-warnings");
    assert_string_equal(PS_SENT, "sent");
}

/* Every (state, event) pair, by value and through lifecycle_apply. */
static void test_transition_table(void **state)
{
    (void)state;
    for (int e = 0; e < PEV_EVENT_COUNT; e++) {
        assert_int_equal(expected[e].ev, e);
        assert_int_equal(lifecycle_table[e].event, e);
        assert_string_equal(lifecycle_event_name((enum packet_event)e), expected[e].name);
        for (int s = 0; s < PKT_STATE_COUNT; s++) {
            int allowed = (expected[e].from & B(s)) != 0;
            enum packet_state want = expected[e].to == NONE ? (enum packet_state)s : expected[e].to;
            enum packet_state to = NONE;
            int rc = lifecycle_next((enum packet_state)s, (enum packet_event)e, &to);
            if (rc != (allowed ? 0 : -1))
                fail_msg("event %s from %s: %s, expected %s", expected[e].name, stored[s],
                         rc == 0 ? "allowed" : "refused", allowed ? "allowed" : "refused");
            if (allowed)
                assert_int_equal(to, want);
            assert_int_equal(lifecycle_allows(stored[s], (enum packet_event)e), allowed);

            struct store_packet p = { 0 };
            p.id = 7;
            p.state = xstrdup(stored[s]);
            hcs_err err = { 0 };
            assert_int_equal(lifecycle_check(&p, (enum packet_event)e, &err), allowed ? 0 : -1);
            rc = lifecycle_apply(&p, (enum packet_event)e, &err);
            if (allowed) {
                assert_int_equal(rc, 0);
                assert_string_equal(p.state, stored[want]);
            } else {
                assert_int_equal(rc, -1);
                assert_int_equal(err.code, HCS_EX_SOFTWARE);
                assert_non_null(strstr(err.msg, expected[e].name));
                assert_non_null(strstr(err.msg, stored[s]));
                assert_string_equal(p.state, stored[s]);      /* left as it was */
            }
            free(p.state);
        }
    }
}

static void test_unknown_state_refused(void **state)
{
    (void)state;
    struct store_packet p = { 0 };
    p.state = xstrdup("acknowledged");
    hcs_err err = { 0 };
    for (int e = 0; e < PEV_EVENT_COUNT; e++) {
        assert_int_equal(lifecycle_apply(&p, (enum packet_event)e, &err), -1);
        assert_int_equal(err.code, HCS_EX_SOFTWARE);
        assert_false(lifecycle_allows("acknowledged", (enum packet_event)e));
    }
    assert_string_equal(p.state, "acknowledged");
    free(p.state);
    enum packet_state to;
    assert_int_equal(lifecycle_next(PKT_STATE_COUNT, PEV_SEND, &to), -1);
    assert_int_equal(lifecycle_next(PKT_PREPARED, PEV_EVENT_COUNT, &to), -1);
}

static void test_set_error(void **state)
{
    (void)state;
    struct store_packet p = { 0 };
    lifecycle_set_error(&p, "INT002029", "Регламентные работы");
    assert_string_equal(p.error_code, "INT002029");
    assert_string_equal(p.error_text, "Регламентные работы");
    lifecycle_set_error(&p, p.error_code, NULL);       /* its own string again */
    assert_string_equal(p.error_code, "INT002029");
    assert_null(p.error_text);
    lifecycle_set_error(&p, NULL, NULL);
    assert_null(p.error_code);
    assert_null(p.error_text);
}

static unsigned group_bits(enum packet_group g)
{
    unsigned bits = 0;
    for (const char *const *n = lifecycle_group_states(g); *n; n++) {
        enum packet_state s;
        assert_int_equal(lifecycle_state_parse(*n, &s), 0);
        assert_false(bits & B(s));                     /* listed once */
        bits |= B(s);
    }
    for (int s = 0; s < PKT_STATE_COUNT; s++)
        assert_int_equal(lifecycle_in_group((enum packet_state)s, g), (bits & B(s)) != 0);
    return bits;
}

static void test_groups(void **state)
{
    (void)state;
    assert_int_equal(group_bits(PGROUP_PENDING), B(PKT_PREPARED) | B(PKT_SENT) | B(PKT_PROCESSING) | B(PKT_DEFERRED));
    assert_int_equal(group_bits(PGROUP_TO_SEND), B(PKT_PREPARED) | B(PKT_DEFERRED));
    assert_int_equal(group_bits(PGROUP_TO_POLL), B(PKT_SENT) | B(PKT_PROCESSING));
    assert_int_equal(group_bits(PGROUP_FINAL), B(PKT_DONE) | B(PKT_WARNINGS) | B(PKT_FAILED) | B(PKT_CANCELLED));
    assert_ptr_equal(lifecycle_group_states(PGROUP_PENDING), packet_states_pending);
    assert_ptr_equal(lifecycle_group_states(PGROUP_TO_SEND), packet_states_to_send);
    assert_ptr_equal(lifecycle_group_states(PGROUP_TO_POLL), packet_states_to_poll);
    assert_ptr_equal(lifecycle_group_states(PGROUP_FINAL), packet_states_final);
    assert_null(lifecycle_group_states(PGROUP_COUNT));

    /* The groups agree with the table: a send starts only from "to send",
     * a getState only from "to poll", and nothing but an operator retry
     * leaves a final state. */
    for (int s = 0; s < PKT_STATE_COUNT; s++) {
        enum packet_state st = (enum packet_state)s;
        assert_int_equal(lifecycle_allows(stored[s], PEV_SEND), lifecycle_in_group(st, PGROUP_TO_SEND));
        assert_int_equal(lifecycle_allows(stored[s], PEV_POLL), lifecycle_in_group(st, PGROUP_TO_POLL));
        if (!lifecycle_in_group(st, PGROUP_FINAL))
            continue;
        for (int e = 0; e < PEV_EVENT_COUNT; e++)
            assert_int_equal(lifecycle_allows(stored[s], (enum packet_event)e),
                             e == PEV_RETRY && (st == PKT_FAILED || st == PKT_WARNINGS));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_labels),
        cmocka_unit_test(test_transition_table),
        cmocka_unit_test(test_unknown_state_refused),
        cmocka_unit_test(test_set_error),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
