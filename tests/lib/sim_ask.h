/* sim_ask — one export through the in-process simulator for tests: the
 * request element wrapped by soap/envelope, posted (the simulator opened
 * with skip_signature), getState asked until processed, the answer parsed
 * by soap/result.  Failures end the test (cmocka). */
#ifndef HCS_SIM_ASK_H
#define HCS_SIM_ASK_H

#include "sim/sim.h"
#include "soap/result.h"

/* org: the orgPPAGUID of RequestHeader operations (the world's provider). */
void sim_ask(sim *s, const char *org, const char *operation, const char *body,
             struct gis_state_result *res);

#endif
