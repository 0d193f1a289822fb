import Foundation
import XCTest

/// Base of the tests that drive the real grpotop binary (in tmux or as a subprocess): each
/// test may open one tmux session and one scratch directory, and both go in tearDown.
open class WholeProgramTestCase: XCTestCase {
  /// The test's tmux session, closed after it.
  public var tmux: TmuxSession?
  /// The test's scratch directory, removed after it.
  public var dir: URL?

  open override func tearDown() {
    tmux?.close()
    if let d = dir { try? FileManager.default.removeItem(at: d) }
    super.tearDown()
  }

  /// The grpotop binary built next to the tests; skips the test without it, or without tmux
  /// when `tmux` is true.
  public func requireBinary(tmux needsTmux: Bool = true) throws -> String {
    if needsTmux && !TmuxSession.available { throw XCTSkip("tmux is not installed") }
    guard let bin = TmuxSession.grpotopBinary() else { throw XCTSkip("grpotop binary not built next to the tests") }
    return bin
  }

  /// A fresh directory under the system's temporary one, named `prefix`-<uuid>, removed after
  /// the test.
  public func scratchDirectory(_ prefix: String) throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    dir = d
    return d
  }
}
