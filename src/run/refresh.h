/* refresh — GIS answers that mean the registry is stale: INT002000 and
 * INT002034 (a referenced object GIS does not know, or no longer under
 * that GUID) and INT002006 (the object already exists).  Each element so
 * refused gets one refresh, never more, in two steps kept in the store
 * (store.h "registry refreshes") before their side effects:
 *   1. its rows are converted once more, dry, to see which registry keys
 *      they use; the exports that fill those keys (exportHouseData for the
 *      premises of a house, exportMeteringDeviceData, exportAccountData,
 *      exportOrgRegistry; for INT002006 also the export of the object's own
 *      kind) are stored as packets with the refresh ("exporting"), in one
 *      transaction;
 *   2. once those exports are answered: an INT002006 object the refreshed
 *      registry now knows under the element's key is reconciled (the
 *      element accepted with that GUID, nothing sent again: a resent
 *      MessageGUID GIS processed twice ends here); the other elements'
 *      rows are converted again through the refreshed registry into new
 *      packets (intake_retake_rows), the old elements superseded, the
 *      refresh "retried", in one transaction.  Their answer is final: the
 *      retry's elements carry a note and are never refreshed again.
 * The report shows the note in the row's «Причина или примечание».  Owned by src/run/. */
#ifndef HCS_REFRESH_H
#define HCS_REFRESH_H

#include "base/err.h"

struct run_state;

/* What a refresh replaced in this run: first answers that are not the
 * outcome any more (the run's exit code leaves them out). */
struct refresh_count {
    long elements;               /* errors a retry or reconciliation replaced */
    long packets;                /* packets with warnings left without an error */
};
/* 1 when a step is due: an element to plan (step 1) or a refresh whose
 * exports are answered (step 2); 0 when not, -1 on error.  An idle-looking
 * run still has this to do after a crash between GIS's answer and step 1. */
int run_refresh_waiting(struct run_state *b, hcs_err *err);
/* Both steps for everything due. */
int run_refresh(struct run_state *b, struct refresh_count *replaced, hcs_err *err);

#endif
