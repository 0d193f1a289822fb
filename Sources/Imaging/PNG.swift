// PNG reading and writing through libpng's simplified png_image_* API, the only file that imports
// CPNG. The low-level libpng API reports errors by longjmp, which would skip Swift frames and
// leak or corrupt them; the simplified API catches its own longjmps and returns 0 with a message
// in image.message instead. Files are read whole and decoded from memory, and their chunk layout
// is checked first, so a truncated or garbage file becomes a one-line ImagingError, never a crash.

import CPNG

/// Pixel layouts `PNG.encode(_:format:)` can write.
public enum PNGFormat: Sendable {
  /// 8-bit RGB, the default and the only lossless choice for an RGBImage.
  case rgb
  /// 8-bit RGBA with every pixel opaque.
  case rgba
  /// 8-bit greyscale from Rec. 601 luma (0.299 R + 0.587 G + 0.114 B).
  case grey
}

/// Reads and writes PNG files as RGBImage.
///
/// Reading accepts 8- and 16-bit RGB, RGBA, grey, grey+alpha and palette images; all become
/// RGB. Transparency is blended onto white (straight alpha, in sRGB space, as image viewers
/// show it), or onto a chosen colour with `decode(_:name:background:)`. 16-bit files without
/// gamma information are taken to be sRGB-encoded, as nearly all such files in the wild are.
public enum PNG {
  /// The eight bytes every PNG starts with.
  static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
  /// Decoding refuses more pixels than this (256 Mpx, 3 GiB of floats) before allocating.
  static let maxPixels = 1 << 28
  /// PNG_FORMAT_RGBA, spelled out: Swift does not import macros built from other macros.
  static let formatRGBA = UInt32(PNG_FORMAT_RGB) | UInt32(PNG_FORMAT_FLAG_ALPHA)

  /// Reads and decodes the PNG file at `path`.
  public static func read(path: String) throws -> RGBImage {
    try decode(FileIO.readAll(path: path), name: path)
  }

  /// Decodes PNG bytes; `name` is what error messages call the source.
  public static func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> RGBImage {
    try decode(bytes, name: name, background: SIMD3(1, 1, 1))
  }

  /// Decodes PNG bytes, blending any transparency onto `background` (RGB in [0, 1]).
  public static func decode(
    _ bytes: [UInt8], name: String, background: SIMD3<Float>
  ) throws -> RGBImage {
    try checkStructure(bytes, name: name)
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    defer { png_image_free(&image) }
    let began = bytes.withUnsafeBytes { raw in
      png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
    }
    guard began != 0 else { throw corrupt(image, name: name) }
    let width = Int(image.width)
    let height = Int(image.height)
    guard width > 0, height > 0, width <= maxPixels / height else {
      throw ImagingError(name: name, "image too large (\(width)x\(height))")
    }
    let hasAlpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
    if image.format & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0 {
      image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
    }
    // Ask for RGBA whenever the file has any transparency (alpha channel or tRNS) and blend it
    // ourselves: libpng would otherwise composite in its own gamma space.
    let channels = hasAlpha ? 4 : 3
    image.format = hasAlpha ? formatRGBA : UInt32(PNG_FORMAT_RGB)
    var raw = [UInt8](repeating: 0, count: width * height * channels)  // (H, W, channels)
    let finished = raw.withUnsafeMutableBytes { buffer in
      png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
    }
    guard finished != 0 else { throw corrupt(image, name: name) }
    if !hasAlpha { return RGBImage(width: width, height: height, rgbBytes: raw) }
    return composite(rgba: raw, width: width, height: height, background: background)
  }

  /// Encodes an image as an 8-bit RGB PNG; lossless for values that are multiples of 1/255.
  public static func encode(_ image: RGBImage) throws -> [UInt8] {
    try encode(image, format: .rgb)
  }

  /// Encodes an image in the given pixel layout.
  public static func encode(_ image: RGBImage, format: PNGFormat) throws -> [UInt8] {
    try encode(image, format: format, name: "<memory>")
  }

