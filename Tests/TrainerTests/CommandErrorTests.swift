import Foundation
import TestSupport
import XCTest

/// Bad input on the command line gets one `Error:` line that names the file, key or word and
/// what is allowed, a non-zero status, and nothing else on stderr (no usage text after it).
final class CommandErrorTests: WholeProgramTestCase {
  func testBadInputGivesOneErrorLine() throws {
    let bin = try requireBinary(tmux: false)
    let cases: [(arguments: [String], mentions: String)] = [
      (["train", "--headless", "--set", "nope=1"], "unknown key 'nope'"),
      (["train", "--headless", "--set", "grpo.lr=abc"], "grpo.lr"),
      (["train", "--headless", "--set", "discriminator.mismatch_weight=-1"], "must be ≥ 0"),
      (["train", "--headless", "--config", "/nonexistent/adv.yaml"], "/nonexistent/adv.yaml"),
      (["pretrain", "backbone", "--set", "stepz=3"], "did you mean 'steps'"),
      (["sample", "--prompt", "red blob", "--out", "/nonexistent/grid.png"], "blob"),
      (["eval", "/nonexistent/step-000010.safetensors", "--prompts", "2"], "/nonexistent/step-000010.safetensors"),
      (["replay", "/nonexistent/run"], "/nonexistent/run"),
    ]
    for (arguments, mentions) in cases {
      let r = Subprocess.run(bin, arguments)
      let command = arguments.joined(separator: " ")
      XCTAssertNotEqual(r.status, 0, command)
      let lines = r.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
      XCTAssertEqual(lines.count, 1, "\(command):\n\(r.stderr)")
      XCTAssertEqual(lines.first?.hasPrefix("Error: "), true, "\(command):\n\(r.stderr)")
      XCTAssertTrue(r.stderr.contains(mentions), "\(command): \(mentions) not in\n\(r.stderr)")
    }
  }
}
