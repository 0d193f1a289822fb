import Engine
import Foundation
import XCTest

/// A parameter store saved to safetensors and loaded back, and the refusals that keep a
/// checkpoint of another model from being half-loaded.
final class CheckpointTests: XCTestCase {
  func makeStore(width: Int = 4, seed: UInt64) -> ParameterStore {
    let s = ParameterStore()
    s.declare("blocks.0.attn.qkv.weight", Shape(3 * width, width), init: .normal(std: 0.1))
    s.declare("blocks.0.attn.qkv.bias", Shape(3 * width), init: .normal(std: 0.1))
    s.allocate(seed: seed)
    return s
  }

  func testRoundTripThroughFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("grpotop-ckpt-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("m.safetensors").path
    let a = makeStore(seed: 1), b = makeStore(seed: 2)
    XCTAssertNotEqual(a.snapshot(), b.snapshot())
    try a.safeTensors(metadata: ["model": "test"]).write(to: path)
    try b.load(path: path)
    XCTAssertEqual(a.snapshot(), b.snapshot())
    XCTAssertEqual(try SafeTensorsFile.read(path: path).metadata["model"], "test")
  }

  func testShapeMismatchIsRefusedAndChangesNothing() {
    let wide = makeStore(width: 8, seed: 1), narrow = makeStore(width: 4, seed: 2)
    let before = narrow.snapshot()
    XCTAssertThrowsError(try narrow.load(wide.safeTensors(), path: "wide.safetensors")) { error in
      let text = String(describing: error)
      XCTAssertTrue(text.contains("wide.safetensors"), text)
      XCTAssertTrue(text.contains("[24, 8]") && text.contains("[12, 4]"), text)
    }
    XCTAssertEqual(narrow.snapshot(), before)
  }

  func testUnknownAndMissingTensors() {
    let s = makeStore(seed: 1)
    var file = s.safeTensors()
    file.tensors[0].name = "blocks.0.attn.qkv.weigth"
    XCTAssertThrowsError(try s.load(file, path: "f")) { error in
      XCTAssertTrue(String(describing: error).contains("nearest: 'blocks.0.attn.qkv.weight'"), "\(error)")
    }
    var partial = s.safeTensors()
    partial.tensors.removeFirst()
    XCTAssertThrowsError(try s.load(partial, path: "f")) { error in
      XCTAssertTrue(String(describing: error).contains("missing tensor 'blocks.0.attn.qkv.weight'"), "\(error)")
    }
    XCTAssertNoThrow(try s.load(partial, path: "f", allowMissing: true))
  }
}
