/* famqp-gen: command line, orchestration, all-or-nothing output.
 *
 *   famqp-gen --out DIR [--encoding smallest|fixed] [--style flat|table] [--no-header] FILE.xml...
 *   famqp-gen --tests DIR FILE.xml...
 *   famqp-gen --emit python --out DIR FILE.xml...
 *
 * Everything is parsed, validated and generated in memory; files are only
 * written (temporary + rename) once all of that succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "emit_flat.h"
#include "emit_python.h"
#include "emit_table.h"
#include "model.h"
#include "names.h"
#include "outbuf.h"
#include "parse.h"

/* The whole run's state lives in one global: the generator is a batch
 * tool whose memory is released by exiting, and an externally visible
 * global keeps it reachable (so LeakSanitizer, in sanitizer builds, sees no
 * leak, and the optimizer cannot drop the stores). */
struct famqp_gen_state {
    spec_file *files;
    model model;
    outfile *outs;
    outfile tests[2];
    const char **inputs;
};
struct famqp_gen_state famqp_gen_state;
#define g_files famqp_gen_state.files
#define g_model famqp_gen_state.model
#define g_outs famqp_gen_state.outs
#define g_tests famqp_gen_state.tests
#define g_inputs famqp_gen_state.inputs

/* to stdout for --help, to stderr after a usage error */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: famqp-gen --out DIR [--encoding smallest|fixed] [--style flat|table] [--no-header] FILE.xml...\n"
            "       famqp-gen --tests DIR FILE.xml...\n"
            "       famqp-gen --emit python --out DIR FILE.xml...\n"
            "  --out DIR        write famqp_spec.h, the style's internal header and one\n"
            "                   famqp_<spec>.c per input file into DIR\n"
            "  --encoding E     smallest (default): smallest integer/boolean forms;\n"
            "                   fixed: one width per type, no branches\n"
            "  --style S        flat (default): straight-line code per type;\n"
            "                   table: descriptor tables for the runtime's generic loops\n"
            "  --no-header      leave famqp_spec.h out (it is the same for both styles): the\n"
            "                   output then includes the one another --out run wrote\n"
            "  --tests DIR      write test support (random values, equality, registry)\n"
            "  --emit E         c (default): the C codec; python: famqp_python.c and\n"
            "                   _generated.pyi, the conversions of the Python extension\n");
}

int main(int argc, char **argv)
{
    const char *out_dir = NULL, *tests_dir = NULL;
    gen_options opt = {.fixed = false, .style = STYLE_FLAT, .spec_header = true};
    const char **inputs = g_inputs = calloc((size_t)argc, sizeof *inputs);
    size_t ninputs = 0;
    bool python = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (strcmp(argv[i], "--tests") == 0 && i + 1 < argc) {
            tests_dir = argv[++i];
        } else if (strcmp(argv[i], "--encoding") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            if (strcmp(e, "fixed") == 0)
                opt.fixed = true;
            else if (strcmp(e, "smallest") == 0)
                opt.fixed = false;
            else {
                fprintf(stderr, "famqp-gen: unknown encoding %s\n", e);
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--style") == 0 && i + 1 < argc) {
            const char *s = argv[++i];
            if (strcmp(s, "table") == 0 || strcmp(s, "flat") == 0) {
                opt.style = strcmp(s, "table") == 0 ? STYLE_TABLE : STYLE_FLAT;
            } else {
                fprintf(stderr, "famqp-gen: unknown style %s\n", s);
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--emit") == 0 && i + 1 < argc) {
            const char *e = argv[++i];
            if (strcmp(e, "python") == 0 || strcmp(e, "c") == 0) {
                python = strcmp(e, "python") == 0;
            } else {
                fprintf(stderr, "famqp-gen: unknown emitter %s\n", e);
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--no-header") == 0) {
            opt.spec_header = false;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "famqp-gen: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            inputs[ninputs++] = argv[i];
        }
    }
    if ((!out_dir && !tests_dir) || ninputs == 0) {
        usage(stderr);
        return 2;
    }

    spec_file *files = g_files = calloc(ninputs, sizeof *files);
    int bad = 0;
    for (size_t i = 0; i < ninputs; i++)
        bad |= parse_spec_file(inputs[i], &files[i]);
    if (bad)
        return 1;
    for (size_t i = 0; i < ninputs; i++)
        for (size_t k = 0; k < i; k++)
            if (files[i].amqp_name && files[k].amqp_name && strcmp(files[i].amqp_name, files[k].amqp_name) == 0)
                report(files[i].base, files[i].amqp_line,
                       "amqp name %s is also used by %s (output files would collide)", files[i].amqp_name,
                       files[k].base);
    model *mp = &g_model;
    if (report_count() || model_build(mp, files, ninputs) || model_validate(mp))
        return 1;
    const model m = *mp;

    outfile *outs = g_outs = calloc(ninputs + 4, sizeof *outs);
    size_t nouts = 0;
    if (out_dir && python) {
        outs[nouts].name = xstrdup("famqp_python.c");
        emit_python_c(&m, &outs[nouts++].buf);
        outs[nouts].name = xstrdup("_generated.pyi");
        emit_python_stubs(&m, &outs[nouts++].buf);
        if (outfiles_commit(out_dir, outs, nouts))
            return 1;
    } else if (out_dir) {
        if (opt.spec_header) {
            outs[nouts].name = xstrdup("famqp_spec.h");
            emit_header(&m, &opt, &outs[nouts++].buf);
        }
        if (opt.style == STYLE_TABLE) {
            outs[nouts].name = xstrdup("famqp_spec_table.h");
            emit_table_header(&m, &outs[nouts++].buf);
        } else {
            outs[nouts].name = xstrdup("famqp_spec_internal.h");
            emit_flat_internal_header(&m, &outs[nouts++].buf);
        }
        for (size_t i = 0; i < ninputs; i++) {
            char *lower = name_lower(files[i].amqp_name);
            outs[nouts].name = xasprintf("famqp_%s.c", lower);
            free(lower);
            if (opt.style == STYLE_TABLE)
                emit_table_codec(&m, &opt, (int)i, &outs[nouts].buf);
            else
                emit_codec(&m, &opt, (int)i, &outs[nouts].buf);
            nouts++;
        }
        if (outfiles_commit(out_dir, outs, nouts))
            return 1;
    }
    if (tests_dir) {
        outfile *t = g_tests;
        t[0].name = xstrdup("famqp_spec_tests.c");
        t[1].name = xstrdup("famqp_spec_tests.h");
        emit_tests(&m, &t[0].buf, &t[1].buf);
        if (outfiles_commit(tests_dir, t, 2))
            return 1;
    }
    return 0;
}
