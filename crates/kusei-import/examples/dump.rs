//! Print a parsed document: `cargo run -p kusei-import --example dump -- FILE [--text]`.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: dump FILE [--text]");
        std::process::exit(2);
    };
    match kusei_import::parse_file(std::path::Path::new(path)) {
        Ok(doc) => {
            if args.iter().any(|a| a == "--text") {
                print!("{}", doc.render_text());
            } else {
                match serde_json::to_string_pretty(&doc.to_json()) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("{e}"),
                }
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
