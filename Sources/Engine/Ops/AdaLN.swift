// The two per-sample conditioning ops of an adaLN-Zero block (DiT):
//   modulate:       x·(1 + scale) + shift
//   gated residual: x + gate·y
// shift, scale and gate are (B, C), one vector per sample, broadcast over its T tokens.

extension Graph {
  /// adaLN modulation: x (B, T, C), shift (B, C), scale (B, C) → x·(1+scale)+shift.
  public func modulate(_ x: Tensor, shift: Tensor, scale: Tensor) -> Tensor {
    let C = x.shape.last, B = shift.shape.rows, T = x.count / (B * C)
    precondition(shift.count == B * C && scale.count == B * C && x.count == B * T * C, "modulate: x \(x.shape), shift \(shift.shape), scale \(scale.shape)")
    let y = output(x.shape, grad: x.requiresGrad || shift.requiresGrad || scale.requiresGrad)
    for b in 0..<B {
      let sh = shift.data + b * C, sc = scale.data + b * C
      for t in 0..<T {
        let off = (b * T + t) * C
        let xr = x.data + off, yr = y.data + off
        var c = 0
        while c + 8 <= C {
          let v = FastMath.load(xr + c) * (1 + FastMath.load(sc + c)) + FastMath.load(sh + c)
          FastMath.store(v, yr + c)
          c += 8
        }
        while c < C {
          yr[c] = xr[c] * (1 + sc[c]) + sh[c]
          c += 1
        }
      }
    }
    if y.requiresGrad { record(.modulate(x: x, shift: shift, scale: scale, y: y)) }
    return y
  }

  func modulateBackward(x: Tensor, shift: Tensor, scale: Tensor, y: Tensor) {
    guard let dy = y.grad else { return }
    let C = x.shape.last, B = shift.shape.rows, T = x.count / (B * C)
    for b in 0..<B {
      let sc = scale.data + b * C
      for t in 0..<T {
        let off = (b * T + t) * C
        let dyr = dy + off, xr = x.data + off
        if let dx = x.grad {
          for c in 0..<C { dx[off + c] += dyr[c] * (1 + sc[c]) }
        }
        if let dsh = shift.grad {
          for c in 0..<C { dsh[b * C + c] += dyr[c] }
        }
        if let dsc = scale.grad {
          for c in 0..<C { dsc[b * C + c] += dyr[c] * xr[c] }
        }
      }
    }
  }

  /// Gated residual: x (B, T, C) + gate (B, C) · y (B, T, C).
  public func gatedResidual(_ x: Tensor, gate: Tensor, _ y: Tensor) -> Tensor {
    let C = x.shape.last, B = gate.shape.rows, T = x.count / (B * C)
    precondition(x.count == y.count && gate.count == B * C && x.count == B * T * C, "gatedResidual: x \(x.shape), gate \(gate.shape), y \(y.shape)")
    let out = output(x.shape, grad: x.requiresGrad || gate.requiresGrad || y.requiresGrad)
    for b in 0..<B {
      let g = gate.data + b * C
      for t in 0..<T {
        let off = (b * T + t) * C
        let xr = x.data + off, yr = y.data + off, o = out.data + off
        var c = 0
        while c + 8 <= C {
          FastMath.store(FastMath.load(xr + c) + FastMath.load(g + c) * FastMath.load(yr + c), o + c)
          c += 8
        }
        while c < C {
          o[c] = xr[c] + g[c] * yr[c]
          c += 1
        }
      }
    }
    if out.requiresGrad { record(.gatedResidual(x: x, gate: gate, y: y, out: out)) }
    return out
  }

  func gatedResidualBackward(x: Tensor, gate: Tensor, y: Tensor, out: Tensor) {
    guard let dout = out.grad else { return }
    let C = x.shape.last, B = gate.shape.rows, T = x.count / (B * C)
    if let dx = x.grad { accumulate(dx, dout, x.count) }
    for b in 0..<B {
      let g = gate.data + b * C
      for t in 0..<T {
        let off = (b * T + t) * C
        let d = dout + off
        if let dy = y.grad {
          for c in 0..<C { dy[off + c] += d[c] * g[c] }
        }
        if let dg = gate.grad {
          let yr = y.data + off
          for c in 0..<C { dg[b * C + c] += d[c] * yr[c] }
        }
      }
    }
  }
}

/// dst[i] += src[i] for n floats.
@usableFromInline func accumulate(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
  var i = 0
  while i + 8 <= n {
    FastMath.store(FastMath.load(dst + i) + FastMath.load(src + i), dst + i)
    i += 8
  }
  while i < n {
    dst[i] += src[i]
    i += 1
  }
}
