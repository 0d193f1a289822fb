// The six global styles as deterministic image transforms (WORLD.md, "Styles"). Each style
// computes its full-strength image, and `apply` blends it with the input linearly, so a
// weakened style is the same function at a lower strength and strength 0 is exactly the input.
// Spatial parameters scale with the image side S (k = S / 32), so a style looks alike at 16,
// 32 and 64 px. Randomness (paper grain, bleeding, tile jitter) comes only from `seed`.
//
//   watercolor  blur + displaced bleeding, lightened toward paper, darker pooled edges, grain
//   pixel-art   3-px blocks (S / 10.67), contrast x1.4, 14-colour palette, navy sprite outlines
//   pop-art     saturate, posterise to 3 levels, halftone dots on a light ground, black outlines
//   sketch      grey edge strokes and light diagonal hatching on warm paper-white
//   neon        near-black ground, edges drawn in the saturated local colour, with a glow
//   mosaic      tiles of averaged colour (about S/6.4 px) with 1-px light grout lines

import Engine
import Foundation
import Imaging

extension Style {
  /// The style applied at `strength` (0 = identity, 1 = full), deterministic in `seed`.
  public func apply(to image: RGBImage, strength: Float, seed: UInt64) -> RGBImage {
    guard strength > 0, image.width > 0, image.height > 0 else { return image }
    var rng = RNG(seed: seed).stream(UInt64(Style.allCases.firstIndex(of: self) ?? 0))
    let full: RGBImage
    switch self {
    case .watercolor: full = StyleKernels.watercolor(image, rng: &rng)
    case .pixelArt: full = StyleKernels.pixelArt(image)
    case .popArt: full = StyleKernels.popArt(image)
    case .sketch: full = StyleKernels.sketch(image, rng: &rng)
    case .neon: full = StyleKernels.neon(image)
    case .mosaic: full = StyleKernels.mosaic(image, rng: &rng)
    }
    return ImageOps.blend(image, full, strength)
  }
}

/// Full-strength implementations of the styles.
enum StyleKernels {
  /// The pixel-art palette: the ten canonical colours, with white and black swapped for a
  /// retro cream and ink (still named white and black), plus four retro neutrals (navy, slate,
  /// cloud, umber) that greys snap to, so grounds change character while object colours keep
  /// their names. Index 10 (navy) is the outline ink.
  static let pixelPalette: [SIMD3<Float>] =
    Colour.allCases.map { colour in
      switch colour {
      case .white: return SIMD3(0.98, 0.95, 0.84)
      case .black: return SIMD3(0.12, 0.10, 0.18)
      default: return colour.rgb
      }
    } + [
      SIMD3(0.11, 0.13, 0.25), SIMD3(0.33, 0.36, 0.50), SIMD3(0.72, 0.75, 0.82),
      SIMD3(0.40, 0.26, 0.20),
    ]
  /// Index of navy in `pixelPalette`.
  static let pixelInk = Colour.allCases.count

