/* packet — freeing (see packet.h). */
#include "packet/packet.h"

#include <stdlib.h>

void packet_element_clear(struct packet_element *e)
{
    free(e->local_key);
    free(e->label);
    free(e->rows);
    for (size_t i = 0; i < e->nparts; i++) {
        free(e->parts[i].kind);
        free(e->parts[i].local_key);
        free(e->parts[i].label);
    }
    free(e->parts);
}

void packet_free(struct packet *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nelements; i++)
        packet_element_clear(&p->elements[i]);
    free(p->elements);
    free(p->template_name);
    free(p->source_file);
    free(p->split_value);
    free(p->text);
    if (p->doc)
        xmlFreeDoc(p->doc);
    free(p);
}
