// Separable resampling: each filter is reduced to a table of source taps per output row or
// column, then one horizontal and one vertical pass apply the tables with raw pointers. Both
// filters use pixel-centre alignment (output pixel j's centre maps to source coordinate
// (j + 0.5) * in / out - 0.5), so a resize never shifts the image by half a pixel.

/// How `RGBImage.resized` computes each output pixel.
public enum ResizeFilter: Sendable {
  /// Linear interpolation between the two nearest source pixels per axis; smooth when enlarging.
  case bilinear
  /// Box-filter average over the source area an output pixel covers; the right choice when shrinking.
  case area
}

extension RGBImage {
  /// This image resampled to width x height with the given filter.
  public func resized(width: Int, height: Int, filter: ResizeFilter = .bilinear) -> RGBImage {
    precondition(width > 0 && height > 0, "RGBImage.resized: target size \(width)x\(height)")
    precondition(
      self.width > 0 && self.height > 0, "RGBImage.resized: empty source \(self.width)x\(self.height)")
    if width == self.width && height == self.height { return self }
    let xTaps = ResampleTaps(filter: filter, input: self.width, output: width)
    let yTaps = ResampleTaps(filter: filter, input: self.height, output: height)
    // Pick the pass order that touches fewer taps: shrinking an axis first makes the other pass cheaper.
    let horizontalFirst =
      self.height * width * xTaps.stride + height * width * yTaps.stride
      <= height * self.width * yTaps.stride + height * width * xTaps.stride
    var current = pixels
    var w = self.width
    var h = self.height
    if horizontalFirst {
      if width != w { current = resampleRows(current, width: w, height: h, taps: xTaps); w = width }
      if height != h { current = resampleColumns(current, width: w, taps: yTaps); h = height }
    } else {
      if height != h { current = resampleColumns(current, width: w, taps: yTaps); h = height }
      if width != w { current = resampleRows(current, width: w, height: h, taps: xTaps); w = width }
    }
    return RGBImage(width: w, height: h, pixels: current)
  }
}

/// For each output index along one axis: the first source index and `stride` weights
/// (zero-padded), so the inner loops have a fixed trip count and never branch on the filter.
struct ResampleTaps {
  /// First source index per output index, (output,).
  var starts: [Int]
  /// Weights per output index, (output, stride); each row sums to 1.
  var weights: [Float]
  /// Taps per output index.
  var stride: Int

  /// Builds the table mapping `input` samples to `output` samples.
  init(filter: ResizeFilter, input: Int, output: Int) {
    let scale = Double(input) / Double(output)
    switch filter {
    case .bilinear:
      stride = min(2, input)
    case .area:
      // An interval of length `scale` starting anywhere overlaps at most ceil(scale) + 1 pixels.
      stride = min(Int(scale.rounded(.up)) + 1, input)
    }
    starts = [Int](repeating: 0, count: output)
    weights = [Float](repeating: 0, count: output * stride)
    // Scratch weights indexed from `first`, reused across outputs.
    var row = [Double](repeating: 0, count: stride)
    for j in 0..<output {
      for k in 0..<stride { row[k] = 0 }
      let first: Int
      switch filter {
      case .bilinear:
        let src = min(max((Double(j) + 0.5) * scale - 0.5, 0), Double(input - 1))
        first = min(Int(src), input - stride)  // keep first + 1 in range; f reaches 1 at the edge
        let f = src - Double(first)
        row[0] = 1 - f
        if stride > 1 { row[1] = f }
      case .area:
        // Output j covers the source interval [lo, hi); weights are the overlap lengths.
        let lo = Double(j) * scale
        let hi = min(Double(j + 1) * scale, Double(input))
        first = min(Int(lo), input - 1)
        let last = min(Int(hi.rounded(.up)) - 1, input - 1, first + stride - 1)
        if last >= first {
          for i in first...last {
            let overlap = min(hi, Double(i + 1)) - max(lo, Double(i))
            if overlap > 0 { row[i - first] = overlap }
          }
        }
      }
      // Shift the window left at the far border so start + stride never passes the input:
      // the passes then read `stride` samples per output without bounds checks.
      let start = min(first, input - stride)
      let shift = first - start
      var total = 0.0
      for k in 0..<stride { total += row[k] }
      if total <= 0 { row[0] = 1; total = 1 }  // unreachable for positive sizes; keeps weights finite
      starts[j] = start
      for k in 0..<(stride - shift) { weights[j * stride + k + shift] = Float(row[k] / total) }
    }
  }
}

/// Resamples each row of an interleaved (height, width, 3) buffer to (height, taps.count, 3).
private func resampleRows(_ src: [Float], width: Int, height: Int, taps: ResampleTaps) -> [Float] {
  let outWidth = taps.starts.count
  let stride = taps.stride
  var out = [Float](repeating: 0, count: height * outWidth * 3)
  out.withUnsafeMutableBufferPointer { dst in
    src.withUnsafeBufferPointer { s in
      taps.starts.withUnsafeBufferPointer { starts in
        taps.weights.withUnsafeBufferPointer { weights in
          for y in 0..<height {
            let srcRow = y * width * 3
            let dstRow = y * outWidth * 3
            for j in 0..<outWidth {
              var r: Float = 0
              var g: Float = 0
              var b: Float = 0
              var p = srcRow + starts[j] * 3
              for k in 0..<stride {
                let wk = weights[j * stride + k]
                r += wk * s[p]
                g += wk * s[p + 1]
                b += wk * s[p + 2]
                p += 3
              }
              dst[dstRow + 3 * j] = r
              dst[dstRow + 3 * j + 1] = g
              dst[dstRow + 3 * j + 2] = b
            }
          }
        }
      }
    }
  }
  return out
}

/// Resamples the rows of an interleaved (height, width, 3) buffer to (taps.count, width, 3),
/// accumulating whole source rows so the inner loop runs over contiguous floats.
private func resampleColumns(_ src: [Float], width: Int, taps: ResampleTaps) -> [Float] {
  let outHeight = taps.starts.count
  let rowFloats = width * 3
  let stride = taps.stride
  var out = [Float](repeating: 0, count: outHeight * rowFloats)
  out.withUnsafeMutableBufferPointer { dst in
    src.withUnsafeBufferPointer { s in
      for j in 0..<outHeight {
        let dstRow = j * rowFloats
        for k in 0..<stride {
          let wk = taps.weights[j * stride + k]
          if wk == 0 { continue }  // padding taps; also avoids reading rows past the source end
          let srcRow = (taps.starts[j] + k) * rowFloats
          for i in 0..<rowFloats { dst[dstRow + i] += wk * s[srcRow + i] }
        }
      }
    }
  }
  return out
}
