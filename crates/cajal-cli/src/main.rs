//! `cajal`: run neuron models from TOML model files, write their data, plots and a summary.
//!
//! The executable only wires library calls together: read a model ([`cajal::spec`]), build
//! and run it ([`cajal::engine`]), write what it produced as it goes ([`stream`], [`output`]),
//! draw it ([`figures`]) and put it all on one page ([`report`]).

mod analysis;
mod analysis_figures;
mod analyze_command;
mod binary_figures;
mod binary_run;
mod cable_figures;
mod cable_run;
mod cli;
mod diagnostics;
mod digest;
mod examples;
mod fi_command;
mod figures;
mod output;
mod overlaps;
mod plot;
mod progress;
mod rate_run;
mod report;
mod run_command;
mod stability_output;
mod stat_figures;
mod stats_command;
mod stats_input;
mod stats_options;
mod stats_outputs;
mod stream;
mod weights_output;

use clap::Parser;

fn main() -> miette::Result<()> {
    // Messages name file:line:column; wrapping them would break that for editors and grep.
    miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }))
    .expect("the hook is set once, first");
    let arguments = cli::Cli::parse();
    match arguments.command {
        cli::Command::Demo {
            output,
            quiet,
            threads,
        } => run_command::demo(&output, quiet, threads),
        cli::Command::Run {
            model,
            output,
            quiet,
            threads,
            duration,
        } => run_command::run(
            &model,
            output.as_deref(),
            quiet,
            threads,
            duration.as_deref(),
        ),
        cli::Command::Fi(options) => fi_command::fi(&options),
        cli::Command::Stats(options) => stats_command::stats(&options),
        cli::Command::Analyze(options) => analyze_command::analyze(&options),
        cli::Command::Examples { name } => examples::show(name.as_deref()),
    }
}
