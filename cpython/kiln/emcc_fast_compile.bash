#!/bin/bash
# emcc / em++ with a fast path for plain compiles (written by kiln's toolchain
# step over Emscripten's own launcher; the template is
# cpython/kiln/emcc_fast_compile.bash).
#
# emcc is a Python program that spends ~0.35 s starting up on every call, and
# a build calls it thousands of times (CPython's configure probes, OpenBLAS's
# thousands of objects). For a compile-only call (-c or -E) emcc just runs
# clang with extra flags that depend only on the emcc-specific arguments
# (-s settings, -fPIC, exception mode, -m features, ...). Those flags are asked
# of emcc once per distinct set of such arguments, kept in a cache, and clang
# is run directly: the objects are byte-identical (tests/test_toolchain.py).
# Anything else (links, assembly, response files, unknown emcc options,
# EMCC_CFLAGS) goes to emcc itself.
root='@ROOT@'
tool='@TOOL@'
clang='@CLANG@'
cache='@CACHE@'

python=${PYTHON:-${EMSDK_PYTHON:-$(command -v python3)}}
slow() {
    [ -z "$KILN_EMCC_TRACE" ] || echo "slow $tool ${args[*]}" >> "$KILN_EMCC_TRACE"
    unset _PYTHON_SYSCONFIGDATA_NAME
    exec "$python" -E "$root/$tool.py" "${args[@]}"
}

args=("$@")
[ -z "$EMCC_CFLAGS" ] || slow
mode=
key=()   # arguments that can change the flags emcc adds
rest=()  # arguments passed to clang as they are
n=${#args[@]}
for ((i = 0; i < n; i++)); do
    a=${args[i]}
    case $a in
        -c|-E) mode=$a; rest+=("$a") ;;
        -o|-MF|-MT|-MQ|-include|-imacros|-isystem|-iquote|-idirafter|-I|-D|-U)
            ((i + 1 < n)) || slow
            rest+=("$a" "${args[i + 1]}"); ((i++)) ;;
        -s|-x|-mllvm|-Xclang)
            ((i + 1 < n)) || slow
            key+=("$a" "${args[i + 1]}"); ((i++)) ;;
        # emcc-only options and everything that implies a link or a special mode
        --*|-S|-M|-MM|-emit-llvm|-shared|-static|-Wl,*|-l*|-L*|-target|-pthread|-flto*|-fsanitize*|-nostdinc|-nostdlib*|-v|-) slow ;;
        -I*|-D*|-U*|-O|-O[0123sz]|-g|-g[0123]|-std=*|-MD|-MMD|-MP|-w|-W|-Wp,*|-W[!l]*|-Wl[!,]*|-pipe) rest+=("$a") ;;
        -*) key+=("$a") ;;
        *.c|*.cc|*.cpp|*.cxx|*.c++|*.C) rest+=("$a") ;;
        *) slow ;;  # assembly, preprocessed sources, objects, @response files
    esac
done
[ -n "$mode" ] || slow

id=$(printf '%s\037' "$tool" "${key[@]}" | md5sum)
file="$cache/${id%% *}"
if [ ! -f "$file" ]; then
    mkdir -p "$cache"
    # emcc --cflags prints clang's command line for these arguments.
    line=$("$python" -E "$root/$tool.py" --cflags "${key[@]}") || slow
    "$python" -E -c 'import shlex, sys; print("\n".join(shlex.split(sys.argv[1])))' "$line" > "$file.$$" || slow
    mv "$file.$$" "$file"
fi
mapfile -t flags < "$file"
[ -z "$KILN_EMCC_TRACE" ] || echo "fast $tool $*" >> "$KILN_EMCC_TRACE"
exec "$clang" "${flags[@]}" "${rest[@]}"
