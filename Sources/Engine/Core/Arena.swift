/// A bump allocator for per-step buffers: activations, their gradients and kernel scratch.
///
/// The first step grows it chunk by chunk; `reset()` then folds the chunks into one block of
/// the high-water size, so every later step with the same shapes allocates nothing. Each
/// allocation is 64-byte aligned (a cache line, and an AVX-512 vector).
public final class Arena {
  private var chunks: [(base: UnsafeMutablePointer<Float>, capacity: Int)] = []
  private var chunkIndex = 0
  private var offset = 0              // in floats, within chunks[chunkIndex]
  private var usedInEarlierChunks = 0 // floats handed out in chunks before chunkIndex
  /// The most floats ever in use at once (across all chunks).
  public private(set) var highWater = 0
  /// How many times the arena asked the system for memory (0 growth per step = no mallocs).
  public private(set) var systemAllocations = 0
  /// Bytes ever requested from the system.
  public private(set) var systemBytes = 0

  public init(initialCapacity: Int = 1 << 16) {
    addChunk(capacity: initialCapacity)
  }

  deinit {
    for c in chunks { c.base.deallocate() }
  }

  /// Floats currently handed out.
  public var used: Int { usedInEarlierChunks + offset }

  /// Total floats reserved.
  public var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }

  private func addChunk(capacity: Int) {
    let cap = (capacity + 15) & ~15
    let raw = UnsafeMutableRawPointer.allocate(byteCount: cap * 4, alignment: 64)
    chunks.append((raw.bindMemory(to: Float.self, capacity: cap), cap))
    systemAllocations += 1
    systemBytes += cap * 4
  }

  /// `count` floats, uninitialised, 64-byte aligned.
  public func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let n = (count + 15) & ~15      // keep the next allocation aligned
    while true {
      let c = chunks[chunkIndex]
      if offset + n <= c.capacity {
        let p = c.base + offset
        offset += n
        highWater = max(highWater, used)
        return p
      }
      if chunkIndex + 1 < chunks.count {
        usedInEarlierChunks += offset
        chunkIndex += 1
        offset = 0
      } else {
        usedInEarlierChunks += offset
        addChunk(capacity: max(n, c.capacity))
        chunkIndex += 1
        offset = 0
      }
    }
  }

  /// `count` floats set to zero.
  public func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
    let p = allocate(count)
    p.initialize(repeating: 0, count: count)
    return p
  }

  /// Zeroes everything handed out since the last reset (one sweep per chunk).
  public func zeroUsed() {
    for i in 0...chunkIndex {
      let n = i == chunkIndex ? offset : chunks[i].capacity
      chunks[i].base.initialize(repeating: 0, count: n)
    }
  }

  /// Frees everything handed out. If the last step needed several chunks, they are replaced
  /// by one chunk of the high-water size so the next step fits without growing.
  public func reset() {
    if chunks.count > 1 {
      let total = max(highWater, capacity)
      for c in chunks { c.base.deallocate() }
      chunks.removeAll(keepingCapacity: true)
      addChunk(capacity: total)
    }
    chunkIndex = 0
    offset = 0
    usedInEarlierChunks = 0
  }
}
