;; Times the call trampoline in isolation: n calls of a 2-argument function
;; through call_indirect directly, and through the trampoline (which picks
;; the signature with ref.test), both from WebAssembly, as CPython calls it.
(module
  (type $args2 (func (param i32 i32) (result i32)))
  (import "env" "table" (table $table 2 funcref))
  (import "env" "trampoline" (func $trampoline (param i32 i32 i32 i32) (result i32)))
  (func $add (type $args2) (i32.add (local.get 0) (local.get 1)))
  (elem (table $table) (i32.const 1) func $add)
  (func (export "direct") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (local.set $sum (call_indirect $table (type $args2) (local.get $sum) (i32.const 1) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $sum) (local.get $n))))
    (local.get $sum))
  (func (export "trampolined") (param $n i32) (result i32)
    (local $sum i32)
    (loop $next
      (local.set $sum (call $trampoline (i32.const 1) (local.get $sum) (i32.const 1) (i32.const 0)))
      (br_if $next (i32.lt_u (local.get $sum) (local.get $n))))
    (local.get $sum)))
