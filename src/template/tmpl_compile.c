/* tmpl_compile — turns a skeleton (request.xml, element.xml, side.xml) or a
 * key format string into a flat list of ops: literal text (already
 * escaped), variables, conditions, repeats and holes.  Whitespace-only
 * text between elements is dropped: packets are written compact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

#include "base/xalloc.h"
#include "base/xmlsafe.h"
#include "template/tmpl_internal.h"

void prog_free(struct prog *p)
{
    free(p->ops);
    sb_free(&p->text);
    memset(p, 0, sizeof *p);
}

static int emit(struct prog *p, int kind, int arg)
{
    ARRAY_GROW(p->ops, p->n, p->cap);
    struct op *o = &p->ops[p->n];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->arg = arg;
    return (int)p->n++;
}

/* Literal text: merged into the previous OP_TEXT when adjacent. */
static void emit_text(struct prog *p, const char *s, size_t n, int escape)
{
    if (!n)
        return;
    size_t off = p->text.len;
    if (escape)
        sb_add_xml(&p->text, s, n);
    else
        sb_add(&p->text, s, n);
    size_t len = p->text.len - off;
    if (p->n && p->n - 1 >= p->barrier && p->ops[p->n - 1].kind == OP_TEXT &&
        p->ops[p->n - 1].off + p->ops[p->n - 1].len == off) {
        p->ops[p->n - 1].len += len;
        return;
    }
    int i = emit(p, OP_TEXT, 0);
    p->ops[i].off = off;
    p->ops[i].len = len;
}

/* Text with {var} placeholders; {{ is a literal brace. */
int tmpl_compile_text(template *t, const char *s, struct prog *p, int escape, hcs_err *err)
{
    const char *lit = s;
    for (const char *c = s; *c;) {
        if (c[0] == '{' && c[1] == '{') {
            emit_text(p, lit, (size_t)(c - lit) + 1, escape);
            c += 2;
            lit = c;
            continue;
        }
        if (*c != '{') {
            c++;
            continue;
        }
        const char *end = strchr(c, '}');
        if (!end)
            return hcs_fail(err, HCS_EX_CONFIG, "unclosed { in \"%s\"", s);
        emit_text(p, lit, (size_t)(c - lit), escape);
        char name[128];
        size_t nl = (size_t)(end - c - 1);
        if (nl == 0 || nl >= sizeof name)
            return hcs_fail(err, HCS_EX_CONFIG, "bad placeholder in \"%s\"", s);
        memcpy(name, c + 1, nl);
        name[nl] = '\0';
        if (!strcmp(name, "t:guid") || !strcmp(name, "transport_guid"))
            emit(p, OP_TGUID, 0);
        else if (!strncmp(name, "t:guid:", 7) && name[7]) {
            /* a part's TransportGUID, derived from the element's, NAME and the row */
            int i = emit(p, OP_TGUID, 1);
            p->ops[i].off = p->text.len;
            p->ops[i].len = strlen(name + 7);
            sb_adds(&p->text, name + 7);
        }
        else if (!strcmp(name, "t:side"))
            emit(p, OP_SIDE, 0);
        else if (!strncmp(name, "t:part:", 7)) {
            size_t k = 0;
            while (k < t->nparts && strcmp(t->parts[k].kind, name + 7))
                k++;
            if (k == t->nparts)
                return hcs_fail(err, HCS_EX_CONFIG, "{%s}: no such part in [parts] of map.ini", name);
            emit(p, OP_PART, (int)k);
        }
        else if (!strcmp(name, "t:version")) {
            const char *v = t->op && t->op->version ? t->op->version : "";
            emit_text(p, v, strlen(v), escape);
        } else if (strchr(name, '|')) {
            /* {a|b|c}: the first non-empty of the variables */
            char *save = NULL;
            strbuf seen = STRBUF_INIT;
            for (char *alt = strtok_r(name, "|", &save); alt; alt = strtok_r(NULL, "|", &save)) {
                int v = template_var_index(t, alt);
                if (v < 0) {
                    sb_free(&seen);
                    return hcs_fail(err, HCS_EX_CONFIG, "unknown variable {%s}", alt);
                }
                sb_addf(&seen, "%s%s", seen.len ? "," : "", alt);
                /* condition: this one set, all before empty */
                strbuf expr = STRBUF_INIT;
                sb_adds(&expr, alt);
                const char *prev = sb_str(&seen);
                char *pcopy = xstrdup(prev), *ps = NULL;
                for (char *pv = strtok_r(pcopy, ",", &ps); pv; pv = strtok_r(NULL, ",", &ps))
                    if (strcmp(pv, alt))
                        sb_addf(&expr, ",!%s", pv);
                free(pcopy);
                int cond = tmpl_parse_cond(t, sb_str(&expr), err);
                sb_free(&expr);
                if (cond < 0) {
                    sb_free(&seen);
                    return -1;
                }
                int ifop = emit(p, OP_IF, cond);
                emit(p, OP_VAR, v);
                p->ops[ifop].jump = (int)p->n;
                p->barrier = p->n;
            }
            sb_free(&seen);
        } else {
            int v = template_var_index(t, name);
            if (v < 0)
                return hcs_fail(err, HCS_EX_CONFIG, "unknown variable {%s}", name);
            emit(p, OP_VAR, v);
        }
        c = end + 1;
        lit = c;
    }
    emit_text(p, lit, strlen(lit), escape);
    return 0;
}

