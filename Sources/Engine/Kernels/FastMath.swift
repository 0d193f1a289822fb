/// Vectorised exp, tanh and sigmoid on eight floats at a time.
///
/// GELU, SiLU, softmax and the losses call these millions of times a step; the scalar libm
/// versions cost more than the GEMMs around them. The exp is Cephes' expf scheme (range
/// reduction by ln 2, degree-6 polynomial, exponent built from bits), accurate to about
/// 2 ulp over the float range; the tests hold it against Foundation's.
public enum FastMath {
  public typealias V = SIMD8<Float>

  @usableFromInline static let log2e: Float = 1.442_695_04
  @usableFromInline static let ln2Hi: Float = 0.693_359_375
  @usableFromInline static let ln2Lo: Float = -2.121_944_4e-4
  @usableFromInline static let roundingMagic: Float = 12_582_912  // 1.5·2²³
  @usableFromInline static let roundingMagicBits = Int32(bitPattern: Float(12_582_912).bitPattern)

  /// e^x for eight lanes; inputs are clamped to the range where the result is finite.
  @inlinable @inline(__always)
  public static func exp(_ x: V) -> V {
    let xc = x.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
    // n = round(x·log2 e) by the 1.5·2²³ trick: adding it leaves the rounded integer in the
    // low mantissa bits (the generic SIMD rounding and Int32 conversions are scalar loops).
    let shifted: V = xc * log2e + roundingMagic
    let n: V = shifted - roundingMagic
    let r: V = xc - n * ln2Hi - n * ln2Lo
    var p = V(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    p = p * r * r + r + 1
    let ni = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- roundingMagicBits
    let bits = (ni &+ 127) &<< 23
    return p * unsafeBitCast(bits, to: V.self)
  }

  /// tanh for eight lanes, as 1 - 2/(e^{2|x|}+1) with the sign restored.
  @inlinable @inline(__always)
  public static func tanh(_ x: V) -> V {
    let a = abs(x)
    let e = exp(a + a)
    let t = 1 - 2 / (e + 1)
    return V(sign: x, magnitude: t)
  }

  /// The logistic sigmoid 1/(1+e^{-x}) for eight lanes.
  @inlinable @inline(__always)
  public static func sigmoid(_ x: V) -> V {
    1 / (1 + exp(-x))
  }

  @inlinable @inline(__always)
  static func abs(_ x: V) -> V {
    unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: V.self)
  }

  /// Scalar e^x through the vector path, so a loop's tail rounds like its body.
  @inlinable @inline(__always)
  public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }

  /// Scalar tanh through the vector path.
  @inlinable @inline(__always)
  public static func tanh(_ x: Float) -> Float { tanh(V(repeating: x))[0] }

  /// Scalar sigmoid through the vector path.
  @inlinable @inline(__always)
  public static func sigmoid(_ x: Float) -> Float { sigmoid(V(repeating: x))[0] }

  /// Loads eight floats from `p` (unaligned).
  @inlinable @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> V {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
  }

  /// Stores eight floats to `p` (unaligned).
  @inlinable @inline(__always)
  static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }
}

extension SIMD8 where Scalar == Float {
  /// Copies the sign of `sign` onto `magnitude`, lane by lane.
  @inlinable @inline(__always)
  init(sign: SIMD8<Float>, magnitude: SIMD8<Float>) {
    let s = unsafeBitCast(sign, to: SIMD8<UInt32>.self) & 0x8000_0000
    let m = unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF
    self = unsafeBitCast(s | m, to: SIMD8<Float>.self)
  }
}

/// Sums `n` floats with several vector accumulators: a plain loop is bound by add latency.
@inlinable
public func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
  var i = 0
  while i + 32 <= n {
    a0 += FastMath.load(p + i)
    a1 += FastMath.load(p + i + 8)
    a2 += FastMath.load(p + i + 16)
    a3 += FastMath.load(p + i + 24)
    i += 32
  }
  while i + 8 <= n {
    a0 += FastMath.load(p + i)
    i += 8
  }
  var s = ((a0 + a1) + (a2 + a3)).sum()
  while i < n {
    s += p[i]
    i += 1
  }
  return s
}

/// The dot product of `n` floats, with vector accumulators.
@inlinable
public func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
  var i = 0
  while i + 16 <= n {
    a0 += FastMath.load(a + i) * FastMath.load(b + i)
    a1 += FastMath.load(a + i + 8) * FastMath.load(b + i + 8)
    i += 16
  }
  while i + 8 <= n {
    a0 += FastMath.load(a + i) * FastMath.load(b + i)
    i += 8
  }
  var s = (a0 + a1).sum()
  while i < n {
    s += a[i] * b[i]
    i += 1
  }
  return s
}
