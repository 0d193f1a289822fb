import Dispatch

/// Makes batch k + 1 on a background queue while batch k trains: data preparation (rendering
/// the world) then uses the second core and costs the training thread nothing.
final class BatchPrefetcher<Batch: Sendable>: @unchecked Sendable {
  private let make: @Sendable (Int) -> Batch
  private let queue = DispatchQueue(label: "grpotop.prefetch", qos: .userInitiated)
  private let group = DispatchGroup()
  private var pending: (step: Int, batch: Batch?)? = nil

  init(make: @escaping @Sendable (Int) -> Batch) { self.make = make }

  /// Batch `step` (made now if it was not prefetched), then starts making `step + 1`.
  func take(_ step: Int, prefetchNext: Bool) -> Batch {
    group.wait()
    let batch: Batch
    if let p = pending, p.step == step, let b = p.batch { batch = b } else { batch = make(step) }
    pending = nil
    if prefetchNext {
      let next = step + 1
      pending = (next, nil)
      group.enter()
      queue.async { [self] in
        let b = make(next)
        pending = (next, b)
        group.leave()
      }
    }
    return batch
  }
}
