// Counts heap allocations made by the whole process while counting is switched on, so the
// benchmarks can state "bytes allocated per step after warm-up" as a measured number.
#ifndef GRPOTOP_ALLOC_COUNT_H
#define GRPOTOP_ALLOC_COUNT_H
#include <stddef.h>

/// Starts counting from zero.
void grp_alloc_count_start(void);
/// Stops counting; returns the number of allocations since start, and their bytes.
void grp_alloc_count_stop(long *count, long *bytes);
#endif
