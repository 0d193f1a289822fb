import Engine
import Foundation
import Imaging
import World
import XCTest

final class ReferenceSetTests: XCTestCase {
  var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "world-refs-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func write(_ name: String, width: Int, height: Int, fill: (Float, Float, Float)) throws {
    try PNG.write(RGBImage(width: width, height: height, fill: fill), to: folder + "/" + name)
  }

  func testFolderReadsSortsResizesAndSkips() throws {
    try write("b.png", width: 40, height: 20, fill: (0, 1, 0))
    try write("a.png", width: 8, height: 8, fill: (1, 0, 0))
    try write("C.PNG", width: 64, height: 64, fill: (0, 0, 1))
    try Data("not a png at all".utf8).write(to: URL(fileURLWithPath: folder + "/corrupt.png"))
    try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
    var warnings: [String] = []
    let images = try ReferenceSet.folder(path: folder, size: 16) { warnings.append($0) }
    XCTAssertEqual(images.count, 3)
    XCTAssertTrue(images.allSatisfy { $0.width == 16 && $0.height == 16 })
    // Byte order: "C.PNG" < "a.png" < "b.png".
    XCTAssertEqual(images.map { Colour.nearest(to: $0.meanColor()) }, [.blue, .red, .green])
    XCTAssertEqual(warnings.count, 1)
    XCTAssertTrue(warnings[0].hasPrefix(folder + "/corrupt.png: "), warnings[0])
    XCTAssertTrue(warnings[0].hasSuffix(", skipped"), warnings[0])
    XCTAssertFalse(warnings.joined().contains("notes.txt"))
  }

  func testCentreCrop() throws {
    // A wide image: red left half-quarter, white middle, blue right; the crop keeps the middle.
    var image = RGBImage(width: 30, height: 10, fill: (1, 1, 1))
    for y in 0..<10 {
      for x in 0..<10 { image[x, y] = SIMD3(1, 0, 0) }
      for x in 20..<30 { image[x, y] = SIMD3(0, 0, 1) }
    }
    try PNG.write(image, to: folder + "/wide.png")
    let out = try ReferenceSet.folder(path: folder, size: 5) { XCTFail($0) }
    XCTAssertEqual(out.count, 1)
    XCTAssertEqual(out[0].meanColor().min(), 1, accuracy: 1e-3)
  }

  func testUnusableFoldersThrowNamingThem() throws {
    XCTAssertThrowsError(try ReferenceSet.folder(path: folder, size: 16) { _ in }) { error in
      XCTAssertTrue("\(error)".contains(folder), "\(error)")
    }
    try Data([0x89, 0x50]).write(to: URL(fileURLWithPath: folder + "/bad.png"))
    var warnings = 0
    XCTAssertThrowsError(try ReferenceSet.folder(path: folder, size: 16) { _ in warnings += 1 }) {
      error in
      XCTAssertTrue("\(error)".contains(folder), "\(error)")
    }
    XCTAssertEqual(warnings, 1)
    let missing = folder + "/nope"
    XCTAssertThrowsError(try ReferenceSet.folder(path: missing, size: 16) { _ in }) { error in
      XCTAssertTrue("\(error)".contains(missing), "\(error)")
      XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
    }
  }

  func testRendersAreCachedAndVaried() throws {
    let set = ReferenceSet(capacity: 2)
    let prompt = try Prompt.parse("two red stars on striped")
    let a = set.renders(for: prompt, count: 4, size: 16, seed: 1)
    XCTAssertEqual(a.count, 4)
    XCTAssertTrue(a.allSatisfy { $0.width == 16 })
    XCTAssertEqual(Set(a.map(\.pixels)).count, 4, "each index has its own jitter")
    XCTAssertEqual(set.renders(for: prompt, count: 4, size: 16, seed: 1), a)
    XCTAssertEqual(set.cachedBatches, 1)
    XCTAssertEqual(ReferenceSet.render(prompt, count: 4, size: 16, seed: 1), a)
    XCTAssertNotEqual(set.renders(for: prompt, count: 4, size: 16, seed: 2), a)
    _ = set.renders(for: prompt, count: 4, size: 32, seed: 1)
    XCTAssertEqual(set.cachedBatches, 2, "capacity bounds the cache")
  }
}
