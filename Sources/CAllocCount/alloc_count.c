// malloc and friends, interposed: the executable's definitions come first in the dynamic
// symbol lookup, so every allocation of the process (Swift runtime, Foundation, OpenBLAS)
// passes through here on its way to glibc's own allocator. Counting is off except between
// start and stop, and costs one relaxed atomic load when off.
#include "alloc_count.h"
#include <errno.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_int counting = 0;
static atomic_long count = 0;
static atomic_long bytes = 0;

static inline void note(size_t n) {
  if (atomic_load_explicit(&counting, memory_order_relaxed)) {
    atomic_fetch_add_explicit(&count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&bytes, (long)n, memory_order_relaxed);
  }
}

void *malloc(size_t n) { note(n); return __libc_malloc(n); }
void *calloc(size_t k, size_t n) { note(k * n); return __libc_calloc(k, n); }
void *realloc(void *p, size_t n) { note(n); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { note(n); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  note(n);
  void *p = __libc_memalign(a, n);
  if (p == NULL && n != 0) return ENOMEM;
  *out = p;
  return 0;
}

void grp_alloc_count_start(void) {
  atomic_store(&count, 0);
  atomic_store(&bytes, 0);
  atomic_store(&counting, 1);
}

void grp_alloc_count_stop(long *c, long *b) {
  atomic_store(&counting, 0);
  *c = atomic_load(&count);
  *b = atomic_load(&bytes);
}