struct cctx {
    template *t;
    struct prog *p;
    int is_request;
    int holes;
    xmlNsPtr request_ns;       /* namespaces declared on the request root (for element.xml) */
    const char *file;
};

static int is_t(xmlNsPtr ns)
{
    return ns && ns->href && !strcmp((const char *)ns->href, TEMPLATE_NS);
}

static void qname(strbuf *sb, xmlNsPtr ns, const xmlChar *name)
{
    if (ns && ns->prefix) {
        sb_adds(sb, (const char *)ns->prefix);
        sb_addc(sb, ':');
    }
    sb_adds(sb, (const char *)name);
}

static int compile_node(struct cctx *c, xmlNodePtr n, int root, hcs_err *err);

static int compile_children(struct cctx *c, xmlNodePtr n, hcs_err *err)
{
    for (xmlNodePtr ch = n->children; ch; ch = ch->next)
        if (compile_node(c, ch, 0, err) < 0)
            return -1;
    return 0;
}

static int compile_element(struct cctx *c, xmlNodePtr n, int root, hcs_err *err)
{
    strbuf sb = STRBUF_INIT;
    sb_addc(&sb, '<');
    qname(&sb, n->ns, n->name);
    emit_text(c->p, sb.buf, sb.len, 0);
    sb_reset(&sb);
    if (root && c->is_request) {
        for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
            if (is_t(ns))
                continue;
            sb_adds(&sb, " xmlns");
            if (ns->prefix) {
                sb_addc(&sb, ':');
                sb_adds(&sb, (const char *)ns->prefix);
            }
            sb_adds(&sb, "=\"");
            sb_add_xml(&sb, (const char *)ns->href, strlen((const char *)ns->href));
            sb_addc(&sb, '"');
        }
        emit_text(c->p, sb.buf, sb.len, 0);
        sb_reset(&sb);
    }
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (is_t(a->ns))
            continue;
        sb_addc(&sb, ' ');
        qname(&sb, a->ns, a->name);
        sb_adds(&sb, "=\"");
        emit_text(c->p, sb.buf, sb.len, 0);
        sb_reset(&sb);
        xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
        int rc = tmpl_compile_text(c->t, v ? (const char *)v : "", c->p, 1, err);
        xmlFree(v);
        if (rc < 0) {
            sb_free(&sb);
            return -1;
        }
        emit_text(c->p, "\"", 1, 0);
    }
    emit_text(c->p, ">", 1, 0);
    if (compile_children(c, n, err) < 0) {
        sb_free(&sb);
        return -1;
    }
    sb_adds(&sb, "</");
    qname(&sb, n->ns, n->name);
    sb_addc(&sb, '>');
    emit_text(c->p, sb.buf, sb.len, 0);
    sb_free(&sb);
    return 0;
}

