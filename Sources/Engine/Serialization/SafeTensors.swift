import Foundation

/// The element types grpotop reads and writes in safetensors files.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
  case f32 = "F32", f16 = "F16", bf16 = "BF16"

  /// Bytes per stored element.
  public var byteSize: Int { self == .f32 ? 4 : 2 }
}

/// One named tensor, held as Float32 whatever its stored dtype.
public struct SafeTensor: Sendable, Equatable {
  public var name: String
  public var shape: [Int]
  public var values: [Float]

  /// A tensor; `values` are row-major and should number product(shape) (1 for a scalar `[]`).
  public init(name: String, shape: [Int], values: [Float]) {
    self.name = name
    self.shape = shape
    self.values = values
  }
}

/// A safetensors problem, as one line naming the file and what is wrong.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
  public let description: String

  /// An error whose description is `description`, which should already name the file.
  public init(_ description: String) { self.description = description }
}

/// A safetensors file in memory: tensors in file order plus string metadata.
public struct SafeTensorsFile: Sendable {
  public var tensors: [SafeTensor]
  public var metadata: [String: String]

  /// A file holding `tensors` (written in this order) and `metadata`.
  public init(tensors: [SafeTensor] = [], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The first tensor called `name`, if any.
  public subscript(name: String) -> SafeTensor? { tensors.first { $0.name == name } }

  /// Reads F32, F16 and BF16 tensors (converted to Float32).
  public static func read(path: String) throws -> SafeTensorsFile {
    // POSIX calls rather than Data(contentsOf:): their errno text says what went wrong.
    func fail(_ what: String) -> SafeTensorsError {
      SafeTensorsError("\(path): cannot \(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw fail("open") }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw fail("stat") }
    guard info.st_mode & S_IFMT == S_IFREG else { throw SafeTensorsError("\(path): not a regular file") }
    let size = Int(info.st_size)
    var readError: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      while initialized < size, let base = buffer.baseAddress {
        let n = Foundation.read(fd, base + initialized, size - initialized)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { readError = errno }
        if n <= 0 { break }
        initialized += n
      }
    }
    guard readError == 0 else {
      throw SafeTensorsError("\(path): cannot read: \(String(cString: strerror(readError)))")
    }
    guard bytes.count == size else {
      throw SafeTensorsError("\(path): file shrank from \(size) to \(bytes.count) bytes while reading")
    }
    return try decode(bytes, name: path)
  }

  /// Decodes a whole file's bytes; `name` (usually the path) prefixes every error.
  public static func decode(_ bytes: [UInt8], name: String) throws -> SafeTensorsFile {
    try bytes.withUnsafeBytes { try decode(raw: $0, name: name) }
  }

  /// Decodes a whole file's bytes in place, without copying them first.
  public static func decode(raw: UnsafeRawBufferPointer, name: String) throws -> SafeTensorsFile {
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError("\(name): \(message)") }
    guard raw.count >= 8 else {
      throw fail("file is \(raw.count) bytes, shorter than the 8-byte header length")
    }
    let headerLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
    let available = raw.count - 8
    // Compared as UInt64 so that a garbage length above Int.max cannot trap on conversion.
    guard headerLength <= UInt64(available) else {
      throw fail("truncated: header says \(headerLength) bytes, file has \(available) after the 8-byte length")
    }
    let dataStart = 8 + Int(headerLength)
    let dataSize = raw.count - dataStart
    let root: STJSON
    do {
      var parser = STJSONParser(bytes: UnsafeRawBufferPointer(rebasing: raw[8..<dataStart]))
      root = try parser.parseDocument()
    } catch let error as STJSONError {
      throw fail("bad JSON header: \(error.message)")
    }
    guard case .object(let entries) = root else {
      throw fail("bad JSON header: top level is not a JSON object")
    }

    var result = SafeTensorsFile()
    var located: [(begin: Int, tensor: SafeTensor)] = []
    for (key, value) in entries {
      if key == "__metadata__" {
        if case .null = value { continue }
        guard case .object(let pairs) = value else { throw fail("__metadata__ is not a JSON object") }
        for (metaKey, metaValue) in pairs {
          guard case .string(let text) = metaValue else {
            throw fail("__metadata__ value for '\(metaKey)' is not a string")
          }
          result.metadata[metaKey] = text
        }
        continue
      }
      func bad(_ message: String) -> SafeTensorsError { fail("tensor '\(key)': \(message)") }
      guard case .object(let fields) = value else { throw bad("entry is not a JSON object") }
      func field(_ fieldName: String) throws -> STJSON {
        guard let found = fields.first(where: { $0.key == fieldName }) else { throw bad("missing \"\(fieldName)\"") }
        return found.value
      }
      guard case .string(let dtypeName) = try field("dtype") else { throw bad("\"dtype\" is not a string") }
      guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
        throw bad("unsupported dtype '\(dtypeName)' (grpotop reads F32, F16, BF16)")
      }
      guard let shape = (try field("shape")).integers else { throw bad("\"shape\" is not an array of integers") }
      guard shape.allSatisfy({ $0 >= 0 }) else { throw bad("negative dimension in shape \(shape)") }
      guard let offsets = (try field("data_offsets")).integers, offsets.count == 2 else {
        throw bad("\"data_offsets\" is not a [begin, end] pair of integers")
      }
      let (begin, end) = (offsets[0], offsets[1])
      guard begin >= 0, begin <= end, end <= dataSize else {
        throw bad("data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section")
      }
      guard let count = elementCount(shape), let needed = byteCount(count, dtype) else {
        throw bad("shape \(shape) is too large")
      }
      guard needed == end - begin else {
        throw bad("shape \(shape) of \(dtypeName) needs \(needed) bytes, offsets give \(end - begin)")
      }
      let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + begin)..<(dataStart + end)])
      let values = convert(source, count: count, dtype: dtype)
      located.append((begin, SafeTensor(name: key, shape: shape, values: values)))
    }
    // File order is data order; the stable sort keeps header order among empty tensors.
    result.tensors = located.enumerated()
      .sorted { ($0.element.begin, $0.offset) < ($1.element.begin, $1.offset) }
      .map { $0.element.tensor }
    return result
  }

  /// Encodes every tensor as `dtype` (F32 or F16; BF16 writing may also be supported).
  public func encode(dtype: SafeTensorsDType = .f32) throws -> [UInt8] {
    try encode(dtype: dtype, name: "<in-memory safetensors>")
  }

  /// Encodes every tensor as `dtype`; `name` (usually the destination path) prefixes errors.
  public func encode(dtype: SafeTensorsDType, name: String) throws -> [UInt8] {
    func fail(_ message: String) -> SafeTensorsError { SafeTensorsError("\(name): \(message)") }
    var header = "{"
    if !metadata.isEmpty {
      // Sorted so that the same content always produces the same bytes.
      let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonQuoted($0.key)):\(jsonQuoted($0.value))" }
      header += "\"__metadata__\":{\(pairs.joined(separator: ","))},"
    }
    var seen = Set<String>()
    var offset = 0
    for tensor in tensors {
      func bad(_ message: String) -> SafeTensorsError { fail("tensor '\(tensor.name)': \(message)") }
      guard tensor.name != "__metadata__" else { throw bad("name is reserved for metadata") }
      guard seen.insert(tensor.name).inserted else { throw bad("duplicate tensor name") }
      guard tensor.shape.allSatisfy({ $0 >= 0 }) else { throw bad("negative dimension in shape \(tensor.shape)") }
      guard let count = elementCount(tensor.shape), let size = byteCount(count, dtype) else {
        throw bad("shape \(tensor.shape) is too large")
      }
      guard count == tensor.values.count else {
        throw bad("shape \(tensor.shape) needs \(count) values, got \(tensor.values.count)")
      }
      let dims = tensor.shape.map(String.init).joined(separator: ",")
      header += "\(jsonQuoted(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(dims)],"
        + "\"data_offsets\":[\(offset),\(offset + size)]},"
      offset += size
    }
    if header.hasSuffix(",") { header.removeLast() }
    header += "}"
    var headerBytes = Array(header.utf8)
    // The format pads with spaces so the data section starts 8-byte aligned.
    headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)

    let total = 8 + headerBytes.count + offset
    return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
      let out = UnsafeMutableRawBufferPointer(buffer)
      out.storeBytes(of: UInt64(headerBytes.count).littleEndian, as: UInt64.self)
      headerBytes.withUnsafeBytes {
        UnsafeMutableRawBufferPointer(rebasing: out[8..<(8 + headerBytes.count)]).copyMemory(from: $0)
      }
      var position = 8 + headerBytes.count
      for tensor in tensors {
        let size = tensor.values.count * dtype.byteSize
        let slot = UnsafeMutableRawBufferPointer(rebasing: out[position..<(position + size)])
        tensor.values.withUnsafeBufferPointer { store($0, into: slot, dtype: dtype) }
        position += size
      }
      initialized = total
    }
  }

  /// Writes atomically: a temporary file in the same directory, then rename().
  public func write(to path: String, dtype: SafeTensorsDType = .f32) throws {
    let bytes = try encode(dtype: dtype, name: path)
    let url = URL(fileURLWithPath: path)
    // Same directory as the target, so rename() never crosses a filesystem.
    let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(unique).tmp").path
    // errno is read first: the cleanup calls below would overwrite it.
    func fail(_ what: String, closing fd: Int32? = nil) -> SafeTensorsError {
      let reason = String(cString: strerror(errno))
      if let fd { close(fd) }
      unlink(temporary)
      return SafeTensorsError("\(path): cannot \(what) \(temporary): \(reason)")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
      throw SafeTensorsError("\(path): cannot create \(temporary): \(String(cString: strerror(errno)))")
    }
    let complete = bytes.withUnsafeBytes { raw -> Bool in
      var written = 0
      while written < raw.count, let base = raw.baseAddress {
        let n = Foundation.write(fd, base + written, raw.count - written)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        written += n
      }
      return true
    }
    guard complete else { throw fail("write", closing: fd) }
    // fsync before rename: otherwise a crash can leave the new name pointing at empty data.
    guard fsync(fd) == 0 else { throw fail("sync", closing: fd) }
    guard close(fd) == 0 else { throw fail("close") }
    guard rename(temporary, path) == 0 else { throw fail("rename into place") }
  }
}

