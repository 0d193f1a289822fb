// The one in-memory image type every other module exchanges: interleaved RGB floats in [0, 1].
// Conversions to the layouts other code needs (planar signed floats for the models, 8-bit bytes
// for PNG and the terminal) live here so their rounding rules are defined in one place.

/// An RGB image with Float channels in [0, 1], stored row-major as (H, W, 3).
public struct RGBImage: Equatable, Sendable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// Interleaved channels, (H, W, 3), values in [0, 1].
  public var pixels: [Float]

  /// Creates a width x height image filled with one colour.
  public init(width: Int, height: Int, fill: (r: Float, g: Float, b: Float) = (0, 0, 0)) {
    precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
    self.width = width
    self.height = height
    let count = width * height
    var pixels = [Float](repeating: 0, count: count * 3)
    if fill != (0, 0, 0) {
      pixels.withUnsafeMutableBufferPointer { p in
        for i in 0..<count {
          p[3 * i] = fill.r
          p[3 * i + 1] = fill.g
          p[3 * i + 2] = fill.b
        }
      }
    }
    self.pixels = pixels
  }

  /// Wraps existing interleaved (H, W, 3) floats; the count must be width * height * 3.
  public init(width: Int, height: Int, pixels: [Float]) {
    precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
    precondition(
      pixels.count == width * height * 3,
      "RGBImage: \(pixels.count) floats for \(width)x\(height)x3")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The (r, g, b) colour at column x, row y.
  public subscript(x: Int, y: Int) -> SIMD3<Float> {
    get {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBImage: (\(x), \(y)) out of bounds")
      let i = 3 * (y * width + x)
      return SIMD3(pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "RGBImage: (\(x), \(y)) out of bounds")
      let i = 3 * (y * width + x)
      pixels[i] = newValue.x
      pixels[i + 1] = newValue.y
      pixels[i + 2] = newValue.z
    }
  }

  /// Channel-first floats in [-1, 1], the layout the models use: (3, H, W).
  public func planarSigned() -> [Float] {
    let plane = width * height
    return [Float](unsafeUninitializedCapacity: plane * 3) { out, initialized in
      pixels.withUnsafeBufferPointer { src in
        for c in 0..<3 {
          let base = c * plane
          for i in 0..<plane { out[base + i] = src[3 * i + c] * 2 - 1 }
        }
      }
      initialized = plane * 3
    }
  }

  /// Builds an image from channel-first floats in [-1, 1] (3, H, W); values are clamped.
  public init(planarSigned: UnsafeBufferPointer<Float>, width: Int, height: Int) {
    precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
    let plane = width * height
    precondition(
      planarSigned.count == plane * 3,
      "RGBImage(planarSigned:): \(planarSigned.count) floats for 3x\(height)x\(width)")
    var pixels = [Float](repeating: 0, count: plane * 3)
    pixels.withUnsafeMutableBufferPointer { dst in
      for c in 0..<3 {
        let base = c * plane
        for i in 0..<plane {
          // Model outputs overshoot; NaN maps to mid-grey rather than poisoning later maths.
          dst[3 * i + c] = (clampUnit(planarSigned[base + i], lo: -1, hi: 1) + 1) * 0.5
        }
      }
    }
    self.init(width: width, height: height, pixels: pixels)
  }

  /// 8-bit interleaved RGB bytes (H, W, 3), rounded and clamped.
  public func rgbBytes() -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: pixels.count) { out, initialized in
      pixels.withUnsafeBufferPointer { src in
        for i in 0..<src.count { out[i] = unitToByte(src[i]) }
      }
      initialized = pixels.count
    }
  }

  /// Builds an image from 8-bit interleaved RGB bytes (H, W, 3).
  public init(width: Int, height: Int, rgbBytes: [UInt8]) {
    precondition(width >= 0 && height >= 0, "RGBImage: negative size \(width)x\(height)")
    precondition(
      rgbBytes.count == width * height * 3,
      "RGBImage(rgbBytes:): \(rgbBytes.count) bytes for \(width)x\(height)x3")
    let pixels = [Float](unsafeUninitializedCapacity: rgbBytes.count) { out, initialized in
      rgbBytes.withUnsafeBufferPointer { src in
        for i in 0..<src.count { out[i] = byteToUnit(src[i]) }
      }
      initialized = rgbBytes.count
    }
    self.init(width: width, height: height, pixels: pixels)
  }

  /// The sub-image with top-left corner (x, y); the rectangle must lie inside the image.
  public func cropped(x: Int, y: Int, width: Int, height: Int) -> RGBImage {
    precondition(
      x >= 0 && y >= 0 && width >= 0 && height >= 0 && x + width <= self.width
        && y + height <= self.height,
      "RGBImage.cropped: \(width)x\(height)+\(x)+\(y) outside \(self.width)x\(self.height)")
    var out = [Float](repeating: 0, count: width * height * 3)
    let srcWidth = self.width
    out.withUnsafeMutableBufferPointer { dst in
      pixels.withUnsafeBufferPointer { src in
        guard let d = dst.baseAddress, let s = src.baseAddress else { return }  // empty crop
        let rowFloats = width * 3
        for row in 0..<height {
          (d + row * rowFloats).update(from: s + ((y + row) * srcWidth + x) * 3, count: rowFloats)
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: out)
  }

  /// The per-channel mean colour; (0, 0, 0) for an empty image.
  public func meanColor() -> SIMD3<Float> {
    let count = width * height
    guard count > 0 else { return .zero }
    // Double accumulators: a 1024x1024 image sums a million floats.
    var sum = SIMD3<Double>.zero
    pixels.withUnsafeBufferPointer { p in
      for i in 0..<count {
        sum += SIMD3(Double(p[3 * i]), Double(p[3 * i + 1]), Double(p[3 * i + 2]))
      }
    }
    return SIMD3<Float>(sum / Double(count))
  }
}

/// Clamps v to [lo, hi], sending NaN to the midpoint so one bad value stays local.
@inline(__always)
func clampUnit(_ v: Float, lo: Float, hi: Float) -> Float {
  if v.isNaN { return (lo + hi) * 0.5 }
  return v < lo ? lo : (v > hi ? hi : v)
}

/// Rounds a [0, 1] float to the nearest byte, clamping out-of-range values and NaN.
@inline(__always)
func unitToByte(_ v: Float) -> UInt8 {
  // (v * 255).rounded() is exact for every k / 255, so bytes -> floats -> bytes is lossless.
  UInt8(clampUnit(v, lo: 0, hi: 1) * 255 + 0.5)
}

/// The float in [0, 1] a byte stands for.
@inline(__always)
func byteToUnit(_ b: UInt8) -> Float {
  Float(b) / 255
}
