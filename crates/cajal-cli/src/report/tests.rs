use super::*;

fn facts(complete: bool) -> RunFacts {
    RunFacts {
        cajal_version: "0.1.0".into(),
        model_file: "models/net.toml".into(),
        duration_ms: 200.0,
        simulated_ms: if complete { 200.0 } else { 80.0 },
        dt_ms: 0.1,
        seed: 7,
        threads: 2,
        wall_seconds: 1.5,
        simulate_seconds: 1.0,
        complete,
    }
}

fn report(complete: bool) -> Report {
    Report {
        title: "net.toml".into(),
        facts: facts(complete),
        populations: vec![
            PopulationRow {
                spike_count: Some(120),
                rate_hz: Some(12.5),
                cv_isi: Some(0.8123),
                ..PopulationRow::new("E", "lif", 48)
            },
            PopulationRow::new("rates", "rate", 3),
        ],
        theory: Vec::new(),
        theory_notes: Vec::new(),
        figures: Vec::new(),
        model_text: "[simulation]\nduration = \"200 ms\"\n".into(),
    }
}

/// A fresh directory under the system's temporary one.
fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("cajal-report-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&directory);
    fs::create_dir_all(&directory).unwrap();
    directory
}

fn entries(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(directory)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn text_from_the_model_is_escaped_everywhere() {
    assert_eq!(
        escape(r#"<a href="x">'&'</a>"#),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    let hostile = "<script>alert('x')</script>";
    let mut report = report(true);
    report.title = format!("{hostile}.toml");
    report.model_text = format!("# {hostile}\nname = \"a & b\"\n");
    report.populations[0].name = hostile.into();
    report.populations[0] = report.populations[0]
        .clone()
        .with_column(format!("{hostile} (Hz)"), Some(1.0));
    report.theory.push(TheoryRow {
        key: "rate_hz",
        quantity: hostile.into(),
        population: hostile.into(),
        theory: 1.0,
        simulation: Some(1.0),
        basis: hostile.into(),
    });
    let html = render(&report, &[]);
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("name = &quot;a &amp; b&quot;"));
}

#[test]
fn absent_values_show_a_dash_and_extra_columns_line_up() {
    assert_eq!(number(None), "–");
    assert_eq!(number(Some(f64::NAN)), "–");
    assert_eq!(number(Some(12.5)), "12.50");
    assert_eq!(number(Some(0.8123)), "0.8123");
    assert_eq!(number(Some(63.0398)), "63.04");
    assert_eq!(number(Some(12345.6)), "12346");
    assert_eq!(number(Some(0.0)), "0");
    assert_eq!(number(Some(2.5e-5)), "2.500e-5");
    assert_eq!(percent(Some(-0.00234)), "-0.23");
    assert_eq!(percent(None), "–");

    let mut report = report(true);
    // E has CV₂ and Fano, the rate units only Fano: their CV₂ cell is a dash.
    report.populations[0] = report.populations[0]
        .clone()
        .with_column("CV₂", Some(0.9))
        .with_column("Fano factor", None);
    report.populations[1] = report.populations[1]
        .clone()
        .with_column("Fano factor", Some(1.25));
    let html = render(&report, &[]);
    assert!(html.contains("<th class=\"number\">CV₂</th><th class=\"number\">Fano factor</th>"));
    let row = |name: &str| {
        html.lines()
            .find(|l| l.starts_with(&format!("<tr><td>{name}</td>")))
            .unwrap()
            .to_string()
    };
    assert!(
        row("E").ends_with(
            "<td class=\"number\">0.8123</td><td class=\"number\">0.9000</td>\
             <td class=\"number\">–</td></tr>"
        ),
        "{}",
        row("E")
    );
    // Rate units: no spikes, no rate, no CV, no CV₂.
    assert!(
        row("rates").ends_with(
            "<td class=\"number\">3</td><td class=\"number\">–</td><td class=\"number\">–</td>\
             <td class=\"number\">–</td><td class=\"number\">–</td>\
             <td class=\"number\">1.250</td></tr>"
        ),
        "{}",
        row("rates")
    );
}

#[test]
fn theory_rows_give_the_relative_difference_where_it_is_defined() {
    let row = TheoryRow {
        key: "rate_hz",
        quantity: "stationary rate (Hz)".into(),
        population: "cell".into(),
        theory: 63.04,
        simulation: Some(62.89),
        basis: "closed form".into(),
    };
    assert!((row.relative_difference().unwrap() - (62.89 - 63.04) / 63.04).abs() < 1e-15);
    let cv = TheoryRow {
        key: "cv_isi",
        theory: 0.0,
        simulation: Some(1e-16),
        ..row.clone()
    };
    assert_eq!(cv.relative_difference(), None);
    let unmeasured = TheoryRow {
        simulation: None,
        ..row.clone()
    };
    assert_eq!(unmeasured.relative_difference(), None);

    let mut report = report(true);
    assert!(render(&report, &[]).contains("No population of this model has a closed-form"));
    report.theory = vec![row, cv];
    let html = render(&report, &[]);
    assert!(html.contains(
        "<tr><td>stationary rate (Hz)</td><td>cell</td><td class=\"number\">63.04</td>\
         <td class=\"number\">62.89</td><td class=\"number\">-0.24</td></tr>"
    ));
    // The basis is said once for both rows.
    assert_eq!(html.matches("<li>closed form</li>").count(), 1);
}

#[test]
fn an_interrupted_run_says_so_at_the_top() {
    let complete = render(&report(true), &[]);
    assert!(!complete.contains("class=\"banner\""));
    assert!(complete.contains("<span class=\"complete\">complete</span>"));

    let html = render(&report(false), &[]);
    let banner = html.find("class=\"banner\"").expect("a banner");
    // Before any section: the first thing after the heading.
    assert!(banner > html.find("<h1>").unwrap());
    assert!(banner < html.find("<nav>").unwrap());
    assert!(html.contains("stopped at t = 80 ms of 200 ms"), "{html}");
    assert!(html.contains("incomplete: stopped at t = 80 ms"));
}

#[test]
fn figures_are_embedded_as_svg_data() {
    let directory = scratch("figures");
    let svg = directory.join("a.svg");
    let content = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
    fs::write(&svg, content).unwrap();
    let mut report = report(true);
    report.figures.push(ReportFigure {
        caption: "E: spikes & rates".into(),
        svg,
    });
    let path = directory.join("report.html");
    write_report(&report, &path).unwrap();
    let html = fs::read_to_string(&path).unwrap();
    let prefix = "<img src=\"data:image/svg+xml;base64,";
    let start = html.find(prefix).unwrap() + prefix.len();
    let end = start + html[start..].find('"').unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&html[start..end])
        .unwrap();
    assert_eq!(decoded, content.as_bytes());
    assert!(html.contains("alt=\"E: spikes &amp; rates\""));
    assert!(html.contains("<figcaption>Figure 1. E: spikes &amp; rates</figcaption>"));
    fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn the_report_is_written_whole_or_not_at_all() {
    let directory = scratch("atomic");
    let path = directory.join("report.html");
    fs::write(&path, "old").unwrap();
    // A figure that cannot be read fails before anything is written: the old file stays.
    let mut broken = report(true);
    broken.figures.push(ReportFigure {
        caption: "gone".into(),
        svg: directory.join("missing.svg"),
    });
    let error = format!("{:?}", write_report(&broken, &path).unwrap_err());
    assert!(error.contains("missing.svg"), "{error}");
    assert_eq!(fs::read_to_string(&path).unwrap(), "old");

    // A good report replaces it, through a temporary file that does not stay behind.
    write_report(&report(true), &path).unwrap();
    let html = fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert_eq!(entries(&directory), ["report.html"]);

    // Where the rename cannot happen (a directory holds the name), the error names the
    // report and no temporary file is left.
    let blocked = directory.join("blocked.html");
    fs::create_dir_all(blocked.join("inside")).unwrap();
    let error = format!("{:?}", write_report(&report(true), &blocked).unwrap_err());
    assert!(error.contains("blocked.html"), "{error}");
    assert_eq!(entries(&directory), ["blocked.html", "report.html"]);
    fs::remove_dir_all(&directory).unwrap();
}
