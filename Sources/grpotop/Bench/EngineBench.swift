import ArgumentParser
import Engine
import Foundation
import Models

/// `grpotop bench engine`: SGEMM throughput at the model's shapes, then a DiT-block stack's
/// forward and backward (width 128, 76 tokens, batch 32 by default) with the share of time
/// inside SGEMM and the heap allocations per step after warm-up, for 1 and 2 threads.
struct EngineBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "engine", abstract: "SGEMM GFLOP/s and a DiT-block stack's training step.")

  @Option(help: "Width of the blocks.") var width = 128
  @Option(help: "Tokens per sample (64 image + 12 prompt tokens for the generator).") var tokens = 76
  @Option(help: "Samples per batch.") var batch = 32
  @Option(help: "Blocks in the stack.") var depth = 6
  @Option(help: "Attention heads.") var heads = 4
  @Option(help: "Timed training steps per thread count.") var steps = 10
  @Option(help: "LoRA rank on the attention projections, training only the adapters as GRPO does (0: none).") var loraRank = 0
  @Option(help: "OpenBLAS thread counts to measure, comma separated.") var threads = "1,2"

  func run() throws {
    let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
    print("grpotop bench engine · OpenBLAS core \(BLAS.coreName)")
    for n in threadCounts {
      BLAS.setThreads(n)
      print("\n── \(n) thread\(n == 1 ? "" : "s") ──")
      gemmTable()
      stackStep()
    }
    BLAS.setThreads(1)
  }

  /// GFLOP/s of every GEMM shape a DiT block's forward and backward issue.
  func gemmTable() {
    let M = batch * tokens, C = width, T = tokens, D = width / heads
    let shapes: [(String, Bool, Bool, Int, Int, Int)] = [
      ("qkv forward    x·Wᵀ", false, true, M, 3 * C, C),
      ("mlp up         x·Wᵀ", false, true, M, 4 * C, C),
      ("mlp down       x·Wᵀ", false, true, M, C, 4 * C),
      ("input grad     dy·W", false, false, M, C, 4 * C),
      ("weight grad    dyᵀ·x", true, false, 4 * C, C, M),
      ("attn scores    Q·Kᵀ", false, true, T, T, D),
      ("attn output    P·V", false, false, T, D, T),
    ]
    print("  sgemm at the model's shapes            M      N      K   GFLOP/s")
    for (name, ta, tb, m, n, k) in shapes {
      let a = [Float](repeating: 0.01, count: m * k), b = [Float](repeating: 0.02, count: k * n)
      var c = [Float](repeating: 0, count: m * n)
      let flops = 2 * Double(m * n * k)
      let reps = max(3, Int(2e8 / flops))
      var times: [Double] = []
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeMutableBufferPointer { pc in
            guard let A = pa.baseAddress, let B = pb.baseAddress, let Cp = pc.baseAddress else { return }
            for round in 0..<6 {
              var w = Stopwatch()
              for _ in 0..<reps {
                BLAS.gemm(transA: ta, transB: tb, M: m, N: n, K: k, alpha: 1, A: A, lda: ta ? m : k,
                          B: B, ldb: tb ? k : n, beta: 0, C: Cp, ldc: n)
              }
              if round > 0 { times.append(w.seconds / Double(reps)) }
              w.restart()
            }
          }
        }
      }
      let gflops = flops / median(times) / 1e9
      print("  \(name.padding(toLength: 33, withPad: " ", startingAt: 0)) \(pad(m, 6)) \(pad(n, 6)) \(pad(k, 6))  \(String(format: "%7.1f", gflops))")
    }
  }

  /// One training step of the stack: forward, MSE loss, backward, timed apart.
  func stackStep() {
    let B = batch, T = tokens, C = width
    let store = ParameterStore()
    let lora = loraRank > 0 ? LoRAConfig(rank: loraRank, alpha: Float(2 * loraRank)) : nil
    let blocks = (0..<depth).map { DiTBlock(store, prefix: "blocks.\($0)", width: C, heads: heads, lora: lora) }
    store.allocate(seed: 0)
    if lora != nil { trainOnlyLoRA(store) }
    // adaLN-Zero starts at zero; give it values so every path carries real numbers.
    for e in store.entries where e.name.contains("adaLN") {
      var rng = RNG(seed: UInt64(e.offset))
      rng.fillNormal(store.values + e.offset, count: e.shape.count, std: 0.02)
    }
    var rng = RNG(seed: 1)
    let x0 = rng.normals(B * T * C), cond = rng.normals(B * C), target = rng.normals(B * T * C)
    let g = Graph()
    var forward: [Double] = [], backward: [Double] = [], gemmShare: [Double] = []
    // Reserved up front: growing these inside the counted window would be counted.
    forward.reserveCapacity(steps)
    backward.reserveCapacity(steps)
    gemmShare.reserveCapacity(steps)
    var allocs = (count: 0, bytes: 0)
    let warmup = 2
    for step in 0..<(warmup + steps) {
      if step == warmup { AllocationCounter.start() }
      g.reset()
      store.zeroGrads()
      g.gemmNanos = 0
      g.profileGemm = true
      var w = Stopwatch()
      var x = g.constant(x0, Shape(B, T, C))
      let c = g.constant(cond, Shape(B, C))
      for block in blocks { x = block(g, x, conditioning: c) }
      let loss = g.mse(x, g.constant(target, Shape(B, T, C)))
      let tf = w.seconds
      w.restart()
      g.backward(from: loss)
      let tb = w.seconds
      if step >= warmup {
        forward.append(tf)
        backward.append(tb)
        gemmShare.append(Double(g.gemmNanos) / 1e9 / (tf + tb))
      }
    }
    allocs = AllocationCounter.stop()
    let f = median(forward) * 1e3, b = median(backward) * 1e3
    let params = store.count
    // 2·params FLOPs per token forward for the linears, ×3 for forward + backward.
    print(String(format: "  DiT stack: depth %d, width %d, %d tokens, batch %d, %.2f M params", depth, C, T, B, Double(params) / 1e6))
    print(String(format: "    forward   %7.1f ms", f))
    print(String(format: "    backward  %7.1f ms", b))
    print(String(format: "    step      %7.1f ms   (%.1f samples/s)", f + b, Double(B) / ((f + b) / 1e3)))
    print(String(format: "    inside sgemm   %4.1f %% of the step", 100 * median(gemmShare)))
    print("    tape nodes per step \(g.nodeCount), arena \(String(format: "%.1f", Double((g.values.capacity + g.grads.capacity) * 4) / 1e6)) MB")
    let note = BLAS.threads > 1 ? "  (OpenBLAS's own thread buffers)" : ""
    print("    heap allocations per step after warm-up: \(allocs.count / steps) (\(allocs.bytes / steps) bytes)\(note)")
  }

  func pad(_ n: Int, _ w: Int) -> String { String(repeating: " ", count: max(0, w - String(n).count)) + String(n) }
}
