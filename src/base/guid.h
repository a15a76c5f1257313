/* guid — random (version 4) GUIDs as GIS writes them: lowercase, 36 chars. */
#ifndef HCS_GUID_H
#define HCS_GUID_H

#define GUID_STRLEN 36

void guid_new(char out[GUID_STRLEN + 1]);
/* Accepts any letter case, with or without braces; writes the canonical
 * lowercase form. Returns 0, or -1 when `in` is not a GUID. */
int guid_normalize(const char *in, char out[GUID_STRLEN + 1]);
/* A GUID fixed by (base, name, n): SHA-256 of the three, shaped as a
 * version 4 GUID.  Templates derive the TransportGUIDs of an element's
 * parts from the element's own ({t:guid:NAME}), so a part and a reference
 * to it (a supply contract's ContractSubject and PairKey) agree. */
void guid_derive(const char *base, const char *name, unsigned long n, char out[GUID_STRLEN + 1]);

#endif
