import CAllocCount

/// Heap allocations of the whole process between `start()` and `stop()`.
enum AllocationCounter {
  static func start() { grp_alloc_count_start() }

  /// Stops counting and returns (allocations, bytes).
  static func stop() -> (count: Int, bytes: Int) {
    var c = 0, b = 0
    grp_alloc_count_stop(&c, &b)
    return (c, b)
  }
}
