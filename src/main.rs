//! Entry point of the `inscriptions` binary: parse the command line, hand over.

fn main() -> std::process::ExitCode {
    inscriptions::cli::main()
}