static int compile_node(struct cctx *c, xmlNodePtr n, int root, hcs_err *err)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        const char *s = (const char *)n->content;
        if (strspn(s, " \t\r\n") == strlen(s))
            return 0;
        return tmpl_compile_text(c->t, s, c->p, 1, err);
    }
    if (n->type != XML_ELEMENT_NODE)
        return 0;
    /* namespace check: element.xml/side.xml prefixes must mean what request.xml says */
    if (!c->is_request && n->ns && !is_t(n->ns) && c->request_ns) {
        int ok = 0;
        for (xmlNsPtr r = c->request_ns; r; r = r->next)
            if (r->prefix && n->ns->prefix && !strcmp((const char *)r->prefix, (const char *)n->ns->prefix) &&
                !strcmp((const char *)r->href, (const char *)n->ns->href))
                ok = 1;
        if (!ok)
            return hcs_fail(err, HCS_EX_CONFIG,
                            "%s: prefix %s (%s) must be declared the same way on the request element in request.xml",
                            c->file, n->ns->prefix ? (const char *)n->ns->prefix : "(default)",
                            (const char *)n->ns->href);
    }
    xmlChar *if_expr = NULL, *each = NULL;
    int each_by[2] = { -1, -1 };    /* t:distinct, t:match */
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (is_t(a->ns)) {
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            int by = !strcmp((const char *)a->name, "distinct") ? 0 : !strcmp((const char *)a->name, "match") ? 1 : -1;
            if (!strcmp((const char *)a->name, "if"))
                if_expr = v;
            else if (!strcmp((const char *)a->name, "each"))
                each = v;
            else if (by >= 0) {
                each_by[by] = template_var_index(c->t, (const char *)v);
                int bad = each_by[by] < 0;
                xmlFree(v);
                if (bad)
                    return hcs_fail(err, HCS_EX_CONFIG, "%s:%d: t:%s names no variable", c->file, n->line,
                                    a->name);
            } else {
                xmlFree(v);
                return hcs_fail(err, HCS_EX_CONFIG, "%s:%d: unknown template attribute t:%s", c->file,
                                n->line, a->name);
            }
        }
    int rc = 0, if_op = -1, each_op = -1;
    if ((each_by[0] >= 0 || each_by[1] >= 0) && !each) {
        xmlFree(if_expr);
        return hcs_fail(err, HCS_EX_CONFIG, "%s:%d: t:distinct and t:match go with t:each", c->file, n->line);
    }
    if (each) {
        each_op = emit(c->p, OP_EACH, each_by[0]);
        c->p->ops[each_op].arg2 = each_by[1];
        xmlFree(each);
    }
    if (if_expr) {
        int cond = tmpl_parse_cond(c->t, (const char *)if_expr, err);
        xmlFree(if_expr);
        if (cond < 0)
            return hcs_err_wrap(err, "%s:%d", c->file, n->line);
        if_op = emit(c->p, OP_IF, cond);
    }
    if (is_t(n->ns)) {
        const char *nm = (const char *)n->name;
        if (!strcmp(nm, "elements") || !strcmp(nm, "side")) {
            if (!c->is_request)
                return hcs_fail(err, HCS_EX_CONFIG, "%s: t:%s belongs in request.xml", c->file, nm);
            emit(c->p, OP_HOLE, !strcmp(nm, "side") ? 0 : 1);
            c->holes++;
        } else if (!strcmp(nm, "block")) {
            rc = compile_children(c, n, err);
        } else {
            return hcs_fail(err, HCS_EX_CONFIG, "%s:%d: unknown template element t:%s", c->file, n->line, nm);
        }
    } else {
        rc = compile_element(c, n, root, err);
    }
    if (rc < 0)
        return -1;
    if (if_op >= 0)
        c->p->ops[if_op].jump = (int)c->p->n;
    if (each_op >= 0) {
        int e = emit(c->p, OP_ENDEACH, 0);
        c->p->ops[e].jump = each_op + 1;
        c->p->ops[each_op].jump = e + 1;
    }
    if (if_op >= 0 || each_op >= 0)
        c->p->barrier = c->p->n;     /* the next text starts a new op: it is a jump target */
    return 0;
}

