/* hcs-sim — placeholder until the simulator issue lands. */
#include <stdio.h>

int main(void)
{
    fputs("hcs-sim: not implemented yet\n", stderr);
    return 70;
}
