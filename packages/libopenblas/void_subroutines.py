#!/usr/bin/env python3
"""
void_subroutines.py -- make every Fortran-ABI LAPACK/BLAS *subroutine* in an
OpenBLAS (0.3.31, C_LAPACK=1 / f2c LAPACK) source tree be declared and defined
with a `void` return type, consistently, so that WebAssembly (Emscripten)
function signatures match everywhere.

Usage:
    python3 void_subroutines.py OPENBLAS_ROOT            # rewrite in place, then verify
    python3 void_subroutines.py OPENBLAS_ROOT --dry-run  # only report what would change
    python3 void_subroutines.py OPENBLAS_ROOT --verify   # only verify (exit 1 on problems)

OPENBLAS_ROOT is the directory holding Makefile.system, interface/, lapack-netlib/ ...
(for the cmeel sdist: cmeel_openblas-0.3.31/OpenBLAS).

The rewrite is idempotent: a second run changes nothing.

What is rewritten
-----------------
f2c LAPACK sources (lapack-netlib/{SRC,SRC/DEPRECATED,INSTALL,TESTING/MATGEN}/*.c):
  F1  top-level definitions  `/* Subroutine */ int name_(...) {`  ->  `void`,
      and inside exactly that body `return 0;` -> `return;`
  F2  declarations  `extern /* Subroutine */ int name_(...)` and `extern int name_(...)`
      -> `void` (f2c only ever uses `int` for SUBROUTINEs; FUNCTIONs use
      integer/logical/real/doublereal/VOID(complex, character)).
      This covers xerbla_, mecago_ (never called), and all callers of the
      OpenBLAS-provided ?getrf/?getrs/?potrf/?laswp/?trtri/?lauum/... routines.
  F3  xerbla_ declared/called with 2 arguments (newer f2c files: ?gedmd, ?gedmdq,
      ?geqp3rk, DEPRECATED ?gelqs/?geqrs): declaration gets `, ftnlen`, calls
      `xerbla_("NAME", &i)` get `, (ftnlen)<len("NAME")>` -> 3 args everywhere,
      matching OpenBLAS driver/others/xerbla.c (char *, blasint *, blasint).
  F4  xerbla_array_: drop the unused hidden 4th parameter
      (`integer srname_array_len`) -> void xerbla_array_(char*, integer*, integer*).
      (C_LAPACK convention: no hidden string lengths on subroutines except xerbla_.)
  F5  chla_transtype_ (CHARACTER*1 FUNCTION, f2c/gfortran string-return
      convention `void chla_transtype_(char *ret, ftnlen ret_len, integer *trans)`):
      the definition is kept; its callers (XBLAS *_extended.c, not built by
      default) declared `(char *, integer *)` and called it with 2 args -> fixed to
      `(char *, ftnlen, integer *)` / `chla_transtype_(buf, (ftnlen)1, trans)`.
  ilaver_ (INSTALL/ilaver.c) is covered by F1.
OpenBLAS proper:
  O1  interface/lapack/*.c   `int NAME(...) {` -> `void NAME(...) {`, body `return 0;` -> `return;`
  O2  common_interface.h     `int BLASFUNC(x)(...)` -> `void BLASFUNC(x)(...)`
      (xerbla + all LAPACK/extension subroutine prototypes; this file is also
      installed as include/f77blas.h)
  O3  driver/others/xerbla.c (`__xerbla`, `BLASFUNC(xerbla)`) -> void, `return 0;` -> `return;`
  O4  test-side xerbla overrides that include common.h (ctest/c_xerbla.c,
      utest/test_extensions/xerbla.c, utest/test_extensions/common.h) -> void
  O5  lapack-netlib/LAPACKE/include/lapack.h: `lapack_int LAPACK_ilaver(` -> `void LAPACK_ilaver(`
      (only installed when NO_LAPACKE!=1)
Functions (lsame_, ilaenv_, dlamch_, dnrm2_, ddot_, ...) are never touched.
"""
import glob
import os
import re
import sys
from collections import Counter, defaultdict

# ----------------------------------------------------------------------------
# small C lexing helpers (offset preserving)
# ----------------------------------------------------------------------------

def mask(s):
    """Return s with comments and string/char literal *contents* replaced by
    spaces (newlines kept) so that offsets are preserved."""
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if s.startswith('/*', i):
            j = s.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', s[i:j]))
            i = j
        elif s.startswith('//', i):
            j = s.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and s[j] != c and s[j] != '\n':
                j += 2 if s[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + re.sub(r'[^\n]', ' ', s[i + 1:j - 1]) + (c if j - 1 > i else ''))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def match_close(m, i, op='(', cl=')'):
    d = 0
    for j in range(i, len(m)):
        ch = m[j]
        if ch == op:
            d += 1
        elif ch == cl:
            d -= 1
            if d == 0:
                return j
    return -1


