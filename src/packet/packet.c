/* packet — freeing (see packet.h). */
#include "packet/packet.h"

#include <stdlib.h>

void packet_free(struct packet *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nelements; i++) {
        free(p->elements[i].local_key);
        free(p->elements[i].label);
        free(p->elements[i].rows);
    }
    free(p->elements);
    free(p->template_name);
    free(p->source_file);
    free(p->split_value);
    free(p->text);
    if (p->doc)
        xmlFreeDoc(p->doc);
    free(p);
}
