/* sim_op_payment — importNotificationsOfOrderExecutionCancellation: each
 * NotificationOfOrderExecutionCancellation names, by OrderID, a payment
 * notification importNotificationsOfOrderExecution stored (sim_op_objects.c,
 * kind payment-notification).  An OrderID GIS never accepted is INT002000;
 * one already cancelled is refused too.  A cancellation is stored as an
 * object of its own (kind payment-cancellation, the same natural key), so
 * the notification stays and its OrderID cannot be sent again. */
#include "sim/sim_ops.h"

#include <stdio.h>
#include <string.h>

#include "base/guid.h"
#include "sim/sim_db.h"

static void cancel_one(struct sim_op_ctx *c, struct simx_results *r, xmlNodePtr n)
{
    char transport[64], order[64], guid[40], desc[300];
    simop_text(n, "TransportGUID", transport, sizeof transport);
    simop_text(n, "OrderID", order, sizeof order);
    if (sim_db_get(c->db, guid, sizeof guid,
                   "SELECT guid FROM objects WHERE kind='payment-notification' AND natural_key=?", order) != 1) {
        simx_result_error(r, transport, "INT002000", "Значение в поле OrderID отсутствует в реестре.");
        return;
    }
    if (sim_db_get(c->db, guid, sizeof guid,
                   "SELECT guid FROM objects WHERE kind='payment-cancellation' AND natural_key=?", order) == 1) {
        snprintf(desc, sizeof desc, "Извещение о принятии к исполнению распоряжения с OrderID %s уже аннулировано.",
                 order);
        simx_result_error(r, transport, "INT002006", desc);
        return;
    }
    char unique[24];
    guid_new(guid);
    snprintf(unique, sizeof unique, "%ld", simop_counter(c, "payment-cancellation"));
    sim_db_query(c->db, NULL, NULL, NULL,
                 "INSERT INTO objects(guid, kind, natural_key, version_guid, unique_number, update_date, element)"
                 " VALUES(?, 'payment-cancellation', ?, ?, ?, ?, 'NotificationOfOrderExecutionCancellation')",
                 guid, order, guid, unique, c->now);
    simx_result_ok(r, guid, transport, unique, c->now, NULL);
}

int sim_op_import_payment_cancellations(struct sim_op_ctx *c)
{
    struct simx_results r;
    simx_results_begin(&r, c->out, c->op->service);
    for (xmlNodePtr n = c->req->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, "NotificationOfOrderExecutionCancellation"))
            cancel_one(c, &r, n);
    simx_results_end(&r);
    if (!r.count)
        simx_error(c->out, "base:ErrorMessage", "INT002009",
                   "Поле TransportGUID является обязательным в данном контексте.");
    return 0;
}
