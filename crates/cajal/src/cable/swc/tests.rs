//! Tests of the SWC reader on hand-written cells whose lengths are exact (3-4-5 and 6-8-10
//! triangles), on every kind of malformed file, and on the shipped example cell.

use super::*;
use std::f64::consts::PI;

fn path_length(points: &[PathPoint]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2) + (w[1].z - w[0].z).powi(2))
                .sqrt()
        })
        .sum()
}

fn rel_err(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

fn at(section: usize, position: f64) -> Option<Attachment> {
    Some(Attachment { section, position })
}

/// A one-point soma (r = 5) with an axon, a dendrite that forks in two, and a custom-type
/// branch at the tip of one daughter; comments, blank lines and CRLF in between.
const SMALL: &str = "# a small cell\r
# id type x y z radius parent\r
\r
1 1 0 0 0 5 -1\r
2 2 0 -5 0 0.5 1\r
3 2 0 -8 -4 0.5 2     # 5 from point 2 (0, -3, -4)\r
4 2 0 -8 -16 0.4 3\r
5 3 5 0 0 1 1\r
6 3 8 4 0 1 5\r
7 3 14 12 0 0.75 6\r
8 3 14 24 0 0.5 7\r
9 3 17 24 4 0.5 8\r
\r
10 3 20 12 8 0.5 7\r
11 7 17 24 10 0.25 9\r
";

#[test]
fn small_cell_sections() {
    let s = parse_swc(SMALL).expect("valid file");
    let names: Vec<&str> = s.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "soma",
            "axon[0]",
            "dend[0]",
            "dend[1]",
            "custom7[0]",
            "dend[2]"
        ]
    );
    let kinds: Vec<SwcType> = s.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        [
            SwcType::Soma,
            SwcType::Axon,
            SwcType::BasalDendrite,
            SwcType::BasalDendrite,
            SwcType::Other(7),
            SwcType::BasalDendrite,
        ]
    );
    let parents: Vec<Option<Attachment>> = s.iter().map(|x| x.parent).collect();
    assert_eq!(
        parents,
        [
            None,
            at(0, 0.5),
            at(0, 0.5),
            at(2, 1.0),
            at(3, 1.0),
            at(2, 1.0)
        ]
    );
    // Soma: cylinder along x from -5 to 5, d = 10.
    assert_eq!(s[0].points.len(), 2);
    assert_eq!((s[0].points[0].x, s[0].points[1].x), (-5.0, 5.0));
    assert!(s[0].points.iter().all(|p| p.diameter_um == 10.0));
    // Soma children start at their own first point; others at their parent's end.
    let lengths: Vec<f64> = s.iter().map(|x| path_length(&x.points)).collect();
    assert_eq!(lengths, [10.0, 17.0, 15.0, 17.0, 6.0, 10.0]);
    let counts: Vec<usize> = s.iter().map(|x| x.points.len()).collect();
    assert_eq!(counts, [2, 3, 3, 3, 2, 2]);
    let diameters = |i: usize| -> Vec<f64> { s[i].points.iter().map(|p| p.diameter_um).collect() };
    assert_eq!(diameters(1), [1.0, 1.0, 0.8]);
    assert_eq!(diameters(2), [2.0, 2.0, 1.5]);
    // dend[1] and dend[2] begin with the fork point (14, 12, 0) at its diameter, 1.5.
    assert_eq!(diameters(3), [1.5, 1.0, 1.0]);
    assert_eq!(diameters(5), [1.5, 1.0]);
    assert_eq!(
        (s[3].points[0].x, s[3].points[0].y, s[3].points[0].z),
        (14.0, 12.0, 0.0)
    );
    assert_eq!(diameters(4), [1.0, 0.5]);
}

