import RunProtocol

// The whole sample group as half-block thumbnails with each sample's reward and advantage
// under it, the prompt's references after a gap, and the selected sample highlighted. The
// thumbnail size is the largest that fits the panel, trying one to four rows of thumbnails.
// `z` shows the selected sample large beside its references instead.

/// The samples panel.
enum SamplesPanel {
  /// At most this many references are shown beside the group.
  static let maxReferences = 4

  static func title(_ ctx: PanelContext) -> String {
    guard let i = ctx.view.sampleGroupIndex(in: ctx.state) else { return "Samples" }
    let g = ctx.state.sampleGroups[i]
    var t = "Samples: prompt \"\(g.prompt)\" · iter \(g.iteration)"
    if ctx.view.sampleHistory != nil {
      let dropped = ctx.state.droppedSampleGroups
      t += " · history \(i + 1 + dropped)/\(ctx.state.sampleGroups.count + dropped)"
    }
    let sel = g.images.isEmpty ? 0 : ctx.view.selectedSample % g.images.count
    if g.rewards.indices.contains(sel) && g.advantages.indices.contains(sel) {
      t += " · #\(sel + 1) r \(Format.compact(g.rewards[sel], digits: 2)) A \(Format.signed(g.advantages[sel]))"
    }
    if ctx.view.zoomSample { t += " · zoom" }
    return t
  }

  /// A fitted arrangement: thumbnail size in cells, rows and columns of the group, columns of
  /// references, and label rows under each thumbnail.
  struct Fit: Equatable {
    var w: Int, h: Int, rows: Int, cols: Int, refCols: Int, labels: Int
  }

  /// The largest thumbnails that fit a width × height area for n samples and r references:
  /// two label rows (reward, advantage) under each while thumbnails can be 8 cells wide, else
  /// whichever of two rows or one shared row gives the wider thumbnails.
  static func fit(width: Int, height: Int, samples n: Int, references r: Int) -> Fit? {
    func best(labels: Int) -> Fit? {
      var found: Fit?
      for rows in 1...4 {
        let cols = (n + rows - 1) / rows
        let refCols = r > 0 ? (r + rows - 1) / rows : 0
        let slots = cols + refCols
        guard slots > 0 else { continue }
        let wMax = min((width - (refCols > 0 ? 1 : 0)) / slots - 1, 64)
        guard wMax >= 3 else { continue }
        for w in stride(from: wMax, through: 3, by: -1) where rows * ((w + 1) / 2 + labels) <= height {
          if w > found?.w ?? 0 { found = Fit(w: w, h: (w + 1) / 2, rows: rows, cols: cols, refCols: refCols, labels: labels) }
          break
        }
      }
      return found
    }
    let two = best(labels: 2), one = best(labels: 1)
    if let t = two, t.w >= 8 || (one?.w ?? 0) <= t.w { return t }
    if let o = one, o.w >= 6 || two == nil { return o }
    return two ?? one
  }

  static func draw(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext) {
    guard let gi = ctx.view.sampleGroupIndex(in: ctx.state) else {
      g.centered(r.y + r.height / 2, in: r, "waiting for samples…", ctx.muted)
      return
    }
    let group = ctx.state.sampleGroups[gi]
    let refs = Array(group.references.prefix(maxReferences))
    let selected = group.images.isEmpty ? 0 : ctx.view.selectedSample % group.images.count
    if ctx.view.zoomSample, !group.images.isEmpty {
      zoomed(&g, r, ctx, group, refs, selected)
      return
    }
    thumbnails(&g, r, ctx, group, refs, selected)
  }

