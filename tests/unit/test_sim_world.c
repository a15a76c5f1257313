/* test_sim_world — the world loader: BOM, quoted fields, blank lines,
 * a file without its key column (named in the error), and the reload rule
 * (fixture rows replaced, rows an import created or changed kept). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/xalloc.h"
#include "sim/sim_db.h"

static char *dir;

static int setup(void **state) { (void)state; dir = tu_tmpdir(); return 0; }
static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf '%s'", dir);
    tu_run(cmd);
    free(cmd);
    free(dir);
    return 0;
}

static void put(const char *name, const char *text)
{
    char *p = xasprintf("%s/%s", dir, name);
    tu_write_str(p, text);
    free(p);
}

static int count(sqlite3 *db, const char *sql)
{
    char out[32];
    assert_int_equal(sim_db_get(db, out, sizeof out, sql), 1);
    return atoi(out);
}

static void test_load_and_reload(void **state)
{
    (void)state;
    char *cmd = xasprintf("mkdir -p '%s/nsi'", dir);
    tu_run(cmd);
    free(cmd);
    put("houses.csv", "\xEF\xBB\xBF" "fias_house_guid;address;house_type;unique_number\n"
        "AAAAAAAA-0000-4000-8000-000000000001;\"ул. Мира; д. 1\";apartment;H1\n"
        "\n"
        "aaaaaaaa-0000-4000-8000-000000000002;ул. Мира, д. 2;living;H2\n");
    put("accounts.csv", "account_guid;account_number;extra_column\n"
        "bbbbbbbb-0000-4000-8000-000000000001;A-1;ignored\n");
    put("nsi/2.csv", "code;guid;name\n1;cccccccc-0000-4000-8000-000000000001;Холодная вода\n");
    hcs_err err = { 0 };
    char *state_dir = xasprintf("%s/state", dir);
    sqlite3 *db = sim_db_open(state_dir, &err);
    assert_non_null(db);
    assert_int_equal(sim_db_load_world(db, dir, &err), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM houses"), 2);
    char addr[128];
    /* GUIDs compare without case; the BOM is not part of the first column name. */
    assert_int_equal(sim_db_get(db, addr, sizeof addr, "SELECT address FROM houses WHERE fias_house_guid=?",
                                "aaaaaaaa-0000-4000-8000-000000000001"), 1);
    assert_string_equal(addr, "ул. Мира; д. 1");
    assert_int_equal(count(db, "SELECT count(*) FROM nsi WHERE registry='2' AND code='1'"), 1);

    /* An import changes one account and creates another. */
    sim_db_query(db, NULL, NULL, &err, "UPDATE accounts SET account_number='A-1-new', origin='state'");
    sim_db_query(db, NULL, NULL, &err, "INSERT INTO accounts(account_guid, account_number, origin)"
                 " VALUES('bbbbbbbb-0000-4000-8000-000000000009', 'A-9', 'state')");
    /* The fixture changes: house 2 gone, account 1 edited in the file. */
    put("houses.csv", "fias_house_guid;address;house_type;unique_number\n"
        "aaaaaaaa-0000-4000-8000-000000000001;ул. Мира, д. 1;apartment;H1\n");
    put("accounts.csv", "account_guid;account_number\nbbbbbbbb-0000-4000-8000-000000000001;A-1-file\n");
    assert_int_equal(sim_db_load_world(db, dir, &err), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM houses"), 1);
    char num[32];
    sim_db_get(db, num, sizeof num, "SELECT account_number FROM accounts WHERE account_guid=?",
               "bbbbbbbb-0000-4000-8000-000000000001");
    assert_string_equal(num, "A-1-new");     /* the imported change wins */
    assert_int_equal(count(db, "SELECT count(*) FROM accounts"), 2);

    /* A file without its key column is refused, naming the file and column. */
    put("meters.csv", "serial_number;kind\nX;onerate\n");
    assert_int_equal(sim_db_load_world(db, dir, &err), -1);
    assert_non_null(strstr(err.msg, "meters.csv"));
    assert_non_null(strstr(err.msg, "root_guid"));
    assert_int_equal(count(db, "SELECT count(*) FROM houses"), 1);   /* rolled back, not emptied */
    sim_db_close(db);
    free(state_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_load_and_reload) };
    return cmocka_run_group_tests(tests, setup, teardown);
}