#[test]
fn parents_may_come_later_in_the_file() {
    let text = "3 3 0 10 0 1 2\n1 1 0 0 0 5 -1\n2 3 0 4 3 1 1\n";
    let s = parse_swc(text).expect("forward references are allowed");
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].name, "dend[0]");
    // (0,4,3) → (0,10,0): sqrt(36 + 9)
    assert!(rel_err(path_length(&s[1].points), 45f64.sqrt()) < 1e-15);
    // Exporters that write integer fields as "2.0" are read too.
    let s2 = parse_swc("1.0 1 0 0 0 5 -1.0\n2 3.0 0 4 3 1 1.0\n").expect("integral floats");
    assert_eq!(s2.len(), 2);
}

#[test]
fn one_and_three_point_somata_have_the_sphere_area() {
    let r: f64 = 7.3;
    let sphere = 4.0 * PI * r * r;
    let area = |s: &SwcSection| {
        assert_eq!(s.kind, SwcType::Soma);
        let d = s.points[0].diameter_um;
        assert!(s.points.iter().all(|p| p.diameter_um == d));
        PI * d * path_length(&s.points)
    };
    let one = parse_swc(&format!("1 1 1 2 3 {r} -1\n")).expect("one-point soma");
    assert_eq!(one.len(), 1);
    assert!(rel_err(area(&one[0]), sphere) < 1e-12);
    let three = parse_swc(&format!(
        "1 1 1 2 3 {r} -1\n2 1 1 {} 3 {r} 1\n3 1 1 {} 3 {r} 1\n4 3 1 {} 3 1 1\n",
        2.0 - r,
        2.0 + r,
        2.0 + r + 20.0
    ))
    .expect("three-point soma");
    assert_eq!(three.len(), 2);
    assert_eq!(three[0].points.len(), 3);
    assert!(rel_err(path_length(&three[0].points), 2.0 * r) < 1e-12);
    assert!(rel_err(area(&three[0]), sphere) < 1e-12);
    assert_eq!(three[1].parent, at(0, 0.5));
}

#[test]
fn soma_contours_are_kept_as_paths() {
    // Two soma chains on either side of the root, not a three-point soma (the side points
    // are 3 and 4 µm away, not r = 2): one path 2-1-3-4.
    let text = "1 1 0 0 0 2 -1\n2 1 0 -3 0 1.5 1\n3 1 0 4 0 1.5 1\n4 1 0 8 3 1 3\n\
                5 3 0 11 7 0.5 4\n";
    let s = parse_swc(text).expect("valid");
    assert_eq!(s.len(), 2);
    let ys: Vec<f64> = s[0].points.iter().map(|p| p.y).collect();
    assert_eq!(ys, [-3.0, 0.0, 4.0, 8.0]);
    assert_eq!(path_length(&s[0].points), 3.0 + 4.0 + 5.0);
    assert_eq!(s[0].points[0].diameter_um, 3.0);
    // The dendrite hangs on the soma's last point but attaches at 0.5 like every soma
    // child; being a single point, it runs from that soma point at its own diameter.
    assert_eq!(s[1].parent, at(0, 0.5));
    assert_eq!(path_length(&s[1].points), 5.0);
    assert!(s[1].points.iter().all(|p| p.diameter_um == 1.0));
}

#[test]
fn a_branched_soma_outline_keeps_unique_names() {
    // Three soma chains leave the root: the first two make the soma's path, the third
    // becomes a soma section of its own, attached to the soma's middle.
    let text = "1 1 0 0 0 2 -1\n2 1 0 -3 0 2 1\n3 1 0 4 0 2 1\n4 1 5 0 0 1 1\n\
                5 1 8 4 0 1 4\n";
    let s = parse_swc(text).expect("valid");
    let names: Vec<&str> = s.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["soma", "soma[1]"]);
    assert_eq!(path_length(&s[0].points), 7.0);
    assert_eq!(s[1].parent, at(0, 0.5));
    assert_eq!(path_length(&s[1].points), 5.0);
}

