import Engine
import Foundation
import Imaging
import World
import XCTest

final class PromptTests: XCTestCase {
  /// A varied sample: every knob on sometimes, styles included.
  static func variedPrompts(_ n: Int, seed: UInt64 = 11) -> [Prompt] {
    let d = PromptDistribution(
      secondObject: 0.5, position: 0.6, size: 0.6, background: 0.5, pattern: 0.4, style: 0.4,
      countWeights: [0.4, 0.3, 0.3])
    let sampler = PromptSampler(seed: seed, distribution: d)
    return sampler.training(count: n) + sampler.heldOut(count: n / 4)
  }

  func testRoundTripThroughText() throws {
    for prompt in PromptTests.variedPrompts(2000) {
      let parsed = try Prompt.parse(prompt.text)
      XCTAssertEqual(parsed, prompt, prompt.text)
      XCTAssertEqual(parsed.text, prompt.text)
    }
  }

  func testParsesEveryPart() throws {
    let p = try Prompt.parse(
      "two small red circles at top-left and blue star on striped in pixel-art style")
    XCTAssertEqual(
      p,
      Prompt(
        objects: [
          ObjectSpec(count: 2, size: .small, colour: .red, shape: .circle, position: .topLeft),
          ObjectSpec(colour: .blue, shape: .star),
        ], background: .striped, style: .pixelArt))
    XCTAssertEqual(
      p.text, "two small red circles at top-left and blue star on striped in pixel-art style")
  }

  func testCanonicalFormsAndLeniency() throws {
    // "one" is dropped, case and extra spaces do not matter, singular after "two" is accepted.
    XCTAssertEqual(try Prompt.parse("one red circle").text, "red circle")
    XCTAssertEqual(try Prompt.parse("  Two  RED   Cross\n").text, "two red crosses")
    XCTAssertEqual(try Prompt.parse("three green crosses on gradient").objects[0].count, 3)
    XCTAssertEqual(try Prompt.parse("white ring on black").background, .plain(.black))
    XCTAssertEqual(try Prompt.parse("red circle on red").background, .plain(.red))  // legal
  }

  func testUnknownWordNamesItAndListsAllowedWords() {
    assertError("violet circle") { message in
      XCTAssertTrue(
        message.hasPrefix("unknown word 'violet' in \"violet circle\": expected"), message)
      for word in ["one", "small", "red", "orange", "black"] {
        XCTAssertTrue(message.contains(word))
      }
    }
    assertError("red hexagon") { message in
      XCTAssertTrue(message.contains("'hexagon'") && message.contains("a shape"), message)
      for shape in ShapeKind.allCases { XCTAssertTrue(message.contains(shape.rawValue), message) }
    }
    assertError("red circle at middle") { message in
      XCTAssertTrue(message.contains("'middle'") && message.contains("top-left"), message)
    }
    assertError("red circle on wood") { message in
      XCTAssertTrue(message.contains("'wood'") && message.contains("checkered"), message)
    }
    assertError("red circle in cubist style") { message in
      XCTAssertTrue(message.contains("'cubist'") && message.contains("watercolor"), message)
    }
  }

  func testStructuralErrors() {
    assertError("") { XCTAssertTrue($0.contains("empty prompt"), $0) }
    assertError("red") { XCTAssertTrue($0.contains("ends too early") && $0.contains("circle"), $0) }
    assertError("red circles") { XCTAssertTrue($0.contains("'circles'") && $0.contains("two"), $0) }
    assertError("red circle and blue square and green ring") {
      XCTAssertTrue($0.contains("at most 2 objects"), $0)
    }
    assertError("red circle at top left") { XCTAssertTrue($0.contains("top-left"), $0) }
    assertError("red circle in neon") { XCTAssertTrue($0.contains("'style'"), $0) }
    assertError("red circle on blue at top") {
      XCTAssertTrue($0.hasPrefix("unexpected word 'at'"), $0)
    }
    assertError("circle red") { XCTAssertTrue($0.hasPrefix("unexpected word 'circle'"), $0) }
  }

  func testErrorsAreOneLine() {
    for text in [
      "violet", "red circle and", "red circle on", "two two", "red circle in neon style x",
    ] {
      assertError(text) { XCTAssertFalse($0.contains("\n"), $0) }
    }
  }

  func testCodableAsText() throws {
    let prompt = try Prompt.parse("three large cyan rings at bottom on checkered in sketch style")
    let data = try JSONEncoder().encode(prompt)
    XCTAssertEqual(String(decoding: data, as: UTF8.self), "\"\(prompt.text)\"")
    XCTAssertEqual(try JSONDecoder().decode(Prompt.self, from: data), prompt)
    XCTAssertThrowsError(
      try JSONDecoder().decode(Prompt.self, from: Data("\"violet circle\"".utf8)))
    let bg = try JSONEncoder().encode([Background.plain(.red), .gradient])
    XCTAssertEqual(String(decoding: bg, as: UTF8.self), "[\"red\",\"gradient\"]")
  }

