import RunProtocol

// Images as half blocks: each cell is "▀" with the upper pixel as foreground and the lower as
// background, so a cell shows two square-ish pixels in any font. Without colour, a density ramp
// of the cell's brightness stands in. Thumbnails are area-averaged to the cell grid, so a
// 32×32 sample stays recognisable at 8×4 cells.

/// Drawing RunProtocol thumbnails into the grid.
public enum ThumbnailWidget {
  /// Brightness ramp, dark to light, for terminals without colour.
  public static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

  /// Area-average (box filter) resample to width × height pixels, RGB bytes; enlarging
  /// repeats pixels.
  public static func resample(_ t: Thumbnail, width: Int, height: Int) -> [UInt8] {
    guard width > 0, height > 0, t.width > 0, t.height > 0, t.rgb.count >= t.width * t.height * 3 else {
      return [UInt8](repeating: 0, count: max(0, width * height * 3))
    }
    if width == t.width && height == t.height { return t.rgb }
    var out = [UInt8](repeating: 0, count: width * height * 3)
    t.rgb.withUnsafeBufferPointer { src in
      for y in 0..<height {
        let sy0 = y * t.height / height, sy1 = max(sy0 + 1, (y + 1) * t.height / height)
        for x in 0..<width {
          let sx0 = x * t.width / width, sx1 = max(sx0 + 1, (x + 1) * t.width / width)
          var r = 0, g = 0, b = 0
          for sy in sy0..<sy1 {
            var i = (sy * t.width + sx0) * 3
            for _ in sx0..<sx1 {
              r += Int(src[i])
              g += Int(src[i + 1])
              b += Int(src[i + 2])
              i += 3
            }
          }
          let n = (sy1 - sy0) * (sx1 - sx0)
          let o = (y * width + x) * 3
          out[o] = UInt8((r + n / 2) / n)
          out[o + 1] = UInt8((g + n / 2) / n)
          out[o + 2] = UInt8((b + n / 2) / n)
        }
      }
    }
    return out
  }

  /// Draws `t` filling `rect`: rect.width × (2 · rect.height) pixels.
  public static func draw(into grid: inout CellGrid, rect: Rect, thumbnail t: Thumbnail, colored: Bool, background: CellColor) {
    guard rect.width > 0, rect.height > 0 else { return }
    let w = rect.width, h = rect.height * 2
    let px = resample(t, width: w, height: h)
    for cy in 0..<rect.height {
      for cx in 0..<w {
        let u = ((cy * 2) * w + cx) * 3, l = ((cy * 2 + 1) * w + cx) * 3
        if colored {
          let up = CellColor.rgb(px[u], px[u + 1], px[u + 2])
          let low = CellColor.rgb(px[l], px[l + 1], px[l + 2])
          grid.put(rect.x + cx, rect.y + cy, "▀", Style(fg: up, bg: low))
        } else {
          let lum = (luminance(px[u], px[u + 1], px[u + 2]) + luminance(px[l], px[l + 1], px[l + 2])) / 2
          let i = min(ramp.count - 1, Int(lum * Double(ramp.count)))
          grid.put(rect.x + cx, rect.y + cy, ramp[i], Style(bg: background))
        }
      }
    }
  }

  /// Rec. 709 luminance in [0, 1].
  static func luminance(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Double {
    (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
  }

  /// The cell size of a thumbnail `width` cells wide that keeps square pixels.
  public static func cells(width: Int) -> (Int, Int) { (width, max(1, (width + 1) / 2)) }
}