  /// Soft, bled, lightened colour with darker pooled edges and paper grain.
  static func watercolor(_ image: RGBImage, rng: inout RNG) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let k = Float(w) / 32
    let soft = ImageOps.blur(image, sigma: 0.9 * k)
    // Bleeding: read the softened image through a smooth random displacement (about 1 px).
    let shift = ImageOps.noiseField(width: w, height: h, channels: 2, sigma: 2 * k, rng: &rng)
    let grain = ImageOps.noiseField(width: w, height: h, channels: 1, sigma: 0.7, rng: &rng)
    var bled = soft
    soft.pixels.withUnsafeBufferPointer { src in
      bled.pixels.withUnsafeMutableBufferPointer { dst in
        for y in 0..<h {
          for x in 0..<w {
            let i = y * w + x
            let c = ImageOps.sample(
              src, width: w, height: h, x: Float(x) + 0.5 + 1.2 * k * shift[2 * i],
              y: Float(y) + 0.5 + 1.2 * k * shift[2 * i + 1])
            dst[3 * i] = c.x
            dst[3 * i + 1] = c.y
            dst[3 * i + 2] = c.z
          }
        }
      }
    }
    let edges = ImageOps.colourEdges(bled)
    let paper = SIMD3<Float>(1, 0.95, 0.82)
    var out = bled
    out.pixels.withUnsafeMutableBufferPointer { p in
      for i in 0..<(w * h) {
        var c = SIMD3(p[3 * i], p[3 * i + 1], p[3 * i + 2])
        let l = luma(c)
        c = SIMD3(repeating: l) + 0.85 * (c - SIMD3(repeating: l))  // a little desaturated
        c = 0.68 * c + 0.32 * paper  // thin pigment on light paper
        c *= 1 - 0.35 * min(edges[i] * 1.5, 1)  // pigment pools at edges
        c *= 1 + 0.045 * grain[i]
        p[3 * i] = min(max(c.x, 0), 1)
        p[3 * i + 1] = min(max(c.y, 0), 1)
        p[3 * i + 2] = min(max(c.z, 0), 1)
      }
    }
    return out
  }

  /// Blocky and palette-quantised: blocks of averaged colour, contrast boosted, snapped to a
  /// 14-colour palette, with dark outlines around colourful sprites.
  static func pixelArt(_ image: RGBImage) -> RGBImage {
    let (w, h) = (image.width, image.height)
    // 3-px blocks at 32 px (2 at 16): coarse enough to read as pixel art, fine enough to
    // keep small shapes.
    let factor = max(2, Int((Float(w) / 10.67).rounded()))
    let bw = (w + factor - 1) / factor
    let bh = (h + factor - 1) / factor
    var blocks = [Int](repeating: 0, count: bw * bh)  // (bh, bw) palette indices
    var vivid = [Bool](repeating: false, count: bw * bh)  // (bh, bw) block mean is colourful
    var out = image
    image.pixels.withUnsafeBufferPointer { src in
      out.pixels.withUnsafeMutableBufferPointer { dst in
        for by in 0..<bh {
          for bx in 0..<bw {
            let (x0, y0) = (bx * factor, by * factor)
            let (x1, y1) = (min(x0 + factor, w), min(y0 + factor, h))
            var sum = SIMD3<Float>.zero
            for y in y0..<y1 {
              for x in x0..<x1 {
                let i = 3 * (y * w + x)
                sum += SIMD3(src[i], src[i + 1], src[i + 2])
              }
            }
            let mean = sum / Float((x1 - x0) * (y1 - y0))
            // Punchier contrast first, as pixel art is: mid greys go to navy or light grey.
            let punchy = SIMD3(repeating: 0.5) + 1.4 * (mean - SIMD3(repeating: 0.5))
            blocks[by * bw + bx] = nearestIndex(in: pixelPalette, to: punchy)
            vivid[by * bw + bx] = mean.max() - mean.min() > 0.3
          }
        }
        // Sprite outlines: ground blocks (the most common palette colour, ties to the lower
        // index so the choice is deterministic) that touch a colourful block of another
        // colour become navy (black if the ground is navy), as in hand-drawn pixel art.
        var tally = [Int](repeating: 0, count: pixelPalette.count)
        for c in blocks { tally[c] += 1 }
        let ground =
          tally.indices.max { tally[$0] < tally[$1] || (tally[$0] == tally[$1] && $0 > $1) } ?? 0
        let ink = ground == pixelInk ? Colour.allCases.firstIndex(of: .black) ?? 0 : pixelInk
        var outlined = blocks
        for by in 0..<bh {
          for bx in 0..<bw where blocks[by * bw + bx] == ground {
            let touches = [(-1, 0), (1, 0), (0, -1), (0, 1)].contains { dx, dy in
              let (nx, ny) = (bx + dx, by + dy)
              guard nx >= 0 && nx < bw && ny >= 0 && ny < bh else { return false }
              return vivid[ny * bw + nx] && blocks[ny * bw + nx] != ground
            }
            if touches { outlined[by * bw + bx] = ink }
          }
        }
        for by in 0..<bh {
          for bx in 0..<bw {
            let c = pixelPalette[outlined[by * bw + bx]]
            for y in (by * factor)..<min(by * factor + factor, h) {
              for x in (bx * factor)..<min(bx * factor + factor, w) {
                let i = 3 * (y * w + x)
                dst[i] = c.x
                dst[i + 1] = c.y
                dst[i + 2] = c.z
              }
            }
          }
        }
      }
    }
    return out
  }

  /// Flat saturated posterised colour, halftone dots on a lightened ground, black outlines.
  static func popArt(_ image: RGBImage) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let k = Float(w) / 32
    let period = max(3, 4 * k)
    let edges = ImageOps.colourEdges(image)
    var out = image
    out.pixels.withUnsafeMutableBufferPointer { p in
      for y in 0..<h {
        for x in 0..<w {
          let i = y * w + x
          var c = SIMD3(p[3 * i], p[3 * i + 1], p[3 * i + 2])
          let l = luma(c)
          c = SIMD3(repeating: l) + 1.9 * (c - SIMD3(repeating: l))
          c = (c.clamped(lowerBound: .zero, upperBound: .one) * 2).rounded(.toNearestOrEven) / 2
          // Ben-Day dots on a 45-degree lattice; darker colours get bigger dots.
          let u = (Float(x) + Float(y) + 1) / period
          let v = (Float(x) - Float(y)) / period
          let du = (u - u.rounded()) * period * 0.7071
          let dv = (v - v.rounded()) * period * 0.7071
          let radius = period * 0.5 * (0.35 + 0.65 * (1 - luma(c)).squareRoot())
          let dot = min(max(radius - (du * du + dv * dv).squareRoot() + 0.5, 0), 1)
          let ground = 0.45 * c + 0.55 * SIMD3<Float>(1, 0.97, 0.88)
          c = ground + dot * (c - ground)
          c *= 1 - min(max(edges[i] * 2.5 - 0.3, 0), 1)  // bold black outlines
          p[3 * i] = c.x
          p[3 * i + 1] = c.y
          p[3 * i + 2] = c.z
        }
      }
    }
    return out
  }

  /// Grey strokes along colour edges and light hatching in dark areas, on warm paper-white.
  static func sketch(_ image: RGBImage, rng: inout RNG) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let k = Float(w) / 32
    let edges = ImageOps.blur(
      ImageOps.colourEdges(image), width: w, height: h, channels: 1, sigma: 0.4 * k)
    let lumas = ImageOps.lumaPlane(image)
    let grain = ImageOps.noiseField(width: w, height: h, channels: 1, sigma: 0.6, rng: &rng)
    let paper = SIMD3<Float>(0.96, 0.95, 0.91)
    let hatchPeriod = max(3, (3 * k).rounded())
    var out = image
    out.pixels.withUnsafeMutableBufferPointer { p in
      for y in 0..<h {
        for x in 0..<w {
          let i = y * w + x
          let ink = min(edges[i] * 2.2, 1)
          let shade = max(0, 0.75 - lumas[i])
          let phase = (Float(x + y) / hatchPeriod).truncatingRemainder(dividingBy: 1)
          let hatch: Float = phase < 0.34 ? 0.5 * shade : 0
          let darkness = min(0.8 * ink + hatch + 0.03 * grain[i], 0.9)
          let c = paper * (1 - max(darkness, 0))
          p[3 * i] = c.x
          p[3 * i + 1] = c.y
          p[3 * i + 2] = c.z
        }
      }
    }
    return out
  }

  /// Dark ground with edges drawn as glowing lines in the local colour, fully saturated.
  static func neon(_ image: RGBImage) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let k = Float(w) / 32
    let edges = ImageOps.colourEdges(image)
    let soft = ImageOps.blur(image, sigma: 0.8 * k)
    var lines = [Float](repeating: 0, count: w * h * 3)  // (H, W, 3): coloured line layer
    soft.pixels.withUnsafeBufferPointer { s in
      for i in 0..<(w * h) {
        let c = SIMD3(s[3 * i], s[3 * i + 1], s[3 * i + 2])
        let spread = c.max() - c.min()
        // Saturate fully; greys (no hue to keep) glow cyan.
        let hue = spread > 0.08 ? (c - c.min()) / spread : SIMD3<Float>(0.25, 0.95, 1)
        let strength = min(edges[i] * 2.5, 1)
        lines[3 * i] = hue.x * strength
        lines[3 * i + 1] = hue.y * strength
        lines[3 * i + 2] = hue.z * strength
      }
    }
    let glow = ImageOps.blur(lines, width: w, height: h, channels: 3, sigma: 1.6 * k)
    var out = image
    out.pixels.withUnsafeMutableBufferPointer { p in
      for i in 0..<(w * h) {
        for c in 0..<3 {
          let base: Float = c == 2 ? 0.07 : 0.03
          let v = base + 0.08 * p[3 * i + c] + lines[3 * i + c] + 1.4 * glow[3 * i + c]
          p[3 * i + c] = min(max(v, 0), 1)
        }
      }
    }
    return out
  }

  /// Tiles of averaged colour, each slightly varied in brightness, with light grout lines.
  static func mosaic(_ image: RGBImage, rng: inout RNG) -> RGBImage {
    let (w, h) = (image.width, image.height)
    let tile = max(3, Int((Float(w) / 6.4).rounded()))
    let grout = SIMD3<Float>(0.86, 0.84, 0.78)
    var out = image
    image.pixels.withUnsafeBufferPointer { src in
      out.pixels.withUnsafeMutableBufferPointer { dst in
        for ty in stride(from: 0, to: h, by: tile) {
          for tx in stride(from: 0, to: w, by: tile) {
            let (x1, y1) = (min(tx + tile, w), min(ty + tile, h))
            var sum = SIMD3<Float>.zero
            for y in ty..<y1 {
              for x in tx..<x1 {
                let i = 3 * (y * w + x)
                sum += SIMD3(src[i], src[i + 1], src[i + 2])
              }
            }
            let jitter = 1 + rng.uniform(-0.08, 0.08)
            let c = (sum / Float((x1 - tx) * (y1 - ty)) * jitter)
              .clamped(lowerBound: .zero, upperBound: .one)
            for y in ty..<y1 {
              for x in tx..<x1 {
                // The tile's last row and column are grout.
                let isGrout = x == tx + tile - 1 || y == ty + tile - 1
                let v = isGrout ? grout : c
                let i = 3 * (y * w + x)
                dst[i] = v.x
                dst[i + 1] = v.y
                dst[i + 2] = v.z
              }
            }
          }
        }
      }
    }
    return out
  }

  /// The index of the palette entry nearest (Euclidean) to `c`.
  static func nearestIndex(in palette: [SIMD3<Float>], to c: SIMD3<Float>) -> Int {
    var best = 0
    var bestDistance = Float.infinity
    for (k, p) in palette.enumerated() {
      let d = p - c
      let distance = (d * d).sum()
      if distance < bestDistance {
        best = k
        bestDistance = distance
      }
    }
    return best
  }
}
