;; CPython's call trampoline (cpython/patches/0004): calls a C function through
;; the signature it really has. C extensions often reach a function through a
;; pointer of another type (a METH_NOARGS function without its unused argument,
;; a getter without the closure); native ABIs forgive that, WebAssembly's
;; call_indirect traps. ref.test reads the callee's type, so the call stays in
;; WebAssembly: cheap, and a JSPI suspension can cross it. Needs typed function
;; references (engines with WasmGC); elsewhere the JS fallback is used.
(module
  (type $args0 (func (result i32)))
  (type $args1 (func (param i32) (result i32)))
  (type $args2 (func (param i32 i32) (result i32)))
  (type $args3 (func (param i32 i32 i32) (result i32)))
  (import "env" "table" (table $table 0 funcref))
  ;; Any other signature: a JS call, which drops or zero-fills arguments.
  (import "env" "fallback" (func $fallback (param i32 i32 i32 i32) (result i32)))
  (func (export "call") (param $fn i32) (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $callee funcref)
    (local.set $callee (table.get $table (local.get $fn)))
    ;; Most frequent first: METH_O/METH_VARARGS/METH_NOARGS and getters take 2.
    (if (ref.test (ref $args2) (local.get $callee))
      (then (return (call_indirect $table (type $args2) (local.get $a) (local.get $b) (local.get $fn)))))
    (if (ref.test (ref $args3) (local.get $callee))
      (then (return (call_indirect $table (type $args3) (local.get $a) (local.get $b) (local.get $c) (local.get $fn)))))
    (if (ref.test (ref $args1) (local.get $callee))
      (then (return (call_indirect $table (type $args1) (local.get $a) (local.get $fn)))))
    (if (ref.test (ref $args0) (local.get $callee))
      (then (return (call_indirect $table (type $args0) (local.get $fn)))))
    (call $fallback (local.get $fn) (local.get $a) (local.get $b) (local.get $c))))
