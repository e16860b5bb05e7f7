/* Reads the AMQP XML type schema with libxml2 into raw declarations.  Only
 * structure is checked here; meaning is checked in validate.c. */
#include "parse.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

static int error_count;

void report(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: error: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    error_count++;
}

int report_count(void) { return error_count; }

static const char *current_base;
static int xml_failed;

/* libxml2 reports syntax errors here; keep only the first one per file
 * (later ones are usually consequences) in file:line form. */
#if LIBXML_VERSION >= 21200
static void on_xml_error(void *ctx, const xmlError *e)
#else
static void on_xml_error(void *ctx, xmlError *e)
#endif
{
    (void)ctx;
    if (xml_failed || !e || e->level < XML_ERR_ERROR)
        return;
    xml_failed = 1;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    report(current_base, e->line, "malformed XML: %s", msg);
}

static bool is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v)
        return NULL;
    char *s = xstrdup((const char *)v);
    xmlFree(v);
    return s;
}

static bool attr_true(xmlNode *n, const char *name)
{
    char *v = attr(n, name);
    bool t = v && strcmp(v, "true") == 0;
    free(v);
    return t;
}

static int line_of(xmlNode *n) { return (int)xmlGetLineNo(n); }

static char *required(xmlNode *n, const char *name, const char *what)
{
    char *v = attr(n, name);
    if (!v || !*v)
        report(current_base, line_of(n), "%s without a %s attribute", what, name);
    return v;
}

#define PUSH(arr, count, item)                                              \
    do {                                                                    \
        void *grown_ = realloc((arr), ((count) + 1) * sizeof *(arr));       \
        if (!grown_) {                                                      \
            fprintf(stderr, "famqp-gen: out of memory\n");                  \
            exit(2);                                                        \
        }                                                                   \
        (arr) = grown_;                                                     \
        (arr)[(count)++] = (item);                                          \
    } while (0)

static void parse_type(xmlNode *n, spec_file *out)
{
    raw_type t = {0};
    t.name = required(n, "name", "type");
    t.klass = required(n, "class", "type");
    t.source = attr(n, "source");
    t.provides = attr(n, "provides");
    t.replaces = attr_true(n, "replaces");
    t.line = line_of(n);
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "field")) {
            raw_field f = {0};
            f.name = required(c, "name", "field");
            f.type = required(c, "type", "field");
            f.requires = attr(c, "requires");
            f.def = attr(c, "default");
            f.mandatory = attr_true(c, "mandatory");
            f.multiple = attr_true(c, "multiple");
            f.line = line_of(c);
            PUSH(t.fields, t.nfields, f);
        } else if (is(c, "choice")) {
            raw_choice ch = {0};
            ch.name = required(c, "name", "choice");
            ch.value = required(c, "value", "choice");
            ch.line = line_of(c);
            PUSH(t.choices, t.nchoices, ch);
        } else if (is(c, "encoding")) {
            raw_encoding e = {0};
            e.name = attr(c, "name");
            e.code = required(c, "code", "encoding");
            e.category = required(c, "category", "encoding");
            e.width = attr(c, "width");
            e.line = line_of(c);
            PUSH(t.encodings, t.nencodings, e);
        } else if (is(c, "descriptor")) {
            if (t.has_descriptor)
                report(current_base, line_of(c), "type %s has more than one descriptor", t.name ? t.name : "?");
            t.has_descriptor = true;
            t.desc_name = attr(c, "name");
            t.desc_code = attr(c, "code");
            t.desc_line = line_of(c);
            if (!t.desc_name && !t.desc_code)
                report(current_base, t.desc_line, "descriptor without name or code");
        }
    }
    PUSH(out->types, out->ntypes, t);
}

static void parse_container(xmlNode *n, spec_file *out)
{
    for (xmlNode *c = n->children; c; c = c->next) {
        if (is(c, "type")) {
            parse_type(c, out);
        } else if (is(c, "definition")) {
            raw_definition d = {0};
            d.name = required(c, "name", "definition");
            d.value = required(c, "value", "definition");
            d.line = line_of(c);
            PUSH(out->defs, out->ndefs, d);
        } else if (is(c, "section")) {
            parse_container(c, out);
        }
    }
}

static char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return xstrdup(s ? s + 1 : path);
}

int parse_spec_file(const char *path, spec_file *out)
{
    int before = report_count();
    memset(out, 0, sizeof *out);
    out->path = xstrdup(path);
    out->base = basename_of(path);
    current_base = out->base;
    xml_failed = 0;
    xmlSetStructuredErrorFunc(NULL, on_xml_error);
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    if (!doc) {
        if (!xml_failed)
            report(out->base, 0, "cannot read or parse this file");
        return 1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root || !is(root, "amqp")) {
        report(out->base, root ? line_of(root) : 1, "root element is not <amqp>");
        xmlFreeDoc(doc);
        return 1;
    }
    out->amqp_name = required(root, "name", "amqp");
    out->amqp_line = line_of(root);
    if (out->amqp_name && !name_is_valid(out->amqp_name))
        report(out->base, out->amqp_line, "amqp name \"%s\" is not usable in a file name", out->amqp_name);
    parse_container(root, out);
    xmlFreeDoc(doc);
    return report_count() != before;
}
