import Foundation

/// Wall-clock intervals for benchmarks (monotonic).
struct Stopwatch {
  private var start = DispatchTime.now().uptimeNanoseconds
  /// Seconds since creation or the last `restart()`.
  var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
  mutating func restart() { start = DispatchTime.now().uptimeNanoseconds }
}

/// The median of a non-empty list.
func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  guard !s.isEmpty else { return 0 }
  return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}
