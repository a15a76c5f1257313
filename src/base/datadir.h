/* datadir — where an installed hcsbatch finds its read-only data
 * (templates, accountant hints, the НСИ fallback dictionaries, and the
 * place the official schema package is expected) when the configured
 * relative path does not exist, i.e. when it runs outside the source tree.
 *
 * Candidates, first existing wins: HCS_DATADIR, compiled in from the
 * Makefile's PREFIX (/usr/local/share/hcsbatch by default), then
 * <directory of the executable>/../share/hcsbatch, so a tree installed
 * under a DESTDIR or moved elsewhere works too. */
#ifndef HCS_DATADIR_H
#define HCS_DATADIR_H

/* The installed path of rel (e.g. "templates") that exists, or NULL;
 * caller frees. */
char *datadir_find(const char *rel);

#endif
