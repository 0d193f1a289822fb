/// Renders images as terminal text with the upper-half block ▀: the foreground colour is the
/// upper pixel and the background the lower one, so one cell shows two pixels.
public enum TerminalPreview {
  /// Lines of 24-bit ANSI escapes for `image` (height rounded up to even); `scale` > 1
  /// repeats pixels so small images stay readable.
  public static func halfBlocks(_ image: RGBImage, scale: Int = 1) -> [String] {
    let s = max(1, scale)
    let W = image.width * s, H = image.height * s
    var lines: [String] = []
    var y = 0
    while y < H {
      var line = ""
      for x in 0..<W {
        let top = image[x / s, y / s]
        let bottom = y + 1 < H ? image[x / s, (y + 1) / s] : top
        line += "\u{1B}[38;2;\(byte(top.x));\(byte(top.y));\(byte(top.z))m"
        line += "\u{1B}[48;2;\(byte(bottom.x));\(byte(bottom.y));\(byte(bottom.z))m▀"
      }
      lines.append(line + "\u{1B}[0m")
      y += 2
    }
    return lines
  }

  /// Density-ramp ASCII for terminals without colour: brightness picks a glyph.
  public static func ascii(_ image: RGBImage) -> [String] {
    let ramp = Array(" .:-=+*#%@")
    var lines: [String] = []
    var y = 0
    while y < image.height {
      var line = ""
      for x in 0..<image.width {
        let p = image[x, y]
        let lum = 0.299 * p.x + 0.587 * p.y + 0.114 * p.z
        line.append(ramp[min(ramp.count - 1, max(0, Int(lum * Float(ramp.count))))])
      }
      lines.append(line)
      y += 2
    }
    return lines
  }

  static func byte(_ v: Float) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
}
