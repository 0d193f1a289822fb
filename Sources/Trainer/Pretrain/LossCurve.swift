/// A pretraining loss curve of about `points` points: each the mean loss over its window of
/// steps, keyed by the window's last step (1-based), as the reports store it.
struct LossCurve {
  private let every: Int
  private let total: Int
  private var window: [Float] = []
  /// (step, mean loss over the preceding window).
  private(set) var points: [[Float]] = []

  init(steps: Int, points count: Int) {
    total = steps
    every = max(1, steps / max(1, count))
  }

  /// Adds step `step`'s (0-based) loss; closes a window every `every` steps and at the end.
  mutating func add(_ loss: Float, step: Int) {
    window.append(loss)
    if (step + 1) % every == 0 || step + 1 == total {
      points.append([Float(step + 1), window.reduce(0, +) / Float(window.count)])
      window.removeAll(keepingCapacity: true)
    }
  }

  /// The newest window's mean, or `fallback` before the first window closes.
  func last(or fallback: Float) -> Float { points.last?[1] ?? fallback }
}
