//! report.html as a reader sees it: rendered by headless Chromium, offline. The page must
//! draw (a screenshot with text, tables and figures), show the run's numbers (the DOM after
//! parsing), embed its figures as SVG data and reach for nothing outside itself.
//!
//! Chromium is required, not optional: without it these tests fail and say how to install
//! it, since a skipped test would let a broken report through.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// The screenshot's size in pixels, as asked of Chromium.
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 2000;

fn cajal(arguments: &[&str], directory: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cajal"))
        .args(arguments)
        .current_dir(directory)
        .output()
        .expect("the cajal executable runs")
}

fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-report-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&directory);
    fs::create_dir_all(&directory).unwrap();
    directory
}

fn examples_directory() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Runs `cajal run MODEL -o out --quiet ...` in `directory`; the output directory.
fn run(directory: &Path, model: &Path, more: &[&str]) -> PathBuf {
    let mut arguments = vec!["run", model.to_str().unwrap(), "-o", "out", "--quiet"];
    arguments.extend(more);
    let output = cajal(&arguments, directory);
    assert!(
        output.status.success(),
        "cajal {arguments:?}: {output:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    directory.join("out")
}

/// The Chromium executable: $CHROMIUM, or `chromium` on the PATH.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|directory| directory.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed, and the report tests render report.html in it: \
             apt-get install chromium (or set CHROMIUM to its executable)"
        )
    })
}

/// Runs headless Chromium on `page` with `mode` (`--screenshot=...` or `--dump-dom`) in a
/// fresh profile, with everything that would reach the network off; its stdout.
fn headless(page: &Path, mode: &str, scratch: &Path) -> String {
    let profile = scratch.join("chromium-profile");
    let _ = fs::remove_dir_all(&profile);
    let stdout_path = scratch.join("chromium-stdout.txt");
    let stderr_path = scratch.join("chromium-stderr.txt");
    let page = fs::canonicalize(page).unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size={WIDTH},{HEIGHT}"),
            mode,
            &format!("file://{}", page.display()),
        ])
        .stdin(Stdio::null())
        // To files, not pipes: a multi-megabyte DOM would fill a pipe nobody reads yet.
        .stdout(File::create(&stdout_path).unwrap())
        .stderr(File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromium ({e}): apt-get install chromium"));
    // A static page loads in a second or two; a minute means Chromium hangs.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {mode} did not finish in 60 s:\n{}",
                fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "chromium {mode}: {status}\n{}",
        fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    let _ = fs::remove_dir_all(&profile);
    fs::read_to_string(&stdout_path).unwrap()
}

/// The pixels of a PNG as RGB, with its size.
fn read_png(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{info:?}");
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{info:?}");
    let pixels = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// Every `src="..."` of an `<img>` in `html`.
fn image_sources(html: &str) -> Vec<&str> {
    html.split("<img ")
        .skip(1)
        .map(|tag| {
            let start = tag.find("src=\"").expect("an img has a src") + 5;
            let end = start + tag[start..].find('"').unwrap();
            &tag[start..end]
        })
        .collect()
}

/// The page asks for nothing beyond itself: no script, stylesheet, font or image from a
/// URL or file, and links only to its own sections.
fn assert_self_contained(html: &str) {
    for pattern in [
        "http://", "https://", "src=\"/", "<script", "<link", "@import", "url(", "<iframe",
    ] {
        assert!(!html.contains(pattern), "report.html contains {pattern}");
    }
    for link in html.split("href=\"").skip(1) {
        assert!(
            link.starts_with('#'),
            "a link out of the page: href=\"{link:.60}"
        );
    }
}

/// Each image is an SVG document, embedded: `data:image/svg+xml;base64,` and the document.
fn assert_embedded_svgs(sources: &[&str]) {
    for source in sources {
        let data = source
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap_or_else(|| panic!("not embedded SVG: {source:.60}"));
        let svg = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("valid base64");
        let svg = String::from_utf8(svg).expect("UTF-8 SVG");
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{svg:.200}"
        );
    }
}

