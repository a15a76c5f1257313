/* proto — the GIS protocol facts that the client and the simulator must
 * agree on, in one place both include:
 *
 *   operations.h  every async operation: service, endpoint, SOAPAction,
 *                 request element, base:version, header kind, ELEMENT_LIMIT
 *   schema.h      validation against the official XSD package
 *   fs_proto.h    the file store's limits, extensions, headers, Content-MD5
 *
 * May call: base/.  The simulator (src/sim/) includes base/, proto/
 * and sign/ (the XAdES signer and verifier GIS itself would run: it is
 * cross-checked against a signature made by the real GIS server), never
 * another client stage. */
#ifndef HCS_PROTO_H
#define HCS_PROTO_H

#include "proto/fs_proto.h"
#include "proto/operations.h"
#include "proto/schema.h"

#endif
