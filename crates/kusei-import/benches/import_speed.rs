//! Import throughput: ~50 MB built by repeating the seeds (or the fixtures when
//! ../shared/seeds is absent), parsed with `parse_bytes` (decode + parse), beside a plain
//! byte scan (count newlines, sum bytes) of the same bytes in the same run.
//!
//! `cargo bench -p kusei-import` (plain std::time, no criterion).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 50 * 1024 * 1024;

fn sources() -> (Vec<(String, String)>, &'static str) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = manifest
        .ancestors()
        .map(|a| a.join("shared").join("seeds"))
        .find(|p| p.is_dir());
    let (dir, what) = match seeds {
        Some(d) => (d, "seeds"),
        None => (manifest.join("tests").join("fixtures"), "fixtures"),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|r| r.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        if let (Some(name), Ok(bytes)) = (f.file_name().and_then(|n| n.to_str()), std::fs::read(&f))
        {
            if let Ok((text, _)) = kusei_import::decode(&bytes) {
                out.push((name.to_string(), text));
            }
        }
    }
    (out, what)
}

fn byte_scan(data: &[u8]) -> (usize, u64) {
    let mut newlines = 0usize;
    let mut sum = 0u64;
    for &b in data {
        newlines += usize::from(b == b'\n');
        sum = sum.wrapping_add(u64::from(b));
    }
    (newlines, sum)
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64().max(1e-9)
}

fn main() {
    let (srcs, what) = sources();
    if srcs.is_empty() {
        println!("no input documents found");
        return;
    }
    println!(
        "import_speed: {} {what} repeated to ~{} MB",
        srcs.len(),
        TARGET_BYTES / (1024 * 1024)
    );

    // 1. One big document per source (each repeated to an equal share of ~50 MB):
    //    catches anything that grows worse than linearly with document size.
    let share = TARGET_BYTES / srcs.len();
    let mut big: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, text) in &srcs {
        let mut s = String::with_capacity(share + text.len() + 1);
        while s.len() < share {
            s.push_str(text);
            s.push('\n');
        }
        big.push((name.clone(), s.into_bytes()));
    }
    let total: usize = big.iter().map(|b| b.1.len()).sum();

    let t = Instant::now();
    let mut scan = (0usize, 0u64);
    for (_, bytes) in &big {
        let (n, s) = byte_scan(black_box(bytes));
        scan.0 += n;
        scan.1 = scan.1.wrapping_add(s);
    }
    let scan_time = t.elapsed();
    black_box(scan);

    let mut parse_time = Duration::ZERO;
    let mut nodes = 0usize;
    println!("\n  large documents (one per source):");
    for (name, bytes) in &big {
        let t = Instant::now();
        let doc = kusei_import::parse_bytes(name, black_box(bytes));
        let d = t.elapsed();
        parse_time += d;
        let (family, n) = match &doc {
            Ok(doc) => (doc.family.as_str(), doc.nodes.len()),
            Err(_) => ("error", 0),
        };
        nodes += n;
        println!(
            "    {:<28} {:>6.1} MB  {:<16} {:>8} nodes  {:>7.2} s  {:>7.1} MB/s",
            name,
            bytes.len() as f64 / 1048576.0,
            family,
            n,
            d.as_secs_f64(),
            mbps(bytes.len(), d)
        );
        black_box(doc.ok());
    }

    // 2. Many small documents (the realistic case): each source parsed as is, repeatedly.
    let one_round: usize = srcs.iter().map(|s| s.1.len()).sum();
    let rounds = (TARGET_BYTES / one_round.max(1)).max(1);
    let small: Vec<(String, Vec<u8>)> = srcs
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect();
    let t = Instant::now();
    let mut small_nodes = 0usize;
    for _ in 0..rounds {
        for (name, bytes) in &small {
            if let Ok(doc) = kusei_import::parse_bytes(name, black_box(bytes)) {
                small_nodes += doc.nodes.len();
            }
        }
    }
    let small_time = t.elapsed();
    let small_total = one_round * rounds;
    let t = Instant::now();
    let mut s2 = (0usize, 0u64);
    for _ in 0..rounds {
        for (_, bytes) in &small {
            let (n, s) = byte_scan(black_box(bytes));
            s2.0 += n;
            s2.1 = s2.1.wrapping_add(s);
        }
    }
    let small_scan = t.elapsed();
    black_box(s2);

    let p = mbps(total, parse_time);
    let s = mbps(total, scan_time);
    println!(
        "\n  large documents: {:.1} MB, {} nodes",
        total as f64 / 1048576.0,
        nodes
    );
    println!(
        "    parse      {:>9.1} MB/s  ({:.2} s)",
        p,
        parse_time.as_secs_f64()
    );
    println!(
        "    byte scan  {:>9.1} MB/s  ({:.3} s)",
        s,
        scan_time.as_secs_f64()
    );
    println!(
        "    ratio      parse is {:.0}x slower than the byte scan",
        s / p.max(1e-9)
    );
    let p2 = mbps(small_total, small_time);
    let s2 = mbps(small_total, small_scan);
    println!(
        "\n  small documents: {} parses of {} files, {:.1} MB, {} nodes",
        rounds * small.len(),
        small.len(),
        small_total as f64 / 1048576.0,
        small_nodes
    );
    println!(
        "    parse      {:>9.1} MB/s  ({:.2} s, {:.0} documents/s)",
        p2,
        small_time.as_secs_f64(),
        (rounds * small.len()) as f64 / small_time.as_secs_f64().max(1e-9)
    );
    println!(
        "    byte scan  {:>9.1} MB/s  ({:.3} s)",
        s2,
        small_scan.as_secs_f64()
    );
    println!(
        "    ratio      parse is {:.0}x slower than the byte scan",
        s2 / p2.max(1e-9)
    );
}
