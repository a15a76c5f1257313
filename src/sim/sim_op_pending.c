/* Operations not modelled yet: imports accepted, exports empty. */
#include "sim/sim_ops.h"

int sim_op_import_meter_values(struct sim_op_ctx *c) { return sim_op_import_generic(c); }
int sim_op_export_meter_history(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_import_meter_data(struct sim_op_ctx *c) { return sim_op_import_generic(c); }
int sim_op_export_meter_data(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_import_payment_docs(struct sim_op_ctx *c) { return sim_op_import_generic(c); }
int sim_op_export_payment_docs(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_export_house(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_export_nsi_item(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_export_nsi_list(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_export_org_registry(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
int sim_op_export_data_provider(struct sim_op_ctx *c) { simop_nothing_to_export(c); return 0; }
