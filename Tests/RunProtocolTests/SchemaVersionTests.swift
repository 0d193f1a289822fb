import RunProtocol
import XCTest

final class SchemaVersionTests: XCTestCase {
  func testVersionIsPositive() {
    XCTAssertGreaterThanOrEqual(RunSchema.version, 1)
  }
}
