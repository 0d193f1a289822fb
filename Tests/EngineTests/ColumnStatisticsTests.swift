import XCTest
@testable import Engine

/// Column statistics against hand-worked values, and the arena constant against its closure.
final class ColumnStatisticsTests: XCTestCase {
  func testMeansInverseStdsAndTheFloor() {
    // Columns: (1, 3) mean 2 std 1; (5, 5) constant, std floored at 0.5; (-2, 2) mean 0 std 2.
    let s = ColumnStatistics([1, 5, -2, 3, 5, 2], rows: 2, columns: 3, stdFloor: 0.5)
    XCTAssertEqual(s.mean, [2, 5, 0])
    XCTAssertEqual(s.inverseStd, [1, 2, 0.5])
    XCTAssertEqual(s.standardised([1, 5, -2, 3, 6, 2]), [-1, 0, -1, 1, 2, 1])
  }

  func testClosureConstantWritesEveryElement() {
    let g = Graph()
    let t = g.constant(Shape(2, 3)) { Float($0 * $0) }
    XCTAssertEqual(t.toArray(), [0, 1, 4, 9, 16, 25])
    XCTAssertNil(t.grad)
  }
}
