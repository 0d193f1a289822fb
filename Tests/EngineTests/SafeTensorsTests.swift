import Engine
import Foundation
import XCTest

final class SafeTensorsTests: XCTestCase {
  // MARK: helpers

  /// A deterministic generator so failures reproduce.
  struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// A file built by hand: length prefix, `header` padded with spaces to 8, then `data`.
  func rawFile(_ header: String, _ data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
    var h = Array(header.utf8)
    if pad { h += [UInt8](repeating: 0x20, count: (8 - h.count % 8) % 8) }
    return withUnsafeBytes(of: UInt64(h.count).littleEndian, Array.init) + h + data
  }

  func le32(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
  }

  func le16(_ halves: [UInt16]) -> [UInt8] {
    halves.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
  }

  /// Asserts decoding fails with a SafeTensorsError naming the file and mentioning every fragment.
  func assertDecodeFails(
    _ bytes: [UInt8], _ fragments: [String], file: StaticString = #filePath, line: UInt = #line
  ) {
    let name = "model-\(line).safetensors"
    do {
      _ = try SafeTensorsFile.decode(bytes, name: name)
      XCTFail("decoding succeeded, expected an error mentioning \(fragments)", file: file, line: line)
    } catch let error as SafeTensorsError {
      let text = error.description
      XCTAssertTrue(text.hasPrefix(name), "no file name in: \(text)", file: file, line: line)
      XCTAssertFalse(text.contains("\n"), "not one line: \(text)", file: file, line: line)
      for fragment in fragments {
        XCTAssertTrue(text.contains(fragment), "'\(fragment)' missing from: \(text)", file: file, line: line)
      }
    } catch {
      XCTFail("wrong error type: \(error)", file: file, line: line)
    }
  }