#[test]
fn a_cell_without_soma_starts_at_its_root() {
    let text = "1 2 0 0 0 1 -1\n2 2 3 4 0 1 1\n3 2 6 8 0 1 2\n4 2 15 20 0 1 2\n";
    let s = parse_swc(text).expect("valid");
    let names: Vec<&str> = s.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["axon[0]", "axon[1]", "axon[2]"]);
    assert_eq!(s[0].parent, None);
    assert_eq!(path_length(&s[0].points), 5.0);
    assert_eq!(path_length(&s[1].points), 5.0);
    assert_eq!(path_length(&s[2].points), 20.0);
    assert_eq!(s[2].parent, at(0, 1.0));
}

#[test]
fn long_unbranched_files_do_not_overflow_the_stack() {
    let mut text = String::from("1 1 0 0 0 5 -1\n");
    for i in 2..=100_000 {
        text.push_str(&format!("{i} 3 {i} 0 0 0.5 {}\n", i - 1));
    }
    let s = parse_swc(&text).expect("valid");
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].points.len(), 99_999);
    // A chain whose ids run backwards (each parent later in the file) works as well.
    let mut text = String::new();
    for i in 1..50_000 {
        text.push_str(&format!("{i} 3 {i} 0 0 0.5 {}\n", i + 1));
    }
    text.push_str("50000 1 0 0 0 5 -1\n");
    assert_eq!(parse_swc(&text).expect("valid").len(), 2);
}

/// The error for `text`, checking its line and that its message mentions `words`.
fn error(text: &str, line: usize, words: &[&str]) {
    match parse_swc(text) {
        Ok(s) => panic!("{text:?} parsed into {} sections", s.len()),
        Err(e) => {
            assert_eq!(e.line, line, "{text:?}: {e}");
            for w in words {
                assert!(e.message.contains(w), "{text:?}: {e} lacks {w:?}");
            }
            assert_eq!(e.to_string(), format!("line {line}: {}", e.message));
        }
    }
}

#[test]
fn errors_name_the_line_field_and_value() {
    let root = "# header\n1 1 0 0 0 5 -1\n";
    error(&format!("{root}2 3 0 0 0 1\n"), 3, &["7 fields", "got 6"]);
    error(
        &format!("{root}2 3 0 0 0 1 1 9\n"),
        3,
        &["7 fields", "got 8"],
    );
    error(
        &format!("{root}2 3 0 abc 0 1 1\n"),
        3,
        &["y", "\"abc\"", "not a number"],
    );
    error(&format!("{root}2 3 0 0 0 r 1\n"), 3, &["radius", "\"r\""]);
    error(&format!("{root}x 3 0 0 0 1 1\n"), 3, &["id", "\"x\""]);
    error(
        &format!("{root}2.5 3 0 0 0 1 1\n"),
        3,
        &["id", "integer", "2.5"],
    );
    error(
        &format!("{root}2 3.5 0 0 0 1 1\n"),
        3,
        &["type", "integer", "3.5"],
    );
    error(
        &format!("{root}2 3 0 0 0 1 1.5\n"),
        3,
        &["parent", "integer", "1.5"],
    );
    error(&format!("{root}2 3 0 0 0 1 -3\n"), 3, &["parent", "-3"]);
    error(&format!("{root}-2 3 0 0 0 1 1\n"), 3, &["id", "-2"]);
    error(
        &format!("{root}2 3 0 0 0 0 1\n"),
        3,
        &["radius", "positive", "0"],
    );
    error(&format!("{root}2 3 0 0 0 -1.5 1\n"), 3, &["radius", "-1.5"]);
    error(
        &format!("{root}2 3 nan 0 0 1 1\n"),
        3,
        &["x", "finite", "nan"],
    );
    error(
        &format!("{root}2 3 0 0 inf 1 1\n"),
        3,
        &["z", "finite", "inf"],
    );
    error(
        &format!("{root}2 3 0 0 0 1 1\n\n1 3 0 0 0 1 2\n"),
        5,
        &["duplicate id 1", "line 2"],
    );
    error(
        &format!("{root}2 3 0 0 0 1 1\n3 3 0 0 0 1 7\n"),
        4,
        &["parent 7", "point 3"],
    );
    error(
        &format!("{root}2 3 0 0 0 1 1\n3 3 0 0 0 1 -1\n"),
        4,
        &["second root", "3"],
    );
    // A loop 3 → 4 → 3 beside a proper tree: reported at its first line.
    error(
        &format!("{root}2 3 0 0 0 1 1\n3 3 0 0 0 1 4\n4 3 0 0 0 1 3\n"),
        4,
        &["cycle", "3, 4"],
    );
    // A branch hanging off a loop is reported at the loop, not at the branch.
    error(
        &format!("{root}5 3 0 0 0 1 3\n3 3 0 0 0 1 4\n4 3 0 0 0 1 3\n"),
        4,
        &["cycle", "3, 4"],
    );
    error(&format!("{root}2 3 0 0 0 1 2\n"), 3, &["cycle", "point 2"]);
    // No root at all: everything is on or below a cycle.
    error("1 1 0 0 0 5 2\n2 3 0 0 0 1 1\n", 1, &["cycle", "1, 2"]);
    error("", 0, &["no points"]);
    error("# only a header\n\n   \n", 0, &["no points"]);
}

