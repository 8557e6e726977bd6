//! Terminal output helpers: colour only on a terminal, and never with `NO_COLOR`.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::content::{Diagnostic, Loaded, Severity};

#[derive(Clone, Copy, Debug)]
pub struct Painter {
    colour: bool,
}

impl Painter {
    pub fn for_stream(stream: &impl IsTerminal) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            colour: stream.is_terminal() && !no_color,
        }
    }

    pub fn plain() -> Self {
        Self { colour: false }
    }

    /// `path:line:col: error: message` with the severity coloured.
    pub fn diagnostic(self, d: &Diagnostic) -> String {
        let severity = d.severity.as_str();
        let severity = if self.colour {
            let code = match d.severity {
                Severity::Error => "1;31",
                Severity::Warning => "1;33",
            };
            format!("\x1b[{code}m{severity}\x1b[0m")
        } else {
            severity.to_owned()
        };
        format!("{}: {severity}: {}", d.location(), d.text())
    }
}

/// Success unless the content had errors.
pub fn exit_code(loaded: &Loaded) -> ExitCode {
    if loaded.error_count() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Prints the content's errors on stderr, so that stdout stays a listing;
/// returns the exit code they call for.
pub fn report_errors(loaded: &Loaded) -> ExitCode {
    let painter = Painter::for_stream(&std::io::stderr());
    for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
        eprintln!("{}", painter.diagnostic(d));
    }
    exit_code(loaded)
}