def split_top(s):
    s = s.strip()
    if s in ('', 'void'):
        return []
    parts, d, cur = [], 0, []
    for ch in s:
        if ch in '([{':
            d += 1
        elif ch in ')]}':
            d -= 1
        if ch == ',' and d == 0:
            parts.append(''.join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append(''.join(cur))
    return [p.strip() for p in parts]


class Edit:
    """Collect non-overlapping (start, end, replacement) edits and apply them."""

    def __init__(self, text):
        self.text = text
        self.edits = []

    def add(self, a, b, rep):
        self.edits.append((a, b, rep))

    def apply(self):
        s = self.text
        for a, b, rep in sorted(self.edits, key=lambda e: e[0], reverse=True):
            s = s[:a] + rep + s[b:]
        return s


RET0 = re.compile(r'\breturn\s*(?:0|\(\s*0\s*\))\s*;')
RETANY = re.compile(r'\breturn\b([^;]*);')


def fix_body_returns(raw, m, body_open, ed, where, warnings):
    """Within the body starting at body_open ('{'), turn `return 0;` into `return;`.
    Returns number of replacements."""
    body_close = match_close(m, body_open, '{', '}')
    if body_close < 0:
        warnings.append('%s: unbalanced body' % where)
        return 0
    cnt = 0
    for r in RET0.finditer(m, body_open, body_close):
        ed.add(r.start(), r.end(), 'return;')
        cnt += 1
    for r in RETANY.finditer(m, body_open, body_close):
        val = r.group(1).strip()
        if val and not RET0.fullmatch(r.group(0)):
            warnings.append('%s: non-zero return value kept: %r' % (where, r.group(0)))
    return cnt

# ----------------------------------------------------------------------------
# f2c LAPACK sources
# ----------------------------------------------------------------------------

F2C_DIRS = ['lapack-netlib/SRC', 'lapack-netlib/SRC/DEPRECATED',
            'lapack-netlib/INSTALL', 'lapack-netlib/TESTING/MATGEN']

# column-0 definition of a subroutine with int return type
DEF_INT = re.compile(r'(?m)^((?:/\*\s*Subroutine\s*\*/\s*)?)int(\s+)([A-Za-z]\w*_)\s*\(')
# `extern int name_(` or `extern /* Subroutine */ int name_(` (checked on masked text:
# the comment is blank there)
EXT_INT = re.compile(r'\bextern(\s+)int(\s+\**\s*)([A-Za-z]\w*_)\s*\(')


def rewrite_f2c(path, raw, stats, warnings):
    m = mask(raw)
    ed = Edit(raw)
    rel = path
    # F1 definitions
    for d in DEF_INT.finditer(raw):
        # make sure we are not inside a comment/string: masked text must show `int`
        ipos = d.start() + len(d.group(1))
        if m[ipos:ipos + 3] != 'int':
            continue
        po = d.end() - 1
        pc = match_close(m, po)
        k = pc + 1
        while k < len(m) and m[k] in ' \t\r\n':
            k += 1
        if k >= len(m) or m[k] != '{':
            continue  # a prototype, not a definition
        ed.add(ipos, ipos + 3, 'void')
        n = fix_body_returns(raw, m, k, ed, '%s:%s' % (rel, d.group(3)), warnings)
        stats['F1 int->void definitions'] += 1
        stats['F1 return 0 -> return'] += n
        stats['_defs'].append((rel, d.group(3)))
    # F2 extern declarations
    for e in EXT_INT.finditer(m):
        a = e.start() + len('extern') + len(e.group(1))
        ed.add(a, a + 3, 'void')
        stats['F2 extern int->void declarations'] += 1
        stats['_decls'][e.group(3)] += 1
    # F3 xerbla_ 2-arg declarations / calls; F5 chla_transtype_ callers
    for x in re.finditer(r'\b(xerbla_|chla_transtype_)\s*\(', m):
        name = x.group(1)
        po = x.end() - 1
        pc = match_close(m, po)
        args_raw = split_top(raw[po + 1:pc])
        # is this the definition itself (column 0 / preceded by VOID or void at col 0)?
        line_start = raw.rfind('\n', 0, x.start()) + 1
        prefix = m[line_start:x.start()]
        if re.match(r'^\S', raw[line_start:line_start + 1] or ' ') and 'extern' not in prefix:
            continue  # top-level definition
        is_decl = bool(args_raw) and re.match(r'^(char|integer|ftnlen|int)\b', args_raw[0]) is not None
        if name == 'xerbla_':
            if len(args_raw) != 2:
                continue
            if is_decl:
                ed.add(pc, pc, ', ftnlen')
                stats['F3 xerbla_ decl 2->3 params'] += 1
            else:
                lit = re.fullmatch(r'"([^"]*)"', args_raw[0])
                if not lit:
                    warnings.append('%s: xerbla_ 2-arg call with non-literal name: %s' % (rel, raw[x.start():pc + 1]))
                    continue
                ed.add(pc, pc, ', (ftnlen)%d' % len(lit.group(1)))
                stats['F3 xerbla_ call 2->3 args'] += 1
        else:  # chla_transtype_
            if len(args_raw) != 2:
                continue
            # insert after the first top-level comma
            d, cpos = 0, None
            for j in range(po + 1, pc):
                if m[j] == '(':
                    d += 1
                elif m[j] == ')':
                    d -= 1
                elif m[j] == ',' and d == 0:
                    cpos = j
                    break
            if is_decl:
                ed.add(cpos + 1, cpos + 1, ' ftnlen,')
                stats['F5 chla_transtype_ decl 2->3 params'] += 1
            else:
                ed.add(cpos + 1, cpos + 1, ' (ftnlen)1,')
                stats['F5 chla_transtype_ call 2->3 args'] += 1
    # F4 xerbla_array_ definition hidden length
    if os.path.basename(path) == 'xerbla_array.c':
        d = re.search(r'(?m)^(?:/\*\s*Subroutine\s*\*/\s*)?(?:void|int)\s+xerbla_array_\s*\(', raw)
        if d:
            po = d.end() - 1
            pc = match_close(m, po)
            params = split_top(raw[po + 1:pc])
            if len(params) == 4 and re.search(r'\bsrname_array_len\b', params[3]):
                body = m[pc:]
                uses = len(re.findall(r'\bsrname_array_len\b', body.split('} /*')[0]))
                if uses:
                    warnings.append('xerbla_array_: hidden length is used in body; not removed')
                else:
                    # remove ", <ws> integer srname_array_len"
                    seg = raw[po + 1:pc]
                    k = seg.rfind(',')
                    ed.add(po + 1 + k, pc, '')
                    stats['F4 xerbla_array_ hidden length removed'] += 1
    new = ed.apply()
    return new

# ----------------------------------------------------------------------------
# OpenBLAS proper
# ----------------------------------------------------------------------------

def rewrite_func_defs(raw, regex, rel, stats, key, warnings):
    """Generic: every match of `regex` whose group('t') is the `int` return type
    of a function (definition or prototype) -> void; if followed by a body,
    `return 0;` -> `return;` inside it."""
    m = mask(raw)
    ed = Edit(raw)
    for d in regex.finditer(m):
        a, b = d.span('t')
        po = d.end() - 1
        pc = match_close(m, po)
        if pc < 0:
            continue
        ed.add(a, b, 'void')
        stats[key] += 1
        k = pc + 1
        while k < len(m) and m[k] in ' \t\r\n':
            k += 1
        if k < len(m) and m[k] == '{':
            stats[key + ' (return 0 -> return)'] += fix_body_returns(raw, m, k, ed, rel, warnings)
    return ed.apply()


OB_RULES = [
    # (glob, regex on masked text (group t = 'int'), stats key)
    ('interface/lapack/*.c', re.compile(r'(?m)^(?P<t>int)\s+NAME\s*\('), 'O1 interface/lapack int NAME -> void'),
    ('common_interface.h', re.compile(r'(?m)^\s*(?P<t>int)\s+BLASFUNC\s*\(\s*\w+\s*\)\s*\('), 'O2 common_interface.h int BLASFUNC -> void'),
    ('driver/others/xerbla.c', re.compile(r'(?m)^(?P<t>int)\s+(?:__xerbla|BLASFUNC\s*\(\s*xerbla\s*\))\s*\('), 'O3 driver/others/xerbla.c -> void'),
    ('ctest/c_xerbla.c', re.compile(r'(?m)^(?P<t>int)\s+BLASFUNC\s*\(\s*xerbla\s*\)\s*\('), 'O4 test xerbla -> void'),
    ('utest/test_extensions/xerbla.c', re.compile(r'(?m)^(?P<t>int)\s+BLASFUNC\s*\(\s*xerbla\s*\)\s*\('), 'O4 test xerbla -> void'),
    ('utest/test_extensions/common.h', re.compile(r'(?m)^extern\s+(?P<t>int)\s+BLASFUNC\s*\(\s*xerbla\s*\)\s*\('), 'O4 test xerbla -> void'),
    ('lapack-netlib/LAPACKE/include/lapack.h', re.compile(r'(?m)^(?P<t>lapack_int)\s+LAPACK_ilaver\s*\('), 'O5 lapack.h LAPACK_ilaver -> void'),
]

# ----------------------------------------------------------------------------
# verification
# ----------------------------------------------------------------------------

TYPES = r'(?:int|void|VOID|integer|logical|real|doublereal|complex|doublecomplex|double|float|E_f|ftnlen)'
VDEF = re.compile(r'(?m)^[ \t]*(' + TYPES + r')\s+\**\s*([A-Za-z]\w*_)\s*\(')
VEXT = re.compile(r'\bextern\s+(' + TYPES + r')\s+')
DECLR = re.compile(r'\s*\**\s*([A-Za-z_]\w*)\s*\(')


def retclass(t):
    return {'VOID': 'void', 'integer': 'int', 'logical': 'int', 'blasint': 'int',
            'FLOATRET': 'float', 'real': 'float', 'doublereal': 'double'}.get(t, t)


def scan_f2c(raw):
    m = mask(raw)
    defs, decls = [], []
    for d in VDEF.finditer(m):
        po = d.end() - 1
        pc = match_close(m, po)
        k = pc + 1
        while k < len(m) and m[k] in ' \t\r\n':
            k += 1
        if k < len(m) and m[k] == '{':
            defs.append((d.group(2), d.group(1), len(split_top(m[po + 1:pc])), raw.count('\n', 0, d.start()) + 1))
    for e in VEXT.finditer(m):
        i = e.end()
        while True:
            dm = DECLR.match(m, i)
            if not dm:
                break
            po = dm.end() - 1
            pc = match_close(m, po)
            decls.append((dm.group(1), e.group(1), len(split_top(m[po + 1:pc])), raw.count('\n', 0, dm.start()) + 1))
            k = pc + 1
            while k < len(m) and m[k] in ' \t\r\n':
                k += 1
            if k < len(m) and m[k] == ',':
                i = k + 1
                continue
            break
    return defs, decls


def interface_table(root):
    """Fortran-ABI symbols defined by OpenBLAS interface/*.c: name_ -> set((retclass, nparams))."""
    mk = open(os.path.join(root, 'interface/Makefile')).read().replace('\\\n', ' ')
    table = defaultdict(set)
    for r in re.finditer(r'(?m)^(\w+)\.\$\(SUFFIX\)\s+\w+\.\$\(PSUFFIX\)\s*:\s*([^\n]*)', mk):
        sym = r.group(1)
        if sym.startswith('cblas_'):
            continue
        srcs = [w for w in r.group(2).split() if w.endswith('.c')]
        if not srcs:
            continue
        p = os.path.join(root, 'interface', srcs[0])
        if not os.path.exists(p):
            continue
        m = mask(open(p, errors='replace').read())
        for d in re.finditer(r'(?m)^\s*([A-Za-z_][\w ]*?)\s+NAME\s*\(', m):
            po = d.end() - 1
            pc = match_close(m, po)
            if m[pc + 1:pc + 40].lstrip().startswith('{'):
                t = d.group(1).strip()
                if t in ('MYTYPE', 'OPENBLAS_COMPLEX_FLOAT'):
                    continue
                if t == 'FLOATRET':  # FLOAT: double for d*/dz* symbols, float for s*/sc*
                    t = 'double' if sym[0] in 'dz' else 'float'
                table[sym + '_'].add((retclass(t), len(split_top(m[po + 1:pc]))))
    table['xerbla_'].add(('void' if re.search(r'(?m)^void\s+BLASFUNC\s*\(\s*xerbla', open(os.path.join(root, 'driver/others/xerbla.c')).read()) else 'int', 3))
    table['lsame_'].add(('int', 2))
    return table


def verify(root, verbose=True):
    problems = []
    files = sorted(f for dd in F2C_DIRS for f in glob.glob(os.path.join(root, dd, '*.c')))
    D = defaultdict(set)
    X = []
    left_defs, left_decls = [], []
    for f in files:
        raw = open(f, errors='replace').read()
        rel = os.path.relpath(f, root)
        defs, decls = scan_f2c(raw)
        for name, t, n, ln in defs:
            D[name].add((retclass(t), n))
            if t == 'int':
                left_defs.append('%s:%d %s' % (rel, ln, name))
        for name, t, n, ln in decls:
            X.append((name, retclass(t), n, rel, ln))
            if t == 'int' and name.endswith('_'):
                left_decls.append('%s:%d %s' % (rel, ln, name))
    # OpenBLAS-provided symbols
    itab = interface_table(root)
    for k, v in itab.items():
        D[k] |= v
    mism = defaultdict(set)
    for name, t, n, rel, ln in X:
        if name not in D:
            continue
        if not any(t == dt and n == dn for dt, dn in D[name]):
            mism[(name, t, n, tuple(sorted(D[name])))].add(rel)
    # conflicting definitions (interface vs lapack-netlib for the same name)
    confl = {k: v for k, v in D.items() if len({x[0] for x in v}) > 1 or len({x[1] for x in v}) > 1}
    # OpenBLAS side leftovers
    ob_left = []
    for g, rx, key in OB_RULES:
        for p in glob.glob(os.path.join(root, g)):
            s = mask(open(p, errors='replace').read())
            for d in rx.finditer(s):
                if d.group('t') != 'void':
                    ob_left.append('%s:%d' % (os.path.relpath(p, root), s.count('\n', 0, d.start()) + 1))
    if verbose:
        print('--- verification ---')
        print('f2c files scanned: %d; defined Fortran symbols: %d; extern declarations: %d'
              % (len(files), sum(1 for _ in D), len(X)))
        c = Counter(t for name, t, n, rel, ln in X)
        print('extern declaration return classes:', dict(c))
        print('remaining int subroutine definitions in f2c files:', len(left_defs))
        for x in left_defs[:50]:
            print('   ', x)
        print('remaining extern int name_ declarations in f2c files:', len(left_decls))
        for x in left_decls[:50]:
            print('   ', x)
        print('remaining int definitions/prototypes in OpenBLAS files:', len(ob_left))
        for x in ob_left[:50]:
            print('   ', x)
        print('declaration/definition mismatches (return class or parameter count):', len(mism))
        for k, v in sorted(mism.items()):
            print('    %s declared %s/%d params, defined %s, in %d file(s) e.g. %s' % (k[0], k[1], k[2], list(k[3]), len(v), sorted(v)[:3]))
        print('symbols with conflicting definitions:', len(confl))
        for k, v in sorted(confl.items()):
            print('   ', k, sorted(v))
    problems = left_defs + left_decls + ob_left + list(mism) + list(confl)
    return len(problems) == 0

# ----------------------------------------------------------------------------


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    opts = {a for a in sys.argv[1:] if a.startswith('--')}
    if len(args) != 1 or not os.path.isdir(os.path.join(args[0], 'lapack-netlib')):
        print(__doc__)
        sys.exit(2)
    root = os.path.abspath(args[0])
    if '--verify' in opts:
        sys.exit(0 if verify(root) else 1)
    dry = '--dry-run' in opts
    stats = Counter()
    stats['_defs'] = []
    stats['_decls'] = Counter()
    warnings = []
    changed = []
    for dd in F2C_DIRS:
        for f in sorted(glob.glob(os.path.join(root, dd, '*.c'))):
            raw = open(f, errors='surrogateescape').read()
            new = rewrite_f2c(os.path.relpath(f, root), raw, stats, warnings)
            if new != raw:
                changed.append(os.path.relpath(f, root))
                if not dry:
                    open(f, 'w', errors='surrogateescape').write(new)
    for g, rx, key in OB_RULES:
        for f in sorted(glob.glob(os.path.join(root, g))):
            raw = open(f, errors='surrogateescape').read()
            new = rewrite_func_defs(raw, rx, os.path.relpath(f, root), stats, key, warnings)
            if new != raw:
                changed.append(os.path.relpath(f, root))
                if not dry:
                    open(f, 'w', errors='surrogateescape').write(new)
    print('=== void_subroutines.py %s on %s ===' % ('(dry run)' if dry else '', root))
    for k in sorted(k for k in stats if not k.startswith('_')):
        print('%-55s %6d' % (k, stats[k]))
    print('files changed: %d' % len(changed))
    if stats['_defs']:
        print('f2c subroutine definitions changed int->void:')
        for rel, name in stats['_defs']:
            print('    %s  %s' % (rel, name))
    if stats['_decls']:
        print('distinct names whose extern declarations changed int->void: %d' % len(stats['_decls']))
        print('    ' + ' '.join(sorted(stats['_decls'])))
    for w in warnings:
        print('WARNING:', w)
    if not dry:
        ok = verify(root)
        print('VERIFY:', 'OK' if ok else 'PROBLEMS FOUND')
        sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