/* The name(s) of the repeating element: the root of element.xml, or, when
 * the root is a <t:block>, each element child of it (a form whose rows are
 * different elements of one schema choice: add / recover / delete).  The
 * names are kept space-separated; all must share one namespace. */
static int element_names(template *t, xmlNodePtr root, const char *path, hcs_err *err)
{
    if (!is_t(root->ns)) {
        t->elem_name = xstrdup((const char *)root->name);
        t->elem_ns = xstrdup(root->ns ? (const char *)root->ns->href : "");
        return 0;
    }
    strbuf names = STRBUF_INIT;
    const char *ns = NULL;
    for (xmlNodePtr ch = root->children; ch; ch = ch->next) {
        if (ch->type != XML_ELEMENT_NODE)
            continue;
        const char *href = ch->ns ? (const char *)ch->ns->href : "";
        if (is_t(ch->ns) || (ns && strcmp(ns, href))) {
            sb_free(&names);
            return hcs_fail(err, HCS_EX_CONFIG, "%s:%d: the children of a t:block root must be "
                            "elements of one namespace", path, ch->line);
        }
        ns = href;
        sb_addf(&names, "%s%s", names.len ? " " : "", (const char *)ch->name);
    }
    if (!ns) {
        sb_free(&names);
        return hcs_fail(err, HCS_EX_CONFIG, "%s: the t:block root holds no element", path);
    }
    t->elem_name = sb_detach(&names, NULL);
    t->elem_ns = xstrdup(ns);
    return 0;
}

int tmpl_compile_xml(template *t, const char *path, struct prog *prog, int is_request,
                     hcs_err *err)
{
    xmlDocPtr doc = xmlReadFile(path, "UTF-8", xmlsafe_options());
    if (!doc)
        return hcs_fail(err, HCS_EX_CONFIG, "%s: not well-formed XML", path);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    struct cctx c = { .t = t, .p = prog, .is_request = is_request, .file = path };
    xmlDocPtr rdoc = NULL;
    if (!is_request) {
        char *rp = xasprintf("%s/request.xml", t->dir);
        rdoc = xmlReadFile(rp, "UTF-8", xmlsafe_options());
        free(rp);
        if (rdoc)
            c.request_ns = xmlDocGetRootElement(rdoc)->nsDef;
    }
    int rc = root ? compile_node(&c, root, 1, err) : hcs_fail(err, HCS_EX_CONFIG, "%s: empty", path);
    if (rc == 0 && !is_request && root && !t->elem_name && prog == &t->element)
        rc = element_names(t, root, path, err);
    if (rc == 0 && is_request) {
        int has_el = 0;
        for (size_t i = 0; i < prog->n; i++)
            if (prog->ops[i].kind == OP_HOLE && prog->ops[i].arg == 1)
                has_el = 1;
        if (!has_el)
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s: no <t:elements/> marker", path);
        if (rc == 0 && root && (!root->ns || !t->op->service ||
                                strcmp((const char *)root->ns->href, t->op->service->ns) ||
                                strcmp((const char *)root->name, t->op->request_element)))
            rc = hcs_fail(err, HCS_EX_CONFIG, "%s: the root must be %s in %s", path,
                          t->op->request_element, t->op->service->ns);
    }
    if (rdoc)
        xmlFreeDoc(rdoc);
    xmlFreeDoc(doc);
    return rc;
}
