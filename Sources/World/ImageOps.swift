// Small raw-buffer image operations shared by styles and degradations: separable Gaussian
// blur, luma and Sobel edge planes, smooth random fields, and linear blending. Images are
// interleaved (H, W, 3) floats; planes are (H, W). Borders clamp to the edge pixel.

import Engine
import Foundation
import Imaging

/// Shared pixel operations on interleaved RGB and single planes.
enum ImageOps {
  /// Normalised 1-D Gaussian taps for `sigma` (pixels), radius ceil(3 sigma).
  static func gaussianTaps(sigma: Float) -> [Float] {
    let radius = max(1, Int((3 * sigma).rounded(.up)))
    var taps = (-radius...radius).map { i -> Float in
      let x = Float(i)
      return expf(-x * x / (2 * sigma * sigma))
    }
    let total = taps.reduce(0, +)
    for i in taps.indices { taps[i] /= total }
    return taps
  }

  /// Blurs `values`, laid out (H, W, channels), with a separable Gaussian of `sigma` pixels;
  /// sigma below 0.05 returns the input unchanged.
  static func blur(
    _ values: [Float], width: Int, height: Int, channels: Int, sigma: Float
  ) -> [Float] {
    guard sigma >= 0.05, width > 0, height > 0 else { return values }
    let taps = gaussianTaps(sigma: sigma)
    var temp = [Float](repeating: 0, count: values.count)
    var out = [Float](repeating: 0, count: values.count)
    values.withUnsafeBufferPointer { src in
      temp.withUnsafeMutableBufferPointer { blurPass(src, $0, taps, width, height, channels, horizontal: true) }
    }
    temp.withUnsafeBufferPointer { mid in
      out.withUnsafeMutableBufferPointer { blurPass(mid, $0, taps, width, height, channels, horizontal: false) }
    }
    return out
  }

  /// One pass of the separable blur, along x or along y, clamping at the borders.
  private static func blurPass(_ src: UnsafeBufferPointer<Float>, _ dst: UnsafeMutableBufferPointer<Float>, _ taps: [Float],
                               _ width: Int, _ height: Int, _ channels: Int, horizontal: Bool) {
    let radius = taps.count / 2
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          var sum: Float = 0
          for t in 0..<taps.count {
            let (sx, sy) = horizontal ? (min(max(x + t - radius, 0), width - 1), y) : (x, min(max(y + t - radius, 0), height - 1))
            sum += taps[t] * src[(sy * width + sx) * channels + c]
          }
          dst[(y * width + x) * channels + c] = sum
        }
      }
    }
  }

  /// A blurred copy of an image.
  static func blur(_ image: RGBImage, sigma: Float) -> RGBImage {
    RGBImage(
      width: image.width, height: image.height,
      pixels: blur(
        image.pixels, width: image.width, height: image.height, channels: 3, sigma: sigma))
  }

  /// Rec. 601 luma plane (H, W).
  static func lumaPlane(_ image: RGBImage) -> [Float] {
    let count = image.width * image.height
    return image.pixels.withUnsafeBufferPointer { p in
      (0..<count).map { i in 0.299 * p[3 * i] + 0.587 * p[3 * i + 1] + 0.114 * p[3 * i + 2] }
    }
  }

  /// Sobel gradient magnitude of a plane (H, W), divided by 4 so a unit step gives 1.
  static func sobel(_ plane: [Float], width: Int, height: Int) -> [Float] {
    var out = [Float](repeating: 0, count: plane.count)
    plane.withUnsafeBufferPointer { p in
      out.withUnsafeMutableBufferPointer { o in
        func at(_ x: Int, _ y: Int) -> Float {
          p[min(max(y, 0), height - 1) * width + min(max(x, 0), width - 1)]
        }
        for y in 0..<height {
          for x in 0..<width {
            let gx =
              (at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1))
              - (at(x - 1, y - 1) + 2 * at(x - 1, y) + at(x - 1, y + 1))
            let gy =
              (at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1))
              - (at(x - 1, y - 1) + 2 * at(x, y - 1) + at(x + 1, y - 1))
            o[y * width + x] = (gx * gx + gy * gy).squareRoot() / 4
          }
        }
      }
    }
    return out
  }

  /// The largest per-channel Sobel magnitude at each pixel (H, W): colour edges that luma misses
  /// (red against green of equal brightness) still count.
  static func colourEdges(_ image: RGBImage) -> [Float] {
    let (w, h) = (image.width, image.height)
    var best = [Float](repeating: 0, count: w * h)
    for c in 0..<3 {
      let plane = image.pixels.withUnsafeBufferPointer { p in (0..<(w * h)).map { p[3 * $0 + c] } }
      let e = sobel(plane, width: w, height: h)
      for i in 0..<(w * h) { best[i] = max(best[i], e[i]) }
    }
    return best
  }

  /// Standard-normal noise (H, W, channels) from `rng`, blurred by `sigma` pixels and rescaled
  /// to unit standard deviation, so fields of any smoothness have comparable amplitude.
  static func noiseField(
    width: Int, height: Int, channels: Int, sigma: Float, rng: inout RNG
  ) -> [Float] {
    var field = rng.normals(width * height * channels)
    guard sigma >= 0.05 else { return field }
    field = blur(field, width: width, height: height, channels: channels, sigma: sigma)
    let variance = field.reduce(0) { $0 + $1 * $1 } / Float(max(field.count, 1))
    let scale = variance > 0 ? 1 / variance.squareRoot() : 0
    for i in field.indices { field[i] *= scale }
    return field
  }

  /// (1 - t) a + t b per element, clamped to [0, 1]; t = 0 returns `a` exactly.
  static func blend(_ a: RGBImage, _ b: RGBImage, _ t: Float) -> RGBImage {
    precondition(a.width == b.width && a.height == b.height, "ImageOps.blend: sizes differ")
    if t <= 0 { return a }
    let u = min(t, 1)
    var out = a
    out.pixels.withUnsafeMutableBufferPointer { o in
      b.pixels.withUnsafeBufferPointer { q in
        for i in 0..<o.count { o[i] = min(max(o[i] + u * (q[i] - o[i]), 0), 1) }
      }
    }
    return out
  }

  /// Bilinear sample of an image at continuous pixel coordinates (pixel centres at i + 0.5).
  @inline(__always)
  static func sample(
    _ p: UnsafeBufferPointer<Float>, width: Int, height: Int, x: Float, y: Float
  ) -> SIMD3<Float> {
    let fx = min(max(x - 0.5, 0), Float(width - 1))
    let fy = min(max(y - 0.5, 0), Float(height - 1))
    let x0 = Int(fx)
    let y0 = Int(fy)
    let x1 = min(x0 + 1, width - 1)
    let y1 = min(y0 + 1, height - 1)
    let tx = fx - Float(x0)
    let ty = fy - Float(y0)
    func px(_ x: Int, _ y: Int) -> SIMD3<Float> {
      let i = 3 * (y * width + x)
      return SIMD3(p[i], p[i + 1], p[i + 2])
    }
    let top = px(x0, y0) + tx * (px(x1, y0) - px(x0, y0))
    let bottom = px(x0, y1) + tx * (px(x1, y1) - px(x0, y1))
    return top + ty * (bottom - top)
  }
}