  func testPositionCells() {
    XCTAssertEqual(Position.region(of: SIMD2(1, 1), size: 32), .topLeft)
    XCTAssertEqual(Position.region(of: SIMD2(16, 16), size: 32), .center)
    XCTAssertEqual(Position.region(of: SIMD2(31, 16), size: 32), .right)
    XCTAssertEqual(Position.region(of: SIMD2(16, 31.9), size: 32), .bottom)
    for p in Position.allCases {
      let (lo, hi) = p.bounds(size: 30)
      XCTAssertEqual(Position.region(of: (lo + hi) / 2, size: 30), p)
      XCTAssertEqual(Position(column: p.cell.column, row: p.cell.row), p)
    }
  }

  func assertError(
    _ text: String, file: StaticString = #filePath, line: UInt = #line, _ check: (String) -> Void
  ) {
    do {
      let p = try Prompt.parse(text)
      XCTFail("\"\(text)\" parsed as \"\(p.text)\"", file: file, line: line)
    } catch let error as WorldError {
      check(error.description)
    } catch {
      XCTFail("unexpected error type \(error)", file: file, line: line)
    }
  }
}

final class TokenizerTests: XCTestCase {
  func testVocabularyContract() {
    let v = Tokenizer.vocabulary
    XCTAssertEqual(v.count, 50)
    XCTAssertEqual(Tokenizer.vocabularySize, 50)
    XCTAssertEqual(Set(v).count, v.count, "tokens must be unique")
    XCTAssertEqual(v[0], "<pad>")
    let expected: [String: Int] = [
      "one": 1, "three": 3, "small": 4, "large": 5, "red": 6, "black": 15, "circle": 16,
      "star": 21, "at:center": 22, "at:top-left": 27, "at:bottom-right": 30, "on:red": 31,
      "on:black": 40, "on:striped": 41, "on:gradient": 43, "style:watercolor": 44,
      "style:mosaic": 49,
    ]
    for (token, id) in expected { XCTAssertEqual(Tokenizer.id(of: token), id, token) }
  }

  func testEncodeInsertsCountAndPads() throws {
    let ids = try Tokenizer.encode(text: "red circle on blue")
    XCTAssertEqual(ids.count, Tokenizer.maxTokens)
    XCTAssertEqual(Tokenizer.decode(ids), "one red circle on:blue")
    XCTAssertEqual(Array(ids.prefix(4)), [1, 6, 16, 36])
    XCTAssertEqual(Array(ids.dropFirst(4)), [Int](repeating: 0, count: 8))
    XCTAssertEqual(Tokenizer.mask(ids), [1, 1, 1, 1] + [Float](repeating: 0, count: 8))
    // The background colour token is distinct from the object colour token.
    XCTAssertNotEqual(try Tokenizer.encode(text: "blue circle")[1], ids[3])
  }

  func testLongestPromptFitsExactly() throws {
    let longest = try Prompt.parse(
      "three large white crosses at bottom-right and two small black rings at top-left "
        + "on checkered in watercolor style")
    let ids = Tokenizer.encode(longest)
    XCTAssertEqual(ids.count, 12)
    XCTAssertFalse(ids.contains(Tokenizer.padID), Tokenizer.decode(ids))
    XCTAssertEqual(Tokenizer.mask(longest), [Float](repeating: 1, count: 12))
    XCTAssertEqual(try Tokenizer.prompt(from: ids), longest)
  }

  func testEncodeDecodeRoundTrip() throws {
    for prompt in PromptTests.variedPrompts(1500, seed: 5) {
      let ids = Tokenizer.encode(prompt)
      XCTAssertEqual(ids.count, Tokenizer.maxTokens)
      XCTAssertLessThanOrEqual(Tokenizer.tokens(prompt).count, Tokenizer.maxTokens)
      XCTAssertTrue(ids.allSatisfy { (0..<Tokenizer.vocabularySize).contains($0) })
      XCTAssertEqual(try Tokenizer.prompt(from: ids), prompt, prompt.text)
      XCTAssertEqual(
        Tokenizer.decode(ids).split(separator: " ").count,
        Int(Tokenizer.mask(ids).reduce(0, +)))
    }
  }

  func testInvalidStreams() {
    XCTAssertThrowsError(try Tokenizer.encode(text: "violet circle"))
    XCTAssertThrowsError(try Tokenizer.prompt(from: [6, 16]))  // no count
    XCTAssertThrowsError(try Tokenizer.prompt(from: [1, 6]))  // no shape
    XCTAssertThrowsError(try Tokenizer.prompt(from: [1, 6, 16, 1, 7, 17, 1, 8, 18]))  // 3 objects
    XCTAssertThrowsError(try Tokenizer.prompt(from: [1, 6, 16, 99]))
    XCTAssertThrowsError(try Tokenizer.prompt(from: []))
    XCTAssertEqual(Tokenizer.decode([1, 6, 16, 99, 0]), "one red circle <id 99>")
  }
}
