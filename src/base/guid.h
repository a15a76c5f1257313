/* guid — random (version 4) GUIDs as GIS writes them: lowercase, 36 chars. */
#ifndef HCS_GUID_H
#define HCS_GUID_H

#define GUID_STRLEN 36

void guid_new(char out[GUID_STRLEN + 1]);
/* Accepts any letter case, with or without braces; writes the canonical
 * lowercase form. Returns 0, or -1 when `in` is not a GUID. */
int guid_normalize(const char *in, char out[GUID_STRLEN + 1]);

#endif
