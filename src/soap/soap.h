/* soap — the SOAP side of GIS's asynchronous API, as text and trees.
 * Owns: envelopes and their headers (envelope.h: RequestHeader or
 * ISRequestHeader, the body element with Id="signed-data-container",
 * getState requests, the refresh of Date and MessageGUID before a send),
 * what GIS answers (result.h: AckRequest, SOAP Faults, getStateResult with
 * per-object results), and the export requests and answers that fill the
 * registry (export_request.h, export_parse.h).  Everything parsed here
 * came from the network: it goes through base/xmlsafe.
 * May call: base/ proto/. */
#ifndef HCS_SOAP_H
#define HCS_SOAP_H

#include "soap/envelope.h"
#include "soap/export_parse.h"
#include "soap/export_request.h"
#include "soap/result.h"

#endif