/// product(shape), or nil on overflow; a scalar `[]` has one element.
fileprivate func elementCount(_ shape: [Int]) -> Int? {
  var count = 1
  for dim in shape {
    let (product, overflow) = count.multipliedReportingOverflow(by: dim)
    if overflow { return nil }
    count = product
  }
  return count
}

/// Bytes for `count` elements of `dtype`, or nil on overflow.
fileprivate func byteCount(_ count: Int, _ dtype: SafeTensorsDType) -> Int? {
  let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
  return overflow ? nil : bytes
}

/// Float32 values from little-endian stored elements; `source` holds exactly `count` of them.
fileprivate func convert(_ source: UnsafeRawBufferPointer, count: Int, dtype: SafeTensorsDType) -> [Float] {
  [Float](unsafeUninitializedCapacity: count) { out, initialized in
    switch dtype {
    case .f32:
      #if _endian(little)
        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
      #else
        for i in 0..<count {
          let bits = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
          out[i] = Float(bitPattern: bits)
        }
      #endif
    case .f16:
      for i in 0..<count {
        let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        out[i] = Float(Float16(bitPattern: bits))
      }
    case .bf16:
      // BF16 is the top half of a Float32, so widening is exact.
      for i in 0..<count {
        let half = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        out[i] = Float(bitPattern: UInt32(half) << 16)
      }
    }
    initialized = count
  }
}

/// Stores `source` as little-endian `dtype` elements; `out` is exactly the right size.
fileprivate func store(
  _ source: UnsafeBufferPointer<Float>, into out: UnsafeMutableRawBufferPointer, dtype: SafeTensorsDType
) {
  for (i, x) in source.enumerated() {
    switch dtype {
    case .f32: out.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
    case .f16: out.storeBytes(of: Float16(x).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
    case .bf16: out.storeBytes(of: bfloat16Bits(x).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
    }
  }
}

/// The BF16 nearest `x`, ties to even; NaNs stay (quiet) NaNs instead of rounding to infinity.
fileprivate func bfloat16Bits(_ x: Float) -> UInt16 {
  let bits = x.bitPattern
  if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
  let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
  return UInt16(truncatingIfNeeded: rounded >> 16)
}

/// `text` as a JSON string literal.
fileprivate func jsonQuoted(_ text: String) -> String {
  var out = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: out.unicodeScalars.append(scalar)
    }
  }
  return out + "\""
}