  /// The group (and references) as a grid of thumbnails with their labels.
  static func thumbnails(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext, _ group: SampleGroup, _ refs: [Thumbnail], _ selected: Int) {
    let f = fit(width: r.width, height: r.height, samples: group.images.count, references: refs.count)
      ?? fit(width: r.width, height: r.height, samples: group.images.count, references: 0)
    guard let f else {
      g.centered(r.y + r.height / 2, in: r, "\(group.images.count) samples: too little room (3 shows them full screen)", ctx.muted)
      return
    }
    let slotW = f.w + 1
    for (i, img) in group.images.enumerated() {
      let x = r.x + (i % f.cols) * slotW, y = r.y + (i / f.cols) * (f.h + f.labels)
      ThumbnailWidget.draw(into: &g, rect: Rect(x: x, y: y, width: f.w, height: f.h), thumbnail: img, colored: ctx.colored, background: ctx.bg)
      let sel = i == selected
      let reward = i < group.rewards.count ? group.rewards[i] : .nan
      let adv = i < group.advantages.count ? group.advantages[i] : .nan
      let advStyle = sel ? ctx.selected : (adv >= 0 ? ctx.good : ctx.bad)
      g.fill(Rect(x: x, y: y + f.h, width: f.w, height: 1), " ", sel ? ctx.selected : Style(bg: ctx.bg))
      if f.labels > 1 {
        g.text(x, y + f.h, Format.tiny(reward, width: f.w), sel ? ctx.selected : ctx.text, maxWidth: f.w)
        g.text(x, y + f.h + 1, Format.tiny(adv, width: f.w, signed: true), advStyle, maxWidth: f.w)
      } else {
        // One shared row: reward on the left, advantage right-aligned in its colour.
        let half = f.w / 2
        g.text(x, y + f.h, Format.tiny(reward, width: half), sel ? ctx.selected : ctx.text, maxWidth: half)
        g.rightAligned(y + f.h, in: Rect(x: x + half, y: y + f.h, width: f.w - half, height: 1),
                       Format.tiny(adv, width: f.w - half, signed: true), advStyle)
      }
    }
    // References after a one-column gap, labelled "ref".
    guard f.refCols > 0 else { return }
    let refX = r.x + f.cols * slotW + 1
    for (j, ref) in refs.enumerated() {
      let x = refX + (j % f.refCols) * slotW, y = r.y + (j / f.refCols) * (f.h + f.labels)
      ThumbnailWidget.draw(into: &g, rect: Rect(x: x, y: y, width: f.w, height: f.h), thumbnail: ref, colored: ctx.colored, background: ctx.bg)
      g.text(x, y + f.h, "ref", ctx.muted, maxWidth: f.w)
    }
  }

  /// The selected sample large, its references beside it at the same size.
  static func zoomed(_ g: inout CellGrid, _ r: Rect, _ ctx: PanelContext, _ group: SampleGroup, _ refs: [Thumbnail], _ i: Int) {
    let reward = group.rewards.indices.contains(i) ? group.rewards[i] : Double.nan
    let adv = group.advantages.indices.contains(i) ? group.advantages[i] : Double.nan
    let rank = group.rewards.filter { $0 > reward }.count + 1
    g.segments(r.x, r.y, [
      ("sample \(i + 1)/\(group.images.count)", ctx.bold), ("  reward ", ctx.muted), (Format.compact(reward), ctx.text),
      ("  advantage ", ctx.muted), (Format.signed(adv), adv < 0 ? ctx.bad : ctx.good),
      ("  rank \(rank)/\(group.rewards.count)", ctx.muted), ("   ←→ sample  z back", ctx.muted),
    ], maxWidth: r.width)
    // The whole group stays visible in a strip below when there is room for it.
    let stripH = r.height >= 18 ? min(9, (r.height - 1) / 3) : 0
    let body = Rect(x: r.x, y: r.y + 1, width: r.width, height: r.height - 1 - stripH)
    let count = 1 + refs.count
    var h = body.height - 1
    var w = h * 2
    let maxW = (body.width - 2) / count - 1
    if w > maxW {
      w = maxW
      h = (w + 1) / 2
    }
    guard w >= 4, h >= 2, group.images.indices.contains(i) else { return }
    ThumbnailWidget.draw(into: &g, rect: Rect(x: body.x, y: body.y, width: w, height: h), thumbnail: group.images[i], colored: ctx.colored, background: ctx.bg)
    g.text(body.x, body.y + h, "generated", ctx.bold, maxWidth: w)
    if stripH > 0 {
      let y = min(body.y + h + 2, r.maxY - stripH)
      thumbnails(&g, Rect(x: r.x, y: y, width: r.width, height: r.maxY - y), ctx, group, [], i)
    }
    for (j, ref) in refs.enumerated() {
      let x = body.x + (j + 1) * (w + 1) + 2
      ThumbnailWidget.draw(into: &g, rect: Rect(x: x, y: body.y, width: w, height: h), thumbnail: ref, colored: ctx.colored, background: ctx.bg)
      g.text(x, body.y + h, "reference \(j + 1)", ctx.muted, maxWidth: w)
    }
  }
}