/// Pixels within `tolerance` per channel of `color`.
fn count_near(pixels: &[[u8; 3]], color: [u8; 3], tolerance: u8) -> usize {
    pixels
        .iter()
        .filter(|p| (0..3).all(|c| p[c].abs_diff(color[c]) <= tolerance))
        .count()
}

#[test]
fn the_demo_report_renders_offline_with_its_numbers_and_figures() {
    let directory = scratch("demo");
    let out = run(
        &directory,
        &examples_directory().join("brunel_demo.toml"),
        &["--duration", "200ms"],
    );
    let report = out.join("report.html");
    let html = fs::read_to_string(&report).unwrap();
    assert_self_contained(&html);
    let svgs = fs::read_dir(out.join("plots"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    // Traces of E, the statistics' figures (raster of E and I, ISI, rate and CV
    // histograms, population activity, its spectrum) and the (g, η) phase diagram.
    assert_eq!(svgs, 8);
    let sources = image_sources(&html);
    assert_eq!(sources.len(), svgs);
    assert_embedded_svgs(&sources);

    // The screenshot: the asked size, and a page, not a blank or an error: text, tables and
    // plotted data in many colours, among them the figures' own.
    let screenshot = directory.join("report.png");
    headless(
        &report,
        &format!("--screenshot={}", screenshot.display()),
        &directory,
    );
    let (width, height, pixels) = read_png(&screenshot);
    assert_eq!((width, height), (WIDTH, HEIGHT));
    let white = count_near(&pixels, [255, 255, 255], 0);
    let drawn = 1.0 - white as f64 / pixels.len() as f64;
    assert!(
        drawn > 0.03,
        "only {:.1} % of the page drawn",
        100.0 * drawn
    );
    let mut colours: Vec<[u8; 3]> = pixels.clone();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() > 50, "{} colours", colours.len());
    // The trace figure's second neuron is vermillion (213, 94, 0), a colour of the figures
    // alone: the embedded SVG was decoded and drawn.
    assert!(
        count_near(&pixels, [213, 94, 0], 8) > 100,
        "no figure drawn"
    );
    // For a look: target/report-screenshot.png.
    let target = Path::new(env!("CARGO_BIN_EXE_cajal"))
        .ancestors()
        .nth(2)
        .unwrap()
        .join("report-screenshot.png");
    fs::copy(&screenshot, &target).unwrap();

    // The DOM Chromium built holds the run's numbers, as summary.json has them.
    let dom = headless(&report, "--dump-dom", &directory);
    let summary = read_json(&out.join("summary.json"));
    assert!(dom.contains("<h1>brunel_demo.toml</h1>"), "{dom:.2000}");
    assert!(dom.contains("<th>population</th>"));
    assert!(dom.contains("active neurons (%)"));
    for (name, size) in [("E", 4000), ("I", 1000)] {
        let population = &summary["populations"][name];
        let spikes = population["spike_count"].as_u64().unwrap();
        let rate = population["rate_hz"].as_f64().unwrap();
        // Four significant digits: two decimals for the tens of Hz of the AI state.
        assert!((10.0..100.0).contains(&rate), "{name}: {rate} Hz");
        let row = format!(
            "<tr><td>{name}</td><td>lif</td><td class=\"number\">{size}</td>\
             <td class=\"number\">{spikes}</td><td class=\"number\">{rate:.2}</td>"
        );
        assert!(dom.contains(&row), "{row} not in the DOM");
        // The statistics' columns, with the values summary.json has.
        let lv = population["statistics"]["lv"]["mean"].as_f64().unwrap();
        let cell = format!("<td class=\"number\">{}</td>", significant(lv));
        assert!(dom.contains(&cell), "{name}: LV {cell} not in the DOM");
    }
    for heading in [
        "CV2",
        "LV",
        "Fano factor (100 ms windows)",
        "activity spectrum peak (Hz)",
    ] {
        let th = format!("<th class=\"number\">{heading}</th>");
        assert!(dom.contains(&th), "{heading}");
    }
    assert!(dom.contains("<span class=\"complete\">complete</span>"));
    // Theory beside simulation: the mean-field rate of each population and the predicted
    // state of the network (the demo is Brunel's g = 5, η = 2 at C_E = 400).
    assert!(dom.contains("<td>stationary rate (Hz)</td><td>E</td>"));
    assert!(dom.contains("predicted state AI"));
    assert_eq!(
        image_sources(&dom),
        sources,
        "the DOM's images are the report's"
    );
    assert!(dom.contains("<pre># The demo: a Brunel (2000) network"));
    fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn a_lif_under_constant_current_shows_theory_beside_simulation() {
    // Brunel's neuron (τ_m = 20 ms, θ = 20 mV, V_r = 10 mV, τ_ref = 2 ms, R = 100 MΩ) at
    // 300 pA: μ = 30 mV, stationary rate 1/(2 + 20 ln 2) ms = 63.04 Hz, CV 0. On the 0.1 ms
    // grid every interval is 15.9 ms (the crossing rounded up to the step's end), a rate of
    // 62.89 Hz: 0.23 % low, less than dt/ISI = 0.63 %.
    let directory = scratch("theory");
    let model = directory.join("lif <constant>.toml");
    fs::write(
        &model,
        r#"
        [simulation]
        duration = "1000 ms"
        dt = "0.1 ms"
        [population.cell]
        model = "lif"
        size = 2
        V_init = { distribution = "uniform", low = "0 mV", high = "15 mV" }
        [[input]]
        target = "cell"
        kind = "constant"
        amplitude = "300 pA"
        "#,
    )
    .unwrap();
    let out = run(&directory, &model, &[]);
    let summary = read_json(&out.join("summary.json"));
    let cell = &summary["populations"]["cell"];
    let theory = &cell["theory"]["rate_hz"];
    let expected = 1000.0 / (2.0 + 20.0 * 2f64.ln());
    assert!((theory["theory"].as_f64().unwrap() - expected).abs() < 1e-9 * expected);
    let simulated = theory["simulation"].as_f64().unwrap();
    assert!((simulated - 1000.0 / 15.9).abs() < 1e-9, "{simulated}");
    let relative = theory["relative_difference"].as_f64().unwrap();
    assert!((relative - (simulated - expected) / expected).abs() < 1e-12);
    assert!(relative < 0.0 && relative > -0.1 / 15.9, "{relative}");
    assert_eq!(cell["theory"]["cv_isi"]["theory"].as_f64(), Some(0.0));
    assert!(cell["theory"]["cv_isi"]["simulation"].as_f64().unwrap() < 1e-9);
    assert!(cell["theory"]["cv_isi"]["relative_difference"].is_null());
    // The keys summary.json had before are there beside it.
    for key in ["model", "size", "spike_count", "rate_hz", "cv_isi"] {
        assert!(cell.get(key).is_some(), "{key}");
    }

    let report = out.join("report.html");
    assert_self_contained(&fs::read_to_string(&report).unwrap());
    let dom = headless(&report, "--dump-dom", &directory);
    // The file's name is text, escaped like the rest.
    assert!(
        dom.contains("<h1>lif &lt;constant&gt;.toml</h1>"),
        "{dom:.2000}"
    );
    let row = "<tr><td>stationary rate (Hz)</td><td>cell</td><td class=\"number\">63.04</td>\
               <td class=\"number\">62.89</td><td class=\"number\">-0.23</td></tr>";
    assert!(dom.contains(row), "{row} not in the DOM");
    assert!(dom.contains("<tr><td>CV ISI</td><td>cell</td><td class=\"number\">0</td>"));
    fs::remove_dir_all(&directory).unwrap();
}

/// A value as the report prints it: four significant digits.
fn significant(value: f64) -> String {
    let digits = (3 - value.abs().log10().floor() as i32).max(0) as usize;
    format!("{value:.digits$}")
}
