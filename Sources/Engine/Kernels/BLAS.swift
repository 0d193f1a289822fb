import CBLAS

#if canImport(Glibc)
  import Glibc
#endif

/// The one door to OpenBLAS: row-major SGEMM and the library's thread count.
///
/// This is the only file that imports CBLAS. Everything heavy in the engine (linear layers,
/// attention scores) funnels through `BLAS.gemm`, which is why its time is what the
/// benchmarks report as "inside sgemm".
public enum BLAS {
  /// Sets OpenBLAS's worker count. Small GEMMs get slower with two threads on two cores, so
  /// the engine sets it explicitly (1 by default) instead of inheriting the library's choice.
  public static func setThreads(_ n: Int) {
    openblas_set_num_threads(Int32(max(1, n)))
  }

  /// OpenBLAS's current worker count.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// The kernel family OpenBLAS picked for this CPU (e.g. "Cooperlake").
  public static var coreName: String {
    guard let p = openblas_get_corename() else { return "unknown" }
    return String(cString: p)
  }

  /// C = alpha·op(A)·op(B) + beta·C, all row-major; op(A) is (M, K), op(B) is (K, N).
  /// Leading dimensions are row strides, which lets callers address a head's columns inside
  /// a wider (T, 3C) buffer without copying.
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, M: Int, N: Int, K: Int,
    alpha: Float, A: UnsafePointer<Float>, lda: Int,
    B: UnsafePointer<Float>, ldb: Int,
    beta: Float, C: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if M == 0 || N == 0 { return }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(M), Int32(N), Int32(K), alpha, A, Int32(lda), B, Int32(ldb), beta, C, Int32(ldc))
  }
}

/// Nanoseconds on the monotonic clock, for the engine's own profiling counters.
@inline(__always)
func monotonicNanos() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