  func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
  }

  // MARK: round trips

  func testF32RoundTripIsBitExact() throws {
    var rng = SplitMix64(state: 42)
    var values = (0..<997).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
    values += [-0.0, 0, .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude, -.infinity, .nan, 1e-30, -3e38]
    let original = SafeTensorsFile(tensors: [
      SafeTensor(name: "w", shape: [values.count / 2, 2], values: values),
      SafeTensor(name: "b", shape: [3], values: [1, -2, 3.5]),
    ])
    let decoded = try SafeTensorsFile.decode(try original.encode(), name: "rt")
    XCTAssertEqual(decoded.tensors.map(\.name), ["w", "b"])
    XCTAssertEqual(decoded["w"]?.shape, [values.count / 2, 2])
    XCTAssertEqual(decoded["w"]?.values.map(\.bitPattern), values.map(\.bitPattern))
    XCTAssertEqual(decoded["b"], original.tensors[1])
    XCTAssertNil(decoded["missing"])
  }

  func testF16RoundTripWithinHalfPrecision() throws {
    var rng = SplitMix64(state: 7)
    let random = (0..<1000).map { _ in Float.random(in: -60000...60000, using: &rng) * (rng.next() % 2 == 0 ? 1 : 1e-4) }
    let exact: [Float] = [0.5, -2, 1024, 0, -0.0, 65504, -65504, 0.099975586, .infinity, 6.1035156e-05, 5.9604645e-08]
    let file = SafeTensorsFile(tensors: [
      SafeTensor(name: "r", shape: [10, 100], values: random), SafeTensor(name: "e", shape: [exact.count], values: exact),
    ])
    let bytes = try file.encode(dtype: .f16)
    let decoded = try SafeTensorsFile.decode(bytes, name: "f16")
    XCTAssertEqual(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) * 256 + 2 * (1000 + exact.count))
    XCTAssertEqual(decoded["e"]?.values.map(\.bitPattern), exact.map(\.bitPattern))
    for (x, y) in zip(random, decoded["r"]?.values ?? []) {
      // Half precision keeps 11 significant bits; subnormals are accurate to 2^-24 absolute.
      XCTAssertLessThanOrEqual(abs(x - y), max(abs(x) * 0x1p-11, 0x1p-25), "\(x) -> \(y)")
    }
  }

  func testBF16DecodesHandBuiltBytes() throws {
    let halves: [UInt16] = [0x3F80, 0xC000, 0x0000, 0x8000, 0x7F80, 0x3E80, 0x4049]
    let header = #"{"x":{"dtype":"BF16","shape":[7],"data_offsets":[0,14]}}"#
    let decoded = try SafeTensorsFile.decode(rawFile(header, le16(halves)), name: "bf")
    let values = try XCTUnwrap(decoded["x"]?.values)
    XCTAssertEqual(Array(values.prefix(6)), [1.0, -2.0, 0, -0.0, .infinity, 0.25])
    XCTAssertEqual(values[3].sign, .minus)
    XCTAssertEqual(values[6], 3.140625)
  }

  func testBF16EncodeRoundsToNearestEven() throws {
    let inputs: [Float] = [1, 1 + 0x1p-8, 1 + 0x1p-7 + 0x1p-8, 1 + 0x1p-8 + 0x1p-20, -2, .nan, .greatestFiniteMagnitude]
    let bytes = try SafeTensorsFile(tensors: [SafeTensor(name: "x", shape: [inputs.count], values: inputs)])
      .encode(dtype: .bf16)
    let decoded = try XCTUnwrap(try SafeTensorsFile.decode(bytes, name: "bf")["x"]?.values)
    XCTAssertEqual(Array(decoded.prefix(5)), [1, 1, 1 + 0x1p-6, 1 + 0x1p-7, -2])
    XCTAssertTrue(decoded[5].isNaN)
    XCTAssertEqual(decoded[6], .infinity)  // Rounds past BF16's largest finite value.
  }

  func testMetadataRoundTripAndOddNames() throws {
    let metadata = ["format": "pt", "step": "120", "note": "quote \" backslash \\ newline \n tab \t bell \u{07} é 🚀", "": ""]
    let names = ["layer.0/weight", "naïve \"name\"", "🚀"]
    let file = SafeTensorsFile(
      tensors: names.enumerated().map { SafeTensor(name: $1, shape: [1], values: [Float($0)]) }, metadata: metadata)
    let decoded = try SafeTensorsFile.decode(try file.encode(), name: "meta")
    XCTAssertEqual(decoded.metadata, metadata)
    XCTAssertEqual(decoded.tensors, file.tensors)
    XCTAssertEqual(try SafeTensorsFile.decode(try SafeTensorsFile().encode(), name: "empty").tensors, [])
  }

  func testHeaderIsPaddedAndParsesAsJSON() throws {
    for nameLength in 1...9 {
      let file = SafeTensorsFile(
        tensors: [
          SafeTensor(name: String(repeating: "a", count: nameLength), shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
          SafeTensor(name: "b", shape: [], values: [7]),
        ], metadata: ["k": "v"])
      let bytes = try file.encode()
      let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
      XCTAssertEqual(n % 8, 0)
      XCTAssertEqual(bytes.count, 8 + n + 28)
      let text = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
      let unpadded = text.replacingOccurrences(of: " +$", with: "", options: .regularExpression)
      XCTAssertTrue(unpadded.hasSuffix("}") && text.count - unpadded.count < 8, text)
      let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
      XCTAssertEqual(json["__metadata__"] as? [String: String], ["k": "v"])
      let a = try XCTUnwrap(json[String(repeating: "a", count: nameLength)] as? [String: Any])
      XCTAssertEqual(a["dtype"] as? String, "F32")
      XCTAssertEqual(a["shape"] as? [Int], [2, 3])
      XCTAssertEqual(a["data_offsets"] as? [Int], [0, 24])
      XCTAssertEqual((json["b"] as? [String: Any])?["data_offsets"] as? [Int], [24, 28])
    }
  }

  func testScalarAndEmptyTensorsKeepOrder() throws {
    let file = SafeTensorsFile(tensors: [
      SafeTensor(name: "z", shape: [0, 4], values: []),
      SafeTensor(name: "s", shape: [], values: [3.25]),
      SafeTensor(name: "y", shape: [0], values: []),
      SafeTensor(name: "a", shape: [5, 0], values: []),
    ])
    for dtype in SafeTensorsDType.allCases {
      let decoded = try SafeTensorsFile.decode(try file.encode(dtype: dtype), name: "s")
      XCTAssertEqual(decoded.tensors, file.tensors, "\(dtype)")
    }
  }

  // MARK: errors

  func testReaderErrors() {
    let ok = #""dtype":"F32","shape":[2,3]"#
    assertDecodeFails([1, 2, 3], ["3 bytes", "shorter than"])
    assertDecodeFails(Array(rawFile("{}", [], pad: false).dropLast()), ["truncated", "header says 2 bytes", "file has 1"])
    assertDecodeFails([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B, 0x7D], ["truncated", "18446744073709551615"])
    assertDecodeFails(rawFile(#"{"a": {"#), ["bad JSON header"])
    assertDecodeFails(rawFile(#"{"a":1,}"#), ["bad JSON header"])
    assertDecodeFails(rawFile(#"{"a":1} x"#), ["bad JSON header"])
    assertDecodeFails(rawFile(#"[1, 2]"#), ["bad JSON header", "not a JSON object"])
    assertDecodeFails(rawFile("\"x\""), ["bad JSON header", "not a JSON object"])
    assertDecodeFails(rawFile("{\"\u{01}\":1}"), ["bad JSON header", "control character"])
    assertDecodeFails([8, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], ["bad JSON header", "UTF-8"])
    assertDecodeFails(rawFile(String(repeating: "[", count: 100_000)), ["bad JSON header", "nesting"])
    assertDecodeFails(rawFile(#"{"x":{"shape":[1],"data_offsets":[0,4]}}"#, le32([1])), ["'x'", "missing \"dtype\""])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","data_offsets":[0,4]}}"#, le32([1])), ["'x'", "missing \"shape\""])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[1]}}"#, le32([1])), ["'x'", "missing \"data_offsets\""])
    assertDecodeFails(rawFile(#"{"x":[1]}"#), ["'x'", "not a JSON object"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}"#, le32([1])), ["'x'", "dtype"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#), ["'x'", "shape"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#), ["'x'", "shape"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#), ["'x'", "shape"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, le32([1])), ["'x'", "data_offsets"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#), ["'x'", "data_offsets"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,1e99]}}"#), ["'x'", "data_offsets"])
    assertDecodeFails(rawFile(#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, [0, 0, 0, 0, 0, 0, 0, 0]),
      ["'x'", "I64", "F32, F16, BF16"])
    assertDecodeFails(rawFile("{\"w\":{\(ok),\"data_offsets\":[0,28]}}", le32([1, 2, 3, 4, 5, 6])),
      ["'w'", "data_offsets [0, 28] outside the 24-byte data section"])
    assertDecodeFails(rawFile("{\"w\":{\(ok),\"data_offsets\":[24,0]}}", le32([1, 2, 3, 4, 5, 6])),
      ["'w'", "data_offsets [24, 0] outside the 24-byte data section"])
    assertDecodeFails(rawFile("{\"w\":{\(ok),\"data_offsets\":[-4,20]}}", le32([1, 2, 3, 4, 5, 6])),
      ["'w'", "[-4, 20]", "outside"])
    assertDecodeFails(rawFile("{\"w\":{\(ok),\"data_offsets\":[0,20]}}", le32([1, 2, 3, 4, 5, 6])),
      ["tensor 'w': shape [2, 3] of F32 needs 24 bytes, offsets give 20"])
    assertDecodeFails(rawFile(#"{"w":{"dtype":"F32","shape":[-2,-3],"data_offsets":[0,24]}}"#, le32([1, 2, 3, 4, 5, 6])),
      ["'w'", "negative", "[-2, -3]"])
    assertDecodeFails(rawFile(#"{"w":{"dtype":"F16","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#),
      ["'w'", "too large"])
    assertDecodeFails(rawFile(#"{"w":1,"w":2}"#), ["duplicate key 'w'"])
    assertDecodeFails(rawFile(#"{"__metadata__":{"k":1}}"#), ["__metadata__", "'k'", "not a string"])
    assertDecodeFails(rawFile(#"{"__metadata__":[]}"#), ["__metadata__", "not a JSON object"])
  }

  func testWriterErrors() throws {
    func assertEncodeFails(_ file: SafeTensorsFile, _ fragments: [String], line: UInt = #line) {
      XCTAssertThrowsError(try file.encode(dtype: .f16, name: "out.safetensors"), line: line) { error in
        let text = (error as? SafeTensorsError)?.description ?? "wrong type: \(error)"
        XCTAssertTrue(text.hasPrefix("out.safetensors: "), text, line: line)
        for fragment in fragments { XCTAssertTrue(text.contains(fragment), text, line: line) }
      }
    }
    let t = SafeTensor(name: "t", shape: [2], values: [1, 2])
    assertEncodeFails(SafeTensorsFile(tensors: [t, t]), ["'t'", "duplicate"])
    assertEncodeFails(SafeTensorsFile(tensors: [SafeTensor(name: "t", shape: [2, 2], values: [1])]), ["'t'", "4 values, got 1"])
    assertEncodeFails(SafeTensorsFile(tensors: [SafeTensor(name: "s", shape: [], values: [])]), ["'s'", "1 values, got 0"])
    assertEncodeFails(SafeTensorsFile(tensors: [SafeTensor(name: "n", shape: [-1], values: [])]), ["'n'", "negative"])
    assertEncodeFails(SafeTensorsFile(tensors: [SafeTensor(name: "__metadata__", shape: [0], values: [])]), ["reserved"])
    XCTAssertThrowsError(try SafeTensorsFile(tensors: [t, t]).encode()) { XCTAssertTrue("\($0)".contains("duplicate")) }

    let dir = try temporaryDirectory()
    let badPath = dir.appendingPathComponent("no/such/dir/x.safetensors").path
    XCTAssertThrowsError(try SafeTensorsFile(tensors: [t]).write(to: badPath)) {
      XCTAssertTrue(($0 as? SafeTensorsError)?.description.hasPrefix(badPath) ?? false, "\($0)")
    }
    XCTAssertThrowsError(try SafeTensorsFile(tensors: [t, t]).write(to: dir.appendingPathComponent("d").path)) {
      XCTAssertTrue("\($0)".contains("duplicate"))
    }
    let missing = dir.appendingPathComponent("missing.safetensors").path
    XCTAssertThrowsError(try SafeTensorsFile.read(path: missing)) {
      XCTAssertTrue(($0 as? SafeTensorsError)?.description.hasPrefix(missing) ?? false, "\($0)")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
  }

  func testTruncationAtEveryCutPointThrows() throws {
    let file = SafeTensorsFile(
      tensors: [
        SafeTensor(name: "a", shape: [3, 2], values: [1, 2, 3, 4, 5, 6]), SafeTensor(name: "e", shape: [0], values: []),
        SafeTensor(name: "b", shape: [], values: [9]),
      ], metadata: ["k": "v"])
    for dtype in SafeTensorsDType.allCases {
      let bytes = try file.encode(dtype: dtype)
      for cut in 0..<bytes.count {
        XCTAssertThrowsError(try SafeTensorsFile.decode(Array(bytes[0..<cut]), name: "cut")) {
          XCTAssertTrue($0 is SafeTensorsError)
        }
      }
      // Corrupting single header bytes must also fail cleanly or decode, never trap.
      for i in 8..<bytes.count {
        var corrupt = bytes
        corrupt[i] ^= 0x5A
        _ = try? SafeTensorsFile.decode(corrupt, name: "corrupt")
      }
    }
  }

  // MARK: files

  func testAtomicWriteLeavesOnlyTheTarget() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("model.safetensors").path
    let first = SafeTensorsFile(tensors: [SafeTensor(name: "w", shape: [2], values: [1, 2])], metadata: ["v": "1"])
    try first.write(to: path)
    let second = SafeTensorsFile(tensors: [SafeTensor(name: "w", shape: [3], values: [0.5, -2, 1024])], metadata: ["v": "2"])
    try second.write(to: path, dtype: .f16)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["model.safetensors"])
    let back = try SafeTensorsFile.read(path: path)
    XCTAssertEqual(back.tensors, second.tensors)
    XCTAssertEqual(back.metadata, ["v": "2"])
    XCTAssertEqual(FileManager.default.contents(atPath: path).map(Array.init), try second.encode(dtype: .f16))
  }

  func testDecodesPythonStyleBytes() throws {
    // Python's json.dumps uses ", " and ": " separators; the header order need not match data order.
    let header = #"{"__metadata__": {"format": "pt"}, "b": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]}, "#
      + #""a": {"dtype": "F32", "shape": [1, 2], "data_offsets": [0, 8]}}"#
    let bytes = rawFile(header, le32([1.5, -3]) + le16([0x3C00, 0xC500]))
    let decoded = try SafeTensorsFile.decode(bytes, name: "py")
    XCTAssertEqual(decoded.tensors.map(\.name), ["a", "b"])
    XCTAssertEqual(decoded["a"]?.values, [1.5, -3])
    XCTAssertEqual(decoded["b"]?.values, [1, -5])
    XCTAssertEqual(decoded.metadata, ["format": "pt"])
  }

  func testCrossCheckWithNumpy() throws {
    let dir = try temporaryDirectory()
    let script = """
      import json, struct, sys, numpy as np
      d = sys.argv[1]
      a = np.arange(-3, 3, dtype=np.float32).reshape(2, 3) / 4
      b = np.array([0.5, -2, 1024, 65504], dtype=np.float16)
      hdr = {"a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
             "b": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},
             "__metadata__": {"who": "numpy"}}
      h = json.dumps(hdr).encode()
      h += b" " * (-len(h) % 8)
      open(d + "/py.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + a.astype("<f4").tobytes() + b.astype("<f2").tobytes())
      raw = open(d + "/swift.safetensors", "rb").read()
      n = struct.unpack("<Q", raw[:8])[0]
      meta = json.loads(raw[8:8 + n])
      x = meta["x"]
      lo, hi = x["data_offsets"]
      v = np.frombuffer(raw[8 + n + lo:8 + n + hi], dtype="<" + {"F32": "f4", "F16": "f2"}[x["dtype"]]).reshape(x["shape"])
      assert n % 8 == 0 and meta["__metadata__"] == {"who": "swift"}, meta
      assert v.tolist() == [[0.25, -1.5], [3.0, 1e4]], v.tolist()
      print("ok")
      """
    try SafeTensorsFile(
      tensors: [SafeTensor(name: "x", shape: [2, 2], values: [0.25, -1.5, 3, 1e4])], metadata: ["who": "swift"]
    ).write(to: dir.appendingPathComponent("swift.safetensors").path, dtype: .f16)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, dir.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { throw XCTSkip("python3 unavailable: \(error)") }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if output.contains("No module named") { throw XCTSkip("numpy unavailable") }
    XCTAssertEqual(process.terminationStatus, 0, output)
    XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "ok")

    let fromPython = try SafeTensorsFile.read(path: dir.appendingPathComponent("py.safetensors").path)
    XCTAssertEqual(fromPython["a"]?.values, [-0.75, -0.5, -0.25, 0, 0.25, 0.5])
    XCTAssertEqual(fromPython["a"]?.shape, [2, 3])
    XCTAssertEqual(fromPython["b"]?.values, [0.5, -2, 1024, 65504])
    XCTAssertEqual(fromPython.metadata, ["who": "numpy"])
  }

  func testDecodingSeveralMegabytesIsFast() throws {
    let count = 1 << 20
    // Eight significant bits at most, so every dtype holds them exactly.
    let values = (0..<count).map { Float($0 % 256 - 128) / 4 }
    let file = SafeTensorsFile(tensors: [SafeTensor(name: "big", shape: [1024, 1024], values: values)])
    for dtype in SafeTensorsDType.allCases {
      let bytes = try file.encode(dtype: dtype)
      let start = Date()
      let decoded = try SafeTensorsFile.decode(bytes, name: "big")
      let seconds = Date().timeIntervalSince(start)
      XCTAssertTrue(decoded["big"]?.values == values, "\(dtype) values differ")  // Not XCTAssertEqual: it would print 1M values.
      // Generous: a per-element Data subscript path would take far longer in any configuration.
      XCTAssertLessThan(seconds, 1.0, "\(dtype) decode took \(seconds)s")
    }
  }
}
