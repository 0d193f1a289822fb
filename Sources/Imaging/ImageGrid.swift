// Sample sheets: many generated images tiled into one picture so a whole GRPO group can be
// judged at a glance (and written as one PNG per step instead of dozens).

/// Lays images out in a grid with padding, for sample sheets.
public struct ImageGrid {
  /// Where `compose` puts each image: the sheet size and each image's top-left corner.
  public struct Layout: Equatable, Sendable {
    /// Sheet width in pixels.
    public var width: Int
    /// Sheet height in pixels.
    public var height: Int
    /// Top-left corner of image k on the sheet, in input order.
    public var origins: [SIMD2<Int>]
  }

  /// Computes the layout `compose` uses, without drawing.
  ///
  /// Images fill rows left to right, `columns` per row (fewer if there are fewer images). Every
  /// cell is as large as the largest image in each dimension, and smaller images are centred in
  /// their cell (rounding left/up). `padding` pixels separate cells and surround the sheet.
  public static func layout(sizes: [SIMD2<Int>], columns: Int, padding: Int = 1) -> Layout {
    precondition(columns > 0, "ImageGrid: columns must be positive, got \(columns)")
    precondition(padding >= 0, "ImageGrid: padding must be non-negative, got \(padding)")
    guard !sizes.isEmpty else {
      // A background-only square rather than 0x0, which no PNG can hold.
      let side = max(1, 2 * padding)
      return Layout(width: side, height: side, origins: [])
    }
    let cols = min(columns, sizes.count)
    let rows = (sizes.count + cols - 1) / cols
    let cellWidth = sizes.map(\.x).max() ?? 0
    let cellHeight = sizes.map(\.y).max() ?? 0
    var origins: [SIMD2<Int>] = []
    origins.reserveCapacity(sizes.count)
    for (k, size) in sizes.enumerated() {
      let cellX = padding + (k % cols) * (cellWidth + padding)
      let cellY = padding + (k / cols) * (cellHeight + padding)
      origins.append(SIMD2(cellX + (cellWidth - size.x) / 2, cellY + (cellHeight - size.y) / 2))
    }
    return Layout(
      width: cols * cellWidth + (cols + 1) * padding,
      height: rows * cellHeight + (rows + 1) * padding,
      origins: origins)
  }

  /// Tiles `images` into one sheet, `columns` per row, over a `background` colour (RGB in [0, 1]).
  public static func compose(
    _ images: [RGBImage], columns: Int, padding: Int = 1,
    background: SIMD3<Float> = SIMD3(0.1, 0.1, 0.1)
  ) -> RGBImage {
    let plan = layout(
      sizes: images.map { SIMD2($0.width, $0.height) }, columns: columns, padding: padding)
    var sheet = RGBImage(
      width: plan.width, height: plan.height, fill: (background.x, background.y, background.z))
    let sheetWidth = plan.width
    sheet.pixels.withUnsafeMutableBufferPointer { dst in
      guard let d = dst.baseAddress else { return }
      for (image, origin) in zip(images, plan.origins) {
        image.pixels.withUnsafeBufferPointer { src in
          guard let s = src.baseAddress else { return }  // a 0-sized image draws nothing
          let rowFloats = image.width * 3
          // (H, W, 3) rows are contiguous, so each image row is one copy.
          for y in 0..<image.height {
            (d + ((origin.y + y) * sheetWidth + origin.x) * 3)
              .update(from: s + y * rowFloats, count: rowFloats)
          }
        }
      }
    }
    return sheet
  }

  /// Resizes every image to `cellWidth` x `cellHeight` (area filter when shrinking) and tiles them.
  public static func compose(
    _ images: [RGBImage], columns: Int, cellWidth: Int, cellHeight: Int, padding: Int = 1,
    background: SIMD3<Float> = SIMD3(0.1, 0.1, 0.1)
  ) -> RGBImage {
    let fitted = images.map { image -> RGBImage in
      guard image.width > 0, image.height > 0 else {
        return RGBImage(width: cellWidth, height: cellHeight, fill: (background.x, background.y, background.z))
      }
      let shrinking = cellWidth < image.width || cellHeight < image.height
      return image.resized(width: cellWidth, height: cellHeight, filter: shrinking ? .area : .bilinear)
    }
    return compose(fitted, columns: columns, padding: padding, background: background)
  }
}
