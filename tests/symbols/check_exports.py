#!/usr/bin/env python3
"""CTest `exported_symbols`: the shared library exports exactly the API its
installed headers declare, nothing else.

  check_exports.py LIB CC ABI_LIST HEADER_DIR_OR_FILE... [--skip H]... [--only H]...

--skip H leaves the header H (its path under a given directory, e.g.
famqp/uv.h) out: another library defines what it declares.  --only H
checks LIB against the headers H alone (the others are still on the
include path).

Every public header (each *.h under the given directories, and the given
files) is preprocessed
together; each non-static function or object declaration in it must carry
FAMQP_API (famqp/export.h), must be defined by LIB, and must be named
famqp_*; a famqp__* name (an internal of the generated code's ABI, used by
the inline functions of famqp/gen/) must also be in ABI_LIST, the one list
of such names.  Every dynamic symbol LIB defines must be such a declaration:
an internal that leaks (built without -fvisibility=hidden, or marked
FAMQP_API without a public declaration) fails the test by name."""
import os
import re
import subprocess
import sys
import tempfile

API_MARK = '__attribute__((visibility("default")))'


def declarations(cc, header_dirs, skip=(), only=()):
    """(marked, unmarked): names declared with and without FAMQP_API."""
    headers, include_dirs, only_paths = [], [], []
    for d in header_dirs:
        if os.path.isfile(d):  # one header (famqp_spec.h)
            include_dirs.append(os.path.dirname(os.path.abspath(d)))
            headers.append(os.path.basename(d))
            continue
        include_dirs.append(d)
        for root, _, files in os.walk(d):
            for f in files:
                rel = os.path.relpath(os.path.join(root, f), d)
                if not f.endswith('.h') or rel in skip or (only and rel not in only):
                    continue
                headers.append(rel)
                only_paths.append(os.path.join(d, rel))
    with tempfile.NamedTemporaryFile('w', suffix='.c', delete=False) as tu:
        tu.write(''.join('#include "%s"\n' % h for h in sorted(set(headers))))
    try:
        cmd = [cc, '-std=c11', '-E'] + ['-I' + d for d in include_dirs] + [tu.name]
        full = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(tu.name)
    # Keep only what the project's headers declare (line markers say whose).
    ours = tuple(os.path.abspath(d) + ('' if os.path.isfile(d) else os.sep) for d in header_dirs)
    if only:
        ours = tuple(os.path.abspath(p) for p in only_paths)
        if not ours:
            sys.exit('check_exports.py: none of %s found' % ', '.join(only))
    keep, kept = False, []
    for line in full.splitlines():
        marker = re.match(r'^# \d+ "([^"]*)"', line)
        if marker:
            keep = os.path.abspath(marker.group(1)).startswith(ours)
        elif keep:
            kept.append(line)
    text = '\n'.join(kept)
    marked, unmarked = set(), set()
    depth, stmt = 0, []
    for ch in text:
        stmt.append(ch)
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
        if depth == 0 and ch in ';}':
            s = ''.join(stmt).strip()
            # a '}' ends a function definition; a struct's is followed by
            # its declarators and ';'
            if ch == '}' and not s.split('{')[0].rstrip().endswith(')'):
                continue
            stmt = []
            classify(s, marked, unmarked)
    return marked, unmarked


def classify(s, marked, unmarked):
    s = ' '.join(s.split())
    has_mark = API_MARK in s
    s = s.replace(API_MARK, ' ')
    s = re.sub(r'__attribute__\s*\(\(.*?\)\)', ' ', s)
    s = re.sub(r'"(\\.|[^"\\])*"', '""', s)
    if not s or s.startswith(('typedef', 'static', 'enum', 'struct', 'union')) and '(' not in s.split('{')[0]:
        return
    if s.startswith(('typedef', 'static', 'extern "C"')) or s.startswith(('enum', 'struct', 'union')) and s.endswith('};'):
        return
    if s.endswith('}'):  # a definition outside any static: would not link twice
        head = s.split('{')[0]
    else:
        head = s
    head = head.rstrip(';')
    if '(' in head:  # a function: the name before the parameter list
        m = re.match(r'^(.*?)\b([A-Za-z_]\w*)\s*\(', head)
        names = [m.group(2)] if m else []
    else:  # objects: `extern T a, b[8], *c`
        names = [re.sub(r'\[.*$', '', d).strip().lstrip('*').strip().split()[-1]
                 for d in head.split(',') if d.strip()]
    for name in names:
        (marked if has_mark else unmarked).add(name)


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'TDRBVWGiu':
            name = parts[2].split('@')[0]
            # AddressSanitizer's one-definition-rule marker of an exported
            # global is exported beside it: judge the global itself
            if name.startswith('__odr_asan.'):
                name = name[len('__odr_asan.'):]
            names.add(name)
    return names - {'_init', '_fini', '_edata', '_end', '__bss_start'}


def main():
    args, skip, only = [], [], []
    it = iter(sys.argv[1:])
    for a in it:
        if a in ('--skip', '--only'):
            (skip if a == '--skip' else only).append(next(it))
        else:
            args.append(a)
    lib, cc, abi_list = args[:3]
    header_dirs = args[3:]
    abi = {l.split('#')[0].strip() for l in open(abi_list)} - {''}
    marked, unmarked = declarations(cc, header_dirs, skip, only)
    exports = exported(lib)
    errors = []
    for n in sorted(unmarked):
        errors.append('%s: declared in a public header without FAMQP_API (so it is not exported)' % n)
    for n in sorted(marked):
        if not n.startswith('famqp_'):
            errors.append('%s: public name without the famqp_ prefix' % n)
        elif n.startswith('famqp__') and n not in abi:
            errors.append('%s: internal famqp__ name declared FAMQP_API but not in %s' % (n, abi_list))
        if n not in exports:
            errors.append('%s: declared FAMQP_API but the library does not define it' % n)
    for n in sorted(exports - marked):
        errors.append('%s: exported by the library but declared in no public header' % n)
    for n in sorted(abi - marked):
        errors.append('%s: in %s but declared in no public header (stale entry)' % (n, abi_list))
    for e in errors:
        print('FAILED: ' + e)
    print('exported_symbols: %d exported, %d of them generated-code ABI (famqp__), %d problems'
          % (len(exports), len([n for n in exports if n.startswith('famqp__')]), len(errors)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
