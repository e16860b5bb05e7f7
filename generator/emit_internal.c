/* famqp_spec_internal.h (flat style): the per-type functions the generated
 * files call in one another, and the small inline helpers they share. */
#include "emit_flat.h"

void emit_flat_internal_header(const model *m, outbuf *in)
{
    emit_banner(m, in);
    ob_puts(in,
            "/* Per-type functions the generated files call in one another: size of\n"
            " * the complete encoding, put (capacity already checked), read of a\n"
            " * described value (1 = read, 0 = null or failure) and of its body after\n"
            " * the descriptor. */\n"
            "#ifndef FAMQP_SPEC_INTERNAL_H\n#define FAMQP_SPEC_INTERNAL_H\n\n"
            "#include \"famqp_spec.h\"\n\n"
            "/* Number of significant bits of x: index of the highest set bit + 1. */\n"
            "static inline uint32_t famqp__bit_count(uint64_t x)\n{\n"
            "#if defined(__GNUC__)\n"
            "    /* (x != 0) * ...: no branch; x | 1 keeps clz defined */\n"
            "    return (uint32_t)(x != 0) * (64u - (uint32_t)__builtin_clzll(x | 1u));\n"
            "#else\n"
            "    uint32_t n = 0;\n    while (x) {\n        n++;\n        x >>= 1;\n    }\n    return n;\n"
            "#endif\n}\n\n"
            "/* True when the read descriptor is this type's (by code or by name). */\n"
            "static inline bool famqp__descriptor_is(uint64_t code, famqp_symbol name, uint64_t want_code,\n"
            "                                        const char *want_name)\n{\n"
            "    if (code == UINT64_MAX && name.ptr)\n"
            "        return want_name && famqp_symbol_eq(name, want_name);\n"
            "    return code == want_code;\n}\n\n");
    /* typed printers of multiple fields built from C values */
    for (int p = P_BOOLEAN; p < P_LIST; p++) {
        const prim_info *pi = &prim_infos[p];
        ob_printf(in, "static inline void famqp__print_%s(FILE *f, %s v)\n{\n", pi->fn, pi->ctype);
        switch ((prim)p) {
        case P_BOOLEAN: ob_puts(in, "    fputs(v ? \"true\" : \"false\", f);\n"); break;
        case P_UBYTE: case P_USHORT: case P_UINT: case P_ULONG:
            ob_puts(in, "    fprintf(f, \"%\" PRIu64, (uint64_t)v);\n"); break;
        case P_BYTE: case P_SHORT: case P_INT: case P_LONG:
            ob_puts(in, "    fprintf(f, \"%\" PRId64, (int64_t)v);\n"); break;
        case P_FLOAT: case P_DOUBLE: ob_puts(in, "    fprintf(f, \"%g\", (double)v);\n"); break;
        case P_DECIMAL32: ob_puts(in, "    famqp_print_decimal(f, v.bytes, 4);\n"); break;
        case P_DECIMAL64: ob_puts(in, "    famqp_print_decimal(f, v.bytes, 8);\n"); break;
        case P_DECIMAL128: ob_puts(in, "    famqp_print_decimal(f, v.bytes, 16);\n"); break;
        case P_CHAR: ob_puts(in, "    famqp_print_char(f, v);\n"); break;
        case P_TIMESTAMP: ob_puts(in, "    famqp_print_timestamp(f, v);\n"); break;
        case P_UUID: ob_puts(in, "    famqp_print_uuid(f, v);\n"); break;
        case P_BINARY: ob_puts(in, "    famqp_print_binary(f, v);\n"); break;
        case P_STRING: ob_puts(in, "    famqp_print_string(f, v);\n"); break;
        case P_SYMBOL: ob_puts(in, "    famqp_print_symbol(f, v);\n"); break;
        default: break;
        }
        ob_puts(in, "}\n\n");
        ob_printf(in, "/* a multiple %s field: C values when set, else the decoded view */\n", pi->name);
        ob_printf(in, "static inline void famqp__print_multiple_%s(FILE *f, const famqp_multiple *m)\n{\n", pi->fn);
        ob_printf(in, "    if (!m->items) {\n        famqp_print_multiple(f, m);\n        return;\n    }\n");
        ob_printf(in, "    fputc('[', f);\n    for (uint32_t i = 0; i < m->count; i++) {\n");
        ob_printf(in, "        if (i)\n            fputs(\", \", f);\n");
        ob_printf(in, "        famqp__print_%s(f, ((const %s *)m->items)[i]);\n    }\n    fputc(']', f);\n}\n\n",
                  pi->fn, pi->ctype);
    }
    for (size_t i = 0; i < m->norder; i++) {
        const type *t = m->order[i].t;
        const requirement *r = m->order[i].r;
        const char *lower = t ? t->lower : r->lower;
        const char *cs = t ? t->cstruct : r->cname;
        const char *pre = t ? "famqp__" : "famqp__any_";
        ob_printf(in, "size_t %s%s_size(const %s *v);\n", pre, lower, cs);
        ob_printf(in, "uint8_t *%s%s_put(uint8_t *p, const %s *v);\n", pre, lower, cs);
        ob_printf(in, "int %s%s_read(famqp_reader *r, %s *out, const char *field);\n", pre, lower, cs);
        if (t)
            ob_printf(in, "int %s%s_read_body(famqp_reader *r, %s *out);\n", pre, lower, cs);
        if (t && t->klass == C_COMPOSITE)
            ob_printf(in, "size_t %s%s_encode_full(uint8_t *buf, size_t cap, const %s *v);\n", pre, lower, cs);
        ob_puts(in, "\n");
    }
    ob_puts(in, "#endif /* FAMQP_SPEC_INTERNAL_H */\n");
}

