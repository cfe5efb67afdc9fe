//! The `wxcloud` command.

fn main() {
    eprintln!("wxcloud: the command line is not built yet");
    std::process::exit(2);
}