#[test]
fn the_example_cell() {
    let s = parse_swc(include_str!("../../../../../examples/neuron_swc.swc")).expect("valid");
    let count = |k: SwcType| s.iter().filter(|x| x.kind == k).count();
    let length = |k: SwcType| -> f64 {
        s.iter()
            .filter(|x| x.kind == k)
            .map(|x| path_length(&x.points))
            .sum()
    };
    assert_eq!(s.len(), 29);
    assert_eq!(count(SwcType::Soma), 1);
    assert_eq!(count(SwcType::Axon), 1);
    assert_eq!(count(SwcType::BasalDendrite), 16);
    assert_eq!(count(SwcType::ApicalDendrite), 11);
    assert_eq!(s[0].name, "soma");
    // Three-point soma of r = 10: a cylinder 20 µm long and wide.
    assert!(rel_err(path_length(&s[0].points), 20.0) < 1e-12);
    assert_eq!(s[0].points[0].diameter_um, 20.0);
    // As designed: straight lengths 600, 1320 and 1280 µm, lengthened a little by the bends
    // (to 600.3, 1323.6 and 1282.9 µm, the generator's figures).
    assert!(
        (length(SwcType::Axon) - 600.3).abs() < 0.1,
        "{}",
        length(SwcType::Axon)
    );
    let basal = length(SwcType::BasalDendrite);
    assert!((basal - 1323.6).abs() < 0.1, "{basal}");
    let apical = length(SwcType::ApicalDendrite);
    assert!((apical - 1282.9).abs() < 0.1, "{apical}");
    // Diameters in the designed ranges: axon 1–1.5, basal 1–2, apical 0.6–3 µm.
    let range = |k: SwcType| {
        s.iter()
            .filter(|x| x.kind == k)
            .flat_map(|x| x.points.iter().map(|p| p.diameter_um))
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), d| {
                (lo.min(d), hi.max(d))
            })
    };
    assert_eq!(range(SwcType::Axon), (1.0, 1.5));
    assert_eq!(range(SwcType::BasalDendrite), (1.0, 2.0));
    assert_eq!(range(SwcType::ApicalDendrite), (0.6, 3.0));
    // Parents come before children, and soma children hang at 0.5.
    for (i, x) in s.iter().enumerate().skip(1) {
        let p = x.parent.expect("only the root has no parent");
        assert!(p.section < i);
        assert_eq!(p.position, if p.section == 0 { 0.5 } else { 1.0 });
    }
}