  /// Encodes an 8-bit RGBA PNG whose alpha comes from `alpha`, (H, W) in [0, 1].
  public static func encode(_ image: RGBImage, alpha: [Float]) throws -> [UInt8] {
    let count = image.width * image.height
    guard alpha.count == count else {
      throw ImagingError(
        name: "<memory>", "alpha has \(alpha.count) values for a \(image.width)x\(image.height) image")
    }
    let rgb = image.rgbBytes()
    var rgba = [UInt8](repeating: 0, count: count * 4)  // (H, W, 4)
    for i in 0..<count {
      rgba[4 * i] = rgb[3 * i]
      rgba[4 * i + 1] = rgb[3 * i + 1]
      rgba[4 * i + 2] = rgb[3 * i + 2]
      rgba[4 * i + 3] = unitToByte(alpha[i])
    }
    return try encodeRaw(
      rgba, width: image.width, height: image.height, format: formatRGBA,
      name: "<memory>")
  }

  /// Writes atomically: to a temporary name in the same directory, then rename, so a crash never leaves a half-written file.
  public static func write(_ image: RGBImage, to path: String) throws {
    let bytes = try encode(image, format: .rgb, name: path)
    try FileIO.writeAtomically(bytes, to: path)
  }

  /// Converts to the requested byte layout and compresses; `name` labels errors.
  static func encode(_ image: RGBImage, format: PNGFormat, name: String) throws -> [UInt8] {
    let count = image.width * image.height
    let rgb = image.rgbBytes()  // (H, W, 3)
    switch format {
    case .rgb:
      return try encodeRaw(
        rgb, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_RGB), name: name)
    case .rgba:
      var rgba = [UInt8](repeating: 255, count: count * 4)  // (H, W, 4), opaque
      for i in 0..<count {
        rgba[4 * i] = rgb[3 * i]
        rgba[4 * i + 1] = rgb[3 * i + 1]
        rgba[4 * i + 2] = rgb[3 * i + 2]
      }
      return try encodeRaw(
        rgba, width: image.width, height: image.height, format: formatRGBA,
        name: name)
    case .grey:
      var grey = [UInt8](repeating: 0, count: count)  // (H, W)
      image.pixels.withUnsafeBufferPointer { p in
        for i in 0..<count {
          grey[i] = unitToByte(0.299 * p[3 * i] + 0.587 * p[3 * i + 1] + 0.114 * p[3 * i + 2])
        }
      }
      return try encodeRaw(
        grey, width: image.width, height: image.height, format: UInt32(PNG_FORMAT_GRAY),
        name: name)
    }
  }

  /// Compresses interleaved 8-bit samples in libpng format `format` into PNG bytes.
  private static func encodeRaw(
    _ samples: [UInt8], width: Int, height: Int, format: UInt32, name: String
  ) throws -> [UInt8] {
    guard width > 0, height > 0 else {
      throw ImagingError(name: name, "cannot encode an empty \(width)x\(height) image")
    }
    guard width <= Int(Int32.max) / 4, height <= Int(Int32.max) else {
      throw ImagingError(name: name, "image too large to encode (\(width)x\(height))")
    }
    var image = png_image()
    image.version = UInt32(PNG_IMAGE_VERSION)
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = format
    defer { png_image_free(&image) }
    // Upper bound from png.h's PNG_IMAGE_PNG_SIZE_MAX (zlib's deflateBound plus chunk
    // overhead, generously), so one compression pass normally suffices.
    let channels = samples.count / (width * height)
    let filtered = height * (width * channels + 1)
    let deflated = filtered + (filtered + 7) / 8 + (filtered + 63) / 64 + 11
    var capacity = 8 + 25 + 16 + 44 + 12 + 12 + 12 * (deflated / 1024 + 1) + deflated
    for _ in 0..<2 {
      var output = [UInt8](repeating: 0, count: capacity)
      var size = capacity
      let ok = output.withUnsafeMutableBytes { out in
        samples.withUnsafeBytes { input in
          png_image_write_to_memory(&image, out.baseAddress, &size, 0, input.baseAddress, 0, nil)
        }
      }
      if ok != 0 {
        output.removeSubrange(size...)
        return output
      }
      // On a too-small buffer libpng reports the size it needs; anything else is a real error.
      guard size > capacity else { break }
      capacity = size
      png_image_free(&image)
      image.warning_or_error = 0
    }
    throw ImagingError(name: name, "cannot encode PNG (libpng: \(message(of: image)))")
  }

  /// Blends straight-alpha RGBA bytes (H, W, 4) onto `background`, giving an RGB image.
  private static func composite(
    rgba: [UInt8], width: Int, height: Int, background: SIMD3<Float>
  ) -> RGBImage {
    let count = width * height
    var pixels = [Float](repeating: 0, count: count * 3)  // (H, W, 3)
    let bg = (clampUnit(background.x, lo: 0, hi: 1), clampUnit(background.y, lo: 0, hi: 1),
      clampUnit(background.z, lo: 0, hi: 1))
    pixels.withUnsafeMutableBufferPointer { out in
      rgba.withUnsafeBufferPointer { src in
        for i in 0..<count {
          let a = byteToUnit(src[4 * i + 3])
          let keep = 1 - a
          out[3 * i] = byteToUnit(src[4 * i]) * a + bg.0 * keep
          out[3 * i + 1] = byteToUnit(src[4 * i + 1]) * a + bg.1 * keep
          out[3 * i + 2] = byteToUnit(src[4 * i + 2]) * a + bg.2 * keep
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }

  /// Checks the signature and walks the chunk list to IEND, so truncation anywhere in the file
  /// (which libpng tolerates after the last IDAT) is reported with a precise reason.
  static func checkStructure(_ bytes: [UInt8], name: String) throws {
    if bytes.isEmpty { throw ImagingError(name: name, "empty file (0 bytes)") }
    if bytes.count < 8 {
      if bytes[...] == signature[..<bytes.count] {
        throw ImagingError(name: name, "truncated PNG (\(bytes.count) bytes, ends inside the signature)")
      }
      throw ImagingError(name: name, "not a PNG file (bad signature)")
    }
    if bytes[..<8] != signature[...] { throw ImagingError(name: name, "not a PNG file (bad signature)") }
    var offset = 8
    while true {
      if offset == bytes.count {
        throw ImagingError(name: name, "truncated PNG (file ends after \(offset) bytes with no IEND chunk)")
      }
      if offset + 8 > bytes.count {
        throw ImagingError(
          name: name, "truncated PNG (file ends inside a chunk header at byte \(offset) of \(bytes.count))")
      }
      let length =
        Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
        | Int(bytes[offset + 3])
      let typeBytes = bytes[(offset + 4)..<(offset + 8)]
      let isLetters = typeBytes.allSatisfy { (65...90).contains($0) || (97...122).contains($0) }
      guard isLetters, length <= 0x7FFF_FFFF else {
        throw ImagingError(name: name, "corrupt PNG (invalid chunk header at byte \(offset))")
      }
      let type = String(decoding: typeBytes, as: UTF8.self)
      let end = offset + 12 + length
      if end > bytes.count {
        throw ImagingError(
          name: name,
          "truncated PNG (\(type) chunk at byte \(offset) needs \(12 + length) bytes, file has \(bytes.count - offset) left)")
      }
      if type == "IEND" { return }
      offset = end
    }
  }

  /// The ImagingError for a libpng read failure.
  private static func corrupt(_ image: png_image, name: String) -> ImagingError {
    ImagingError(name: name, "truncated or corrupt PNG (libpng: \(message(of: image)))")
  }

  /// libpng's NUL-terminated message from image.message (a fixed C char array).
  private static func message(of image: png_image) -> String {
    var text = image.message
    let decoded = withUnsafeBytes(of: &text) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return decoded.isEmpty ? "unknown error" : decoded
  }
}
