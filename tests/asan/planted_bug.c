/* planted_bug — a program with one deliberate bug, built only in the
 * check-asan tree: `planted_bug heap` reads one byte past a heap block,
 * `planted_bug signed` overflows an int.  tests/asan/sanitizers_on.sh
 * requires ASan and UBSan to stop it; a clean exit means the sanitizer
 * flags were lost and the "sanitized" unit test run proved nothing. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    /* volatile: the compiler must neither see the bug nor fold it away */
    volatile size_t past_end = 16;
    volatile int big = INT_MAX;
    if (argc == 2 && !strcmp(argv[1], "heap")) {
        /* volatile pointer: UBSan cannot size the block, so ASan is the
         * one that must catch the read */
        char *volatile block = malloc(16);
        if (!block)
            return 2;
        memset(block, 'x', 16);
        int c = block[past_end];
        free(block);
        printf("read past the block: %d\n", c);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "signed")) {
        int sum = big + 1;
        printf("INT_MAX + 1 = %d\n", sum);
        return 0;
    }
    fprintf(stderr, "usage: planted_bug heap|signed\n");
    return 2;
}
