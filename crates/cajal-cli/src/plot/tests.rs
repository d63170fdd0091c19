//! End-to-end tests of figure rendering.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::layout::build_scene;
use super::scene::{Anchor, Label, Prim, Rgba};
use super::*;

/// A fresh, unique directory under the system temp dir.
fn temp_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("cajal-plot-test-{}-{n}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A deterministic pseudo-random sequence in [0, 1).
fn uniform(n: usize, mut state: u64) -> Vec<f64> {
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// A two-panel figure using every series style, vertical markers and a log axis.
fn every_style() -> Figure {
    let t: Vec<f64> = (0..2000).map(|i| f64::from(i) * 0.1).collect();
    let v: Vec<f64> = t
        .iter()
        .map(|&t| -65.0 + 10.0 * (t / 7.0).sin() + if (t % 50.0) < 0.1 { 80.0 } else { 0.0 })
        .collect();
    let spikes = vec![0.0, 50.0, 100.0, 150.0];
    let trace = Panel::new("time (ms)", "membrane potential (mV)")
        .with_title("trace")
        .with_series(Series::line(t.clone(), v).with_label("V"))
        .with_series(
            Series::ticks(spikes.clone(), vec![25.0; spikes.len()])
                .with_color(Color::Palette(1))
                .with_label("spikes"),
        )
        .with_series(
            Series::dashed(vec![0.0, 200.0], vec![-55.0, -55.0])
                .with_color(Color::Rgb(90, 90, 90))
                .with_label("threshold (theory)"),
        )
        .with_series(
            Series::points(vec![20.0, 40.0, 60.0], vec![-70.0, -60.0, -50.0])
                .with_color(Color::Palette(2))
                .with_label("samples"),
        )
        .with_vertical_line(42.0, "λ = 42 ms");
    let edges: Vec<f64> = (0..=10).map(f64::from).collect();
    let counts = vec![1.0, 3.0, 7.0, 12.0, 9.0, 5.0, 2.0, 0.0, 1.0, 0.0];
    let hist = Panel::new("inter-spike interval (ms)", "count")
        .with_series(Series::steps(edges, counts).with_label("ISI"));
    let f: Vec<f64> = (1..200).map(f64::from).collect();
    let power: Vec<f64> = f.iter().map(|f| 100.0 / (1.0 + f * f / 100.0)).collect();
    let spectrum = Panel::new("frequency (Hz)", "power (mV²/Hz)")
        .with_series(Series::line(f, power))
        .with_log_y(true);
    Figure::new("every style")
        .with_panel(trace)
        .with_panel(hist)
        .with_panel(spectrum)
}

/// The label primitive showing exactly `text`.
fn find_label(scene: &scene::Scene, text: &str) -> Label {
    scene
        .prims
        .iter()
        .find_map(|p| match p {
            Prim::Text(l) if l.text == text => Some(l.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no label {text:?}"))
}

/// Number of non-white pixels in a box of an RGB buffer.
fn ink(buf: &[u8], width: u32, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> usize {
    let mut n = 0;
    for y in y0.max(0)..y1 {
        for x in x0.max(0)..x1.min(width as i32) {
            let i = (y as usize * width as usize + x as usize) * 3;
            if buf.get(i..i + 3).is_some_and(|p| p != [255, 255, 255]) {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn renders_every_style_to_svg_and_png() {
    let dir = temp_dir("every-style");
    let stem = dir.join("nested").join("figure");
    let [svg, png] = render(&every_style(), &stem).expect("render");
    assert_eq!(svg, dir.join("nested/figure.svg"));
    assert_eq!(png, dir.join("nested/figure.png"));
    let svg_text = std::fs::read_to_string(&svg).expect("svg readable");
    assert!(svg_text.len() > 5_000, "svg too small: {}", svg_text.len());
    assert!(svg_text.starts_with("<svg"));
    for label in [
        "time (ms)",
        "membrane potential (mV)",
        "inter-spike interval (ms)",
        "power (mV²/Hz)",
        "threshold (theory)",
        "λ = 42 ms",
        "every style",
    ] {
        assert!(svg_text.contains(label), "svg lacks {label:?}");
    }
    let png_bytes = std::fs::read(&png).expect("png readable");
    assert!(
        png_bytes.len() > 10_000,
        "png too small: {}",
        png_bytes.len()
    );
    assert_eq!(&png_bytes[1..4], b"PNG");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn png_text_is_drawn_where_the_x_label_is() {
    let figure = every_style();
    let scene = build_scene(&figure).expect("layout");
    let label = find_label(&scene, "inter-spike interval (ms)");
    assert_eq!(label.anchor, Anchor::Center);
    let (buf, width, height) = render_rgb(&figure).expect("render");
    assert_eq!(buf.len(), (width * height * 3) as usize);
    // the label is about 200 px wide and 12 px tall (capitals) below its anchor
    let region = (label.x - 60, label.y, label.x + 60, label.y + 12);
    let with_text = ink(&buf, width, region);
    assert!(
        with_text > 100,
        "only {with_text} inked pixels at the x label"
    );

    // control: the same place is blank without the label
    let mut blank = figure.clone();
    blank.panels[1].x_label.clear();
    let (buf, width, _) = render_rgb(&blank).expect("render");
    assert_eq!(ink(&buf, width, region), 0);
}

#[test]
fn output_is_deterministic() {
    let dir = temp_dir("determinism");
    let figure = every_style();
    let a = render(&figure, &dir.join("a")).expect("render a");
    let b = render(&figure, &dir.join("b")).expect("render b");
    for (pa, pb) in a.iter().zip(&b) {
        let (da, db) = (std::fs::read(pa).unwrap(), std::fs::read(pb).unwrap());
        assert!(da == db, "{} and {} differ", pa.display(), pb.display());
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn decimated_line_keeps_its_maximum() {
    let n = 1_000_000;
    let noise = uniform(n, 3);
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    let mut y: Vec<f64> = noise.iter().map(|r| -65.0 + r).collect();
    let spike_at = 612_345;
    y[spike_at] = 40.0; // a single-sample spike
    let figure = Figure::new("").with_panel(
        Panel::new("time (ms)", "V (mV)")
            .with_series(Series::line(x, y))
            .with_y_range(-70.0, 45.0),
    );
    let scene = build_scene(&figure).expect("layout");
    let mut vertices = 0;
    let mut top = i32::MAX;
    let mut top_x = 0;
    for prim in &scene.prims {
        if let Prim::Polyline { pts, color, .. } = prim
            && *color == Rgba::opaque(PALETTE[0])
        {
            vertices += pts.len();
            for &(px, py) in pts {
                if py < top {
                    top = py;
                    top_x = px;
                }
            }
        }
    }
    assert!(vertices < 5_000, "not decimated: {vertices} vertices");
    // the frame of the plot area is the closed 5-point polyline
    let (frame_top, frame_bottom) = scene
        .prims
        .iter()
        .find_map(|p| match p {
            Prim::Polyline { pts, .. } if pts.len() == 5 && pts[0] == pts[4] => {
                Some((pts[0].1, pts[2].1))
            }
            _ => None,
        })
        .expect("frame");
    // 40 mV on a -70..45 mV axis
    let expected = f64::from(frame_bottom) - 110.0 / 115.0 * f64::from(frame_bottom - frame_top);
    assert!(
        (f64::from(top) - expected).abs() <= 1.0,
        "spike drawn up to {top}, expected {expected}"
    );
    // the rendered column is inked from the spike top downwards
    let (buf, width, _) = render_rgb(&figure).expect("render");
    let col_ink = ink(&buf, width, (top_x, top, top_x + 1, top + 20));
    assert!(col_ink >= 15, "spike column has {col_ink} inked pixels");
}

#[test]
fn huge_raster_renders() {
    let n = 1_000_000;
    let times: Vec<f64> = uniform(n, 11).iter().map(|r| r * 10_000.0).collect();
    let neurons: Vec<f64> = uniform(n, 12).iter().map(|r| (r * 500.0).floor()).collect();
    let figure = Figure::new("10^6 spikes").with_panel(
        Panel::new("time (ms)", "neuron index")
            .with_series(Series::ticks(times, neurons).with_marker_size(2)),
    );
    let dir = temp_dir("raster");
    let start = Instant::now();
    let [svg, png] = render(&figure, &dir.join("raster")).expect("render");
    eprintln!(
        "10^6-spike raster rendered (SVG + PNG) in {:?}",
        start.elapsed()
    );
    assert!(std::fs::metadata(&png).unwrap().len() > 5_000);
    assert!(std::fs::metadata(&svg).unwrap().len() > 1_000);

    let t: Vec<f64> = (0..n).map(|i| i as f64 * 0.01).collect();
    let v: Vec<f64> = uniform(n, 13).iter().map(|r| -65.0 + 5.0 * r).collect();
    let trace = Figure::new("10^6 samples")
        .with_panel(Panel::new("time (ms)", "V (mV)").with_series(Series::line(t, v)));
    let start = Instant::now();
    render(&trace, &dir.join("trace")).expect("render");
    eprintln!(
        "10^6-sample trace rendered (SVG + PNG) in {:?}",
        start.elapsed()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let nan = f64::NAN;
    let inf = f64::INFINITY;
    let panels = vec![
        // nothing at all
        Panel::default(),
        // empty series of every style, labelled
        Panel::new("x (1)", "y (1)")
            .with_series(Series::line(vec![], vec![]).with_label("empty"))
            .with_series(Series::dashed(vec![], vec![]))
            .with_series(Series::points(vec![], vec![]))
            .with_series(Series::ticks(vec![], vec![]))
            .with_series(Series::steps(vec![], vec![]).with_label("empty bars")),
        // single points
        Panel::new("x (1)", "y (1)")
            .with_series(Series::line(vec![1.0], vec![2.0]))
            .with_series(Series::ticks(vec![1.0], vec![2.0]))
            .with_series(Series::steps(vec![0.0, 1.0], vec![3.0])),
        // non-finite values, mismatched lengths, constant y
        Panel::new("x (1)", "y (1)")
            .with_series(Series::line(
                vec![0.0, 1.0, nan, 3.0, 4.0, inf, 6.0],
                vec![5.0, nan, 5.0, 5.0, -inf, 5.0],
            ))
            .with_series(Series::points(vec![nan, inf], vec![1.0, 2.0]))
            .with_series(Series::steps(vec![0.0, 1.0], vec![1.0, 2.0, 3.0]))
            .with_vertical_line(nan, "nowhere")
            .with_vertical_line(1e9, "far away"),
        // log axis with non-positive values only
        Panel::new("x (1)", "y (1)")
            .with_series(Series::line(vec![0.0, 1.0], vec![0.0, -1.0]))
            .with_series(Series::steps(vec![0.0, 1.0, 2.0], vec![0.0, 10.0]))
            .with_log_y(true)
            .with_y_range(-1.0, 0.0),
        // inverted, degenerate and absurd explicit ranges
        Panel::new("x (1)", "y (1)")
            .with_series(Series::line(vec![0.0, 1e308], vec![-1e308, 1e308]))
            .with_x_range(5.0, -5.0)
            .with_y_range(3.0, 3.0),
    ];
    let figure = Figure {
        title: "degenerate".into(),
        panels,
        width: 0,
        height_per_panel: 0,
    };
    let dir = temp_dir("degenerate");
    render(&figure, &dir.join("fig")).expect("render");
    render(&Figure::default(), &dir.join("empty")).expect("render empty figure");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_name_the_file() {
    let dir = temp_dir("errors");
    std::fs::create_dir_all(&dir).unwrap();
    let blocker = dir.join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let err = render(&every_style(), &blocker.join("fig")).expect_err("must fail");
    assert_eq!(err.path, blocker.join("fig.svg"));
    assert!(err.to_string().contains("fig.svg"), "{err}");

    let huge = Figure {
        panels: vec![Panel::default(); 200],
        ..Figure::default()
    };
    let err = render(&huge, &dir.join("huge")).expect_err("too large");
    assert!(err.message.contains("too large"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn stem_keeps_its_dots() {
    assert_eq!(
        with_suffix(Path::new("out/run.v2"), "svg"),
        PathBuf::from("out/run.v2.svg")
    );
}

#[test]
fn palette_wraps_and_rgb_passes_through() {
    assert_eq!(Color::Palette(0).rgb(), PALETTE[0]);
    assert_eq!(Color::Palette(PALETTE.len() + 1).rgb(), PALETTE[1]);
    assert_eq!(Color::Rgb(1, 2, 3).rgb(), (1, 2, 3));
}

/// Writes the example figure the module was reviewed with to `/tmp/plot_example.{svg,png}`
/// (run with `--ignored`).
#[test]
#[ignore]
fn write_example_figure() {
    let figure = every_style();
    let paths = render(&figure, Path::new("/tmp/plot_example")).expect("render");
    eprintln!("wrote {paths:?}");
}

/// A heatmap whose left half is low and right half high: the pixels on each side take the
/// two ends of the colour map, and equal colours merge into a few rectangles.
#[test]
fn heatmap_colours_cells_by_value_with_a_colour_bar() {
    let (columns, rows) = (20, 10);
    let values: Vec<f64> = (0..rows * columns)
        .map(|k| if k % columns < columns / 2 { 0.0 } else { 5.0 })
        .collect();
    let panel = Panel::new("position (deg)", "time (ms)").with_heatmap(Heatmap {
        x_range: (0.0, 180.0),
        y_range: (0.0, 100.0),
        columns,
        rows,
        values,
        value_label: "rate".into(),
        value_range: None,
    });
    let figure = Figure::new("").with_panel(panel).with_size(600, 300);
    let scene = build_scene(&figure).unwrap();
    let fills: Vec<(&Vec<super::geom::FillRect>, Rgba)> = scene
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Fills { rects, color } => Some((rects, *color)),
            _ => None,
        })
        .collect();
    let lowest = super::colormap::level_color(0);
    let highest = super::colormap::level_color(super::colormap::LEVELS - 1);
    // The two halves: one merged rectangle each (plus one bar segment per colour level).
    let low: Vec<_> = fills.iter().filter(|(_, c)| *c == lowest).collect();
    let high: Vec<_> = fills.iter().filter(|(_, c)| *c == highest).collect();
    assert_eq!(low.len(), 2, "low half and the bottom of the colour bar");
    assert_eq!(high.len(), 2, "high half and the top of the colour bar");
    let area = |rects: &Vec<super::geom::FillRect>| {
        rects
            .iter()
            .map(|r| (r.x1 - r.x0) * (r.y1 - r.y0))
            .sum::<i32>()
    };
    let (a, b) = (area(low[0].0), area(high[0].0));
    assert!(
        a > 1000 && (a - b).abs() <= a / 50,
        "halves of {a} and {b} pixels"
    );
    let labels: Vec<&str> = scene
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Text(l) => Some(l.text.as_str()),
            _ => None,
        })
        .collect();
    for expected in ["0", "5", "rate"] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }
}

/// The `<line>` elements of an SVG: (stroke colour, stroke width, x1, y1, x2, y2).
pub(crate) fn svg_lines(svg: &str) -> Vec<(String, u32, [i32; 4])> {
    let attr = |element: &str, name: &str| -> String {
        let key = format!(" {name}=\"");
        let start = element.find(&key).expect("attribute present") + key.len();
        let len = element[start..].find('"').expect("attribute closed");
        element[start..start + len].to_string()
    };
    svg.split("<line ")
        .skip(1)
        .map(|rest| {
            let element = format!(" {}", &rest[..rest.find("/>").expect("closed element")]);
            let coord = |name| attr(&element, name).parse::<i32>().expect("integer");
            (
                attr(&element, "stroke"),
                attr(&element, "stroke-width")
                    .parse()
                    .expect("integer width"),
                [coord("x1"), coord("y1"), coord("x2"), coord("y2")],
            )
        })
        .collect()
}

/// `#RRGGBB` as plotters writes it in SVG.
fn hex(color: Rgba) -> String {
    format!("#{:02X}{:02X}{:02X}", color.0, color.1, color.2)
}

fn segments_panel(segments: Vec<[[f64; 2]; 2]>, values: Vec<f64>, widths: Vec<f64>) -> Panel {
    Panel::new("x (µm)", "y (µm)")
        .with_segments(ColoredSegments {
            segments,
            values,
            widths_px: widths,
            value_label: "V (mV)".into(),
            value_range: None,
        })
        .with_equal_aspect(true)
}

/// Each segment is one SVG `<line>`, coloured by its level: the lowest value takes the bottom
/// of the map, the highest its top, and the PNG shows the same colours where the lines are.
#[test]
fn segments_are_lines_coloured_by_value() {
    let segments: Vec<[[f64; 2]; 2]> = (0..5)
        .map(|i| {
            let x = f64::from(i) * 20.0;
            [[x, 0.0], [x + 20.0, 10.0]]
        })
        .collect();
    let values = vec![-70.0, -60.0, -50.0, -40.0, 20.0];
    let widths = vec![8.0, 4.0, 3.0, 2.0, 1.0];
    let figure = Figure::new("segments").with_panel(segments_panel(segments, values, widths));
    let dir = temp_dir("segments");
    let [svg, png] = render(&figure, &dir.join("segments")).expect("render");
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    let lines = svg_lines(&svg_text);
    assert_eq!(lines.len(), 5, "one <line> per segment");
    let low = hex(super::colormap::level_color(0));
    let high = hex(super::colormap::level_color(super::colormap::LEVELS - 1));
    assert_eq!(low, "#440154", "viridis(0)");
    assert_eq!(high, "#FDE725", "viridis(1)");
    // widest first, so the input order is kept here
    assert_eq!(lines[0].0, low);
    assert_eq!(lines[0].1, 8);
    assert_eq!(lines[4].0, high);
    assert_eq!(lines[4].1, 1);
    for label in ["V (mV)", "-70", "20"] {
        assert!(
            svg_text.contains(&format!(">\n{label}\n<")),
            "svg lacks {label:?}"
        );
    }
    assert!(std::fs::metadata(&png).unwrap().len() > 5_000);

    // the PNG has the lowest colour at the middle of the first (8 px wide) segment
    let (buf, width, _) = render_rgb(&figure).unwrap();
    let [x1, y1, x2, y2] = lines[0].2;
    let (cx, cy) = ((x1 + x2) / 2, (y1 + y2) / 2);
    let i = (cy as usize * width as usize + cx as usize) * 3;
    assert_eq!(&buf[i..i + 3], &[68, 1, 84]);
    std::fs::remove_dir_all(&dir).ok();
}

/// With equal aspect, a 100 × 10 drawing is ten times as wide as tall in pixels, in a wide
/// panel (y widened) and in a tall one (x widened) alike.
#[test]
fn equal_aspect_keeps_the_shape() {
    let segments = vec![[[0.0, 0.0], [100.0, 0.0]], [[100.0, 0.0], [100.0, 10.0]]];
    for (width, height) in [(1000, 320), (400, 900)] {
        let figure = Figure::new("")
            .with_panel(segments_panel(
                segments.clone(),
                vec![1.0, 2.0],
                vec![2.0, 2.0],
            ))
            .with_size(width, height);
        let dir = temp_dir("aspect");
        let [svg, _] = render(&figure, &dir.join("aspect")).unwrap();
        let lines = svg_lines(&std::fs::read_to_string(&svg).unwrap());
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(lines.len(), 2);
        let [ax1, ay1, ax2, ay2] = lines[0].2;
        let [bx1, by1, bx2, by2] = lines[1].2;
        assert_eq!(ay1, ay2, "horizontal stays horizontal");
        assert_eq!(bx1, bx2, "vertical stays vertical");
        let horizontal = f64::from((ax2 - ax1).abs());
        let vertical = f64::from((by2 - by1).abs());
        assert!(horizontal > 100.0, "{horizontal} px");
        // each end is rounded to a pixel
        assert!(
            (horizontal / vertical - 10.0).abs() <= 10.0 * 2.0 / vertical,
            "{horizontal} x {vertical} px in a {width} x {height} figure"
        );
    }
}

/// Equal values (a cell at rest), NaN values and NaN coordinates, zero-length and absurdly
/// wide segments: nothing panics, the constant gets the middle colour, NaN values are grey
/// and NaN coordinates are left out.
#[test]
fn degenerate_segments_do_not_panic() {
    let nan = f64::NAN;
    let rest = segments_panel(
        vec![[[0.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [2.0, 1.0]]],
        vec![-65.0, -65.0],
        vec![3.0, 3.0],
    );
    let scene = build_scene(&Figure::new("").with_panel(rest)).unwrap();
    let lines: Vec<_> = scene
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Lines(lines) => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(lines.len(), 2);
    let middle = super::colormap::level_color(super::colormap::LEVELS / 2);
    assert!(lines.iter().all(|l| l.color == middle), "{lines:?}");
    for expected in ["-65.5", "-64.5"] {
        assert!(
            scene
                .prims
                .iter()
                .any(|p| matches!(p, Prim::Text(l) if l.text == expected)),
            "colour bar lacks {expected}"
        );
    }

    let odd = segments_panel(
        vec![
            [[0.0, 0.0], [10.0, 0.0]],
            [[10.0, 0.0], [10.0, 0.0]],
            [[nan, 0.0], [10.0, 5.0]],
            [[10.0, 0.0], [20.0, 5.0]],
            [[20.0, 5.0], [30.0, 5.0]],
        ],
        vec![nan, 1.0, 2.0, f64::INFINITY],
        vec![1e9, nan, -3.0],
    );
    let figure = Figure::new("").with_panel(odd);
    let scene = build_scene(&figure).unwrap();
    let lines: Vec<_> = scene
        .prims
        .iter()
        .filter_map(|p| match p {
            Prim::Lines(lines) => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(lines.len(), 4, "the NaN-coordinate segment is left out");
    let grey = lines.iter().filter(|l| l.color == Rgba(190, 190, 190, 1.0));
    assert_eq!(grey.count(), 3, "NaN, inf and missing values are grey");
    assert_eq!(lines[0].width, 64, "widths are clamped");
    let dir = temp_dir("odd-segments");
    let [svg, _] = render(&figure, &dir.join("odd")).unwrap();
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(
        svg_lines(&svg_text).len(),
        3,
        "the zero-length segment is a dot"
    );
    assert!(svg_text.contains("<circle"));
    std::fs::remove_dir_all(&dir).ok();

    // nothing drawable at all
    let empty = segments_panel(vec![[[nan, nan], [nan, nan]]], vec![nan], vec![]);
    render(
        &Figure::new("").with_panel(empty),
        &temp_dir("no-segments").join("x"),
    )
    .unwrap();
}

/// Thousands of segments stay a compact SVG: one short `<line>` each.
#[test]
fn many_segments_keep_the_svg_small() {
    let n = 5000;
    let segments: Vec<[[f64; 2]; 2]> = (0..n)
        .map(|i| {
            let a = i as f64 * 0.01;
            [
                [a.cos() * a, a.sin() * a],
                [(a + 0.01).cos() * a, (a + 0.01).sin() * a],
            ]
        })
        .collect();
    let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let figure = Figure::new("spiral").with_panel(segments_panel(segments, values, vec![2.0; n]));
    let dir = temp_dir("many-segments");
    let [svg, _] = render(&figure, &dir.join("spiral")).unwrap();
    let size = std::fs::metadata(&svg).unwrap().len();
    std::fs::remove_dir_all(&dir).ok();
    assert!(size < 120 * n as u64, "{size} bytes for {n} segments");
}

#[test]
fn viridis_ends() {
    assert_eq!(viridis(0.0), Color::Rgb(68, 1, 84));
    assert_eq!(viridis(1.0), Color::Rgb(253, 231, 37));
    assert_eq!(viridis(f64::NAN), viridis(-3.0));
    assert_eq!(viridis(7.0), viridis(1.0));
}
