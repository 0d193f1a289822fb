import Foundation

/// A counter-based random generator (Philox4x32-10, as in Random123, JAX and PyTorch's CUDA
/// generator) with uniform and Gaussian draws.
///
/// The state is a 64-bit key (the seed) and a 64-bit counter: each block of four 32-bit
/// outputs is a pure function of the two, so the numbers are the same on every run and every
/// machine, a checkpoint stores the generator as two integers, and `stream(_:)` derives
/// independent generators (one per sample, per prompt, per purpose) without coordination.
public struct RNG: Codable, Sendable, Equatable {
  public private(set) var key: UInt64
  public private(set) var counter: UInt64

  public init(seed: UInt64, counter: UInt64 = 0) {
    self.key = seed
    self.counter = counter
  }

  /// An independent generator for sub-stream `id`: same seed family, disjoint numbers.
  public func stream(_ id: UInt64) -> RNG {
    // Mix the id into the key with a 64-bit finaliser so nearby ids give unrelated keys.
    var z = key &+ 0x9E37_79B9_7F4A_7C15 &* (id &+ 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return RNG(seed: z ^ (z >> 31))
  }

  /// The Philox4x32-10 block for (counter, key): four 32-bit outputs.
  public static func philox(counter: UInt64, key: UInt64) -> SIMD4<UInt32> {
    var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
    var c2: UInt32 = 0, c3: UInt32 = 0
    var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
    for _ in 0..<10 {
      let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
      let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
      let (hi0, lo0) = (UInt32(p0 >> 32), UInt32(truncatingIfNeeded: p0))
      let (hi1, lo1) = (UInt32(p1 >> 32), UInt32(truncatingIfNeeded: p1))
      (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
      k0 = k0 &+ 0x9E37_79B9
      k1 = k1 &+ 0xBB67_AE85
    }
    return SIMD4(c0, c1, c2, c3)
  }

  /// The next block of four 32-bit outputs.
  public mutating func nextBlock() -> SIMD4<UInt32> {
    let b = RNG.philox(counter: counter, key: key)
    counter &+= 1
    return b
  }

  /// Uniform in [0, 1), 24 bits of resolution.
  public mutating func uniform() -> Float {
    Float(nextBlock()[0] >> 8) * 0x1p-24
  }

  /// Uniform integer in 0..<n.
  public mutating func int(_ n: Int) -> Int {
    precondition(n > 0, "RNG.int: empty range")
    let b = nextBlock()
    let wide = (UInt64(b[0]) << 32) | UInt64(b[1])
    return Int(wide % UInt64(n))
  }

  /// Uniform in [lo, hi).
  public mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * uniform() }

  /// A standard normal draw (Box–Muller on one block).
  public mutating func normal() -> Float {
    let b = nextBlock()
    return RNG.boxMuller(b[0], b[1]).0
  }

  /// Fills `count` floats with N(0, std²): four normals per block.
  public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int, std: Float = 1) {
    var i = 0
    while i < count {
      let b = nextBlock()
      let (z0, z1) = RNG.boxMuller(b[0], b[1])
      let (z2, z3) = RNG.boxMuller(b[2], b[3])
      let z = SIMD4(z0, z1, z2, z3)
      for k in 0..<4 where i < count {
        p[i] = z[k] * std
        i += 1
      }
    }
  }

  /// Fills `count` floats uniformly in [lo, hi).
  public mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, _ lo: Float, _ hi: Float) {
    var i = 0
    while i < count {
      let b = nextBlock()
      for k in 0..<4 where i < count {
        p[i] = lo + (hi - lo) * Float(b[k] >> 8) * 0x1p-24
        i += 1
      }
    }
  }

  /// Normals as a new array (allocates).
  public mutating func normals(_ count: Int, std: Float = 1) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { buf in
      if let base = buf.baseAddress { fillNormal(base, count: count, std: std) }
    }
    return out
  }

  /// A random permutation of 0..<n (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var a = Array(0..<n)
    if n < 2 { return a }
    for i in stride(from: n - 1, to: 0, by: -1) { a.swapAt(i, int(i + 1)) }
    return a
  }

  @inline(__always)
  static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
    // u1 in (0, 1] so the log is finite; computed in Double so the tails are right.
    let u1 = (Double(a >> 8) + 1) * 0x1p-24
    let u2 = Double(b >> 8) * 0x1p-24
    let r = (-2 * Foundation.log(u1)).squareRoot()
    let th = 2 * Double.pi * u2
    return (Float(r * Foundation.cos(th)), Float(r * Foundation.sin(th)))
  }
}
